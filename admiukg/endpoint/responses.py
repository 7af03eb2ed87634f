"""Responses of the whole application: one error body shape, negotiated, and the headers every
response carries.

``{"status": 400, "error": "bad-query", "message": "…"}`` as JSON, or ``400 bad-query: …`` as
plain text when only text is acceptable. :class:`HttpReply` is a response without a framework
(the lean WSGI path sends it as it is); :func:`error_response` and :func:`flask_response` give the
Flask form, and every :class:`admiukg.errors.KGError` becomes one (:func:`for_error`, registered
by the app).
"""

from __future__ import annotations

import json
from typing import NamedTuple

from flask import Response, request

from admiukg.endpoint import negotiation
from admiukg.errors import KGError

#: The policy of every page: no inline script or style, nothing from other origins, no framing.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
ACTIVE_TYPES = {"text/html", "application/xhtml+xml", "image/svg+xml"}
EXPOSE = ("X-SPARQL-Truncated, X-SPARQL-Truncated-Reason, X-SPARQL-Max-Rows, "
          "X-SPARQL-Max-Bytes, X-SPARQL-Rows, Retry-After")


class HttpReply(NamedTuple):
    status: int
    headers: list[tuple[str, str]]  # Content-Type first
    body: bytes
    #: (query hash, rows) of a successful query result, which the response cache may keep
    cacheable: tuple[str, int] | None = None


def common_headers(mimetype: str) -> list[tuple[str, str]]:
    """What every response gets: CORS for any origin, no sniffing; pages also a strict CSP."""
    headers = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSE),
               ("X-Content-Type-Options", "nosniff")]
    if mimetype in ACTIVE_TYPES:  # pages: scripts only from our files, never framed
        headers += [("Content-Security-Policy", CSP), ("X-Frame-Options", "DENY")]
    return headers


def error_reply(status: int, message: str, kind: str, accept: str | None,
                headers=None) -> HttpReply:
    """A JSON or plain-text error body (negotiated; JSON unless only text is acceptable)."""
    fmt = negotiation.choose(accept, negotiation.ERROR_OFFERS) or "json"
    if fmt == "text":
        body = f"{status} {kind}: {message}\n"
        ctype = "text/plain; charset=utf-8"
    else:
        body = json.dumps({"status": status, "error": kind, "message": message},
                          ensure_ascii=False) + "\n"
        ctype = "application/json; charset=utf-8"
    return HttpReply(status, [("Content-Type", ctype), ("Vary", "Accept"),
                              *(headers or {}).items()], body.encode("utf-8"))


def error_of(exc: KGError, accept: str | None) -> HttpReply:
    return error_reply(exc.status, exc.message, exc.kind, accept, exc.headers)


def flask_response(reply: HttpReply) -> Response:
    """The Flask form of ``reply``; the app's ``after_request`` adds :func:`common_headers`."""
    (_, ctype), *rest = reply.headers
    resp = Response(reply.body, status=reply.status, content_type=ctype)
    for k, v in rest:
        resp.headers[k] = v
    return resp


def error_response(status: int, message: str, kind: str = "error", headers=None) -> Response:
    return flask_response(error_reply(status, message, kind, request.headers.get("Accept"),
                                      headers))


def for_error(exc: KGError) -> Response:
    return flask_response(error_of(exc, request.headers.get("Accept")))
