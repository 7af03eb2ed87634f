"""The lean path: SPARQL queries at ``/sparql`` answered in WSGI, without Flask.

A query that is never repeated gains nothing from the response cache, and Flask's request
context, routing and response objects cost about as much CPU as the query engine on a lookup.
:class:`LeanPath` sits in front of the Flask app and answers GET and POST queries through the
same framework-free code the blueprint uses (:func:`admiukg.endpoint.queryrun.answer_request`),
adding the headers the app adds to every response. Anything else goes to Flask unchanged: other
paths and methods, the Service Description and the query page, over-long negotiation headers, a
body without a usable length or over the limit (Flask's 413 and its body draining).
"""

from __future__ import annotations

import io
import logging
from http import HTTPStatus

from admiukg.endpoint import asyncpool, negotiation, queryrun, sparqlrequest
from admiukg.endpoint.cache import FastPath
from admiukg.endpoint.responses import HttpReply, common_headers, error_of, error_reply
from admiukg.errors import KGError

log = logging.getLogger("admiukg.endpoint.lean")

PATHS = ("/sparql", "/sparql/")
#: Requests up to this size (query string and body) are answered on the event loop's thread.
INLINE_BYTES = 8192
_HEADER_KEYS = tuple("HTTP_" + name.upper().replace("-", "_")
                     for name in negotiation.NEGOTIATION_HEADERS)
_REASONS = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


class LeanPath:
    def __init__(self, wsgi_app, state, max_body: int):
        self.wsgi_app = wsgi_app
        self.state = state
        self.max_body = max_body

    def __call__(self, environ, start_response):
        if not takes(environ, self.max_body):
            return self.wsgi_app(environ, start_response)
        body = b""
        if environ["REQUEST_METHOD"] == "POST":
            body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
            environ["wsgi.input"] = io.BytesIO(body)  # Flask may still read it
        try:
            req = sparqlrequest.from_environ(environ, body)
        except KGError as exc:  # a request that cannot be read (its Host header)
            reply: HttpReply | None = error_of(exc, environ.get("HTTP_ACCEPT"))
        else:
            try:
                reply = queryrun.answer_request(self.state, req)
            except Exception:  # as the app's own handler: never a stack trace to the client
                reply = _internal_error(req)
        if reply is None:  # the Service Description or the query page
            return self.wsgi_app(environ, start_response)
        if reply.cacheable is not None:
            environ[FastPath.FLAG] = reply.cacheable
        start_response(_REASONS.get(reply.status, str(reply.status)), wsgi_headers(reply))
        return [reply.body]


def takes(environ, max_body: int) -> bool:
    """Whether the lean path answers this request (Flask answers the others)."""
    method = environ.get("REQUEST_METHOD")
    if environ.get("PATH_INFO") not in PATHS or method not in ("GET", "POST") \
            or any(len(environ.get(k, "")) > negotiation.MAX_HEADER for k in _HEADER_KEYS):
        return False
    if method == "POST":
        length = environ.get("CONTENT_LENGTH", "")
        return length.isdigit() and int(length) <= max_body
    return True


async def answer_in_loop(state, environ, body: bytes, executor=None,
                         gone=None) -> HttpReply | None:
    """The lean path on the event loop's thread (the query still runs in a worker process);
    None when Flask is to answer. For small requests: the guard then runs in the loop too.
    ``gone``: see :func:`admiukg.endpoint.asyncpool.run` (its ``ClientGone`` is raised)."""
    try:
        req = sparqlrequest.from_environ(environ, body)
    except KGError as exc:  # a request that cannot be read (its Host header)
        return error_of(exc, environ.get("HTTP_ACCEPT"))
    try:
        return await queryrun.answer_request_async(state, req, executor, gone)
    except asyncpool.ClientGone:
        raise
    except Exception:  # as the app's own handler: never a stack trace to the client
        return _internal_error(req)


def _internal_error(req) -> HttpReply:
    log.exception("unexpected error on %s /sparql", req.method)
    return error_reply(500, "internal error", "internal-error", req.accept)


def wsgi_headers(reply: HttpReply) -> list[tuple[str, str]]:
    ctype = reply.headers[0][1]
    return [reply.headers[0], ("Content-Length", str(len(reply.body))), *reply.headers[1:],
            *common_headers(ctype.split(";", 1)[0].strip().lower())]
