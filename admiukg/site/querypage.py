"""The query page: one renderer for ``/query`` and for ``GET /sparql`` from a browser (the
endpoint finds it as ``app.extensions["admiukg.query_page"]``), and its UI strings (az/en).

The page takes everything it needs from ``data-`` attributes (no inline script, so it runs
under a Content-Security-Policy without ``'unsafe-inline'``).
"""

from __future__ import annotations

from flask import Response, current_app, render_template

from admiukg import vocab
from admiukg.site import i18n

#: Download formats offered by the page: (label, media type, kind).
DOWNLOADS = (
    ("CSV", "text/csv", "results"),
    ("TSV", "text/tab-separated-values", "results"),
    ("SPARQL JSON", "application/sparql-results+json", "results"),
    ("SPARQL XML", "application/sparql-results+xml", "results"),
    ("Turtle", "text/turtle", "graph"),
    ("N-Triples", "application/n-triples", "graph"),
    ("JSON-LD", "application/ld+json", "graph"),
    ("RDF/XML", "application/rdf+xml", "graph"),
)


def render(endpoint: str, query: str | None = None, *, autorun: bool = False,
           status: int = 200) -> Response:
    """The page, with ``query`` in the editor (run on load when ``autorun``)."""
    lang = i18n.current_lang()
    ep = current_app.extensions["admiukg.endpoint"]
    body = render_template(
        "query.html", lang=lang, t=i18n.strings(lang),
        endpoint=endpoint, kg_base=ep.dataset.base,
        prefixes={**vocab.LINKED, **ep.prefixes},
        initial_query=query, autorun=autorun and bool(query and query.strip()),
        downloads=DOWNLOADS, max_rows=ep.settings.max_rows,
    )
    resp = Response(body, status=status, content_type="text/html; charset=utf-8")
    resp.headers["Vary"] = "Accept"
    return resp
