"""Static query checks (admiukg.guard): refused keywords in every spelling, no false positives."""

import functools
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from admiukg import parseguard
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
@functools.cache
def _reference_pattern():
    import re

    from admiukg import guard

    base, chars, plx = guard._PN_CHARS_BASE, guard._PN_CHARS, guard._PLX
    return re.compile(
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


def _reference_tokens(text):
    return [(m.lastgroup, m.group(), m.start()) for m in _reference_pattern().finditer(text)
            if m.lastgroup not in ("ws", "comment")]


_PIECES = list("aZ_-.:9?$@#\"'<> {}()^|!+*/=,;\n") + [
    "\u00b7", "\u00e9", "\u0300", "\u203f", "%2", "%41", "\\u0041", "\\_", "_:", "a:", "ex:b",
    "SERVICE", "1.5e3", "-7", "..", "a.", ".:", "\t", "\\", "'''", '"""', "<a>", "@en-GB", "ab", "_x",
    "\u00a0", "\u2028",
    # strings left open: escaped quotes of either kind, backslash pairs, line ends escaped or not
    "\r", "\r\n", '\\"', "\\'", "\\\\", "\\\n", "\\\r", '"a\\"', "'\\'", '\\"\\"']


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_the_tokenizer_splits_as_the_reference_does(pieces):
    from admiukg.guard import tokenize

    text = "".join(pieces)
    assert tokenize(text) == _reference_tokens(text)


# A query's PREFIX declarations are tokenized once for each run of them (``guard._PROLOGUE``):
# whatever follows them, the tokens must be the reference's.
_declaration = st.tuples(
    st.sampled_from(["", " ", "\n", "\t ", "\r\n", "  "]), st.sampled_from(["PREFIX", "prefix", "Prefix"]),
    st.sampled_from([" ", "\n", "  ", ""]), st.sampled_from(["", "au", "a.b-c_", "x1", "a.", "é", "_a", "a:b"]),
    st.sampled_from([":", ""]), st.sampled_from(["", " ", "\n"]),
    st.sampled_from(["<https://kg.admiu.example/ontology#>", "<>", "<a b>", "<http://x/é>", "<a\\u0041>",
                     "<!#$%&'()*+,-./:;=?@[]_~z>", "<a", "<a>>"])).map("".join)


@settings(max_examples=2000, deadline=None)
@given(st.lists(_declaration, min_size=1, max_size=4), st.lists(st.sampled_from(_PIECES), max_size=12))
def test_prefix_declarations_split_as_the_reference_does(declarations, pieces):
    from admiukg.guard import tokenize

    text = "".join(declarations) + "".join(pieces)
    assert tokenize(text) == _reference_tokens(text)
    assert tokenize(text) == _reference_tokens(text)  # again, from the declarations' cache


def test_a_long_prologue_is_not_kept():
    from admiukg import guard

    text = "PREFIX a: <http://x/>\n" * 400 + "SELECT * {}"
    guard._prologue_tokens.cache_clear()
    assert guard.tokenize(text) == _reference_tokens(text)
    assert guard._prologue_tokens.cache_info().currsize == 0


# The tokenizer before strings left open were scanned once: quadratic on ``"\"\"\"…`` (each
# escaped quote tried a string again to the same end of line). The one in use must give exactly
# its tokens, kind, value and offset.
@functools.cache
def _pattern_before_open_strings():
    import re

    from admiukg import guard

    base, chars, plx = guard._PN_CHARS_BASE, guard._PN_CHARS, guard._PLX
    return re.compile(
            r"""
            (?:\s+|\#[^\n\r]*)*+
            (?:
              (?P<word>[A-Za-z][A-Za-z0-9_]*+(?![""" + chars + r""".:])|_(?!:)[A-Za-z0-9_]*)
            | (?P<var>[?$][""" + chars + r"""]+)
            | (?P<pname>(?:[""" + base + r"""](?>[""" + chars + r""".]*)(?<!\.))?
                  :(?:(?:[""" + chars + r""":]|""" + plx + r""")(?:[""" + chars + r""".:]++|""" + plx + r""")*+)?)
            | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>)
            | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                  |'(?:[^'\\\n\r]++|\\.)*+'|"(?:[^"\\\n\r]++|\\.)*+")
            | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
            | (?P<punct>\^\^|\|\||&&|!=|<=|>=|[{}()\[\];,.*+/|^!?=<>-])
            | (?P<bnode>_:[""" + chars + r""".]*)
            | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
            | (?P<run>[""" + base + r"""](?>[""" + chars + r""".]*)(?!(?<!\.):))
            | (?P<other>.)
            )?
            """, re.VERBOSE | re.DOTALL)


def _tokens_before_open_strings(text):
    from admiukg import guard

    tokens = [(m.lastgroup, m[m.lastindex], m.start(m.lastindex))
              for m in _pattern_before_open_strings().finditer(text) if m.lastindex]
    split = []
    for kind, value, at in tokens:
        if kind == "run":
            split += [(p.lastgroup, p.group(), at + p.start())
                      for p in guard.RUN_PARTS.finditer(value)]
        else:
            split.append((kind, value, at))
    return split


_OPEN_STRING_PIECES = ['"', "'", "\\", '\\"', "\\'", "\\\\", "\n", "\r", "\r\n", "\\\n", "\\\r",
                       '"""', "'''", "#", " ", "a", "a-b", "x:", "<a>", "<", "é", "1"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_OPEN_STRING_PIECES), max_size=60))
