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


UNION_ROLES = ("ontology", "data", "inferred")  # the endpoint's default graph; shapes stay out


@pytest.fixture(scope="module")
def default_graph(fixture_graphs):
    union = rdflib.Graph()
    for role in UNION_ROLES:
        union += fixture_graphs[role]
    return union


def test_counts_are_over_the_stated_default_graph(description, default_graph):
    assert value(description, DATASET, VOID.triples) == len(default_graph)
    things = {s for s in default_graph.subjects() if str(s).startswith(BASE + "id/")}
    assert value(description, DATASET, VOID.entities) == len(things)
    assert value(description, DATASET, VOID.classes) == len(set(default_graph.objects(None, RDF.type)))
    assert value(description, DATASET, VOID.properties) == len(set(default_graph.predicates()))
    stated = " ".join(str(o) for o in description.objects(DATASET, DCTERMS.description))
    for role in UNION_ROLES:
        assert f"<{BASE}graph/{role}>" in stated
    assert f"<{BASE}graph/shapes> is not part of it" in stated


def test_partitions_add_up_to_the_dataset(description, default_graph):
    classes = {
        value(description, part, VOID["class"]): value(description, part, VOID.entities)
        for part in description.objects(DATASET, VOID.classPartition)
    }
    expected = {str(c): len(set(default_graph.subjects(RDF.type, c)))
                for c in set(default_graph.objects(None, RDF.type))}
    assert {str(k): v for k, v in classes.items()} == expected
    assert len(classes) == value(description, DATASET, VOID.classes)
    props = {
        str(value(description, part, VOID.property)): value(description, part, VOID.triples)
        for part in description.objects(DATASET, VOID.propertyPartition)
    }
    assert props == {str(p): len(list(default_graph.triples((None, p, None))))
                     for p in set(default_graph.predicates())}
    assert sum(props.values()) == value(description, DATASET, VOID.triples)
    subsets = list(description.objects(DATASET, VOID.subset))
    assert sum(value(description, s, VOID.triples) for s in subsets) == value(description, DATASET, VOID.triples)


def test_licence_endpoint_examples_and_subsets(description, ld_app):
    assert (DATASET, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in description
    assert (DATASET, VOID.sparqlEndpoint, URIRef("http://localhost/sparql")) in description
    assert (DATASET, VOID.exampleResource, URIRef(BASE + "id/admiu")) in description
    subsets = {str(value(description, s, URIRef("http://www.w3.org/ns/sparql-service-description#name")))
               for s in description.objects(DATASET, VOID.subset)}
    assert subsets == {BASE + "graph/" + r for r in UNION_ROLES}
    shapes = URIRef(str(DATASET) + "-shapes")
    assert (DATASET, DCTERMS.relation, shapes) in description and (shapes, RDF.type, VOID.Dataset) in description


def test_every_distribution_resolves_with_its_size_and_checksum(description, ld_client):
    dists = list(description.objects(None, DCAT.distribution))
    assert len(dists) == 2 * (4 * 6 + 3)  # four graphs in six syntaxes, the whole store in three; gzipped too
    assert len(list(description.objects(DATASET, DCAT.distribution))) == 2 * 3
    for dist in dists:
        url = str(value(description, dist, DCAT.downloadURL))
        assert url.startswith("http://localhost/downloads/"), url  # on the server that answered
        body = ld_client.get(url.removeprefix("http://localhost")).data
        assert value(description, dist, DCAT.byteSize) == len(body), url
        checksum = next(description.objects(dist, SPDX.checksum))
        assert (
            str(next(description.objects(checksum, SPDX.checksumValue))).lower()
            == hashlib.sha256(body).hexdigest()
        )


def test_whole_dataset_dumps_are_void_data_dumps(description):
    dumps = {str(o) for o in description.objects(DATASET, VOID.dataDump)}
    assert "http://localhost/downloads/admiukg-all.nq" in dumps


def test_links_follow_the_host_that_answered_while_iris_stay_canonical(ld_app):
    r = ld_app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle", "Host": "kg.test:8123"})
    g = rdflib.Graph().parse(data=r.data, format="turtle")
    assert (DATASET, VOID.sparqlEndpoint, URIRef("http://kg.test:8123/sparql")) in g
    followed = [o for p in (VOID.sparqlEndpoint, VOID.dataDump, DCAT.downloadURL, DCAT.endpointURL,
                            DCAT.landingPage) for o in g.objects(None, p)]
    assert followed and all(str(o).startswith("http://kg.test:8123/") for o in followed)
    assert (DATASET, VOID.uriSpace, rdflib.Literal(BASE + "id/")) in g  # the graph's IRIs stay canonical


def test_html_variant_and_landing_page_link(ld_client):
    html = ld_client.get("/.well-known/void", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "void:Dataset" in html
    assert 'href="/.well-known/void"' in ld_client.get("/").get_data(as_text=True)


def test_service_description_link_points_at_the_void():
    snippet = void.service_description_turtle("http://x/sparql#dataset", BASE)
    g = rdflib.Graph().parse(data=snippet, format="turtle")
    assert (URIRef("http://x/sparql#dataset"), RDFS.seeAlso, URIRef(BASE + ".well-known/void")) in g
