"""Landing page (counts and the relations picture drawn from the data) and the
query page, server-side; the browser tests (test_browser.py) run them for real."""

from __future__ import annotations

import re

import pytest

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


@pytest.fixture(scope="module")
def landing(ld_app):
    r = ld_app.test_client().get("/", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert r.status_code == 200
    return r.get_data(as_text=True)


def svg_nodes(html, kind):
    """(href, label) of the picture's nodes of one kind."""
    svg = re.search(r"<svg class=\"relations\".*?</svg>", html, re.S).group(0)
    svg = svg.split('<g class="timeline"')[0]  # timeline repeats some nodes
    return re.findall(
        rf'<a href="([^"]+)" class="node n-{kind}">\s*<title>[^<]*</title>.*?<text[^>]*>([^<]*)</text>',
        svg,
        re.S,
    )


def test_picture_shows_networks_projects_funders_and_countries_from_the_data(landing):
    assert svg_nodes(landing, "network") == [("/id/cumulus", "Cumulus")]
    assert svg_nodes(landing, "project") == [("/id/ecar", "ECAR")]  # the short name (altLabel)
    assert svg_nodes(landing, "funder") == [("/id/european-commission", "European Commission")]
    assert svg_nodes(landing, "country") == [("/id/country/france", "France")]
    assert svg_nodes(landing, "center") == [("/id/admiu", "ADMİU")]


def test_picture_has_a_timeline_of_start_years(landing):
    timeline = landing.split('<g class="timeline"')[1]
    years = re.findall(r'class="year"[^>]*>(\d{4})<', timeline)
    assert years == ["2021", "2022", "2023"]
    assert re.search(r'class="event"[^>]*>Cumulus<', timeline)


def test_landing_counts(landing, ld_app):
    ds = ld_app.extensions["admiukg"]
    default_graph = {q.triple for q in ds.store if q.graph_name.value in ds.info.union}
    assert f"<b>{len(default_graph):,}</b> triples" in landing  # the default graph, as stated
    assert "ontology + data + inferred" in landing
    assert "<b>2</b> source excerpts" in landing


def test_landing_in_azerbaijani(ld_client):
    html = ld_client.get("/?lang=az").get_data(as_text=True)
    assert "ADMİU-nun beynəlxalq əlaqələri" in html
    assert ">Avropa Komissiyası</text>" in html


@pytest.mark.parametrize("path,headers", [("/query", {}), ("/sparql", {"Accept": BROWSER})])
def test_query_page_is_served(ld_client, path, headers):
    r = ld_client.get(path, headers=headers)
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert 'id="query"' in html and 'id="examples"' in html
    assert 'data-base="https://kg.admiu.example/"' in html


@pytest.mark.parametrize(
    "path", ["/", "/query", "/doc/admiu", "/ontology", "/shapes", "/downloads/", "/.well-known/void"]
)
def test_pages_load_nothing_from_elsewhere(ld_client, path):
    html = ld_client.get(path, headers={"Accept": BROWSER}).get_data(as_text=True)
    for ref in re.findall(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]+)"', html):
        if 'rel="alternate"' in ref:
            continue
        assert ref.startswith("/"), (path, ref)


@pytest.mark.parametrize("name", ["style.css", "query.js", "sparql-highlight.js"])
def test_static_assets_are_served(ld_client, name):
    with ld_client.get(f"/static/{name}") as r:  # closes the file Flask streams
        assert r.status_code == 200
        assert len(r.get_data()) > 500


def test_pages_work_for_a_dataset_served_from_plain_files(tmp_path):
    """``python server.py FILE`` has no named-graph roles: no page may fail."""
    from admiukg.app import create_app
    from admiukg.config import ROOT

    app = create_app(
        {"TESTING": True, "KG_FILES": [ROOT / "tests" / "ld_fixtures" / "data.ttl"], "KG_CACHE_DIR": tmp_path}
    )
    client = app.test_client()
    for path in (
        "/",
        "/doc/admiu",
        "/downloads/",
        "/downloads/admiukg-all.nq",
        "/.well-known/void",
        "/query",
    ):
        assert client.get(path, headers={"Accept": BROWSER}).status_code == 200, path
    assert "Azerbaijan State University" in client.get("/doc/admiu?lang=en").get_data(as_text=True)
    assert client.get("/ontology", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/id/admiu", headers={"Accept": "text/turtle"}).status_code == 303
