"""Static checks on a SPARQL query before it reaches the engine (no engine, pure Python).

The guard decodes SPARQL's ``\\uXXXX`` / ``\\UXXXXXXXX`` codepoint escapes (allowed anywhere in a
query), tokenises the text into IRIs, strings, variables, prefixed names, blank nodes, numbers,
language tags, keywords and punctuation, and only then looks at the *keywords*. So ``?service``,
``"SERVICE"``, ``ex:service`` or ``<http://x/LOAD>`` are fine, while ``sErViCe``,
``\\u0053ERVICE``, ``SERVICE SILENT``, ``SERVICE ?v`` or a comment between tokens are caught.

Refused: any SPARQL Update (read-only endpoint), ``SERVICE`` (federation = outbound traffic),
``LOAD``. Bounded: query length, bracket nesting depth, size of ``VALUES`` blocks, property path
length. Also reports the query form (SELECT/ASK/CONSTRUCT/DESCRIBE) and whether the query
names its own dataset (FROM / FROM NAMED).
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass

from admiukg import config, parseguard
from admiukg.errors import KGError


class GuardError(KGError):
    """A query refused before execution; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400, kind: str = "bad-query"):
        super().__init__(message, status=status, kind=kind)


@dataclass(frozen=True)
class Limits:
    max_length: int = config.SERVER.max_query_length
    max_depth: int = config.SERVER.max_depth
    max_values: int = config.SERVER.max_values
    max_path: int = config.SERVER.max_path
    strict: bool = False  # the query goes to another store: parse every query (parseguard)


def is_quick(query: str, limits: Limits) -> bool:
    """Whether :func:`check` gets by without a parser, in a millisecond at most: short, not for
    another store, no ``service`` spelled, no escapes that could spell it."""
    return not limits.strict and len(query) <= QUICK_LENGTH and "\\u" not in query \
        and "\\U" not in query and not parseguard.spells_service(query)


#: The event loop checks queries up to this length itself: ~1 ms at worst (2,000 one-character
#: tokens), well under that for the usual ones; longer ones are checked in a thread.
QUICK_LENGTH = 2048


@dataclass(frozen=True)
class QueryInfo:
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE (None if not recognisable)
    has_dataset: bool  # FROM / FROM NAMED present
    text: str  # the query, escapes decoded (the engine is given the client's text)


QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_KEYWORDS = {
    "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING",
}
FORBIDDEN = {
    "SERVICE": "SERVICE (federated query) is disabled on this endpoint: a query may not make "
    "the server contact other hosts",
    "LOAD": "LOAD is disabled on this endpoint (read-only, no outbound traffic)",
}

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + r"_\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"

_NUMBER = r"(?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))"
_WORD = r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
_PUNCT = r"(?P<punct>\^\^|\|\||&&|!=|<=|>=|[{}()\[\];,.*+/|^!?=<>-])"

def _strings(quote: str) -> tuple[str, str]:
    """The long and the one-line string opened by ``quote`` (``'`` or ``"``)."""
    q = quote
    return (rf"""{q}{q}{q}(?:[^{q}\\]|\\.|{q}(?!{q}{q}))*{q}{q}{q}""",
            rf"""{q}(?:[^{q}\\\n\r]++|\\.)*+{q}""")


#: The group that matches a one-line string left open, by its quote.
_UNCLOSED = {"'": "unclosed_apos", '"': "unclosed_quot"}


def _token_pattern(quotes: str) -> re.Pattern[str]:
    """The token pattern with strings opened by ``quotes`` only: where a string of some quote is
    known to stay open (:func:`tokenize`), its quote is punctuation like any other."""
    strings = [_strings(q) for q in quotes]
    string = "|".join([long for long, _ in strings] + [line for _, line in strings])
    # a one-line string left open, matched apart so that the tokenizer can see where it ends
    unclosed = "".join(
        rf"""| {q}(?P<{_UNCLOSED[q]}>(?:[^{q}\\\n\r]++|\\.)*+)""" for q in quotes)
    return re.compile(
        r"""
        (?:\s+|\#[^\n\r]*)*+
        (?:
        # a plain ASCII word (most keywords): exactly what the name-like run below splits it into
          (?P<word>[A-Za-z][A-Za-z0-9_]*+(?![""" + _PN_CHARS + r""".:])|_(?!:)[A-Za-z0-9_]*)
        | (?P<var>[?$][""" + _PN_CHARS + r"""]+)
        | (?P<pname>(?:[""" + _PN_CHARS_BASE + r"""](?>[""" + _PN_CHARS + r""".]*)(?<!\.))?
                  :(?:(?:[""" + _PN_CHARS + r""":]|""" + _PLX + r""")(?:[""" + _PN_CHARS + r""".:]++|""" + _PLX + r""")*+)?)
        | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>)
        """ + (f"| (?P<string>{string}) {unclosed}" if quotes else "") + r"""
        | """ + _NUMBER + "|" + _PUNCT + r"""
        | (?P<bnode>_:[""" + _PN_CHARS + r""".]*)
        | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
        | (?P<run>[""" + _PN_CHARS_BASE + r"""](?>[""" + _PN_CHARS + r""".]*)(?!(?<!\.):))
        | (?P<other>.)
        )?
        """,
        re.VERBOSE | re.DOTALL,
    )


