"""HTTP to a SPARQL 1.1 store, and reading its answers whatever its quirks.

Used by :mod:`admiukg.store.remote`. Answers are parsed by pyoxigraph into its own result types,
which absorbs most differences between stores (Virtuoso's ``typed-literal`` binding type,
the ``head.link`` of its ASK answers, XML when it ignores Accept); the rest is fixed up here
before parsing (Virtuoso's ``nodeID://`` blank node labels, booleans stored as "1"/"0").
Failures become exceptions a caller can map to statuses: :class:`StoreUnavailable` (503:
refused, reset, 5xx, unreadable answer), :class:`StoreRejected` (the store's 4xx), and
:class:`admiukg.endpoint.pool.QueryTimeout`.
"""

from __future__ import annotations

import json
import threading

import pyoxigraph as ox
import requests

from admiukg.endpoint.pool import PoolError, QueryTimeout
from admiukg.errors import KGError

#: Media types asked of the store; pyoxigraph parses what actually comes back.
ASK_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
ASK_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
RESULT_PARSERS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_PARSERS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "text/n3": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
#: Largest store answer read into memory; a bigger one is refused (ask with LIMIT).
MAX_ANSWER_BYTES = 256 * 2**20
BOOLEAN_DATATYPE = b"http://www.w3.org/2001/XMLSchema#boolean"
CANONICAL_BOOLEAN = {"1": "true", "0": "false"}
#: Virtuoso labels blank nodes ``nodeID://b123`` and resolves ``<nodeID://b123>`` in queries.
VIRTUOSO_BNODE = "nodeID://"
VIRTUOSO_PREFIX = "vnodeid"  # our label for them: vnodeidb123 <-> nodeID://b123


class StoreUnavailable(PoolError):
    """The store cannot be reached or failed (5xx): a 503 for the client."""

    def __init__(self, message: str):
        super().__init__(message)
        self.headers["Retry-After"] = "5"


class StoreRejected(KGError):
    """The store refused a query of ours (4xx): a bug or an unsupported feature there."""

    kind = "store-rejected"

    def __init__(self, status: int, message: str):
        super().__init__(message, status=status)


def _media_type(resp: requests.Response) -> str:
    return resp.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " …"


def addressable(term) -> bool:
    """Whether a term can be written in a query: IRIs, literals, and the blank nodes of
    Virtuoso, whose ``nodeID://`` labels it accepts back as IRIs."""
    if isinstance(term, ox.BlankNode):
        return term.value.startswith(VIRTUOSO_PREFIX)
    return isinstance(term, (ox.NamedNode, ox.Literal))


def term_sparql(term) -> str:
    if isinstance(term, ox.BlankNode) and term.value.startswith(VIRTUOSO_PREFIX):
        return f"<{VIRTUOSO_BNODE}{term.value[len(VIRTUOSO_PREFIX):]}>"
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return str(term)  # pyoxigraph writes N-Triples syntax, valid SPARQL
    raise TypeError(f"cannot put {term!r} in a query pattern")


