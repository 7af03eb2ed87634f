"""The SPARQL 1.1 Protocol (query operation) as a Flask blueprint, read-only and safe.

Request → parse parameters (strict UTF-8) → refuse updates → static guard → negotiate the
format → response cache → query worker pool (hard timeout) → response with CORS, ``Vary``,
truncation headers. With no query, GET answers the Service Description (RDF) or the query
page (HTML), by content negotiation.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from urllib.parse import unquote_to_bytes

from flask import Blueprint, Response, current_app, request

from admiukg import guard
from admiukg.endpoint import negotiation, results, service_description
from admiukg.endpoint.cache import FastPath
from admiukg.endpoint.fairness import Refused
from admiukg.endpoint.negotiation import GRAPH_OFFERS, RESULT_OFFERS, content_type
from admiukg.endpoint.pool import PoolError
from admiukg.endpoint.replies import Failure
from admiukg.endpoint.responses import error_response
from admiukg.errors import KGError

log = logging.getLogger("admiukg.endpoint.protocol")

bp = Blueprint("sparql", __name__)

SD_OFFERS = GRAPH_OFFERS[:6] + (("text/html", "html"), ("application/xhtml+xml", "html")) \
    + GRAPH_OFFERS[6:]
QUERY_PARAMS = {"query", "update", "default-graph-uri", "named-graph-uri", "format", "output",
                "using-graph-uri", "using-named-graph-uri", "timeout"}


class ProtocolError(KGError):
    """A request that breaks the SPARQL 1.1 Protocol (parameters, encoding, media types)."""

    def __init__(self, status: int, message: str, kind: str = "bad-request", headers=None):
        super().__init__(message, status=status, kind=kind, headers=headers)


def state():
    return current_app.extensions["admiukg.endpoint"]


# --- errors ---------------------------------------------------------------------------------


# --- parameters -------------------------------------------------------------------------------


def _parse_pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    """Parse ``application/x-www-form-urlencoded`` bytes with strict UTF-8 decoding."""
    pairs = []
    for part in raw.split(b"&"):
        if not part:
            continue
        key, _, value = part.partition(b"=")
        try:
            k = unquote_to_bytes(key.replace(b"+", b" ")).decode("utf-8")
            v = unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(
                400, f"invalid UTF-8 in the {where} (byte {exc.start} of a value)", "bad-encoding"
            ) from None
        pairs.append((k, v))
    return pairs


def _charset_ok(mimetype_params: dict) -> bool:
    charset = mimetype_params.get("charset")
    return charset is None or charset.strip().lower() in ("utf-8", "utf8", "us-ascii")


def read_request() -> tuple[str | None, dict[str, list[str]]]:
    """Return (query text or None, parameters) following the SPARQL 1.1 Protocol."""
    params: dict[str, list[str]] = {}

    def add(pairs):
        for k, v in pairs:
            params.setdefault(k, []).append(v)

    add(_parse_pairs(request.query_string, "query string"))
    query = None
    if request.method == "POST":
        ctype = request.mimetype
        if not ctype:
            raise ProtocolError(415, "POST needs a Content-Type: application/sparql-query or "
                                "application/x-www-form-urlencoded", "unsupported-media-type")
        if ctype == "application/sparql-update":
            raise ProtocolError(403, "SPARQL Update is not allowed: this endpoint is read-only",
                                "update")
        if not _charset_ok(request.mimetype_params):
            raise ProtocolError(
                415, f"unsupported charset {request.mimetype_params.get('charset')!r}: "
                "only UTF-8 is accepted", "unsupported-media-type")
        if ctype == "application/x-www-form-urlencoded":
            add(_parse_pairs(request.get_data(), "request body"))
        elif ctype == "application/sparql-query":
            try:
                query = request.get_data().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ProtocolError(400, f"the request body is not valid UTF-8 (byte {exc.start})",
                                    "bad-encoding") from None
            if "query" in params:
                raise ProtocolError(400, "query given both in the URL and in the body",
                                    "bad-request")
        else:
            raise ProtocolError(
                415, f"unsupported Content-Type {ctype!r}: use application/sparql-query or "
                "application/x-www-form-urlencoded", "unsupported-media-type")
    if "update" in params:
        raise ProtocolError(403, "SPARQL Update is not allowed: this endpoint is read-only",
                            "update")
    if query is None and "query" in params:
        if len(params["query"]) > 1:
            raise ProtocolError(400, "more than one 'query' parameter", "bad-request")
        query = params["query"][0]
    return query, params


def pick_format(params, offers) -> str | None:
    """Format key from ``format=``/``output=`` (overrides Accept) or from the Accept header."""
    values = params.get("format", []) + params.get("output", [])
    if values:  # clients such as SPARQLWrapper send format=…&output=…; the first that fits wins
        for value in values:
            fmt = negotiation.format_from_param(value, offers)
            if fmt:
                return fmt
        return None
    return negotiation.choose(request.headers.get("Accept"), offers)


# --- responses --------------------------------------------------------------------------------


def _result_response(fmt: str, body: bytes, rows: int, truncated, max_rows: int,
                     max_bytes: int = 0) -> Response:
    """``truncated``: False, True (rows were cut at ``max_rows``) or "bytes" (at ``max_bytes``)."""
    resp = Response(body, status=200, content_type=content_type(fmt))
    resp.headers["Vary"] = "Accept"
    resp.headers["X-SPARQL-Rows"] = str(rows)
    if truncated:
        resp.headers["X-SPARQL-Truncated"] = "true"
        if truncated == "bytes":
            resp.headers["X-SPARQL-Truncated-Reason"] = "bytes"
            resp.headers["X-SPARQL-Max-Bytes"] = str(max_bytes)
            cut = f"{max_bytes}-bytes"
        else:
            resp.headers["X-SPARQL-Truncated-Reason"] = "rows"
            resp.headers["X-SPARQL-Max-Rows"] = str(max_rows)
            cut = f"{max_rows}-rows"
        if fmt in ("csv", "tsv"):  # no place in the body for it: the saved file's name tells
            resp.headers["Content-Disposition"] = f'inline; filename="result-truncated-at-{cut}.{fmt}"'
    return resp


def _log(qhash, form, fmt, status, rows, started, cached, extra=""):
    log.info("query hash=%s form=%s fmt=%s status=%s rows=%s ms=%.1f cache=%s%s", qhash,
             form or "-", fmt or "-", status, rows if rows is not None else "-",
             (time.perf_counter() - started) * 1000, "hit" if cached else "miss", extra)


def respond(query: str, *, default_graph_uris=(), named_graph_uris=(), accept: str | None = None,
            fmt: str | None = None) -> Response:
    """Run a user query with every safety limit and content negotiation (used by the saved
    query API too). Empty graph lists mean "not given": the default dataset applies.
    """
    if fmt:
        results_fmt = negotiation.format_from_param(fmt, RESULT_OFFERS)
        graph_fmt = negotiation.format_from_param(fmt, GRAPH_OFFERS)
    else:
        results_fmt = negotiation.choose(accept, RESULT_OFFERS)
        graph_fmt = negotiation.choose(accept, GRAPH_OFFERS)
    return run_query(query, list(default_graph_uris) or None, list(named_graph_uris) or None,
                     results_fmt, graph_fmt)


def run_query(query: str, dg, ng, results_fmt, graph_fmt) -> Response:
    st = state()
    endpoint = endpoint_url()
    started = time.perf_counter()
    qhash = hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    raw_key = ("raw", query, endpoint, tuple(dg or ()) if dg is not None else None,
               tuple(ng or ()) if ng is not None else None, results_fmt, graph_fmt)
    hit = st.cache.get(raw_key)
    if hit is not None:
        fmt, body, rows, truncated = hit
        request.environ[FastPath.FLAG] = (qhash, rows)
        _log(qhash, None, fmt, 200, rows, started, True)
        return _result_response(fmt, body, rows, truncated, st.settings.max_rows,
                                st.settings.max_bytes)
    try:
        info = guard.check(query, st.settings.limits)
    except guard.GuardError as exc:
        _log(qhash, None, None, exc.status, None, started, False, f" refused={exc.kind}")
        return error_response(exc.status, exc.message, exc.kind)
    if info.form in ("SELECT", "ASK") and results_fmt is None:
        _log(qhash, info.form, None, 406, None, started, False)
        return error_response(406, "no acceptable format for query results; available: "
                              + ", ".join(m for m, _ in RESULT_OFFERS[:4]), "not-acceptable")
    if info.form in ("CONSTRUCT", "DESCRIBE") and graph_fmt is None:
        _log(qhash, info.form, None, 406, None, started, False)
        return error_response(406, "no acceptable RDF format for a graph result; available: "
                              + ", ".join(m for m, _ in GRAPH_OFFERS[:6]), "not-acceptable")
    job = {
        "query": query,  # as the client wrote it: the guard's decoding is only its own view
        "default_graphs": dg,
        "named_graphs": ng,
        "has_dataset": info.has_dataset,
        "results_format": results_fmt,
        "graph_format": graph_fmt,
        "max_rows": st.settings.max_rows,
        "max_bytes": st.settings.max_bytes,
        "prefixes": st.prefixes if info.form in ("CONSTRUCT", "DESCRIBE") else None,
        "base_iri": endpoint,  # relative IRIs in a query resolve against the endpoint
    }
    try:
        ticket = admit_client(st)
    except Refused as exc:
        _log(qhash, info.form, None, exc.status, None, started, False, " refused=fair-use")
        return error_response(exc.status, exc.message, "too-many-requests",
                              {"Retry-After": str(exc.retry_after)})
    try:
        with ticket:
            reply = st.pool.run(job)
            if hasattr(ticket, "ran") and hasattr(st.pool, "last_run_seconds"):
                ticket.ran = st.pool.last_run_seconds()
    except PoolError as exc:
        _log(qhash, info.form, None, exc.status, None, started, False, f" refused={type(exc).__name__}")
        return error_response(exc.status, exc.message, "unavailable", {"Retry-After": "1"})
    if isinstance(reply, Failure):
        _log(qhash, info.form, None, reply.status, None, started, False, f" error={reply.kind}")
        return error_response(reply.status, reply.message, reply.kind)
    fmt, body, rows, truncated = reply.fmt, reply.body, reply.rows, reply.truncated
    key_bytes = len(query) + len(endpoint) + sum(map(len, (dg or []) + (ng or [])))
    st.cache.put(raw_key, (fmt, body, rows, truncated), len(body) + key_bytes)
    request.environ[FastPath.FLAG] = (qhash, rows)
    _log(qhash, info.form, fmt, 200, rows, started, False)
    return _result_response(fmt, body, rows, truncated, st.settings.max_rows,
                                st.settings.max_bytes)


def admit_client(st):
    """The fair-use ticket of this request's client (a no-op for exempt loopback clients)."""
    fairness = getattr(st, "fairness", None)
    client = request.remote_addr or "-"
    if fairness is None or (not st.settings.fair_use_loopback and _loopback(client)):
        return contextlib.nullcontext()
    return fairness.admit(client)


