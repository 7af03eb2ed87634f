"""One error type for every refusal and failure the product reports, as Oxigraph's ``HttpError``.

A :class:`KGError` carries the HTTP status, a short kind (``bad-query``, ``timeout`` …) and a
message meant for the person who sent the request; the app turns any of them into a response in
one place (:func:`admiukg.app.create_app`), and the command lines into one line and exit 2.
Each module raises its own subclass so callers can catch precisely.
"""

from __future__ import annotations

from collections.abc import Mapping


class KGError(Exception):
    """A failure with a status (HTTP), a kind and a message; ``str()`` is the message."""

    status: int = 500
    kind: str = "error"

    def __init__(self, message: str, *, status: int | None = None, kind: str | None = None,
                 headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if kind is not None:
            self.kind = kind
        self.headers: dict[str, str] = dict(headers or {})

    # the common cases, named as Oxigraph's HttpError constructors are
    @classmethod
    def bad_request(cls, message: str, kind: str = "bad-request") -> KGError:
        return cls(message, status=400, kind=kind)

    @classmethod
    def forbidden(cls, message: str, kind: str = "forbidden") -> KGError:
        return cls(message, status=403, kind=kind)

    @classmethod
    def not_found(cls, message: str, kind: str = "not-found") -> KGError:
        return cls(message, status=404, kind=kind)

    @classmethod
    def not_acceptable(cls, message: str) -> KGError:
        return cls(message, status=406, kind="not-acceptable")

    @classmethod
    def unavailable(cls, message: str, kind: str = "unavailable", retry_after: int = 5) -> KGError:
        return cls(message, status=503, kind=kind, headers={"Retry-After": str(retry_after)})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status}, {self.kind!r}, {self.message!r})"