def test_strings_left_open_split_as_before(pieces):
    from admiukg.guard import tokenize

    text = "".join(pieces)
    assert tokenize(text) == _tokens_before_open_strings(text)


@pytest.mark.parametrize("text", [
    ('"\\' * 600)[:1199], ('"\\' * 600)[:1200], ("'\\" * 600), '"' + '\\"' * 500 + "\n" + '"a"',
    # blanks before the next token span the end of line: that token is a string again
    '"\\" \n "x" \'y\'', "'\\' \r\n'x'", '"\\"#c\\"\n"x"', '"\\"#c\\',
    # the other quote left open on the same line, both ending there; or one escaped line longer
    '"\\"\'\\\'\\"\n"x"\'y\'', "'\\\"\\'\"\\\"\\\n\\\"'\n'x'\"y\"",
    # long strings and runs reaching past the end of line, an IRI after it
    '"\\"\'\'\'\n\\"\'\'\' "x"', '"\\"a-b-c\\"\n<a> "x"', '"\\"' + "\\\\\\\"" * 300 + "\n",
    '"\\"\\\\\\\n"\\"\n"x"', "\"\\'" * 400 + "\n\"\\''\"" * 50,
])
def test_open_strings_hard_cases_split_as_before(text):
    from admiukg.guard import tokenize

    assert tokenize(text) == _tokens_before_open_strings(text)


def test_a_string_left_open_is_scanned_once():
    """``check`` on ``"\\"\\"\\…`` (100 KB, the length limit) took 108 s, quadratic: each escaped
    quote tried a string to the end of the line again. Linear now (well under a second): the
    bound is generous, only a guard against the quadratic way coming back."""
    import time

    from admiukg.guard import tokenize

    text = ('"\\' * 50000)[:100000]
    started = time.perf_counter()
    tokens = tokenize(text)
    assert time.perf_counter() - started < 2
    assert len(tokens) == len(text)
    started = time.perf_counter()
    tokenize(text.replace('"', "'"))
    assert time.perf_counter() - started < 2


