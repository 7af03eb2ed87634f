"""Error responses of the whole application: one body shape, negotiated.

``{"status": 400, "error": "bad-query", "message": "…"}`` as JSON, or ``400 bad-query: …`` as
plain text when only text is acceptable; every :class:`admiukg.errors.KGError` becomes one
(:func:`for_error`, registered by the app).
"""

from __future__ import annotations

import json

from flask import Response, request

from admiukg.endpoint import negotiation
from admiukg.errors import KGError


def error_response(status: int, message: str, kind: str = "error", headers=None) -> Response:
    """A JSON or plain-text error body (negotiated; JSON unless only text is acceptable)."""
    fmt = negotiation.choose(request.headers.get("Accept"), negotiation.ERROR_OFFERS) or "json"
    if fmt == "text":
        body = f"{status} {kind}: {message}\n"
        ctype = "text/plain; charset=utf-8"
    else:
        body = json.dumps({"status": status, "error": kind, "message": message},
                          ensure_ascii=False) + "\n"
        ctype = "application/json; charset=utf-8"
    resp = Response(body, status=status, content_type=ctype)
    resp.headers["Vary"] = "Accept"
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def for_error(exc: KGError) -> Response:
    return error_response(exc.status, exc.message, exc.kind, exc.headers)
