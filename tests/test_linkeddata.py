"""Dereferencing: /id/ IRIs 303 to documents, /ontology and /shapes negotiate
directly, unknown IRIs 404, bad parameters 4xx (fixture dataset, see conftest)."""

from __future__ import annotations

import pyoxigraph
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, SH, SKOS

BASE = "https://kg.admiu.example/"
ID = BASE + "id/"
AU = rdflib.Namespace(BASE + "ontology#")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_TYPES = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
}


def parse(response, fmt) -> rdflib.Graph:
    """Parse a response body; JSON-LD via pyoxigraph (rdflib's parser warns)."""
    g = rdflib.Graph()
    if fmt == "json-ld":
        quads = pyoxigraph.parse(response.data, format=pyoxigraph.RdfFormat.JSON_LD)
        # the default graph: a document's named graph only repeats its entailed facts
        triples = [q.triple for q in quads if q.graph_name == pyoxigraph.DefaultGraph()]
        nt = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
        return g.parse(data=nt, format="nt")
    return g.parse(data=response.data, format=fmt)


@pytest.mark.parametrize("accept", sorted(RDF_TYPES))
def test_thing_iri_303s_to_the_rdf_document_in_the_asked_format(ld_client, accept):
    ext, _ = RDF_TYPES[accept]
    r = ld_client.get("/id/admiu", headers={"Accept": accept})
    assert r.status_code == 303
    assert r.headers["Location"] == f"/doc/admiu.{ext}"
    assert "Accept" in r.headers["Vary"]


def test_browser_is_sent_to_the_html_page(ld_client):
    r = ld_client.get("/id/admiu", headers={"Accept": BROWSER})
    assert (r.status_code, r.headers["Location"]) == (303, "/doc/admiu")


def test_client_that_states_no_preference_gets_turtle(ld_client):
    r = ld_client.get("/id/admiu", headers={"Accept": "*/*"})
    assert r.headers["Location"] == "/doc/admiu.ttl"


def test_format_parameter_overrides_accept(ld_client):
    r = ld_client.get("/id/admiu?format=jsonld", headers={"Accept": BROWSER})
    assert r.headers["Location"] == "/doc/admiu.jsonld"


@pytest.mark.parametrize("accept", sorted(RDF_TYPES))
def test_description_has_own_triples_labels_inbound_links_and_provenance(ld_client, accept):
    ext, fmt = RDF_TYPES[accept]
    r = ld_client.get("/id/admiu", headers={"Accept": accept}, follow_redirects=True)
    assert r.status_code == 200
    assert r.mimetype == accept
    g = parse(r, fmt)
    admiu = URIRef(ID + "admiu")
    membership = URIRef(ID + "membership/admiu-cumulus-2022")
    excerpt = URIRef(ID + "excerpt/p1-s1")
    assert (admiu, RDF.type, AU.University) in g
    assert (admiu, SKOS.prefLabel, Literal("Azerbaijan State University of Culture and Arts", lang="en")) in g
    # inbound link, with the label of the thing that links here
    assert (membership, ORG.member, admiu) in g
    assert (membership, SKOS.prefLabel, Literal("ADMİU membership of Cumulus (2022)", lang="en")) in g
    # provenance: the excerpt's verbatim text and translation
    assert (admiu, PROV.wasDerivedFrom, excerpt) in g
    assert any(o.language == "az" for o in g.objects(excerpt, PROV.value))
    assert any(o.language == "en" for o in g.objects(excerpt, AU.translation))
    # nothing about unrelated things
    assert not list(g.triples((URIRef(ID + "country/france"), None, None)))


def test_document_names_the_thing_it_describes(ld_client):
    r = ld_client.get("/doc/cumulus.ttl")
    assert r.headers["Link"].split(", ")[0] == f'<{ID}cumulus>; rel="describes"'


def test_slugs_with_sub_paths_dereference(ld_client):
    r = ld_client.get("/id/membership/admiu-cumulus-2022", headers={"Accept": "text/turtle"})
    assert r.headers["Location"] == "/doc/membership/admiu-cumulus-2022.ttl"
    g = parse(ld_client.get(r.headers["Location"]), "turtle")
    assert (URIRef(ID + "membership/admiu-cumulus-2022"), ORG.organization, URIRef(ID + "cumulus")) in g


@pytest.mark.parametrize("accept", ["text/turtle", BROWSER])
def test_unknown_thing_is_404_for_rdf_clients_and_browsers(ld_client, accept):
    r = ld_client.get("/id/no-such-thing", headers={"Accept": accept})
    assert r.status_code == 404
    assert ("html" in r.mimetype) == (accept == BROWSER)
    assert "/id/no-such-thing" in r.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/doc/no-such-thing", "/doc/no-such-thing.ttl", "/graph/nope"])
def test_unknown_documents_are_404(ld_client, path):
    assert ld_client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


def test_unknown_format_is_a_400_naming_the_choices(ld_client):
    r = ld_client.get("/id/admiu?format=pdf")
    assert r.status_code == 400
    assert "turtle" in r.get_data(as_text=True)


