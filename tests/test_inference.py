"""admiukg.graph.inference: what OWL RL adds, the trivia filter, and the on-disk cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace

from admiukg.graph import inference
from admiukg.graph.rdfload import load_graph, load_graph_stable

FIX = Path(__file__).parent / "validate_fixtures"
AU = Namespace("https://kg.admiu.example/ontology#")
ID = Namespace("https://kg.admiu.example/id/")
BUILTIN = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))

FACTS = """
@prefix au: <https://kg.admiu.example/ontology#> .
@prefix id: <https://kg.admiu.example/id/> .
id:uni-a a au:University ;
    au:foundingMemberOf id:net-1 ;
    au:locatedIn id:baku .
id:baku au:partOf id:absheron .
"""


@pytest.fixture(scope="module")
def tiny() -> Graph:
    graph = load_graph(FIX / "ontology.ttl")
    graph.parse(data=FACTS, format="turtle")
    return graph


@pytest.fixture(scope="module")
def added(tiny) -> Graph:
    return inference.entailments(tiny)


def test_sub_property_is_entailed(added):
    assert (ID["uni-a"], AU.memberOf, ID["net-1"]) in added


def test_property_chain_is_entailed(added):
    assert (ID["uni-a"], AU.inRegion, ID.absheron) in added


def test_superclass_and_domain_range_types_are_entailed(added):
    assert (ID["uni-a"], RDF.type, AU.Organisation) in added  # rdfs:subClassOf
    assert (ID["net-1"], RDF.type, AU.Network) in added  # rdfs:range of au:memberOf


def test_input_triples_are_not_returned(tiny, added):
    assert not set(added) & set(tiny)


def test_trivia_is_dropped(tiny, added):
    import owlrl

    full = Graph()
    full += tiny
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(full)
    # owlrl does add the trivia, so the assertions below can fail:
    assert (ID["uni-a"], OWL.sameAs, ID["uni-a"]) in full
    assert any(str(s).startswith(BUILTIN) for s in full.subjects())
    for s, p, o in added:
        assert not (p == OWL.sameAs and s == o), (s, p, o)
        assert not (s == o and p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty))
        assert not str(s).startswith(BUILTIN), (s, p, o)
        assert o != OWL.Thing, (s, p, o)
        assert not isinstance(s, Literal)


def test_is_trivial_keeps_real_statements():
    assert not inference.is_trivial(ID.a, RDF.type, AU.University)
    assert not inference.is_trivial(ID.a, OWL.sameAs, ID.b)
    assert not inference.is_trivial(AU.University, RDFS.subClassOf, AU.Organisation)
    assert inference.is_trivial(AU.University, RDFS.subClassOf, AU.University)
    assert inference.is_trivial(RDFS.label, RDF.type, OWL.AnnotationProperty)


def test_inconsistency_is_detected():
    graph = load_graph(FIX / "ontology.ttl") + load_graph(FIX / "inconsistent.ttl")
    found = inference.inconsistencies(inference.entailments(graph))
    assert [focus for focus, _ in found] == [ID.jane]
    assert "Disjoint classes" in found[0][1]


def test_consistent_graph_has_no_inconsistency(added):
    assert inference.inconsistencies(added) == []


# -- cache ----------------------------------------------------------------------------------


@pytest.fixture
def inputs(tmp_path):
    facts = tmp_path / "facts.ttl"
    facts.write_text(FACTS, "utf-8")
    return [FIX / "ontology.ttl", facts]


@pytest.fixture
def counted(monkeypatch):
    """Count real OWL RL runs."""
    calls = []
    real = inference.entailments

    def counting(graph):
        calls.append(len(graph))
        return real(graph)

    monkeypatch.setattr(inference, "entailments", counting)
    return calls


def test_cache_hit_returns_the_same_graph(tmp_path, inputs, counted):
    first = inference.cached_entailments(inputs, cache_dir=tmp_path / "cache")
    second = inference.cached_entailments(inputs, cache_dir=tmp_path / "cache")
    assert len(counted) == 1  # the second call read the file
    assert set(first) == set(second) and len(first) > 0
    assert (ID["uni-a"], AU.memberOf, ID["net-1"]) in second


@pytest.mark.parametrize("damage", ["garbage", "truncate", "empty"])
def test_corrupt_cache_is_recomputed(tmp_path, inputs, counted, damage):
    cache = tmp_path / "cache"
    good = inference.cached_entailments(inputs, cache_dir=cache)
    (cache_file,) = cache.glob("entailments-*.nt")
    text = cache_file.read_text("utf-8")
    cache_file.write_text(
        {"garbage": "<<< not n-triples >>>\n# complete: 1 triples\n",
         "truncate": text[: len(text) // 2], "empty": ""}[damage], "utf-8")  # fmt: skip
    again = inference.cached_entailments(inputs, cache_dir=cache)
    assert len(counted) == 2
    assert set(again) == set(good)
    assert cache_file.read_text("utf-8") == text  # rewritten whole


def test_cache_key_follows_content_not_order_or_names(tmp_path, inputs):
    contents = [p.read_bytes() for p in inputs]
    assert inference.cache_key(contents) == inference.cache_key(contents[::-1])
    assert inference.cache_key(contents) != inference.cache_key([contents[0], contents[1] + b"\n# edit\n"])


def test_cache_key_includes_owlrl_version(monkeypatch):
    before = inference.cache_key([b"x"])
    monkeypatch.setattr(inference, "_owlrl_version", lambda: "0.0-other")
    assert inference.cache_key([b"x"]) != before


def test_cached_blank_node_entailments_connect_to_a_fresh_parse(tmp_path, counted):
    paths = [FIX / "ontology.ttl", FIX / "blank_nodes.ttl"]
    inference.cached_entailments(paths, cache_dir=tmp_path)
    cached = inference.cached_entailments(paths, cache_dir=tmp_path)
    assert len(counted) == 1
    fresh = load_graph_stable(FIX / "blank_nodes.ttl")[0]
    partners = set(fresh.objects(ID["uni-h"], AU.partner))
    assert len(partners) == 1 and isinstance(next(iter(partners)), BNode)
    assert (next(iter(partners)), RDF.type, AU.Organisation) in cached  # rdfs:domain of au:memberOf


def test_unstable_blank_nodes_skip_the_cache(tmp_path, counted):
    """N-Triples blank-node labels are not reproducible by rdflib: never cache them."""
    nt = tmp_path / "b.nt"
    nt.write_text("_:m <https://kg.admiu.example/ontology#memberOf> <https://kg.admiu.example/id/net-1> .\n")
    paths = [FIX / "ontology.ttl", nt]
    inference.cached_entailments(paths, cache_dir=tmp_path / "cache")
    inference.cached_entailments(paths, cache_dir=tmp_path / "cache")
    assert len(counted) == 2
    assert not list((tmp_path / "cache").glob("*.nt"))

