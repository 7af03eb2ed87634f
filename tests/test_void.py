"""The VoID + DCAT description: numbers recomputed independently from the
fixture files, dumps that resolve with the stated size and checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, VOID

from admiukg.site import void

BASE = "https://kg.admiu.example/"
DATASET = URIRef(BASE + ".well-known/void#dataset")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")


@pytest.fixture(scope="module")
def description(ld_app):
    r = ld_app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    return rdflib.Graph().parse(data=r.data, format="turtle")


@pytest.fixture(scope="module")
def fixture_graphs(ld_app):
    return {Path(p).stem: rdflib.Graph().parse(p, format="turtle") for p in ld_app.config["KG_FILES"]}


def value(g, s, p):
    return next(g.objects(s, p)).toPython()


def test_dataset_is_void_and_dcat(description):
    assert (DATASET, RDF.type, VOID.Dataset) in description
    assert (DATASET, RDF.type, DCAT.Dataset) in description


def test_counts_match_the_files(description, fixture_graphs):
    data = fixture_graphs["data"]
    assert value(description, DATASET, VOID.triples) == sum(len(g) for g in fixture_graphs.values())
    things = {s for s in data.subjects() if str(s).startswith(BASE + "id/")}
    assert value(description, DATASET, VOID.entities) == len(things)
    assert value(description, DATASET, VOID.classes) == len(set(data.objects(None, RDF.type)))
    assert value(description, DATASET, VOID.properties) == len(set(data.predicates()))


def test_class_and_property_partitions(description, fixture_graphs):
    data = fixture_graphs["data"]
    classes = {
        value(description, part, VOID["class"]): value(description, part, VOID.entities)
        for part in description.objects(DATASET, VOID.classPartition)
    }
    expected = {str(c): len(set(data.subjects(RDF.type, c))) for c in set(data.objects(None, RDF.type))}
    assert {str(k): v for k, v in classes.items()} == expected
    props = {
        str(value(description, part, VOID.property)): value(description, part, VOID.triples)
        for part in description.objects(DATASET, VOID.propertyPartition)
    }
    assert props == {str(p): len(list(data.triples((None, p, None)))) for p in set(data.predicates())}


def test_licence_endpoint_examples_and_subsets(description, ld_app):
    assert (DATASET, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in description
    assert (DATASET, VOID.sparqlEndpoint, URIRef(BASE + "sparql")) in description
    assert (DATASET, VOID.exampleResource, URIRef(BASE + "id/admiu")) in description
    subsets = set(description.objects(DATASET, VOID.subset))
    assert len(subsets) == len(ld_app.extensions["admiukg"].graphs)


def test_every_distribution_resolves_with_its_size_and_checksum(description, ld_client):
    dists = list(description.objects(DATASET, DCAT.distribution))
    assert len(dists) == 2 * (
        4 * 6 + 3
    )  # four graphs in six syntaxes and the whole dataset in three; each gzipped too
    for dist in dists:
        url = str(value(description, dist, DCAT.downloadURL))
        body = ld_client.get(url.replace(BASE, "/")).data
        assert value(description, dist, DCAT.byteSize) == len(body), url
        checksum = next(description.objects(dist, SPDX.checksum))
        assert (
            str(next(description.objects(checksum, SPDX.checksumValue))).lower()
            == hashlib.sha256(body).hexdigest()
        )


def test_whole_dataset_dumps_are_void_data_dumps(description):
    dumps = {str(o) for o in description.objects(DATASET, VOID.dataDump)}
    assert BASE + "downloads/admiukg-all.nq" in dumps


def test_html_variant_and_landing_page_link(ld_client):
    html = ld_client.get("/.well-known/void", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "void:Dataset" in html
    assert 'href="/.well-known/void"' in ld_client.get("/").get_data(as_text=True)


def test_service_description_link_points_at_the_void():
    snippet = void.service_description_turtle("http://x/sparql#dataset", BASE)
    g = rdflib.Graph().parse(data=snippet, format="turtle")
    assert (URIRef("http://x/sparql#dataset"), RDFS.seeAlso, URIRef(BASE + ".well-known/void")) in g