def test_unsatisfiable_accept_is_406(ld_client):
    assert ld_client.get("/id/admiu", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize(
    "path", ["/doc/admiu?lang=fr", "/id/admiu?lang=fr", "/?lang=fr", "/ontology?lang=fr"]
)
def test_unsupported_language_is_400(ld_client, path):
    r = ld_client.get(path, headers={"Accept": BROWSER})
    assert r.status_code == 400
    assert "az" in r.get_data(as_text=True)


# -- HTML entity pages ---------------------------------------------------------------------


def test_entity_page_label_follows_accept_language(ld_client):
    en = ld_client.get("/doc/admiu", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    az = ld_client.get("/doc/admiu", headers={"Accept-Language": "az,en;q=0.5"}).get_data(as_text=True)
    assert "<h1>Azerbaijan State University of Culture and Arts</h1>" in en
    assert "<h1>Azərbaycan Dövlət Mədəniyyət və İncəsənət Universiteti</h1>" in az
    assert '<html lang="az">' in az


def test_lang_parameter_overrides_accept_language_and_is_kept_in_links(ld_client):
    html = ld_client.get("/doc/admiu?lang=az", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h1>Azərbaycan Dövlət Mədəniyyət və İncəsənət Universiteti</h1>" in html
    assert 'href="/id/membership/admiu-cumulus-2022?lang=az"' in html


def test_entity_page_shows_types_properties_inbound_links_excerpt_and_rdf_links(ld_client):
    html = ld_client.get("/doc/admiu", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'class="type" href="/ontology#University">University</a>' in html
    assert 'class="type inferred"' in html  # org:Organization from the inferred graph
    assert ">ADMİU membership of Cumulus (2022)</a>" in html  # inbound, by label
    assert "“Cumulus” Beynəlxalq təşkilatına üzv qəbul edilmişdir." in html  # verbatim source
    assert "admitted as a member of the international organisation" in html  # its translation
    for ext in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="/doc/admiu.{ext}"' in html


def test_entity_page_shows_excerpts_of_facts_pointing_at_it(ld_client):
    # France has no provenance of its own; the visit that names it has.
    html = ld_client.get("/doc/country/france", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "universitetlərinə səfər etmişlər" in html


# -- hash namespaces: /ontology and /shapes --------------------------------------------------


def test_ontology_negotiates_directly_with_content_location(ld_client):
    r = ld_client.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["Content-Location"] == "/ontology.ttl"
    assert "Accept" in r.headers["Vary"]
    g = parse(r, "turtle")
    assert (AU.Network, RDF.type, OWL.Class) in g
    assert (URIRef(ID + "admiu"), None, None) not in g  # the ontology, not the data


def test_ontology_for_browsers_is_the_reference_page(ld_client):
    r = ld_client.get("/ontology", headers={"Accept": BROWSER})
    assert r.mimetype == "text/html"
    assert r.headers["Content-Location"] == "/ontology.html"
    assert 'id="Network"' in r.get_data(as_text=True)


@pytest.mark.parametrize("ext,fmt", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")])
def test_ontology_document_urls(ld_client, ext, fmt):
    g = parse(ld_client.get(f"/ontology.{ext}"), fmt)
    assert (AU.memberOf, RDF.type, OWL.ObjectProperty) in g


def test_shapes_negotiate(ld_client):
    g = parse(ld_client.get("/shapes", headers={"Accept": "application/n-triples"}), "nt")
    assert (URIRef(BASE + "shapes#MembershipShape"), RDF.type, SH.NodeShape) in g
    assert 'id="MembershipShape"' in ld_client.get("/shapes", headers={"Accept": BROWSER}).get_data(
        as_text=True
    )


def test_graph_iri_serves_that_graph(ld_client, ld_app):
    r = ld_client.get("/graph/data", headers={"Accept": "application/n-triples"})
    assert r.headers["Content-Location"] == "/downloads/admiukg-data.nt"
    g = parse(r, "nt")
    data = rdflib.Graph().parse(ld_app.config["KG_FILES"][1], format="turtle")
    assert len(g) == len(data)
    html = ld_client.get("/graph/data", headers={"Accept": BROWSER})
    assert (html.status_code, html.headers["Location"]) == (303, "/downloads/#graph-data")


# -- another public base ----------------------------------------------------------------------


def test_iris_follow_the_configured_base(ld_local_app):
    client = ld_local_app.test_client()
    g = parse(client.get("/id/admiu", headers={"Accept": "text/turtle"}, follow_redirects=True), "turtle")
    assert (
        URIRef("http://localhost:8080/id/admiu"),
        RDF.type,
        URIRef("http://localhost:8080/ontology#University"),
    ) in g
    assert not [t for t in g if BASE in str(t)]
    html = client.get("/doc/admiu").get_data(as_text=True)
    assert 'href="/ontology#University"' in html


def test_excerpt_page_shows_its_text_once_and_the_facts_citing_it(ld_client):
    html = ld_client.get("/doc/excerpt/p1-s1", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html.count('<figure class="excerpt">') == 1
    assert ">ADMİU membership of Cumulus (2022)</a>" in html  # cites it (inbound prov:wasDerivedFrom)


def test_a_404_repeats_the_iri_short_and_escaped(ld_client):
    r = ld_client.get("/id/a%00b", headers={"Accept": "text/plain"})
    assert r.status_code == 404 and b"\x00" not in r.data and b"a\\u0000b" in r.data
    r = ld_client.get("/id/" + "x" * 20_000, headers={"Accept": "text/plain"})
    assert r.status_code == 404 and len(r.data) < 1_000
