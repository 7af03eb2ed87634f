"""The query page, server side: a query link opened in a browser shows the page with the query
(and runs it), SPARQL clients keep the protocol's answer, the page gets its prefix table and
strings from the server, and a cut CSV/TSV result says so in its file name as well as in the
headers. The browser side is tests/test_query_browser.py."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest

from admiukg.endpoint import negotiation

CHROMIUM = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QUERY = 'SELECT ?n WHERE { ?n a <https://kg.admiu.example/ontology#Network> } # <b>"&'


def textarea(page: str) -> str:
    return html.unescape(re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', page, re.DOTALL).group(1))


@pytest.mark.parametrize("accept", [CHROMIUM, FIREFOX, "text/html"])
def test_prefers_html_for_browsers(accept):
    assert negotiation.prefers_html(accept)


@pytest.mark.parametrize("accept", [
    None, "", "*/*", "application/sparql-results+json", "application/xml",
    "text/html;q=0.5, application/sparql-results+xml",
    "application/sparql-results+json, text/html",  # a tie keeps the protocol's answer
    "text/*", "text/html;q=0",
])
def test_prefers_html_not_for_sparql_clients(accept):
    assert not negotiation.prefers_html(accept)


@pytest.mark.parametrize("accept", [CHROMIUM, FIREFOX])
def test_query_link_opened_in_a_browser_shows_the_page_with_the_query(ld_client, accept):
    r = ld_client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert textarea(page) == QUERY
    assert 'data-autorun="1"' in page
    assert "<b>" not in page.split('id="query"')[1].split("</textarea>")[0]  # escaped
    assert r.headers["Vary"] == "Accept"


@pytest.mark.parametrize("extra,accept,mimetype", [
    ({}, "*/*", "application/sparql-results+json"),
    ({}, "application/sparql-results+xml", "application/sparql-results+xml"),
    ({"format": "xml"}, CHROMIUM, "application/sparql-results+xml"),
    ({"output": "csv"}, CHROMIUM, "text/csv"),
])
def test_sparql_clients_and_explicit_formats_keep_the_protocol_answer(ld_client, extra, accept, mimetype):
    r = ld_client.get("/sparql", query_string={"query": QUERY, **extra}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mimetype


def test_head_mirrors_get(ld_client):
    r = ld_client.head("/sparql", query_string={"query": QUERY}, headers={"Accept": CHROMIUM})
    assert r.status_code == 200 and r.mimetype == "text/html"


def test_post_from_a_browser_form_gets_results_not_the_page(ld_client):
    r = ld_client.post("/sparql", data={"query": QUERY}, headers={"Accept": CHROMIUM})
    assert r.status_code == 200 and r.mimetype == "application/sparql-results+xml"


def test_query_page_restores_a_shared_query(ld_client):
    r = ld_client.get("/query", query_string={"query": QUERY, "lang": "az"})
    page = r.get_data(as_text=True)
    assert textarea(page) == QUERY and 'data-autorun="1"' in page
    assert "Paylaşma linki" in page  # the page's own strings, in the page language


def test_query_page_without_a_query_shows_the_default_and_does_not_run(ld_client):
    page = ld_client.get("/query").get_data(as_text=True)
    assert "GROUP BY ?class ?label" in textarea(page)
    assert "data-autorun" not in page


def test_page_carries_the_prefix_table_and_strings_as_data(ld_client):
    page = ld_client.get("/query?lang=en").get_data(as_text=True)
    prefixes = json.loads(html.unescape(re.search(r"data-prefixes='([^']*)'", page).group(1)))
    assert prefixes["au"] == "https://kg.admiu.example/ontology#"
    assert prefixes["skos"] == "http://www.w3.org/2004/02/skos/core#"
    assert prefixes["time"] == "http://www.w3.org/2006/time#"
    strings = json.loads(html.unescape(re.search(r"data-strings='([^']*)'", page).group(1)))
    assert "{max}" in strings["truncated"]


def test_page_has_no_inline_script_or_style(ld_client):
    page = ld_client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": CHROMIUM}).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"<style\b|\sstyle=", page)
    assert "script-src 'self'" in page and "style-src 'self'" in page


@pytest.fixture(scope="module")
def capped_client(tmp_path_factory):
    from conftest import LD_FIXTURES, LD_ROLES, ld_build_dataset

    from admiukg.app import create_app

    dataset = ld_build_dataset(tmp_path_factory.mktemp("capped"))
    app = create_app({"TESTING": True, "MAX_ROWS": 5, "RESULT_CACHE_BYTES": 0,
                      "KG_FILES": [LD_FIXTURES / f"{r}.ttl" for r in LD_ROLES]}, dataset=dataset)
    return app.test_client()


ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


@pytest.mark.parametrize("fmt,delimiter", [("csv", ","), ("tsv", "\t")])
def test_a_cut_csv_or_tsv_says_so_in_its_file_name_and_still_parses(capped_client, fmt, delimiter):
    r = capped_client.get("/sparql", query_string={"query": ALL, "format": fmt})
    assert r.status_code == 200
    assert r.headers["X-SPARQL-Truncated"] == "true" and r.headers["X-SPARQL-Max-Rows"] == "5"
    assert r.headers["Content-Disposition"] == f'inline; filename="result-truncated-at-5-rows.{fmt}"'
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True)), delimiter=delimiter))
    assert rows[0] == (["s", "p", "o"] if fmt == "csv" else ["?s", "?p", "?o"])  # header kept
    assert len(rows) == 6 and all(len(row) == 3 for row in rows)


def test_a_complete_csv_has_no_such_name(capped_client):
    r = capped_client.get("/sparql", query_string={"query": ALL + " LIMIT 5", "format": "csv"})
    assert "X-SPARQL-Truncated" not in r.headers and "Content-Disposition" not in r.headers
