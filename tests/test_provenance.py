"""Provenance: every fact points to a verbatim excerpt of the source text."""

from __future__ import annotations

import hashlib
import re

import pytest
from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from admiukg import config

AU = Namespace(config.AU)
PROV = Namespace("http://www.w3.org/ns/prov#")
SOURCE_DOC = URIRef(config.ID + "source/admiu-international-relations")
SHARED_SOURCE = config.ROOT.parent / "shared" / "source" / config.SOURCE_FILE.name
#: Classes whose instances are bookkeeping rather than facts of the source: the source and
#: its excerpts, and the links to the world, which cite web pages instead.
NON_FACT_CLASSES = {AU.SourceExcerpt, AU.SourceDocument, AU.LinkStatement, AU.WebSource}


def cited(graph, node=None):
    """Excerpts a node cites: prov:wasDerivedFrom (entities) or prov:wasInfluencedBy (activities)."""
    return {*graph.objects(node, PROV.wasDerivedFrom), *graph.objects(node, PROV.wasInfluencedBy)}


@pytest.fixture(scope="module")
def source_text() -> str:
    return config.SOURCE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def excerpts(au_data_graph):
    return set(au_data_graph.subjects(RDF.type, AU.SourceExcerpt))


def test_source_file_is_identical_to_the_shared_copy():
    if not SHARED_SOURCE.exists():
        pytest.skip(f"{SHARED_SOURCE} not present")
    assert config.SOURCE_FILE.read_bytes() == SHARED_SOURCE.read_bytes()


def test_source_document_description(au_data_graph):
    g = au_data_graph
    assert (SOURCE_DOC, RDF.type, PROV.Entity) in g
    assert (SOURCE_DOC, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Document")) in g
    assert str(g.value(SOURCE_DOC, DCTERMS.language)) == "az"
    assert str(g.value(SOURCE_DOC, AU.fileName)) == config.SOURCE_FILE.name
    assert {t.language for t in g.objects(SOURCE_DOC, DCTERMS.title)} == {"az", "en"}
    digest = hashlib.sha256(config.SOURCE_FILE.read_bytes()).hexdigest()
    assert str(g.value(SOURCE_DOC, AU.sha256)) == digest


def test_every_excerpt_is_verbatim(au_data_graph, excerpts, source_text):
    assert excerpts
    for ex in excerpts:
        values = list(au_data_graph.objects(ex, PROV.value))
        assert len(values) == 1, ex
        assert values[0].language == "az", ex
        assert str(values[0]) in source_text, f"{ex} is not a verbatim span of the source"


def test_every_excerpt_is_quoted_from_the_source(au_data_graph, excerpts):
    for ex in excerpts:
        assert set(au_data_graph.objects(ex, PROV.wasQuotedFrom)) == {SOURCE_DOC}, ex


def test_every_excerpt_has_an_english_translation(au_data_graph, excerpts):
    for ex in excerpts:
        langs = [t.language for t in au_data_graph.objects(ex, AU.translation)]
        assert langs == ["en"], ex


def test_excerpts_cover_the_whole_source(au_data_graph, excerpts, source_text):
    """Every sentence of the source is quoted by some excerpt (nothing is left out)."""
    rest = source_text
    for ex in excerpts:
        rest = rest.replace(str(au_data_graph.value(ex, PROV.value)), "")
    assert rest.strip() == ""


def fact_nodes(graph):
    return {s for s, cls in graph.subject_objects(RDF.type)
            if str(cls).startswith(config.AU) and cls not in NON_FACT_CLASSES
            and str(s).startswith(config.ID)}


def test_every_fact_node_is_derived_from_an_excerpt(au_data_graph, excerpts):
    facts = fact_nodes(au_data_graph)
    assert len(facts) > 50
    missing = {f for f in facts if not cited(au_data_graph, f) & excerpts}
    assert missing == set()
    dangling = {o for f in facts for o in cited(au_data_graph, f)} - excerpts
    assert dangling == set()


def test_every_excerpt_supports_some_fact(au_data_graph, excerpts):
    used = cited(au_data_graph)
    assert excerpts - used == set()


def test_verbatim_az_texts_occur_in_their_excerpts(au_data_graph):
    """Aims and descriptions quote the source: their @az text is a span of the excerpt they cite."""
    g = au_data_graph
    checked = 0
    quoted = [(a, SKOS.prefLabel) for a in g.subjects(RDF.type, AU.Aim)]
    quoted += [(s, DCTERMS.description) for s in g.subjects(DCTERMS.description)]
    for node, prop in quoted:
        texts = [t for t in g.objects(node, prop) if t.language == "az"]
        sources = " ".join(str(g.value(ex, PROV.value)) for ex in cited(g, node))
        for t in texts:
            assert str(t) in sources, (node, str(t))
            checked += 1
    assert checked >= 13


def test_excerpts_are_whole_sentences(au_data_graph, excerpts):
    for ex in excerpts:
        text = str(au_data_graph.value(ex, PROV.value))
        assert text.endswith("."), ex
        assert re.match(r"[A-ZƏÜÖÇŞİĞ0-9“]", text), ex
