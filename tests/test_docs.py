"""Ontology and shapes reference pages: every own term documented, both
languages, axioms rendered readably (fixture ontology read independently)."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

BASE = "https://kg.admiu.example/"
AU = BASE + "ontology#"


@pytest.fixture(scope="module")
def ontology(ld_app):
    path = next(p for p in ld_app.config["KG_FILES"] if Path(p).name == "ontology.ttl")
    return rdflib.Graph().parse(path, format="turtle")


def page(client, path, lang="en"):
    r = client.get(path, headers={"Accept": "text/html", "Accept-Language": lang})
    assert r.status_code == 200
    return htmllib.unescape(r.get_data(as_text=True))


def section(html, anchor):
    """The HTML of one term's entry (from its id to the next entry)."""
    m = re.search(
        rf'<div class="term [^"]*" id="{re.escape(anchor)}">(.*?)(?=<div class="term |</article>)', html, re.S
    )
    assert m, f"no entry for #{anchor}"
    return m.group(1)


def own_terms(g, kind):
    return sorted(str(s) for s in g.subjects(RDF.type, kind) if str(s).startswith(AU))


def test_every_own_class_and_property_has_an_entry_with_both_labels(ld_client, ontology):
    html = page(ld_client, "/ontology")
    terms = (
        own_terms(ontology, OWL.Class)
        + own_terms(ontology, OWL.ObjectProperty)
        + own_terms(ontology, OWL.DatatypeProperty)
    )
    assert len(terms) > 10
    for iri in terms:
        entry = section(html, iri.split("#")[1])
        for label in ontology.objects(rdflib.URIRef(iri), RDFS.label):
            assert str(label) in entry, (iri, label)


def test_comments_domains_ranges_and_superclasses_are_shown(ld_client):
    html = page(ld_client, "/ontology")
    network = section(html, "Network")
    assert "An international network of institutions." in network
    assert 'href="#Organization"' in network or 'href="/ontology#Organization"' in network
    start = section(html, "startYear")
    assert "Domain" in start and ">Membership</a>" in start
    assert "Range" in start and "xsd:gYear" in start


def test_external_alignment_links_out(ld_client):
    university = section(page(ld_client, "/ontology"), "University")
    assert "Close match" in university
    assert 'href="https://schema.org/CollegeOrUniversity"' in university


def test_restrictions_and_property_chains_are_readable(ld_client):
    html = page(ld_client, "/ontology")
    project = section(html, "Project")
    assert re.search(
        r">has role assignment</a>\s*<span class=\"kw\">some</span>\s*<a[^>]*>Role assignment</a>", project
    )
    chain = section(html, "memberOf")
    assert re.search(
        r'inverse</span>.*title="http://www.w3.org/ns/org#member".*∘.*title="http://www.w3.org/ns/org#organization"',
        chain,
        re.S,
    )
    assert "FunctionalProperty" in section(html, "agent")


def test_ontology_page_in_azerbaijani(ld_client):
    html = page(ld_client, "/ontology?lang=az")
    assert "Siniflər" in html
    assert re.search(r'<li><a href="#Network">Şəbəkə</a></li>', html)


def test_ontology_metadata_header(ld_client):
    html = page(ld_client, "/ontology")
    assert "ADMİU ontology" in html
    assert "https://creativecommons.org/licenses/by/4.0/" in html


def test_shapes_page_documents_targets_constraints_and_messages(ld_client):
    html = page(ld_client, "/shapes")
    shape = section(html, "MembershipShape")
    assert 'href="/ontology#Membership"' in shape
    assert "sh:minCount" in shape and "sh:datatype" in shape
    assert "A membership names exactly one member organisation." in shape
    assert "Violation" in shape


def test_ontology_terms_from_entity_pages_land_on_their_entry(ld_client):
    html = page(ld_client, "/doc/membership/admiu-cumulus-2022")
    hrefs = set(re.findall(r'href="(/ontology#\w+)"', html))
    assert "/ontology#Membership" in hrefs
    reference = page(ld_client, "/ontology")
    for href in hrefs:
        assert f'id="{href.split("#")[1]}"' in reference, href
