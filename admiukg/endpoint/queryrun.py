"""The query operation, without a web framework: request → guard → formats → response cache →
fair use → query worker → :class:`~admiukg.endpoint.responses.HttpReply`.

The Flask blueprint (:mod:`admiukg.endpoint.protocol`), the lean WSGI path and the event loop's
path (:mod:`admiukg.endpoint.lean`) all answer queries through :func:`read_query` and
:func:`prepare` and :func:`finish`, so they send the same bytes and headers; only the wait for the
worker differs (:func:`run` blocks a thread, :func:`answer_request_async` awaits on the loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from typing import NamedTuple

from admiukg import guard
from admiukg.endpoint import asyncpool, sparqlrequest
from admiukg.endpoint.fairness import Refused
from admiukg.endpoint.negotiation import GRAPH_OFFERS, RESULT_OFFERS, content_type
from admiukg.endpoint.pool import PoolError
from admiukg.endpoint.replies import Failure
from admiukg.endpoint.responses import HttpReply, error_of, error_reply
from admiukg.endpoint.sparqlrequest import QueryRequest
from admiukg.errors import KGError

log = logging.getLogger("admiukg.endpoint.protocol")


def read_query(st, req: QueryRequest) -> HttpReply | Pending | None:
    """What ``req`` asks: an answer at once (an error, a cached result), a query to run, or None
    when it asks for no query to run (the Service Description, or the query page for a browser):
    the caller answers those."""
    try:
        query, params = sparqlrequest.read(req)
    except KGError as exc:
        return error_of(exc, req.accept)
    return _step(st, req, query, params)


def _step(st, req: QueryRequest, query: str | None, params) -> HttpReply | Pending | None:
    if query is None:
        if req.method == "POST":
            return error_reply(400, "missing 'query' parameter", "bad-request", req.accept)
        return None
    if not query.strip():
        return error_reply(400, "empty query", "bad-request", req.accept)
    if sparqlrequest.wants_page(req, params):
        return None
    return prepare(st, req, query, params.get("default-graph-uri"),
                   params.get("named-graph-uri"),
                   sparqlrequest.pick_format(params, RESULT_OFFERS, req.accept),
                   sparqlrequest.pick_format(params, GRAPH_OFFERS, req.accept))


def answer_request(st, req: QueryRequest) -> HttpReply | None:
    """The query operation for ``req`` (None: see :func:`read_query`)."""
    step = read_query(st, req)
    return run(st, req, step) if isinstance(step, Pending) else step


async def answer_request_async(st, req: QueryRequest, executor=None,
                               gone=None) -> HttpReply | None:
    """:func:`answer_request` from the event loop: the query runs without a thread, and so
    does the guard when it is quick (:func:`admiukg.guard.is_quick`; else in ``executor``).
    ``gone``: see :func:`admiukg.endpoint.asyncpool.run` (raises its ``ClientGone``)."""
    try:
        query, params = sparqlrequest.read(req)
    except KGError as exc:
        return error_of(exc, req.accept)
    if query is not None and not guard.is_quick(query, st.settings.limits):
        loop = asyncio.get_running_loop()
        step = await loop.run_in_executor(executor, _step, st, req, query, params)
    else:
        step = _step(st, req, query, params)
    if not isinstance(step, Pending):
        return step
    try:
        with admit_client(st, req.remote_addr) as ticket:
            reply, ran = await asyncpool.run(st.pool, step.job, executor, gone=gone)
            if ticket is not None:  # the query's own time counts (else all it took)
                ticket.ran = ran
    except KGError as exc:
        return _refused(step, exc, req)
    except asyncpool.ClientGone:  # 499: nginx's "client closed request"
        _log(step.qhash, step.form, None, 499, None, step.started, False, " client-gone")
        raise
    return finish(st, req, step, reply)


def run_query(st, req: QueryRequest, query: str, dg, ng, results_fmt, graph_fmt) -> HttpReply:
    """Run a user query with every safety limit. Empty graph lists mean "not given"."""
    step = prepare(st, req, query, dg, ng, results_fmt, graph_fmt)
    return run(st, req, step) if isinstance(step, Pending) else step


class Pending(NamedTuple):
    """A query that passed the guard, for a worker."""

    job: dict
    qhash: str
    form: str | None
    cache_key: tuple
    key_bytes: int
    started: float


def prepare(st, req: QueryRequest, query: str, dg, ng, results_fmt,
            graph_fmt) -> HttpReply | Pending:
    """The cached answer, a refusal (guard, formats), or the job for a worker."""
    started = time.perf_counter()
    qhash = hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    raw_key = ("raw", query, req.endpoint, tuple(dg or ()) if dg is not None else None,
               tuple(ng or ()) if ng is not None else None, results_fmt, graph_fmt)
    hit = st.cache.get(raw_key)
    if hit is not None:
        fmt, body, rows, truncated = hit
        _log(qhash, None, fmt, 200, rows, started, True)
        return _result(st, fmt, body, rows, truncated, qhash)
    try:
        info = guard.check(query, st.settings.limits)
    except guard.GuardError as exc:
        _log(qhash, None, None, exc.status, None, started, False, f" refused={exc.kind}")
        return error_of(exc, req.accept)
    if info.form in ("SELECT", "ASK") and results_fmt is None:
        _log(qhash, info.form, None, 406, None, started, False)
        return error_reply(406, "no acceptable format for query results; available: "
                           + ", ".join(m for m, _ in RESULT_OFFERS[:4]), "not-acceptable",
                           req.accept)
    if info.form in ("CONSTRUCT", "DESCRIBE") and graph_fmt is None:
        _log(qhash, info.form, None, 406, None, started, False)
        return error_reply(406, "no acceptable RDF format for a graph result; available: "
                           + ", ".join(m for m, _ in GRAPH_OFFERS[:6]), "not-acceptable",
                           req.accept)
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
        "base_iri": req.endpoint,  # relative IRIs in a query resolve against the endpoint
    }
    key_bytes = len(query) + len(req.endpoint) + sum(map(len, (dg or []) + (ng or [])))
    return Pending(job, qhash, info.form, raw_key, key_bytes, started)


def run(st, req: QueryRequest, step: Pending) -> HttpReply:
    """Run a prepared query in a worker, within the client's fair use."""
    try:
        with admit_client(st, req.remote_addr) as ticket:
            try:
                reply = st.pool.run(step.job)
            finally:
                _ran(st, ticket)
    except KGError as exc:
        return _refused(step, exc, req)
    return finish(st, req, step, reply)


