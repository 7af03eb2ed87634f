"""Entity documents carry the entailed facts, marked as inferred; /explain says why each holds;
JSON-LD comes out compacted with the published prefixes."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from rdflib import Namespace, URIRef

from admiukg import config

ID = Namespace(config.ID)
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCT = Namespace("http://purl.org/dc/terms/")
RDFS = rdflib.RDFS
NETWORKS = [ID.cumulus, ID.bsun, ID["union-of-turkic-world-art-universities"]]
MEMBER_OF = {"s": config.ID + "admiu", "p": str(ORG.memberOf), "o": config.ID + "cumulus"}


@pytest.fixture(scope="module")
def bundled_app():
    from admiukg.app import create_app
    from admiukg.store.local import load_dataset

    return create_app({"TESTING": True, "QUERY_WORKERS": 1}, dataset=load_dataset(validate=False))


@pytest.fixture
def client(bundled_app):
    return bundled_app.test_client()


def graph_of(resp, fmt) -> rdflib.Graph:
    assert resp.status_code == 200, resp.data[:300]
    return rdflib.Graph().parse(data=resp.data, format=fmt)


@pytest.mark.parametrize("ext,fmt", [("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml"), ("jsonld", "json-ld")])
def test_every_triple_document_says_admiu_is_org_member_of_the_networks(client, ext, fmt):
    g = graph_of(client.get(f"/doc/admiu.{ext}"), fmt)
    for network in NETWORKS:
        assert (ID.admiu, ORG.memberOf, network) in g
        assert (network, ORG.hasMember, ID.admiu) in g  # inbound entailments too
    assert (ID.admiu, rdflib.RDF.type, ORG.Organization) in g


@pytest.mark.parametrize("ext,fmt", [("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")])
def test_quad_documents_list_entailed_facts_in_the_inferred_graph(client, ext, fmt):
    resp = client.get(f"/doc/admiu.{ext}")
    assert resp.status_code == 200
    ds = rdflib.Dataset()
    ds.parse(data=resp.data, format=fmt)
    inferred = ds.graph(URIRef(config.GRAPH_INFERRED))
    for network in NETWORKS:
        assert (ID.admiu, ORG.memberOf, network) in inferred
    # asserted facts are not in it, and the default graph has every fact
    assert (ID.admiu, rdflib.RDF.type, URIRef(config.AU + "University")) not in inferred
    default = ds.default_graph if hasattr(ds, "default_graph") else ds.graph(rdflib.graph.DATASET_DEFAULT_GRAPH_ID)
    assert (ID.admiu, rdflib.RDF.type, URIRef(config.AU + "University")) in default
    assert (ID.admiu, ORG.memberOf, ID.cumulus) in default


def test_turtle_document_marks_the_entailed_part_and_links_the_trig_form(client):
    resp = client.get("/doc/admiu.ttl")
    head, _, tail = resp.data.decode().partition("# Entailed by OWL 2 RL")
    assert tail and "org:memberOf" in tail and "org:memberOf" not in head
    assert f"<{config.GRAPH_INFERRED}>" in tail
    assert '</doc/admiu.trig>; rel="alternate"' in resp.headers["Link"]


def test_thing_negotiates_trig(client):
    resp = client.get("/id/admiu", headers={"Accept": "application/trig"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/doc/admiu.trig"


def test_jsonld_document_is_compacted_with_one_inline_context(client):
    resp = client.get("/doc/admiu.jsonld")
    doc = json.loads(resp.data)
    assert isinstance(doc["@context"], dict)  # inline: nothing to fetch
    assert doc["@context"]["org"] == str(ORG) and doc["@context"]["id"] == config.ID
    text = resp.data.decode()
    assert '"org:memberOf"' in text and '"id:admiu"' in text and '"@type"' in text
    assert "http://www.w3.org/ns/org#memberOf" not in text
    # the compacted form reads back as exactly the Turtle document's graph (default graph)
    turtle = rdflib.Graph().parse(data=client.get("/doc/admiu.ttl").data, format="turtle")
    compacted = rdflib.Graph().parse(data=resp.data, format="json-ld")
    assert rdflib.compare.isomorphic(turtle, compacted)


def test_construct_result_in_jsonld_is_compacted(client):
    query = "CONSTRUCT { ?s <http://www.w3.org/ns/org#memberOf> ?o } WHERE { ?s <http://www.w3.org/ns/org#memberOf> ?o }"
    resp = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/ld+json"})
    assert resp.status_code == 200
    doc = json.loads(resp.data)
    assert doc["@context"]["org"] == str(ORG)
    assert any("org:memberOf" in node for node in doc["@graph"])
    g = rdflib.Graph().parse(data=resp.data, format="json-ld")
    assert (ID.admiu, ORG.memberOf, ID.cumulus) in g


def test_explain_member_of_goes_down_to_the_source_sentence(client):
    g = graph_of(client.get("/explain", query_string=MEMBER_OF, headers={"Accept": "text/turtle"}), "turtle")
    top = next(g.subjects(rdflib.RDF.object, ID.cumulus))
    assert (top, rdflib.RDF.subject, ID.admiu) in g and (top, rdflib.RDF.predicate, ORG.memberOf) in g
    assert (top, DCT.isPartOf, URIRef(config.GRAPH_INFERRED)) in g
    rules = {str(o) for o in g.objects(None, RDFS.label)}
    assert {"prp-spo1", "prp-spo2", "prp-inv"} <= rules  # subproperty, chain, inverse
    # the chain axiom and its list are there
    chain = URIRef("http://www.w3.org/2002/07/owl#propertyChainAxiom")
    assert any(g.triples((None, rdflib.RDF.predicate, chain)))
    # an asserted premise: in the data graph, derived from an excerpt with its verbatim text
    leaf = next(s for s in g.subjects(rdflib.RDF.predicate, ORG.organization))
    assert (leaf, DCT.isPartOf, URIRef(config.GRAPH_DATA)) in g
    texts = [str(v) for src in g.objects(leaf, PROV.wasDerivedFrom) for v in g.objects(src, PROV.value)]
    assert any("Cumulus" in t for t in texts)
    # each statement is named by its own explanation URL on this server
    assert str(top).startswith("http://localhost/explain?s=")


def test_explain_page_shows_rule_axiom_and_excerpt(client):
    resp = client.get("/explain", query_string=MEMBER_OF, headers={"Accept": "text/html"})
    html = resp.data.decode()
    assert resp.status_code == 200
    for needle in ("prp-spo2", "prp-inv", "prp-spo1", "Cumulus", "badge asserted", "badge inferred"):
        assert needle in html


def test_entity_page_marks_inferred_values_and_explains_them(client):
    html = client.get("/doc/admiu", headers={"Accept": "text/html"}).data.decode()
    assert 'id="inferred"' in html and "<details" in html
    assert html.count('class="val inferred"') >= 3
    assert "/explain?s=https%3A%2F%2Fkg.admiu.example%2Fid%2Fadmiu&amp;p=http%3A%2F%2Fwww.w3.org%2Fns%2Forg%23memberOf" in html


def test_every_entailment_of_the_bundled_graph_is_explained(bundled_app):
    from admiukg.site import explain

    ds = bundled_app.extensions["admiukg"]
    inferred = ox.NamedNode(ds.graphs["inferred"])

    def leaves(p):
        return [p] if p.asserted else [x for sub in p.premises for x in leaves(sub)]

    count = 0
    with bundled_app.app_context():
        for q in ds.store.quads_for_pattern(None, None, None, inferred):
            proof, cut = explain.explain(ds, q.triple)
            assert proof is not None and not cut, q.triple
            assert all(leaf.graphs and "inferred" not in leaf.graphs for leaf in leaves(proof))
            count += 1
    assert count > 400


def test_explanations_come_from_the_served_ontology(tmp_path):
    """A dataset with its own ontology: the rule and axiom are read from it at request time."""
    from admiukg.app import create_app
    from admiukg.store.local import DatasetInfo, ServedDataset

    ex = "https://kg.admiu.example/id/"
    graphs = {r: config.GRAPH + r for r in ("ontology", "data", "inferred")}
    store = ox.Store(str(tmp_path / "store"))
    parts = {
        "ontology": "<urn:ex:likes> <http://www.w3.org/2002/07/owl#inverseOf> <urn:ex:likedBy> .",
        "data": f"<{ex}a> <urn:ex:likes> <{ex}b> .",
        "inferred": f"<{ex}b> <urn:ex:likedBy> <{ex}a> .",
    }
    for role, text in parts.items():
        store.load(text.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graphs[role]))
    store.flush()
    del store
    info = DatasetInfo(path=str(tmp_path / "store"), graphs=graphs, triples=3,
                       union=list(graphs.values()))
    app = create_app({"TESTING": True}, dataset=ServedDataset(info))
    resp = app.test_client().get("/explain", query_string={"s": ex + "b", "p": "urn:ex:likedBy", "o": ex + "a"},
                                 headers={"Accept": "text/turtle"})
    g = graph_of(resp, "turtle")
    assert {str(o) for o in g.objects(None, RDFS.label)} == {"prp-inv"}
    assert any(g.triples((None, rdflib.RDF.predicate, URIRef("http://www.w3.org/2002/07/owl#inverseOf"))))


@pytest.mark.parametrize("params,status", [
    ({}, 400),
    ({"s": "not an iri", "p": str(ORG.memberOf), "o": config.ID + "cumulus"}, 400),
    ({"s": config.ID + "admiu", "p": str(ORG.memberOf), "o": '"unterminated'}, 400),
    ({"s": config.ID + "admiu", "p": str(ORG.memberOf), "o": config.ID + "nowhere"}, 404),
])
def test_explain_rejects_bad_or_unknown_facts(client, params, status):
    resp = client.get("/explain", query_string=params, headers={"Accept": "text/turtle"})
    assert resp.status_code == status
    assert b"Traceback" not in resp.data


def test_explain_of_an_asserted_literal_fact(client):
    params = {"s": config.ID + "admiu", "p": "http://www.w3.org/2004/02/skos/core#altLabel", "o": '"ADMİU"@en'}
    g = graph_of(client.get("/explain", query_string=params, headers={"Accept": "text/turtle"}), "turtle")
    node = next(g.subjects(rdflib.RDF.type, rdflib.RDF.Statement))
    assert (node, DCT.isPartOf, URIRef(config.GRAPH_DATA)) in g
    assert not any(g.triples((None, PROV.wasGeneratedBy, None)))
