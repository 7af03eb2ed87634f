"""The query page: one renderer for ``/query`` and for ``GET /sparql`` from a browser (the
endpoint finds it as ``app.extensions["admiukg.query_page"]``), and its UI strings (az/en).

The page takes everything it needs from ``data-`` attributes (no inline script, so it runs
under a Content-Security-Policy without ``'unsafe-inline'``).
"""

from __future__ import annotations

from flask import Response, current_app, render_template

from admiukg.site import i18n

STRINGS = {
    "en": {
        "editor_hint": "Ctrl+Enter runs the query, Ctrl+Space completes a prefix, class or "
                       "property, Tab moves on to the next control.",
        "share": "Share link",
        "share_hint": "This link opens the page with the query and runs it.",
        "copied": "Link copied.",
        "download": "Download",
        "filter": "Filter rows",
        "page_prev": "Previous",
        "page_next": "Next",
        "page_of": "of",
        "truncated": "The result was cut at {max} rows (the server's limit): add LIMIT and "
                     "OFFSET to page through the rest.",
        "http_error": "The server refused the query",
        "network_error": "The server could not be reached",
        "chart": "Chart",
        "chart_bars": "{value} by {label}",
        "chart_years": "{n} per year",
        "sort_hint": "Click a column head to sort.",
        "fmt_results": "Table results (SELECT, ASK)",
        "fmt_graph": "Graph results (CONSTRUCT, DESCRIBE)",
        "completions": "Completions",
        "class": "class",
        "property": "property",
        "prefix": "prefix",
    },
    "az": {
        "editor_hint": "Ctrl+Enter sorğunu icra edir, Ctrl+Space prefiksi, sinfi və ya xassəni "
                       "tamamlayır, Tab növbəti elementə keçir.",
        "share": "Paylaşma linki",
        "share_hint": "Bu link səhifəni sorğu ilə açır və onu icra edir.",
        "copied": "Link kopyalandı.",
        "download": "Yüklə",
        "filter": "Sətirləri süz",
        "page_prev": "Əvvəlki",
        "page_next": "Növbəti",
        "page_of": "/",
        "truncated": "Nəticə {max} sətirdə kəsildi (serverin limiti): qalanına baxmaq üçün "
                     "LIMIT və OFFSET əlavə edin.",
        "http_error": "Server sorğunu qəbul etmədi",
        "network_error": "Serverə qoşulmaq mümkün olmadı",
        "chart": "Diaqram",
        "chart_bars": "{label} üzrə {value}",
        "chart_years": "illər üzrə {n}",
        "sort_hint": "Sıralamaq üçün sütun başlığına klikləyin.",
        "fmt_results": "Cədvəl nəticələri (SELECT, ASK)",
        "fmt_graph": "Qraf nəticələri (CONSTRUCT, DESCRIBE)",
        "completions": "Tamamlamalar",
        "class": "sinif",
        "property": "xassə",
        "prefix": "prefiks",
    },
}

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


#: Vocabularies of the bundled files that the page completes besides the endpoint's own
#: prefixes (those its Turtle results use); a fixed table, nothing is looked up elsewhere.
EXTRA_PREFIXES = {
    "sh": "http://www.w3.org/ns/shacl#",
    "time": "http://www.w3.org/2006/time#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "vann": "http://purl.org/vocab/vann/",
    "eurio": "http://data.europa.eu/s66#",
    "frapo": "http://purl.org/cerif/frapo/",
    "vivo": "http://vivoweb.org/ontology/core#",
    "wd": "http://www.wikidata.org/entity/",
    "eucountry": "http://publications.europa.eu/resource/authority/country/",
    "corpbody": "http://publications.europa.eu/resource/authority/corporate-body/",
}


def render(endpoint: str, query: str | None = None, *, autorun: bool = False,
           status: int = 200) -> Response:
    """The page, with ``query`` in the editor (run on load when ``autorun``)."""
    lang = i18n.current_lang()
    ep = current_app.extensions["admiukg.endpoint"]
    body = render_template(
        "query.html", lang=lang, t={**i18n.strings(lang), **STRINGS[lang]},
        endpoint=endpoint, kg_base=ep.dataset.base,
        prefixes={**EXTRA_PREFIXES, "aush": ep.dataset.base + "shapes#", **ep.prefixes},
        initial_query=query, autorun=autorun and bool(query and query.strip()),
        downloads=DOWNLOADS, max_rows=ep.settings.max_rows,
    )
    resp = Response(body, status=status, content_type="text/html; charset=utf-8")
    resp.headers["Vary"] = "Accept"
    return resp