class StoreClient:
    """HTTP to one SPARQL query URL: dataset parameters, timeouts, errors as exceptions.

    One ``requests.Session`` per thread (sessions are not thread-safe; gthread workers are).
    """

    def __init__(self, url: str, timeout: float = 10.0, auth=None):
        self.url = url
        self.timeout = timeout
        self.auth = auth
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.auth = self.auth
        return session

    def post(self, query: str, accept: str, *, default_graphs=None, named_graphs=None,
             timeout: float | None = None) -> requests.Response:
        """POST the query (form-encoded: no URL length limit); raise on failure."""
        data = [("query", query)]
        data += [("default-graph-uri", g) for g in default_graphs or ()]
        data += [("named-graph-uri", g) for g in named_graphs or ()]
        timeout = self.timeout if timeout is None else timeout
        try:
            resp = self._session().post(self.url, data=data, headers={"Accept": accept},
                                        timeout=(min(timeout, 5.0), timeout), stream=True)
        except requests.Timeout:
            raise QueryTimeout(f"the SPARQL store at {self.url} did not answer within "
                               f"{timeout:g} s") from None
        except requests.RequestException as exc:
            raise StoreUnavailable(f"the SPARQL store at {self.url} is unreachable "
                                   f"({_reason(exc)}); try again later") from None
        if resp.status_code >= 500:
            body = _read(resp, 4096, self.url).decode("utf-8", "replace")
            raise StoreUnavailable(f"the SPARQL store at {self.url} failed with HTTP "
                                   f"{resp.status_code}: {_short(body) or resp.reason}")
        if resp.status_code >= 400:
            body = _read(resp, 4096, self.url).decode("utf-8", "replace")
            body = body.split("SPARQL query:")[0]  # Virtuoso echoes the whole query back
            raise StoreRejected(resp.status_code, _short(body) or resp.reason or "rejected")
        return resp


def _reason(exc: Exception) -> str:
    text = str(exc)
    for word in ("Connection refused", "Name or service not known", "Connection reset",
                 "Remote end closed connection"):
        if word in text:
            return word.lower()
    return type(exc).__name__


def _read(resp: requests.Response, limit: int, url: str) -> bytes:
    """The body, at most ``limit`` bytes; a broken transfer counts as the store failing."""
    chunks, size = [], 0
    try:
        for chunk in resp.iter_content(64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                break
    except requests.RequestException as exc:
        raise StoreUnavailable(f"the SPARQL store at {url} broke off its answer "
                               f"({_reason(exc)})") from None
    finally:
        resp.close()
    return b"".join(chunks)


def bnode_id(label: str) -> str:
    """A blank node label pyoxigraph accepts (Virtuoso's ``nodeID://b1`` is not one)."""
    if label.startswith(VIRTUOSO_BNODE):
        return VIRTUOSO_PREFIX + label[len(VIRTUOSO_BNODE):]
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in label) or "b"


def _fix_json_terms(body: bytes) -> bytes:
    """Blank node labels pyoxigraph accepts; canonical booleans (Virtuoso says "1")."""
    doc = json.loads(body)
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), dict):
        return body
    for row in doc["results"].get("bindings", []):
        for term in row.values():
            if not isinstance(term, dict):
                continue
            if term.get("type") == "bnode":
                term["value"] = bnode_id(str(term.get("value", "")))
            elif term.get("datatype") == BOOLEAN_DATATYPE.decode():
                term["value"] = CANONICAL_BOOLEAN.get(term.get("value"), term.get("value"))
    return json.dumps(doc).encode()


def parse_answer(resp: requests.Response, url: str):
    """pyoxigraph QuerySolutions / QueryBoolean, or a list of Triples, from a store answer."""
    body = _read(resp, MAX_ANSWER_BYTES, url)
    if len(body) > MAX_ANSWER_BYTES:
        raise StoreRejected(400, f"the store's answer exceeds {MAX_ANSWER_BYTES // 2**20} MiB; "
                            "add a LIMIT to the query")
    mtype = _media_type(resp)
    try:
        if RESULT_PARSERS.get(mtype) == ox.QueryResultsFormat.JSON and (
                b'"bnode"' in body or BOOLEAN_DATATYPE in body):
            body = _fix_json_terms(body)
        if mtype in RESULT_PARSERS:
            return ox.parse_query_results(body, format=RESULT_PARSERS[mtype])
        if mtype in GRAPH_PARSERS:
            return [q.triple for q in ox.parse(body, format=GRAPH_PARSERS[mtype])]
    except (SyntaxError, ValueError) as exc:
        raise StoreUnavailable(f"the SPARQL store at {url} sent an unreadable {mtype} answer: "
                               f"{_short(str(exc), 160)}") from None
    raise StoreUnavailable(f"the SPARQL store at {url} answered with unsupported media type "
                           f"{mtype or '(none)'}")
