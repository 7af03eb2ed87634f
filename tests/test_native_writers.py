"""Result writers: pyoxigraph's own serialisers where the caps allow, ours where they cut."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from admiukg.endpoint import results

EX = "http://example.org/"
#: literals that look like the structure of SPARQL JSON and CSV
TRICKY = ['x,{"y', ',{}', 'a",{"b":{"type"', "line\r\nbreak", 'plain', '{"type":"uri"}']


@pytest.fixture(scope="module")
def store():
    s = ox.Store()
    for i in range(30):
        s.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"),
                      ox.Literal(TRICKY[i % len(TRICKY)] + str(i)), ox.DefaultGraph()))
    return s


def job(query, fmt="json", max_rows=100, **kw):
    graph = fmt if fmt in ("ntriples", "turtle") else None
    return {"query": query, "results_format": None if graph else fmt, "graph_format": graph,
            "max_rows": max_rows, **kw}


@pytest.mark.parametrize("fmt", ["json", "csv", "xml", "tsv"])
def test_same_bytes_and_exact_rows_whichever_writer(store, fmt):
    q = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"
    status, got_fmt, body, rows, truncated = results.execute(store, job(q, fmt), True)
    ours, n, cut = results.write_solutions(store.query(q), fmt, 100)
    assert (status, got_fmt, body, rows, truncated) == ("ok", fmt, ours, n, cut)
    assert rows == 30 and truncated is False


@pytest.mark.parametrize("body,rows", [
    (b'{"head":{"vars":[]},"results":{"bindings":[{}]}}', 1),
    (b'{"head":{"vars":["a"]},"results":{"bindings":[]}}', 0),
    (b'{"head":{"vars":["a"]},"results":{"bindings":[{},{},{"a":{"type":"uri","value":"u"}}]}}', 3),
    (b'{"head":{"vars":["a"]},"results":{"bindings":[{"a":{"type":"literal","value":",{\\"a\\":{\\"type\\""}}]}}', 1),
])
def test_native_json_rows_are_counted_exactly(body, rows):
    assert results.native_rows(body, "json") == rows == len(json.loads(body)["results"]["bindings"])


@pytest.mark.parametrize("fmt", ["json", "csv", "ntriples"])
def test_row_cap_holds_on_the_native_path(store, fmt):
    q = ("CONSTRUCT WHERE { ?s ?p ?o }" if fmt == "ntriples"
         else "SELECT ?s ?o WHERE { ?s ?p ?o }")
    status, _, body, rows, truncated = results.execute(store, job(q, fmt, max_rows=7), True)
    assert status == "ok" and rows == 7 and truncated is True
    if fmt == "json":
        assert len(json.loads(body)["results"]["bindings"]) == 7
    elif fmt == "ntriples":
        assert len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) == 7


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "ntriples", "turtle"])
def test_byte_cap_cuts_whole_rows_and_says_why(store, fmt):
    q = ("CONSTRUCT WHERE { ?s ?p ?o }" if fmt in ("ntriples", "turtle")
         else "SELECT ?s ?o WHERE { ?s ?p ?o }")
    whole = results.execute(store, job(q, fmt), True)[2]
    limit = len(whole) // 2
    status, _, body, rows, truncated = results.execute(
        store, job(q, fmt, max_bytes=limit), True)
    assert status == "ok" and truncated == "bytes"
    assert 0 < rows < 30 and len(body) <= limit
    if fmt == "json":  # still a whole document, with exactly the rows announced
        assert len(json.loads(body)["results"]["bindings"]) == rows
    if fmt in ("ntriples", "turtle"):
        fmt_ = ox.RdfFormat.N_TRIPLES if fmt == "ntriples" else ox.RdfFormat.TURTLE
        assert len(list(ox.parse(body, format=fmt_))) == rows


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet='},{"\\ab:[]', max_size=12), min_size=0, max_size=8),
       st.booleans())
def test_native_json_rows_match_the_parsed_bindings(values, with_unbound):
    """Literals made of the JSON structure's own characters, with and without escapes."""
    s = ox.Store()
    for i, value in enumerate(values):
        s.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(value),
                      ox.DefaultGraph()))
    q = ("SELECT ?s ?o ?none WHERE { ?s ?p ?o OPTIONAL { ?s <urn:x> ?none } }" if with_unbound
         else "SELECT ?o WHERE { ?s ?p ?o }")
    body = s.query(q).serialize(format=ox.QueryResultsFormat.JSON)
    assert results.native_rows(body, "json") == len(json.loads(body)["results"]["bindings"])
