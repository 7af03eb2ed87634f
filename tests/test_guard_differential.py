"""The guard against pyoxigraph's own parser, property-based (Hypothesis).

Oracle: a query is federated if pyoxigraph, run in this (unsandboxed) process on an empty
store, connects to a 127.0.0.1 listener named in it. Every such variant must be refused by the
guard, over the local store and in ``--store`` mode; valid queries that merely spell ``service``
as a name, string, IRI or comment must pass. Variants mutate known SERVICE queries where the
tokenizers of the guard and of the engine have disagreed: letter case, glued tokens, comments
and operators that shift token boundaries, escapes inside strings, IRIs and behind escapes.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from netprobe import Listener, pyoxigraph_connects

from admiukg.guard import GuardError, Limits, check

LOCAL, STORE = Limits(), Limits(strict=True)
QUERIES = Path(__file__).resolve().parent.parent / "queries"
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.close()


def refused(query: str, limits: Limits) -> bool:
    try:
        check(query, limits)
    except GuardError as exc:
        assert exc.status in (400, 403, 413), exc
        return True
    return False


def escape(ch: str) -> str:
    return f"\\u{ord(ch):04X}"


@st.composite
def cased(draw, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.lower() if f else c for c, f in zip(word, flips))


# (before SERVICE, after the query's last brace): pairs that shift the guard's token boundaries
TRICKS = [
    ("", ""),
    ('BIND("\\u0022" AS ?a) ', ' #""" AS ?z) }'),  # a string that ends for one reader only
    ("BIND('\\u0027' AS ?a) ", " #''' AS ?z) }"),
    ('BIND("\\\\u0022" AS ?a) ', ""),  # an escaped backslash before an escape
    ("FILTER(?a<?b)", ""),  # "<" read as the start of an IRI up to a later ">"
    ("FILTER(?a<?b)", " #>"),
    ("?s ?p ex:o.", ""),  # prefixed names and numbers glued to the keyword
    ("?s ?p ex:o\\.", ""),
    ("?s ?p 1.", ""),
    ("?s ?p ?o.", ""),
    ('?s ?p "x"@en-', ""),
    ("OPTIONAL{}", ""),
    ("{}", ""),
    ("_:b.", ""),
]
SEPARATORS = ["", " ", "\n", "\t", "#>\n", "# x\n", "#\\u000A", "/**/", "\r\n"]


@st.composite
def service_variants(draw, url: str) -> str:
    keyword = draw(st.one_of(cased("SERVICE"), st.sampled_from(
        ["\\u0053ERVICE", "S\\u0045RVICE", "\\u005Cu0053ERVICE", "SERV\\u0049CE"])))
    if draw(st.booleans()):
        keyword += draw(st.sampled_from(SEPARATORS[1:])) + draw(cased("SILENT"))
    iri = draw(st.sampled_from([
        f"<{url}>", f"<{url}?q=1>", f"<{url}#f>",
        "<" + escape("h") + url[1:] + ">", "<" + url.replace("/", "\\u002F") + ">",
    ]))
    before, after = draw(st.sampled_from(TRICKS))
    sep1, sep2, sep3 = (draw(st.sampled_from(SEPARATORS)) for _ in range(3))
    group = draw(st.sampled_from(["{}", "{ ?s ?p ?o }", "{?x ?y ?z}"]))
    form = draw(st.sampled_from(["SELECT *", "select*", "ASK", "CONSTRUCT{}WHERE",
                                 "SELECT ?service"]))
    return (f"PREFIX ex: <http://e/> {form} {{ {before}{sep1}{keyword}{sep2}{iri}{sep3}{group} }}"
            f"{after}")


@SETTINGS
@given(data=st.data())
def test_every_variant_pyoxigraph_runs_as_service_is_refused(listener, data):
    query = data.draw(service_variants(listener.url))
    if pyoxigraph_connects(query, listener):
        event("pyoxigraph connected")
        assert refused(query, LOCAL), query
        assert refused(query, STORE), query
    else:
        event("no connection")


HARMLESS = [
    "?service ?p ?o .", "?SERVICE ?p ?o .", "$Service ?p ?o .", "?s ex:service ?o .",
    "?s service:load ?o .", "?s ?p 'SERVICE <http://127.0.0.1:1/> {}' .",
    '?s ?p "\\u0053ERVICE" .', '?s ?p "a\\u0022 SERVICE <http://x/> {}" .',
    "?s ?p '''multi\nSERVICE'''.", "?s <http://x/SERVICE> ?o .", "?s <http://x/\\u0053ERVICE> ?o .",
    "# SERVICE <http://127.0.0.1:1/> {}\n", "?s ?p 'x'@service .", "_:service ?p ?o .",
    "FILTER(?o < 3 && ?o > 1)", "?s ?p ex:service.", "?s ?p ex:insert .",
    "BIND(\"load\" AS ?load)", "?s ?p ?o FILTER(CONTAINS(STR(?o), 'service'))",
]


@SETTINGS
@given(parts=st.lists(st.sampled_from(HARMLESS), min_size=1, max_size=5, unique=True),
       glue=st.sampled_from([" ", "\n", "  ", "\t"]), form=cased("SELECT"))
def test_valid_queries_that_only_name_service_pass(parts, glue, form):
    query = (f"PREFIX ex: <http://e/> PREFIX service: <http://s/>{glue}{form} * "
             f"{{{glue}{glue.join(parts)}{glue}}}")
    ox.Store().query(query)  # pyoxigraph accepts it: a refusal would be a false positive
    assert not refused(query, LOCAL), query
    if "\\u0022" not in query:  # a SPARQL 1.1 store reads SERVICE as a keyword there
        assert not refused(query, STORE), query


def test_known_bypasses_connect_and_are_refused(listener):
    """Spellings that passed the lexical guard alone; the oracle shows they are real."""
    iri = f"<{listener.url}>"
    for query in (
        f'SELECT * {{ BIND("\\u0022" AS ?a) SERVICE {iri} {{}} }} #""" AS ?z) }}',
        f"SELECT * {{ FILTER(?a<?b)SERVICE#>\n{iri}{{}} }}",
        f'SELECT * {{ BIND("\\u0022" AS ?a) SERVICE {iri} {{ }} BIND("""x""" AS ?b) }}',
    ):
        assert pyoxigraph_connects(query, listener), query
        assert refused(query, LOCAL) and refused(query, STORE), query


def test_a_string_with_an_escaped_quote_reaches_the_engine_as_written(sparql_server):
    import requests

    r = requests.get(sparql_server.endpoint, params={"query": 'SELECT ?x { BIND("a\\u0022b" AS ?x) }'},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"][0]["x"]["value"] == 'a"b'


@pytest.mark.parametrize("path", sorted(QUERIES.glob("**/*.rq")), ids=lambda p: p.name)
def test_saved_queries_pass_in_both_modes(path):
    text = path.read_text(encoding="utf-8")
    assert not refused(text, LOCAL) and not refused(text, STORE)