def _ran(st, ticket) -> None:
    """The query's own run time counts against the client's quota (queueing does not)."""
    if ticket is not None and hasattr(st.pool, "last_run_seconds"):
        ticket.ran = st.pool.last_run_seconds()


def _refused(step: Pending, exc: KGError, req: QueryRequest) -> HttpReply:
    if isinstance(exc, PoolError):  # its clients read one kind, whichever the reason (logged)
        _log(step.qhash, step.form, None, exc.status, None, step.started, False,
             f" refused={type(exc).__name__}")
        return error_reply(exc.status, exc.message, "unavailable", req.accept,
                           {"Retry-After": "1"})
    _log(step.qhash, step.form, None, exc.status, None, step.started, False,
         " refused=fair-use" if isinstance(exc, Refused) else f" refused={exc.kind}")
    return error_of(exc, req.accept)


def finish(st, req: QueryRequest, step: Pending, reply) -> HttpReply:
    """The response to a worker's reply; a result is kept in the response cache."""
    if isinstance(reply, Failure):
        _log(step.qhash, step.form, None, reply.status, None, step.started, False,
             f" error={reply.kind}")
        return error_reply(reply.status, reply.message, reply.kind, req.accept)
    fmt, body, rows, truncated = reply.fmt, reply.body, reply.rows, reply.truncated
    st.cache.put(step.cache_key, (fmt, body, rows, truncated), len(body) + step.key_bytes)
    _log(step.qhash, step.form, fmt, 200, rows, step.started, False)
    return _result(st, fmt, body, rows, truncated, step.qhash)


def _result(st, fmt: str, body: bytes, rows: int, truncated, qhash: str) -> HttpReply:
    """``truncated``: False, True (rows were cut at the row cap) or "bytes" (at the byte cap)."""
    headers = [("Content-Type", content_type(fmt)), ("Vary", "Accept"),
               ("X-SPARQL-Rows", str(rows))]
    if truncated:
        max_rows, max_bytes = st.settings.max_rows, st.settings.max_bytes
        headers.append(("X-SPARQL-Truncated", "true"))
        if truncated == "bytes":
            headers += [("X-SPARQL-Truncated-Reason", "bytes"),
                        ("X-SPARQL-Max-Bytes", str(max_bytes))]
            cut = f"{max_bytes}-bytes"
        else:
            headers += [("X-SPARQL-Truncated-Reason", "rows"), ("X-SPARQL-Max-Rows", str(max_rows))]
            cut = f"{max_rows}-rows"
        if fmt in ("csv", "tsv"):  # no place in the body for it: the saved file's name tells
            headers.append(("Content-Disposition",
                            f'inline; filename="result-truncated-at-{cut}.{fmt}"'))
    return HttpReply(200, headers, body, (qhash, rows))


def _log(qhash, form, fmt, status, rows, started, cached, extra=""):
    if not log.isEnabledFor(logging.INFO):  # its arguments are not worth making then
        return
    log.info("query hash=%s form=%s fmt=%s status=%s rows=%s ms=%.1f cache=%s%s", qhash,
             form or "-", fmt or "-", status, rows if rows is not None else "-",
             (time.perf_counter() - started) * 1000, "hit" if cached else "miss", extra)


def admit_client(st, client: str):
    """The fair-use ticket of this client (None for exempt loopback clients); raises
    :class:`~admiukg.endpoint.fairness.Refused` past the limits."""
    fairness = getattr(st, "fairness", None)
    if fairness is None or (not st.settings.fair_use_loopback and _loopback(client)):
        return contextlib.nullcontext()
    return fairness.admit(client)


def _loopback(address: str) -> bool:
    return address.startswith("127.") or address in ("::1", "localhost")
