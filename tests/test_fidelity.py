"""What the endpoint serves is what the files say: no triple or literal lost or rewritten.

Oxigraph canonicalises some literals on load (derived integer types become xsd:integer,
"+1" becomes "1": oxigraph issue 526). The bundled files avoid those forms; this test
catches the day one slips back in, since downloads and answers come from the store.
"""

import pyoxigraph as ox
import pytest
import rdflib

from admiukg import config
from admiukg.store.local import load_dataset


def ground_triples_of_files(paths):
    triples = set()
    for path in paths:
        for s, p, o in rdflib.Graph().parse(path):
            if not isinstance(s, rdflib.BNode) and not isinstance(o, rdflib.BNode):
                triples.add((s.n3(), p.n3(), o.n3()))
    return triples


def ground_triples_of_graph(store, graph_iri):
    triples = set()
    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)):
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode):
            triples.add(tuple(rdflib.util.from_n3(str(t)).n3() for t in (q.subject, q.predicate, q.object)))
    return triples


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    return load_dataset(cache_dir=tmp_path_factory.mktemp("store"))


@pytest.mark.parametrize(("role", "paths"), [
    ("data", config.data_files),
    ("ontology", config.ontology_files),
    ("shapes", lambda: [config.shapes_file()]),
])
def test_served_graph_holds_exactly_the_files_triples(served, role, paths):
    expected = ground_triples_of_files(paths())
    served_triples = ground_triples_of_graph(served.store, served.graphs[role])
    assert expected - served_triples == set(), "lost or rewritten on load"
    assert served_triples - expected == set(), "added on load"
