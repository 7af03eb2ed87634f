"""admiukg.graph.fastreason gives the same instance-level closure as the owlrl reference.

What is compared: the output of ``admiukg.graph.inference.entailments`` (owlrl, trivia already removed)
restricted to instance-level triples, against the whole output of ``fastreason.entailments``.
Instance-level means: the subject is not a schema term (see ``schema_terms``), and an
``rdf:type`` object is not an RDF/RDFS/OWL/XSD class. That drops the schema closure
(``C rdfs:subClassOf D``), ``x a owl:NamedIndividual``-style types and owlrl's inconsistency
markers, which fastreason does not produce; everything else must match triple for triple,
including blank nodes (same rdflib input graph for both).
"""

from __future__ import annotations

import io

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, XSD

from admiukg import config
from admiukg.graph import fastreason, inference
from bench import synthetic

BUILTIN = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
SCHEMA_PREDICATES = {
    RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.equivalentClass,
    OWL.equivalentProperty, OWL.inverseOf, OWL.propertyChainAxiom, OWL.onProperty, OWL.hasValue,
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.unionOf, OWL.intersectionOf, OWL.members,
    OWL.disjointWith, RDF.first, RDF.rest,
}
INDIVIDUAL_TYPES = {OWL.NamedIndividual, OWL.Thing}

#: Every axiom kind fastreason compiles, each with data that makes it fire.
TOY = """
@prefix : <http://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
:A rdfs:subClassOf :B . :B owl:equivalentClass :C .
:p rdfs:subPropertyOf :q . :q owl:equivalentProperty :r . :p rdfs:domain :A ; rdfs:range :D .
:q owl:inverseOf :qi . :sym a owl:SymmetricProperty . :tr a owl:TransitiveProperty .
:ch owl:propertyChainAxiom ( :p :tr ) .
:I owl:intersectionOf ( :A :E ) . :U owl:unionOf ( :D :E ) .
:HV owl:onProperty :colour ; owl:hasValue :red . :E rdfs:subClassOf :HV .
:SV owl:onProperty :p ; owl:someValuesFrom :D .
:AV owl:onProperty :likes ; owl:allValuesFrom :F . :F rdfs:subClassOf :AV .
:fp a owl:FunctionalProperty . :ifp a owl:InverseFunctionalProperty .
:x :p :y ; a :E ; :sym :z ; :likes :w .   :y :tr :y2 . :y2 :tr :y3 .   :v :colour :red .
:w a :F ; :likes :w2 .   :s :fp :o1 , :o2 . :o1 :label "one" .   :k1 :ifp :key . :k2 :ifp :key .
"""


def schema_terms(graph: rdflib.Graph) -> set:
    """Subjects and objects of schema axioms, and anything typed as a class/property/list etc."""
    terms = set()
    for s, p, o in graph:
        if p in SCHEMA_PREDICATES:
            terms |= {s, o}
        elif p == RDF.type and str(o).startswith(BUILTIN) and o not in INDIVIDUAL_TYPES:
            terms.add(s)
    return terms


def instance_level(entailed: rdflib.Graph, schema: set) -> set:
    return {(s, p, o) for s, p, o in entailed
            if s not in schema and not (p == RDF.type and str(o).startswith(BUILTIN))}


def assert_same_closure(graph: rdflib.Graph) -> rdflib.Graph:
    schema = schema_terms(graph)
    reference = instance_level(inference.entailments(graph), schema)
    fast = fastreason.entailments(graph)
    assert set(fast) == instance_level(fast, schema), "fastreason produced non-instance triples"
    assert set(fast) == reference, (
        f"missing {sorted(reference - set(fast))[:5]}, extra {sorted(set(fast) - reference)[:5]}")
    return fast


def test_every_compiled_axiom_kind_matches_owlrl():
    fast = assert_same_closure(rdflib.Graph().parse(data=TOY, format="turtle"))
    ex = rdflib.Namespace("http://example.org/")
    for expected in [(ex.x, ex.ch, ex.y3), (ex.o2, ex.label, rdflib.Literal("one")),
                     (ex.k1, OWL.sameAs, ex.k2), (ex.x, RDF.type, ex.I), (ex.w2, RDF.type, ex.F)]:
        assert expected in fast  # the comparison above is not vacuous


def test_bundled_graph_matches_owlrl():
    graph = rdflib.Graph()
    for path in config.ontology_files() + config.data_files():
        graph.parse(path)
    assert len(assert_same_closure(graph)) > 0


def test_generated_graph_matches_owlrl():
    graph = rdflib.Graph()
    for path in config.ontology_files():
        graph.parse(path)
    text = io.StringIO()
    synthetic.generate(text, 3_000, seed=11)
    graph.parse(data=text.getvalue(), format="turtle")
    assert len(assert_same_closure(graph)) > 1_000


def test_the_ontology_uses_only_compiled_axioms():
    graph = rdflib.Graph()
    for path in config.ontology_files():
        graph.parse(path)
    assert fastreason.unsupported_axioms(graph) == []
    graph.add((rdflib.URIRef("http://example.org/C"), OWL.hasKey, RDF.nil))
    assert fastreason.unsupported_axioms(graph) == [str(OWL.hasKey)]


@pytest.mark.parametrize("kind", ["store", "paths"])
def test_store_and_file_inputs_give_the_same_result(kind, tmp_path):
    import pyoxigraph as ox

    path = tmp_path / "toy.ttl"
    path.write_text(TOY, encoding="utf-8")
    expected = fastreason.entailments(rdflib.Graph().parse(path))
    if kind == "store":
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        got = fastreason.entailments(store)
    else:
        got = fastreason.entailments([path])
    no_lists = lambda g: {t for t in g if not any(isinstance(x, rdflib.BNode) for x in t)}
    assert no_lists(got) == no_lists(expected) and len(got) == len(expected)


def test_disjointness_clashes_are_reported_like_owlrl():
    graph = rdflib.Graph()
    for path in config.ontology_files():
        graph.parse(path)
    au, thing = rdflib.Namespace(config.AU), rdflib.URIRef(config.ID + "clash")
    graph.add((thing, RDF.type, au.University))
    graph.add((thing, RDF.type, au.Project))  # Organization and Project are disjoint
    expected = sorted(inference.inconsistencies(inference.entailments(graph)))
    assert expected  # the check can fail
    assert sorted(inference.inconsistencies(fastreason.entailments(graph))) == expected
