"""Bounds on what a request makes the server parse and keep: negotiation headers, the
response-cache keys, and paths or parameters that no IRI or language can hold."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from admiukg.endpoint import negotiation
from admiukg.endpoint.sparqlrequest import ProtocolError, parse_pairs, unquote_plus

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


def _reference_unquote(raw: bytes) -> bytes:
    return unquote_to_bytes(raw.replace(b"+", b" "))


#: bytes that matter to percent-decoding (and to quoted-printable, which the fast path uses), or
#: any byte at all
_FORM_BYTES = st.one_of(
    st.sampled_from([b"%", b"+", b"=", b"&", b"_", b"\r", b"\n", b" ", b"%%", b"%4", b"%zz",
                     b"%C3", b"%A9", b"%e2%82%ac", b"%3D", b"%3d", b"%25", b"%2B", b"%0A",
                     b"%0D", b"%80", b"%FF", b"a", b"4", b"f", b"G", b"\xc3\xa9", b"\xff"]),
    st.binary(min_size=1, max_size=3))
_FORM_VALUES = st.lists(_FORM_BYTES, max_size=30).map(b"".join)


@settings(max_examples=1000, deadline=None)
@given(_FORM_VALUES)
def test_form_decoding_is_urllibs(raw):
    assert unquote_plus(raw) == _reference_unquote(raw)


@pytest.mark.parametrize("raw", [b"", b"%", b"a%", b"%4", b"a%4", b"%zz", b"%%41", b"%\n41",
                                 b"=%41", b"%41=", b"%3D", b"%3d%41", b"%C3%A9+x", b"%4%41",
                                 b"%\r\n", b"a_b", b"%e2%82%ac%", b"\xff%41"])
def test_form_decoding_edge_cases_are_urllibs(raw):
    assert unquote_plus(raw) == _reference_unquote(raw)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FORM_VALUES, max_size=6).map(b"&".join))
def test_form_pairs_and_their_errors_are_as_with_urllib(raw):
    def reference():
        pairs = []
        for part in filter(None, raw.split(b"&")):
            key, _, value = part.partition(b"=")
            try:
                pairs.append((_reference_unquote(key).decode("utf-8"),
                              _reference_unquote(value).decode("utf-8")))
            except UnicodeDecodeError as exc:
                return f"invalid UTF-8 in the body (byte {exc.start} of a value)"
        return pairs

    try:
        got: object = parse_pairs(raw, "body")
    except ProtocolError as exc:
        assert (exc.status, exc.kind) == (400, "bad-encoding")
        got = exc.message
    assert got == reference()