#: One significant token per match, after the whitespace and comments before it (skipped inside
#: the match: they are half the text's matches, and a match costs more than its characters).
#: Alternatives are tried in order, so where two can start with the same character the first
#: wins: an IRI or a variable before punctuation (``<``, ``?``), a number before punctuation
#: (``.``, ``+``, ``-``). The possessive quantifiers (``++``, ``*+``) only skip backtracking that
#: could never end in another match.
TOKEN = _token_pattern("'\"")
#: The token pattern for each set of quotes left out (their one-line strings known to stay open).
_TOKEN_WITHOUT = {frozenset(): TOKEN, frozenset("'"): _token_pattern('"'),
                  frozenset('"'): _token_pattern("'"), frozenset("'\""): _token_pattern("")}
#: A name-like run that is no prefixed name (no ``:`` after it), split as the tokens above would
#: split it. Matching it whole first keeps tokenizing linear: ``a-a-a-…`` was quadratic (each
#: token start rescanned the rest of the run looking for a ``:``).
RUN_PARTS = re.compile(_NUMBER + "|" + _WORD + "|" + _PUNCT + "|(?P<other>.)", re.DOTALL)


def decode_escapes(query: str) -> str:
    """Replace SPARQL codepoint escapes (``\\u0053`` → ``S``); invalid codepoints are an error."""

    def repl(m: re.Match) -> str:
        cp = int(m.group(1) or m.group(2), 16)
        if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
            raise GuardError(f"invalid codepoint escape {m.group(0)} at offset {m.start()}")
        return chr(cp)

    return _ESCAPE.sub(repl, query)


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """(kind, value, offset) for every significant token; whitespace and comments dropped."""
    prologue = _PROLOGUE.match(text)
    if prologue is None or prologue.end() > MAX_PROLOGUE:
        tokens = _tokens(text, 0)
    else:
        tokens = [*_prologue_tokens(prologue.group()), *_tokens(text, prologue.end())]
    kinds = set(map(_kind, tokens))
    if not kinds.isdisjoint(_UNCLOSED_KINDS):
        first = next(i for i, token in enumerate(tokens) if token[0] in _UNCLOSED_KINDS)
        tokens[first:] = _tokenize_past_unclosed(text, tokens[first][2] - 1)
        kinds = set(map(_kind, tokens))
    if "run" in kinds:
        tokens = _split_runs(tokens)
    return tokens


def _tokens(text: str, start: int) -> list[tuple[str, str, int]]:
    return [(m.lastgroup, m[(group := m.lastindex)], m.start(group))
            for m in TOKEN.finditer(text, start) if m.lastindex]  # none: only blanks were left


#: PREFIX declarations with plain ASCII names and IRIs, as most queries start (the same ones, query
#: after query). Such a run ends with an IRI's ``>``, where a token ends whatever follows, so its
#: tokens are the same alone as at the start of any query: they are made once for each run.
_PROLOGUE = re.compile(r"(?:[ \t\r\n]*(?:PREFIX|prefix)[ \t\r\n]+(?:[A-Za-z](?:[A-Za-z0-9_.-]*"
                       r"[A-Za-z0-9_-])?)?:[ \t\r\n]*<[!#-;=?-\[\]_a-z~]*>)+")
MAX_PROLOGUE = 4096  # longer ones are not kept


@functools.lru_cache(maxsize=64)
def _prologue_tokens(prologue: str) -> tuple[tuple[str, str, int], ...]:
    return tuple(_tokens(prologue, 0))


_kind = operator.itemgetter(0)
_UNCLOSED_KINDS = frozenset(_UNCLOSED.values())
_QUOTE_OF = {kind: quote for quote, kind in _UNCLOSED.items()}


def _tokenize_past_unclosed(text: str, start: int) -> list[tuple[str, str, int]]:
    """The tokens from ``start``, where a one-line string is left open, to the end of the text.

    Such a quote is a lone token, and the next quote of its kind tried a string again, to the same
    end of line: quadratic on ``"\\"\\"\\"…``. Those tries are bound to fail. The scan from the
    open quote stopped at a line break or at the end of the text (or at a backslash ending it):
    call that ``end``. Each quote of its kind on the way was escaped (a ``\\"`` pair), so a
    string it opens goes on in step with that scan to fail at the same ``end`` (nor is it a long
    string: no two quotes in a row). So up to ``end`` the quote is scanned as punctuation, giving
    the tokens it gave before. A token starting before ``end`` may reach past it; one starting
    past it (blanks before it may span ``end``) is matched again with the quote's strings back.
    """
    tokens = []
    open_until = {"'": 0, '"': 0}  # a one-line string opened before this offset stays open
    at = start
    while True:
        pattern = _TOKEN_WITHOUT[frozenset(q for q, end in open_until.items() if at < end)]
        change = min([end for end in open_until.values() if end > at], default=len(text) + 1)
        for m in pattern.finditer(text, at):
            if not m.lastindex:  # only blanks were left
                return tokens
            group, kind = m.lastindex, m.lastgroup
            at = m.start(group)
            if kind in _QUOTE_OF:
                at -= 1  # the group leaves the quote out
                if at < change:
                    tokens.append(("other", _QUOTE_OF[kind], at))
                    open_until[_QUOTE_OF[kind]] = m.end(group)
                    at += 1
                break
            if at >= change:  # a string's end of line is reached: its quote opens strings again
                break
            tokens.append((kind, m[group], at))
        else:
            return tokens


