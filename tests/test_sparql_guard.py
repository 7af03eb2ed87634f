"""Static query checks (admiukg.guard): refused keywords in every spelling, no false positives."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from admiukg.guard import GuardError, Limits, check, decode_escapes

SERVICE_SPELLINGS = [
    "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * { service <http://x/> { ?s ?p ?o } }",
    "SELECT * { SeRvIcE <http://x/> { ?s ?p ?o } }",
    "SELECT * { SERVICE SILENT <http://x/> { ?s ?p ?o } }",
    "SELECT * { VALUES ?e { <http://x/> } SERVICE ?e { ?s ?p ?o } }",
    "SELECT * { SERVICE?e { ?s ?p ?o } }",
    "SELECT * { SERVICE<http://x/>{ ?s ?p ?o } }",
    "SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
    "SELECT * { \\U00000053\\U00000045RVICE <http://x/> { ?s ?p ?o } }",
    "SELECT * { \\u0073\\u0065\\u0072\\u0076\\u0069\\u0063\\u0065 <http://x/> { ?s ?p ?o } }",
    "SELECT * { SERVICE # comment\n <http://x/> { ?s ?p ?o } }",
    "SELECT * {\n  # a comment mentioning nothing\n  SERVICE\n\n\t<http://x/> {} }",
    "PREFIX ex: <http://x/> SELECT * { OPTIONAL { SERVICE ex:e { ?s ?p ?o } } }",
]


@pytest.mark.parametrize("query", SERVICE_SPELLINGS)
def test_service_refused_in_every_spelling(query):
    with pytest.raises(GuardError) as err:
        check(query)
    assert err.value.status == 403
    assert "SERVICE" in err.value.message


@pytest.mark.parametrize(
    "query",
    ["LOAD <http://x/data.ttl>", "load <http://x/>", "LOAD SILENT <http://x/> INTO GRAPH <g>",
     "\\u004cOAD <http://x/>"],
)
def test_load_refused(query):
    with pytest.raises(GuardError) as err:
        check(query)
    assert err.value.status == 403


@pytest.mark.parametrize(
    "query",
    ["INSERT DATA { <a> <b> <c> }", "DELETE WHERE { ?s ?p ?o }", "CLEAR ALL", "DROP GRAPH <g>",
     "CREATE GRAPH <g>", "ADD <a> TO <b>", "MOVE <a> TO <b>", "COPY <a> TO <b>",
     "WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
     "PREFIX x: <http://x/> insert data { x:a x:b x:c }"],
)
def test_updates_refused(query):
    with pytest.raises(GuardError) as err:
        check(query)
    assert err.value.status == 403
    assert "read-only" in err.value.message


@pytest.mark.parametrize(
    ("query", "form"),
    [
        # the words appear only inside variables, strings, IRIs, prefixed names, comments
        ('SELECT ?service ?load WHERE { ?service <http://x/p> "SERVICE" }', "SELECT"),
        ("SELECT $service { ?s <http://example.org/SERVICE> ?o } # SERVICE <http://x/>", "SELECT"),
        ("PREFIX service: <http://x/> SELECT * { ?s service:load ?o }", "SELECT"),
        ("PREFIX ex: <http://x/> SELECT * { ?s ex:SERVICE ?o . ?s ex:insert ?i }", "SELECT"),
        ("SELECT * { ?s ?p 'it\\'s a SERVICE LOAD' }", "SELECT"),
        ('SELECT * { ?s ?p """multi\nline SERVICE\n""" }', "SELECT"),
        ("SELECT * { ?s ?p 'x'@load }", "SELECT"),
        ("SELECT * { _:service ?p ?o }", "SELECT"),
        ("ASK { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }", "ASK"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("PREFIX : <http://x/> DESCRIBE :delete", "DESCRIBE"),
        ("BASE <http://x/> PREFIX a: <b> select * {}", "SELECT"),
    ],
)
def test_no_false_positives(query, form):
    import pyoxigraph

    pyoxigraph.Store().query(query)  # valid SPARQL: a refusal would be a false positive
    info = check(query)
    assert info.form == form


def test_from_detected_and_escapes_decoded():
    info = check("SELECT * FROM <http://g/1> FROM NAMED <http://g/2> { ?s ?p ?o }")
    assert info.has_dataset
    assert not check("SELECT * { ?from ?p ?o }").has_dataset
    assert check("\\u0053ELECT * {}").text == "SELECT * {}"
    assert decode_escapes("a\\u00e7b") == "açb"


def test_invalid_escape_is_a_400():
    with pytest.raises(GuardError) as err:
        check("SELECT * { ?s ?p '\\uD800' }")
    assert err.value.status == 400


def test_nesting_depth_bounded():
    limits = Limits(max_depth=20)
    check("SELECT * " + "{" * 20 + "?s ?p ?o" + "}" * 20, limits)
    with pytest.raises(GuardError) as err:
        check("SELECT * " + "{" * 21 + "?s ?p ?o" + "}" * 21, limits)
    assert "nested too deeply" in err.value.message
    with pytest.raises(GuardError):
        check("SELECT (" + "(" * 5000 + "1" + ")" * 5000 + " AS ?x) {}")
    # brackets inside strings do not count
    check("SELECT * { ?s ?p '" + "(" * 500 + "' }", limits)


def test_values_size_bounded():
    limits = Limits(max_values=100)
    ok = "SELECT * { VALUES ?x { " + " ".join(f"<http://x/{i}>" for i in range(100)) + " } }"
    check(ok, limits)
    too_many = ok.replace("<http://x/0>", "<http://x/0> 1")
    with pytest.raises(GuardError) as err:
        check(too_many, limits)
    assert "VALUES" in err.value.message
    # terms after the VALUES block are not counted
    check(ok + " " + " ".join(["?s <p> ?o ."] * 50), limits)


def test_property_path_length_bounded():
    limits = Limits(max_path=8)
    check("SELECT * { ?s " + "/".join(["<http://x/p>"] * 9) + " ?o }", limits)
    with pytest.raises(GuardError) as err:
        check("SELECT * { ?s " + "/".join(["<http://x/p>*"] * 10) + " ?o }", limits)
    assert "property path" in err.value.message
    with pytest.raises(GuardError):
        check("SELECT * { ?s (" + "|".join(["^<http://x/p>"] * 20) + ") ?o }", limits)
    # division in expressions does not count as a path
    check("SELECT ((" + "/".join(["?x"] * 30) + ") AS ?y) {}", limits)


def test_length_bounded():
    with pytest.raises(GuardError) as err:
        check("SELECT * {}" + " " * 200, Limits(max_length=100))
    assert err.value.status == 413


# The tokenizer before name-like runs were matched whole: simple, and quadratic on ``a-a-a-…``.
# The one in use must split every text exactly as this one does.
_REFERENCE = None


def _reference_tokens(text):
    import re

    from admiukg import guard

    global _REFERENCE
    if _REFERENCE is None:
        base, chars, plx = guard._PN_CHARS_BASE, guard._PN_CHARS, guard._PLX
        _REFERENCE = re.compile(
            r"""
            (?P<ws>\s+)
          | (?P<comment>\#[^\n\r]*)
          | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
          | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
          | (?P<var>[?$][""" + chars + r"""]+)
          | (?P<bnode>_:[""" + chars + r""".]*)
          | (?P<pname>(?:[""" + base + r"""](?:[""" + chars + r""".]*[""" + chars + r"""])?)?
                      :(?:(?:[""" + chars + r""":]|""" + plx + r""")(?:[""" + chars + r""".:]|""" + plx + r""")*)?)
          | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
          | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
          | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
          | (?P<punct>\^\^|\|\||&&|!=|<=|>=|[{}()\[\];,.*+/|^!?=<>-])
          | (?P<other>.)
            """, re.VERBOSE | re.DOTALL)
    return [(m.lastgroup, m.group(), m.start()) for m in _REFERENCE.finditer(text)
            if m.lastgroup not in ("ws", "comment")]


_PIECES = list("aZ_-.:9?$@#\"'<> {}()^|!+*/=,;\n") + [
    "\u00b7", "\u00e9", "\u0300", "\u203f", "%2", "%41", "\\u0041", "\\_", "_:", "a:", "ex:b",
    "SERVICE", "1.5e3", "-7", "..", "a.", ".:"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_the_tokenizer_splits_as_the_reference_does(pieces):
    from admiukg.guard import tokenize

    text = "".join(pieces)
    assert tokenize(text) == _reference_tokens(text)
