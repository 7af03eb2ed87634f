"""Links that work where the server runs.

The graph's IRIs stay canonical (``https://kg.admiu.example/id/admiu``), but what a person or a
client follows - the endpoint, dumps, documents, entity pages - must resolve on the server that
answered, wherever it runs. :func:`url` maps an IRI under the dataset's base to the same path on
the requesting host (as ``sd:endpoint`` is built); other IRIs pass through unchanged.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request


def root() -> str:
    """``http://host:port/`` (plus the script root behind a proxy) of the current request."""
    if not has_request_context():
        return current_app.extensions["admiukg"].base
    return request.host_url.rstrip("/") + request.script_root + "/"


def url(iri: str, base: str | None = None) -> str:
    """The URL on the answering server for an IRI under *base* (default: the dataset's)."""
    base = base if base is not None else current_app.extensions["admiukg"].base
    if iri.startswith(base):
        return root() + iri[len(base):]
    return iri


def path(rel: str) -> str:
    """An absolute URL on the answering server for a site path such as ``sparql``."""
    return root() + rel.lstrip("/")