def _reference_check(query, limits):
    """``check`` as it was before its loop took one branch per token kind: the reference the one
    in use must agree with, result for result and error for error."""
    import re

    from admiukg import guard

    if len(query) > limits.max_length:
        raise GuardError(
            f"query too long: {len(query)} characters (limit {limits.max_length})", 413,
            "too-long",
        )
    if "\x00" in query:
        raise GuardError("query contains a NUL character")

    def repl(m):
        cp = int(m.group(1) or m.group(2), 16)
        if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
            raise GuardError(f"invalid codepoint escape {m.group(0)} at offset {m.start()}")
        return chr(cp)

    text = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", repl, query)
    tokens = _reference_tokens(text)
    refuse, position = guard._refuse_keyword, guard._position

    form = None
    has_dataset = False
    depth = max_depth = 0
    values_terms = 0
    in_values = False
    values_depth = 0
    path_ops = 0
    decoded_only = None
    for i, (kind, value, offset) in enumerate(tokens):
        if kind == "word":
            word = value.upper()
            try:
                refuse(word, text, offset)
            except GuardError as exc:
                if limits.strict or text == query:
                    raise
                decoded_only = decoded_only or exc
            if form is None and word in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}:
                form = word
            if word == "FROM":
                has_dataset = True
            if word == "VALUES":
                in_values, values_depth = True, depth
        elif kind == "punct":
            if value in "({[":
                depth += 1
                if depth > max_depth:
                    max_depth = depth
                    if depth > limits.max_depth:
                        raise GuardError(
                            f"query nested too deeply: more than {limits.max_depth} levels of "
                            f"brackets at {position(text, offset)}", 400, "too-deep")
            elif value in ")}]":
                depth -= 1
                if in_values and depth <= values_depth:
                    in_values = False
        if in_values and kind in ("iri", "string", "pname", "number", "word", "bnode") \
                and value.upper() != "VALUES":
            values_terms += 1
            if values_terms > limits.max_values:
                raise GuardError(
                    f"VALUES too large: more than {limits.max_values} terms", 400, "too-large")
        if kind == "punct" and value in ("/", "|"):
            prev = tokens[i - 1][0] if i else ""
            if prev in ("iri", "pname", "word", "punct"):
                path_ops += 1
                if path_ops > limits.max_path:
                    raise GuardError(
                        f"property path too long: more than {limits.max_path} steps at "
                        f"{position(text, offset)}", 400, "too-long-path")
        elif not (kind in ("iri", "pname") or (kind == "word" and value == "a")
                  or (kind == "punct" and value in {"/", "|", "^", "*", "+", "?", "!", "(", ")"})):
            path_ops = 0
    if text != query:
        for kind, value, offset in _reference_tokens(query):
            if kind == "word":
                refuse(value.upper(), query, offset)
    try:
        parseguard.check(query, text, strict=limits.strict)
    except parseguard.Refused as exc:
        raise decoded_only or GuardError(exc.message, exc.status, exc.kind) from None
    if decoded_only and not parseguard.engine_reading_parses(query, text):
        raise decoded_only
    return form, has_dataset, text


def _outcome(checker, query, limits):
    try:
        info = checker(query, limits)
    except GuardError as exc:
        return "refused", exc.message, exc.status, exc.kind
    return info if isinstance(info, tuple) else (info.form, info.has_dataset, info.text)