def _split_runs(tokens: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    split = []
    for kind, value, at in tokens:
        if kind == "run":
            split += [(p.lastgroup, p.group(), at + p.start()) for p in RUN_PARTS.finditer(value)]
        else:
            split.append((kind, value, at))
    return split


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {col}"


_PATH_TOKENS = {"/", "|", "^", "*", "+", "?", "!", "(", ")"}
_REFUSED = FORBIDDEN.keys() | UPDATE_KEYWORDS
_NOTED = QUERY_FORMS | {"FROM", "VALUES"}
#: Kinds of terms a VALUES block counts besides words (none of them can spell ``VALUES``).
_VALUE_TERMS = {"iri", "string", "pname", "number", "bnode"}


def check(query: str, limits: Limits = Limits()) -> QueryInfo:
    """Validate ``query`` statically; raise :class:`GuardError` or return :class:`QueryInfo`."""
    if len(query) > limits.max_length:
        raise GuardError(
            f"query too long: {len(query)} characters (limit {limits.max_length})", 413,
            "too-long",
        )
    if "\x00" in query:
        raise GuardError("query contains a NUL character")
    text = decode_escapes(query)
    tokens = tokenize(text)

    form = None
    has_dataset = False
    depth = max_depth = 0
    values_terms = 0
    in_values = False
    values_depth = 0
    path_ops = 0
    previous = ""  # the kind of the token before
    decoded_only: GuardError | None = None
    # One branch per kind, each doing in the same order what applies to its kind: refusals,
    # then the VALUES count, then the property path count.
    for kind, value, offset in tokens:
        if kind == "word":
            word = value.upper()
            if word in _REFUSED:
                try:
                    _refuse_keyword(word, text, offset)
                except GuardError as exc:
                    if limits.strict or text == query:
                        raise
                    decoded_only = decoded_only or exc  # the engine may read it as a string
            if word in _NOTED:
                if word == "FROM":
                    has_dataset = True
                elif word == "VALUES":
                    in_values, values_depth = True, depth
                elif form is None:
                    form = word
            if in_values and word != "VALUES":
                values_terms = _count_value(values_terms, limits)
            if value != "a":
                path_ops = 0
        elif kind == "punct":
            if value in "({[":
                depth += 1
                if depth > max_depth:
                    max_depth = depth
                    if depth > limits.max_depth:
                        raise GuardError(
                            f"query nested too deeply: more than {limits.max_depth} levels of "
                            f"brackets at {_position(text, offset)}",
                            400,
                            "too-deep",
                        )
            elif value in ")}]":
                depth -= 1
                if in_values and depth <= values_depth:
                    in_values = False
            # property path length: path operators between two terms in a run of IRIs/operators
            if value == "/" or value == "|":
                if previous in ("iri", "pname", "word", "punct"):
                    path_ops += 1
                    if path_ops > limits.max_path:
                        raise GuardError(
                            f"property path too long: more than {limits.max_path} steps at "
                            f"{_position(text, offset)}",
                            400,
                            "too-long-path",
                        )
            elif value not in _PATH_TOKENS:
                path_ops = 0
        else:
            if in_values and kind in _VALUE_TERMS:
                values_terms = _count_value(values_terms, limits)
            if kind != "iri" and kind != "pname":
                path_ops = 0
        previous = kind
    if text != query:  # SPARQL 1.2 / pyoxigraph: escapes count only inside strings and IRIs
        for kind, value, offset in tokenize(query):
            if kind == "word":
                _refuse_keyword(value.upper(), query, offset)
    try:
        parseguard.check(query, text, strict=limits.strict)
    except parseguard.Refused as exc:
        raise decoded_only or GuardError(exc.message, exc.status, exc.kind) from None
    if decoded_only and not parseguard.engine_reading_parses(query, text):
        raise decoded_only  # forgiven only where a parser shows it sits in a string or IRI
    return QueryInfo(form=form, has_dataset=has_dataset, text=text)


def _refuse_keyword(word: str, text: str, offset: int) -> None:
    if word in FORBIDDEN:
        raise GuardError(f"{FORBIDDEN[word]} ({word} at {_position(text, offset)})", 403,
                         "forbidden")
    if word in UPDATE_KEYWORDS:
        raise GuardError(f"SPARQL Update is not allowed: this endpoint is read-only "
                         f"({word} at {_position(text, offset)})", 403, "update")


def _count_value(counted: int, limits: Limits) -> int:
    """One more term in a VALUES block, refused past the limit."""
    if counted >= limits.max_values:
        raise GuardError(f"VALUES too large: more than {limits.max_values} terms", 400, "too-large")
    return counted + 1
