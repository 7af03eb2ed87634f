"""HTML built from data: unsafe IRIs are text, not links; every page has a strict CSP.

The server runs over the bundled files plus a hostile file whose IRIs are ``javascript:``
and ``data:`` URLs, placed where the entity page and the landing picture show them. Headless
Chromium then checks that no such link exists, that clicking the text runs nothing, and that
no page reports a Content-Security-Policy violation.
"""

from __future__ import annotations

import pytest
import requests
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from test_browser import browser  # noqa: F401  (the shared headless Chromium fixture)

from admiukg import config

BASE = config.CANONICAL_BASE
SCRIPT_IRI = "javascript:alert(document.domain)"
DATA_IRI = "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
HOSTILE = f"""
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}id/membership-hostile> org:member <{BASE}id/admiu> ; org:organization <{SCRIPT_IRI}> .
<{BASE}id/admiu> rdfs:seeAlso <{SCRIPT_IRI}>, <{DATA_IRI}>, <https://example.org/fine> .
<{SCRIPT_IRI}> rdfs:label "click me" .
"""
PAGES = ["/", "/sparql", "/ontology", "/shapes", "/downloads/", "/.well-known/void",
         "/id/admiu", "/api/", "/id/no-such-thing"]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from sparql_live import LiveServer

    folder = tmp_path_factory.mktemp("hostile-data")
    (folder / "hostile.ttl").write_text(HOSTILE, encoding="utf-8")
    files = [*config.ontology_files(), *config.data_files(), folder / "hostile.ttl"]
    server = LiveServer([*files, "--workers", "1"], cache_dir=folder / "store")
    server.start()
    yield server
    server.stop()


def hrefs(driver) -> list[str]:
    """Every link target as written, HTML and SVG ``<a>`` alike."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('a'))"
        ".map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')")


def no_alert(driver) -> bool:
    try:
        driver.switch_to.alert.dismiss()
    except NoAlertPresentException:
        return True
    return False


@pytest.mark.parametrize("path", ["/id/admiu"])
def test_script_and_data_iris_are_not_links(hostile_site, browser, path):  # noqa: F811
    browser.get(hostile_site.url + path + "?lang=en")
    links = hrefs(browser)
    assert links, "the page has links at all"
    assert not [h for h in links if h.lower().startswith(("javascript:", "data:"))], links
    shown = browser.find_elements(By.XPATH, '//*[local-name()!="title" and normalize-space(text())="click me"]')
    assert shown, "the node is still shown, as text"
    for element in shown:
        element.click()
        assert no_alert(browser)


def test_a_plain_https_iri_is_still_a_link(hostile_site, browser):  # noqa: F811
    browser.get(hostile_site.url + "/id/admiu?lang=en")
    assert "https://example.org/fine" in hrefs(browser)


def test_every_page_sends_a_strict_csp_and_nosniff(hostile_site):
    for path in PAGES:
        r = requests.get(hostile_site.url + path, headers={"Accept": "text/html"}, timeout=30)
        assert r.headers.get("Content-Type", "").startswith("text/html"), (path, r.headers)
        csp = r.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, (path, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers.get("X-Content-Type-Options") == "nosniff", path


@pytest.mark.parametrize("path", ["/health", "/sparql?query=ASK%7B%7D", "/static/style.css",
                                  "/doc/admiu.ttl", "/downloads/SHA256SUMS", "/api/queries",
                                  "/no/such/page"])
def test_every_response_says_nosniff(hostile_site, path):
    for _ in range(2):  # the second GET of a query comes from the response cache
        r = requests.get(hostile_site.url + path, timeout=30)
        assert r.headers.get("X-Content-Type-Options") == "nosniff", (path, r.status_code)


def test_no_page_violates_its_policy(hostile_site, browser):  # noqa: F811
    browser.get_log("browser")  # drop what earlier tests left
    violations = {}
    for path in PAGES:
        browser.get(hostile_site.url + path)
        browser.execute_script("return document.readyState")
        found = [e["message"] for e in browser.get_log("browser")
                 if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]
        if found:
            violations[path] = found
    assert not violations, violations


def test_the_landing_picture_links_no_script_iri(tmp_path):
    """Over the bundled graph's roles (files mode draws no picture), a membership whose
    network is a ``javascript:`` IRI is drawn as a node without a link."""
    import pyoxigraph as ox
    from conftest import ld_build_dataset

    from admiukg.app import create_app

    dataset = ld_build_dataset(tmp_path)
    store = ox.Store(dataset.info.path)
    data = ox.NamedNode(dataset.graphs["data"])
    store.load(HOSTILE.encode(), format=ox.RdfFormat.TURTLE, to_graph=data)
    store.flush()
    del store
    app = create_app({"TESTING": True}, dataset=dataset)
    page = app.test_client().get("/?lang=en").get_data(as_text=True)
    picture = page[page.index("<svg"):page.index("</svg>")]
    assert "click me" in picture or SCRIPT_IRI in picture, "the hostile network is drawn"
    assert 'href="javascript:' not in picture.lower() and "href='javascript:" not in picture.lower()
    assert 'href="data:' not in picture.lower()
