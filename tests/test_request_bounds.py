"""Bounds on what a request makes the server parse and keep: negotiation headers, the
response-cache keys, and paths or parameters that no IRI or language can hold."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from admiukg.endpoint import negotiation

ASK = "/sparql?query=ASK%7B%7D"
JSON = "application/sparql-results+json"


@pytest.fixture
def fresh_cache(ld_app):
    cache = ld_app.extensions["admiukg.endpoint"].cache
    with cache._lock:
        cache._data.clear()
        cache._bytes = 0
    return cache


@pytest.mark.parametrize("header", negotiation.NEGOTIATION_HEADERS)
def test_huge_negotiation_headers_are_a_400(ld_client, header):
    huge = ", ".join([JSON + ";q=0.5;a=b"] * 40_000)  # ~1 MB: repeated headers arrive joined
    r = ld_client.get(ASK, headers={header: huge})
    assert r.status_code == 400
    assert r.get_json()["error"] == "header-too-long" and header in r.get_json()["message"]


def test_negotiation_reads_a_bounded_number_of_ranges():
    header = ", ".join(f"application/x-{i}" for i in range(100_000)) + ", text/csv"
    assert len(negotiation.parse_accept(header)) <= negotiation.MAX_RANGES
    assert negotiation.choose(header, negotiation.RESULT_OFFERS) is None  # text/csv is past it


def test_cache_keyed_on_the_negotiated_format(ld_client, fresh_cache):
    accepts = [JSON, JSON + ";q=1.0", JSON + ", text/html;q=0.5", f"  {JSON}  ",
               JSON + ", image/png, text/x-" + "y" * 3000]
    for accept in accepts:
        r = ld_client.get(ASK, headers={"Accept": accept})
        assert r.status_code == 200 and r.mimetype == JSON
    wsgi_keys = [k for k in fresh_cache._data if k[0] == "wsgi"]
    assert len(wsgi_keys) == 1, wsgi_keys  # five spellings, one negotiated format
    csv = ld_client.get(ASK, headers={"Accept": "text/csv"})
    assert csv.mimetype == "text/csv" and len([k for k in fresh_cache._data if k[0] == "wsgi"]) == 2


def test_cache_counts_the_bytes_of_its_keys(ld_client, fresh_cache):
    padding = "x" * 6000  # a long query string with a tiny answer
    r = ld_client.get(f"/sparql?query=ASK%7B%7D%23{padding}", headers={"Accept": JSON})
    assert r.status_code == 200
    body = len(r.data)
    assert fresh_cache.stats()["bytes"] >= 2 * (body + len(padding))  # both entries, keys counted


@pytest.mark.parametrize("path", ["/id/a%20b", "/doc/a%7Cb", "/doc/a%7Cb.ttl", "/id/a%3Cb%3E",
                                  "/id/a%22b", "/id/%00", "/doc/a%20b.jsonld", "/id/a%5Cb"])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
def test_paths_no_iri_can_hold_are_404(ld_client, path, accept):
    r = ld_client.get(path, headers={"Accept": accept})
    assert r.status_code == 404, (path, r.status_code)


@pytest.mark.parametrize("path", ["/id/admiu", "/", "/ontology", "/doc/admiu"])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
@pytest.mark.parametrize("lang", ["en%0D%0AX-Injected:%201", "az%0A", "%0d%0a", "en%00"])
def test_lang_with_control_characters_is_a_400_never_a_500(ld_client, path, accept, lang):
    r = ld_client.get(f"{path}?lang={lang}", headers={"Accept": accept})
    assert r.status_code in (200, 400), (path, accept, r.status_code)
    assert "X-Injected" not in r.headers
    if r.status_code == 200:  # an RDF answer, where the page language plays no part
        assert accept != "text/html"


@settings(max_examples=150, deadline=None)
@given(slug=st.text(min_size=1, max_size=12))
def test_any_slug_is_answered_without_a_500(ld_app, slug):
    from urllib.parse import quote

    client = ld_app.test_client()
    for prefix in ("/id/", "/doc/"):
        r = client.get(prefix + quote(slug, safe=""), headers={"Accept": "text/html"})
        assert r.status_code < 500, (slug, r.status_code)
