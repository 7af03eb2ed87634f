"""One scope for the Service Description, the VoID and the landing page: every count is over
the endpoint's default graph, which each of them names."""

from __future__ import annotations

import re

import pytest
import rdflib
from rdflib import URIRef
from rdflib.namespace import VOID

from admiukg import config

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
DATASET = URIRef(config.CANONICAL_BASE + ".well-known/void#dataset")


@pytest.fixture(scope="module")
def client():
    from admiukg.app import create_app
    from admiukg.store.local import load_dataset

    return create_app({"TESTING": True, "QUERY_WORKERS": 1}, dataset=load_dataset(validate=False)).test_client()


@pytest.fixture(scope="module")
def sd(client):
    return rdflib.Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")


@pytest.fixture(scope="module")
def void(client):
    return rdflib.Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data,
                                format="turtle")


def one(g, s, p):
    return next(g.objects(s, p)).toPython()


def test_service_description_does_not_claim_a_union_of_all_graphs(sd):
    # the shapes graph is a named graph but not in the default graph
    names = {str(o) for o in sd.objects(None, SD.name)}
    assert config.GRAPH_SHAPES in names
    assert (None, SD.feature, SD.UnionDefaultGraph) not in sd
    default = next(sd.objects(None, SD.defaultGraph))
    said = str(next(rdflib.Graph.objects(sd, default, rdflib.namespace.DCTERMS.description)))
    assert all(f"<{g}>" in said for g in (config.GRAPH_ONTOLOGY, config.GRAPH_DATA, config.GRAPH_INFERRED))
    assert f"<{config.GRAPH_SHAPES}>" not in said


def test_sd_void_and_landing_page_count_the_same_graph(client, sd, void):
    default = next(sd.objects(None, SD.defaultGraph))
    for p in (VOID.triples, VOID.classes, VOID.properties, VOID.distinctSubjects, VOID.distinctObjects):
        assert one(sd, default, p) == one(void, DATASET, p), p
    # the default graph is exactly its three named graphs (they share no triple)
    sizes = {str(one(sd, g, SD.name)): one(sd, next(sd.objects(g, SD.graph)), VOID.triples)
             for g in sd.subjects(rdflib.RDF.type, SD.NamedGraph)}
    union = sum(sizes[g] for g in (config.GRAPH_ONTOLOGY, config.GRAPH_DATA, config.GRAPH_INFERRED))
    assert one(void, DATASET, VOID.triples) == union
    page = client.get("/", headers={"Accept": "text/html"}).data.decode()
    shown = {m.group(2): int(m.group(1).replace(",", ""))
             for m in re.finditer(r"<b>([\d,]+)</b> (\w+)", page)}
    assert shown["triples"] == union and shown["classes"] == one(void, DATASET, VOID.classes)


def test_no_link_a_person_follows_points_at_the_canonical_host(client):
    for path in ("/", "/.well-known/void", "/downloads/", "/doc/admiu", "/ontology", "/explain?s="
                 + config.ID + "admiu&p=http://www.w3.org/ns/org%23memberOf&o=" + config.ID + "cumulus"):
        html = client.get(path, headers={"Accept": "text/html", "Host": "kg.test:8123"}).data.decode()
        hrefs = re.findall(r'(?:href|src|action)="([^"]*)"', html)
        assert hrefs, path
        bad = [h for h in hrefs if h.startswith(config.CANONICAL_BASE)]
        assert not bad, (path, bad[:3])
