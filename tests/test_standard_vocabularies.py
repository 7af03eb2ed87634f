"""The graph is consistent together with the published vocabularies it uses.

Each stored copy in tests/vocabularies/ (sources in its README) is loaded beside the
ontology and the data, the OWL RL closure is computed, and no clash may appear: a
projects-as-activities model with prov:wasDerivedFrom gave 13 (PROV-O makes
prov:Activity and prov:Entity disjoint). One test per vocabulary, one with all of them.
"""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
import rdflib
from rdflib import OWL, RDF

from admiukg import config
from admiukg.graph.inference import inconsistencies

VOCABULARIES = Path(__file__).parent / "vocabularies"
FILES = {
    "prov-o.ttl": "http://www.w3.org/ns/prov#",
    "org.ttl": "http://www.w3.org/ns/org#",
    "skos.ttl": "http://www.w3.org/2004/02/skos/core#",
    "foaf.ttl": "http://xmlns.com/foaf/0.1/",
    "dublin-core-terms.ttl": "http://purl.org/dc/terms/",
    "time.ttl": "http://www.w3.org/2006/time#",
}


def closure(*extra: Path, data=None) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in [*config.ontology_files(), *(data or config.data_files()), *extra]:
        graph.parse(path, format="turtle")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    return graph


def clashes(graph: rdflib.Graph) -> list[str]:
    found = [message for _focus, message in inconsistencies(graph)]
    return found + [f"{s} is unsatisfiable" for s in graph.subjects(RDF.type, OWL.Nothing)]


def test_every_vocabulary_is_stored_and_documented():
    readme = (VOCABULARIES / "README.md").read_text(encoding="utf-8")
    for name, namespace in FILES.items():
        text = (VOCABULARIES / name).read_text(encoding="utf-8")
        assert namespace in text, name
        assert f"`{name}`" in readme and "commit" in readme


@pytest.mark.parametrize("name", sorted(FILES))
def test_closure_with_one_vocabulary_is_consistent(name):
    assert clashes(closure(VOCABULARIES / name)) == []


def test_closure_with_all_vocabularies_is_consistent():
    graph = closure(*(VOCABULARIES / name for name in FILES))
    assert clashes(graph) == []
    # the vocabularies really took part: their own axioms reached the data
    admiu = rdflib.URIRef(config.ID + "admiu")
    assert (admiu, RDF.type, rdflib.URIRef("http://xmlns.com/foaf/0.1/Agent")) in graph


def test_an_activity_derived_from_its_excerpt_clashes_with_prov_o(tmp_path):
    """The check can fail: the old way of citing a project's sentence is inconsistent."""
    old = tmp_path / "old.ttl"
    old.write_text("""
        <https://kg.admiu.example/id/ecar> <http://www.w3.org/ns/prov#wasDerivedFrom>
            <https://kg.admiu.example/id/excerpt/p4-s1> .""", encoding="utf-8")
    found = clashes(closure(VOCABULARIES / "prov-o.ttl", data=[*config.data_files(), old]))
    assert any("Activity" in m and "Entity" in m for m in found), found