_QUERY_PIECES = [
    # keywords in several cases, the refused ones among them
    "SELECT", "select", "ASK", "Construct", "DESCRIBE", "FROM", "from", "NAMED", "VALUES",
    "values", "WHERE", "FILTER", "a", "A", "UNDEF", "SERVICE", "LOAD", "INSERT", "delete", "With",
    "BIND", "AS", "PREFIX", "_x",
    # terms: variables, prefixed names, IRIs, strings holding keywords, numbers, blank nodes
    "?s", "$o", "?values", "ex:p", "ex:", ":x", "au:has-role", "ex:a.", "x.:y", "<http://x/p>",
    "<a\\u0041>", "<http://x/SERVICE>", '"SERVICE"', "'INSERT x'", '"""a\nLOAD"""', "'''b''''",
    "'it\\'s'", '"a\\"', "12", "1.5e3", "-7", ".5", "+2", "_:b", "@en", "@en-GB", "true", "é",
    "\u00b7", "a-b", "x.", "syn-university-7",
    # punctuation: brackets, path operators, the rest
    "{", "}", "(", ")", "[", "]", "/", "|", "^", "*", "+", "?", "!", ".", ";", ",", "=", "<",
    ">", "&&", "||", "^^", "<=",
    # escapes, valid, invalid and halves of them, spelling keywords, quotes or brackets
    "\\u0053", "\\u0045RVICE", "\\u0022", "\\u0027", "\\U00000053", "\\uD800", "\\u007B",
    "\\u002F", "\\u0020", "\\", "\x00",
    # strings left open, escaped quotes and backslashes inside, an escape for a quote after them
    '"\\"\\"', "'\\'\\'", "\"\\'\\\"", '"\\\\', "\\\n", '"\\u0022', "'\\\r",
]
_SEPARATORS = ["", " ", " ", "\n", "\t", " # SERVICE {\n", "#", "\r"]
_LIMITS = [Limits(), Limits(max_depth=2, max_values=3, max_path=2),
           Limits(max_depth=2, max_values=3, max_path=2, strict=True), Limits(max_length=60)]


_piece = st.sampled_from(_QUERY_PIECES)
_term = st.sampled_from(["?s", "ex:p", "<http://x/p>", '"SELECT"', "12", "_:b", "a", "A", "SELECT",
                         "FROM", "values", "UNDEF", "(", ")", "\\u0053ELECT", "/", "|", "^"])


def _joined(parts):
    return st.lists(st.tuples(st.sampled_from(_SEPARATORS), parts), max_size=8).map(
        lambda pairs: "".join(sep + part for sep, part in pairs))


# Query-like shapes, not just pieces in a row: VALUES blocks, paths and brackets, so the limits
# are reached from every kind of token (a row of random pieces rarely gets there).
_values_block = st.tuples(st.sampled_from(["VALUES ?x {", "values (?x ?y){", "VALUES ?x"]),
                          _joined(_term), st.sampled_from(["}", " } ", ")", ""])).map(" ".join)
_path = st.tuples(_term, st.lists(st.tuples(st.sampled_from(["/", "|", "/^", "|!", "*/", ")/("]),
                                            _term), max_size=5)).map(
    lambda p: p[0] + "".join(op + term for op, term in p[1]))
_brackets = st.sampled_from(["{", "(", "[", "OPTIONAL {", "SELECT * {", "}", ")", "]"])
_fragment = st.one_of(_piece, _values_block, _path, _brackets)


@st.composite
def _query_like(draw):
    pieces = draw(st.lists(st.tuples(st.sampled_from(_SEPARATORS), _fragment), max_size=25))
    return "".join(sep + piece for sep, piece in pieces) + draw(st.sampled_from(_SEPARATORS))


def _stand_in_parse_check(query, decoded, strict=False):
    if (len(query) + strict) % 7 == 3:
        raise parseguard.Refused("refused by the stand-in parser", 403, "forbidden")


def _stand_in_reading_parses(query, decoded):
    return len(decoded) % 2 == 0


@settings(max_examples=1500, deadline=None)
@given(_query_like(), st.sampled_from(_LIMITS))
def test_check_decides_as_the_reference_does(query, limits):
    # Both call the same parseguard, so a cheap stand-in (its verdict any fixed function of the
    # text) compares the guard's own decisions, in both of parseguard's outcomes, without rdflib.
    with mock.patch.object(parseguard, "check", _stand_in_parse_check), \
            mock.patch.object(parseguard, "engine_reading_parses", _stand_in_reading_parses):
        assert _outcome(check, query, limits) == _outcome(_reference_check, query, limits)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["s", "S", "ervice", "ERVICE", "erv", "ice", "\u017f", "\u0130",
                                 "\u0131", "\u212a", "x", " ", "é"]), max_size=12))
def test_spells_service_folds_case_as_the_regex_does(pieces):
    import re

    text = "".join(pieces)
    expected = re.search("service", text, re.IGNORECASE) is not None
    assert parseguard.spells_service(text) == expected
