"""The guard's second opinion: what a real SPARQL parser (rdflib's) makes of the query.

A tokenizer that must agree with the engine's parser on every input keeps losing (an operator
read as the start of an IRI, an escape that ends a string for one reader and not the other),
so the decision also rests on the parse tree. A query has two readings:

* SPARQL 1.1 decodes ``\\uXXXX`` escapes everywhere before parsing (rdflib, the spec);
* SPARQL 1.2 and pyoxigraph decode them only inside strings and IRIs. rdflib parses that reading
  when every escape is first replaced by a plain letter, which keeps the token boundaries.

Over the local store only the engine's reading (1.2) counts; over another store both do.

A reading whose tree holds a ``SERVICE`` clause is refused. A reading rdflib cannot parse is
refused when its text spells ``service`` anywhere, since nothing then proves it harmless.
``strict`` (``--store`` mode, where the remote store runs whatever it is sent) parses every
query and also refuses updates and queries that no reading parses. Without ``strict`` a query
that never spells ``service`` is not parsed at all: the query workers cannot open a connection
anyway (:mod:`admiukg.endpoint.sandbox`), and parsing costs 1-20 ms of the web process's CPU.
"""

from __future__ import annotations

import functools
import re
import threading

_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})")
_SERVICE = re.compile("service", re.IGNORECASE)
_lock = threading.Lock()  # pyparsing's packrat state is shared by every thread

SERVICE_MESSAGE = ("SERVICE (federated query) is disabled on this endpoint: a query may not "
                   "make the server contact other hosts")


class Refused(Exception):
    def __init__(self, message: str, status: int, kind: str):
        super().__init__(message)
        self.message, self.status, self.kind = message, status, kind


def spells_service(text: str) -> bool:
    """Whether ``service`` appears anywhere in ``text``, in any case: only then is a parse needed
    outside ``strict`` mode."""
    if text.isascii():  # ASCII letters fold only to ASCII letters: a plain search says the same
        return "service" in text.lower()
    return _SERVICE.search(text) is not None  # folds ``ſ`` (long s) to ``s``, among others


def readings(query: str, decoded: str, strict: bool) -> list[str]:
    """The texts to parse: the 1.2 reading (each escape outside backslash pairs replaced by
    ``x``) that pyoxigraph uses and, for another store, the 1.1 one (rdflib decodes)."""
    if decoded == query:
        return [query]
    engine = _ESCAPE.sub(lambda m: m.group(1) + "x", query)
    return [engine, query] if strict else [engine]


_last_error = threading.local()


def _parse(text: str, update: bool = False):
    from rdflib.plugins.sparql import parser

    _last_error.message = ""
    try:
        with _lock:
            return (parser.parseUpdate if update else parser.parseQuery)(text)
    except RecursionError:
        _last_error.message = "nested too deeply"
    except Exception as exc:  # noqa: BLE001 - ParseException, bad code points, …
        _last_error.message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return None


def _names(tree) -> set[str]:
    from rdflib.plugins.sparql.parserutils import CompValue

    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            found.add(node.name)
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or hasattr(node, "as_list"):
            stack.extend(node)
    return found


def check(query: str, decoded: str, strict: bool = False) -> None:
    """Raise :class:`Refused` if any reading of ``query`` is or may be a federated query."""
    refusal = _verdict(query, decoded, strict)
    if refusal is not None:
        raise Refused(*refusal)


@functools.lru_cache(maxsize=64)  # the store boundary checks the same text a second time
def _verdict(query: str, decoded: str, strict: bool) -> tuple[str, int, str] | None:
    try:
        _decide(query, decoded, strict)
    except Refused as exc:
        return exc.message, exc.status, exc.kind
    return None


def _decide(query: str, decoded: str, strict: bool) -> None:
    texts = readings(query, decoded, strict)
    suspect = [spells_service(t) or spells_service(decoded) for t in texts]
    if not strict and not any(suspect):
        return
    parsed, why = 0, ""
    for text, mentions_service in zip(texts, suspect):
        tree = _parse(text)
        why = why or getattr(_last_error, "message", "")
        if tree is not None:
            parsed += 1
            if "ServiceGraphPattern" in _names(tree):
                raise Refused(SERVICE_MESSAGE + " (found by parsing the query)", 403, "forbidden")
        elif mentions_service:
            raise Refused(SERVICE_MESSAGE + ": the query spells SERVICE and its structure could "
                          "not be verified", 403, "forbidden")
    if strict and not parsed:
        if any(_parse(t, update=True) is not None for t in texts):
            raise Refused("SPARQL Update is not allowed: this endpoint is read-only", 403,
                          "update")
        raise Refused(f"syntax error (as the endpoint's query checker, rdflib, reads it: {why}); "
                      "the query is not sent to the store", 400, "syntax")


def engine_reading_parses(query: str, decoded: str) -> bool:
    """Does pyoxigraph's reading of ``query`` parse (rdflib) as a query? Used when a keyword
    appears only once escapes are decoded everywhere, as in ``"a\\u0022 INSERT"``."""
    return _parse(readings(query, decoded, strict=False)[0]) is not None
