"""``python server.py FILE...`` on someone else's data: named after the files, no ADMİU
branding, picture or saved queries; ``--queries DIR`` serves their own."""

from __future__ import annotations

import re

import pytest
import requests
from sparql_live import LiveServer

DATA = """@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <http://example.org/birds/> .
ex:dataset a void:Dataset ; dcterms:title "Birds of the Caspian"@en ;
    dcterms:description "Sightings counted on the Absheron coast."@en .
ex:onto a owl:Ontology ; dcterms:title "Bird ontology" .
ex:flamingo a ex:Bird ; ex:seenAt ex:absheron .
"""
QUERY = """#+ summary: Every bird and where it was seen
#+ tags: [birds]
#+ columns: [bird, place]
SELECT ?bird ?place WHERE { ?bird <http://example.org/birds/seenAt> ?place }
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("birds")
    (root / "birds.ttl").write_text(DATA, encoding="utf-8")
    (root / "queries").mkdir()
    (root / "queries" / "birds-seen.rq").write_text(QUERY, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def plain(files, tmp_path_factory):
    server = LiveServer([files / "birds.ttl", "--workers", "1"], cache_dir=tmp_path_factory.mktemp("s1"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def with_queries(files, tmp_path_factory):
    server = LiveServer([files / "birds.ttl", "--workers", "1", "--queries", files / "queries"],
                        cache_dir=tmp_path_factory.mktemp("s2"))
    server.start()
    yield server
    server.stop()


def test_site_is_named_after_the_files_own_description(plain):
    html = requests.get(plain.url + "/", headers={"Accept": "text/html"}, timeout=10).text
    assert "Birds of the Caspian" in html and "Sightings counted on the Absheron coast." in html
    assert "ADMİU" not in html and "Azerbaijan State University" not in html
    assert "<svg" not in html.split("<main", 1)[1]  # no ADMİU relations picture
    assert 'href="/shapes"' not in html  # no shapes in these files: no link to a 404
    assert 'href="/ontology"' in html  # they hold an owl:Ontology
    assert "source excerpts" not in html and "Named graphs" not in html  # nothing of the sort here
    assert re.search(r"<b>3</b> entities", html)  # dataset, ontology, flamingo: every IRI subject
    void = requests.get(plain.url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=10).text
    assert "Birds of the Caspian" in void and "ADMİU" not in void


def test_no_admiu_saved_queries_over_other_files(plain):
    listed = requests.get(plain.url + "/api/queries", headers={"Accept": "application/json"}, timeout=10).json()
    names = [q["name"] for q in (listed if isinstance(listed, list) else listed.get("queries", []))]
    assert names == []


def test_queries_dir_serves_your_own_saved_queries(with_queries):
    listed = requests.get(with_queries.url + "/api/queries", headers={"Accept": "application/json"},
                          timeout=10).json()
    names = [q["name"] for q in (listed if isinstance(listed, list) else listed.get("queries", []))]
    assert names == ["birds-seen"]
    rows = requests.get(with_queries.url + "/api/queries/birds-seen", headers={"Accept": "application/json"},
                        timeout=10).json()
    assert rows["results"]["bindings"][0]["place"]["value"] == "http://example.org/birds/absheron"


def test_bad_queries_dir_is_one_line_exit_2(files):
    import subprocess
    import sys

    from sparql_live import ROOT

    done = subprocess.run([sys.executable, "server.py", str(files / "birds.ttl"), "--queries",
                           str(files / "missing")], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "no such directory" in done.stderr


ONTO = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<http://example.org/birds/onto> a owl:Ontology ; dcterms:title "Bird ontology"@en .
<http://example.org/birds/onto#Bird> a owl:Class ; rdfs:label "Bird"@en ; rdfs:comment "A feathered animal."@en .
<http://example.org/birds/onto#Flamingo> a owl:Class ; rdfs:subClassOf <http://example.org/birds/onto#Bird> ;
    rdfs:label "Flamingo"@en .
<http://example.org/birds/onto#seenAt> a owl:ObjectProperty ; rdfs:label "seen at"@en ;
    rdfs:domain <http://example.org/birds/onto#Bird> .
"""


@pytest.fixture(scope="module")
def ontology_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("onto")
    (root / "birds-onto.ttl").write_text(ONTO, encoding="utf-8")
    server = LiveServer([root / "birds-onto.ttl", "--workers", "1"], cache_dir=tmp_path_factory.mktemp("s3"))
    server.start()
    yield server
    server.stop()


def test_ontology_page_for_an_owl_ontology_in_the_files(ontology_server):
    r = requests.get(ontology_server.url + "/ontology", headers={"Accept": "text/html"}, timeout=10)
    assert r.status_code == 200
    html = r.text
    for needle in ("Bird ontology", "Flamingo", "A feathered animal.", "seen at", 'id="Flamingo"',
                   "&lt;http://example.org/birds/onto#&gt;"):
        assert needle in html, needle
    assert "ADMİU" not in html
    ttl = requests.get(ontology_server.url + "/ontology", headers={"Accept": "text/turtle"}, timeout=10)
    assert ttl.status_code == 200 and "Flamingo" in ttl.text and "subClassOf" in ttl.text
    missing = requests.get(ontology_server.url + "/ontology?iri=http://example.org/none",
                           headers={"Accept": "text/html"}, timeout=10)
    assert missing.status_code == 404
