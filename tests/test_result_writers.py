"""The endpoint's SELECT/ASK/graph writers, checked against pyoxigraph's own result parsers.

Solutions come from pyoxigraph itself (a ``VALUES`` query over generated terms); what our
writers produce must parse back, with pyoxigraph's parsers, to exactly those terms (CSV: to
their lexical values, as the SPARQL 1.1 CSV format loses types).
"""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from admiukg.endpoint import results

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
IRIS = st.builds(lambda path, frag: ox.NamedNode("http://example.org/" + path + frag),
                 st.text("abcxyz09-_~/é", max_size=8), st.sampled_from(["", "#", "#x1"]))
LITERALS = st.one_of(
    st.builds(ox.Literal, TEXT),
    st.builds(lambda v, lang: ox.Literal(v, language=lang), TEXT, st.sampled_from(["az", "en", "en-GB"])),
    st.builds(lambda n: ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
              st.integers(-10**6, 10**6)),
    st.builds(lambda y: ox.Literal(str(y), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
              st.integers(1000, 2100)),
)
#: VALUES takes no blank nodes; the writers' blank-node form is checked on its own below.
TERM = st.one_of(IRIS, LITERALS, st.none())
ROWS = st.lists(st.tuples(TERM, TERM), max_size=6)


def solutions(rows):
    """Real pyoxigraph QuerySolutions holding ``rows`` (None = unbound), in order."""
    values = " ".join("(" + " ".join("UNDEF" if t is None else str(t) for t in row) + ")" for row in rows)
    return ox.Store().query(f"SELECT ?a ?b {{ VALUES (?a ?b) {{ {values} }} }}")


def comparable(term):
    return None if term is None else str(term)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(ROWS, st.sampled_from(["json", "xml", "tsv"]))
def test_typed_formats_round_trip_through_pyoxigraph(rows, fmt):
    body, count, truncated = results.write_solutions(solutions(rows), fmt, max_rows=100)
    parsed = ox.parse_query_results(body, format=results.formats.RESULTS[fmt].results)
    assert [v.value for v in parsed.variables] == ["a", "b"]
    assert [[comparable(s[v]) for v in ("a", "b")] for s in parsed] == \
        [[comparable(t) for t in row] for row in rows]
    assert (count, truncated) == (len(rows), False)


@settings(max_examples=100)
@given(ROWS)
def test_csv_keeps_lexical_values_and_quotes_what_needs_it(rows):
    body, _, _ = results.write_solutions(solutions(rows), "csv", max_rows=100)
    text = body.decode("utf-8")
    assert text.endswith("\r\n")
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[0] == ["a", "b"]
    assert read[1:] == [["" if t is None else t.value for t in row] for row in rows]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_row_cap_cuts_and_flags(fmt):
    rows = [(ox.NamedNode(f"http://example.org/{i}"), ox.Literal(str(i))) for i in range(7)]
    body, count, truncated = results.write_solutions(solutions(rows), fmt, max_rows=5)
    assert (count, truncated) == (5, True)
    if fmt in ("json", "xml", "tsv"):
        parsed = ox.parse_query_results(body, format=results.formats.RESULTS[fmt].results)
        assert [s["a"].value for s in parsed] == [f"http://example.org/{i}" for i in range(5)]


@pytest.mark.parametrize("value", [True, False])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_boolean_parses_back(fmt, value):
    body = results.write_boolean(value, fmt)
    assert bool(ox.parse_query_results(body, format=results.formats.RESULTS[fmt].results)) is value


def test_boolean_json_is_the_w3c_shape():
    assert json.loads(results.write_boolean(True, "json")) == {"head": {}, "boolean": True}


@pytest.mark.parametrize(("fmt", "text"), [("csv", "_askResult\r\nfalse\r\n"), ("tsv", "?_askResult\nfalse\n")])
def test_boolean_in_csv_and_tsv_is_one_column_as_jena_writes_it(fmt, text):
    # SPARQL 1.1 CSV/TSV define no boolean form; Jena's one-cell table is what clients know
    assert results.write_boolean(False, fmt).decode() == text


def test_blank_nodes_keep_their_labels():
    store = ox.Store()
    store.add(ox.Quad(ox.BlankNode("x"), ox.NamedNode("http://example.org/p"), ox.Literal("o")))
    names = {fmt: results.write_solutions(store.query("SELECT ?a ?b { ?a ?p ?o }"), fmt, 10)[0].decode()
             for fmt in ("json", "csv", "tsv")}
    label = json.loads(names["json"])["results"]["bindings"][0]["a"]
    assert label["type"] == "bnode"
    assert f"_:{label['value']}" in names["csv"] and f"_:{label['value']}" in names["tsv"]


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"])
def test_graph_writer_round_trips_and_caps(fmt):
    triples = [ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                         ox.Literal(f"o {i} \"q\"\n", language="az")) for i in range(4)]
    body, count, truncated = results.write_triples(iter(triples), fmt, 3)
    assert (count, truncated) == (3, True)
    back = {(q.subject, q.predicate, q.object)
            for q in ox.parse(body, format=results.formats.GRAPHS[fmt].rdf)}
    assert back == {(t.subject, t.predicate, t.object) for t in triples[:3]}


def job(query: str, **extra) -> dict:
    return {"query": query, "default_graphs": None, "named_graphs": None, "has_dataset": False,
            "results_format": "json", "graph_format": "turtle", "max_rows": 10, **extra}


def test_a_job_is_answered_with_a_typed_reply():
    from admiukg.endpoint.replies import Answer, Failure

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("o")))
    ok = results.execute(store, job("SELECT * { ?s ?p ?o }"))
    assert isinstance(ok, Answer) and (ok.fmt, ok.rows, ok.truncated) == ("json", 1, False)
    assert json.loads(ok.body)["results"]["bindings"][0]["o"]["value"] == "o"
    bad = results.execute(store, job("SELECT * { ?s ?p }"))
    assert isinstance(bad, Failure) and (bad.status, bad.kind) == (400, "syntax")
    assert "line 1" in bad.message
    no_format = results.execute(store, job("ASK {}", results_format=None))
    assert isinstance(no_format, Failure) and no_format.status == 406