def _loopback(address: str) -> bool:
    return address.startswith("127.") or address in ("::1", "localhost")


def endpoint_url() -> str:
    return request.base_url.rstrip("/") if request.path.endswith("/") else request.base_url


def describe_service(params) -> Response:
    st = state()
    fmt = pick_format(params, SD_OFFERS)
    if fmt is None:
        return error_response(406, "no acceptable format for the service description; available: "
                              + ", ".join(m for m, _ in SD_OFFERS[:8]), "not-acceptable")
    endpoint = endpoint_url()
    if fmt == "html":
        return query_page(endpoint)
    key = ("sd", endpoint, fmt)
    body = st.cache.get(key)
    if body is None:
        triples = service_description.description_triples(endpoint, st.dataset.info)
        body, _, _ = results.write_triples(triples, fmt, 10**9)
        st.cache.put(key, body, len(body))
    resp = Response(body, status=200, content_type=content_type(fmt))
    resp.headers["Vary"] = "Accept"
    return resp


#: ``app.extensions`` key of the HTML query page's renderer; the site registers it, since
#: the endpoint itself renders no HTML.
QUERY_PAGE = "admiukg.query_page"


def query_page(endpoint: str, query: str | None = None) -> Response:
    """What a browser gets from ``GET /sparql``: the site's query page, with ``query`` in the
    editor (run on load) when a link to a query was opened."""
    render = current_app.extensions.get(QUERY_PAGE)
    if render is None:
        return error_response(406, "no HTML query page here; ask for a Service Description "
                              "(Accept: text/turtle) or send a query", "not-acceptable")
    resp = current_app.make_response(render(endpoint, query, autorun=query is not None))
    resp.headers["Vary"] = "Accept"
    return resp


# --- the endpoint -----------------------------------------------------------------------------


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/sparql/", methods=["GET", "POST"])
def sparql():
    try:
        query, params = read_request()
    except ProtocolError as exc:
        return error_response(exc.status, exc.message, exc.kind, exc.headers)
    if query is None:
        if request.method == "POST":
            return error_response(400, "missing 'query' parameter", "bad-request")
        return describe_service(params)
    if not query.strip():
        return error_response(400, "empty query", "bad-request")
    if (request.method in ("GET", "HEAD") and not params.get("format") and not params.get("output")
            and negotiation.prefers_html(request.headers.get("Accept"))):
        return query_page(endpoint_url(), query)  # a link to a query, opened in a browser
    return run_query(query, params.get("default-graph-uri"), params.get("named-graph-uri"),
                     pick_format(params, RESULT_OFFERS), pick_format(params, GRAPH_OFFERS))
