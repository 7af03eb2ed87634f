"""Fast in-process checks with Flask's test client (the live-server tests cover HTTP for real)."""

from __future__ import annotations

import pytest

from admiukg.app import create_app
from admiukg.store.local import ServedDataset


@pytest.fixture(scope="module")
def app(sparql_sample_file, tmp_path_factory):
    app = create_app({"KG_FILES": [str(sparql_sample_file)], "QUERY_WORKERS": 1, "MAX_ROWS": 10,
                      "KG_CACHE_DIR": str(tmp_path_factory.mktemp("app-store")), "TESTING": True})
    yield app
    app.extensions["admiukg.endpoint"].pool.close()


@pytest.fixture
def client(app):
    return app.test_client()


def test_extensions_follow_the_contract(app):
    ds = app.extensions["admiukg"]
    assert isinstance(ds, ServedDataset)
    assert ds.triple_count == 1022
    assert ds.graphs == {}  # arbitrary files: no roles
    assert ds.base == "https://kg.admiu.example/"
    assert 0 < ds.load_seconds < 60  # measured, not a default
    # the store is usable read-only in the web process for quad-pattern look-ups
    assert len(list(ds.store.quads_for_pattern(None, None, None, None))) == 1022


def test_select_and_row_cap(client):
    r = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    assert r.status_code == 200
    assert len(r.get_json()["results"]["bindings"]) == 10
    assert r.headers["X-SPARQL-Truncated"] == "true"


def test_respond_is_the_reusable_runner(app):
    from admiukg.endpoint.protocol import respond

    with app.test_request_context("/api/x", headers={"Accept": "text/csv"}):
        r = respond("SELECT (COUNT(*) AS ?n) { ?s a <http://xmlns.com/foaf/0.1/Organization> }",
                    accept="text/csv")
        assert r.status_code == 200
        assert r.get_data(as_text=True).split() == ["n", "5"]
        r = respond("SELECT ?o { ?s ?p ?o }", default_graph_uris=["http://example.org/orgs"],
                    fmt="json")
        assert r.headers["Content-Type"].startswith("application/sparql-results+json")
        assert r.headers["X-SPARQL-Rows"] == "10"
        r = respond("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        assert r.status_code == 403
        r = respond("SELECT * {", fmt="json")
        assert r.status_code == 400 and "line 1" in r.get_json()["message"]


def test_health_before_and_after_first_query(client):
    h = client.get("/health").get_json()
    assert h["triples"] == 1022
    client.get("/sparql", query_string={"query": "ASK {}"})
    assert client.get("/health").get_json()["workers"]["alive"] == 1


def test_body_limit_configurable(sparql_sample_file, tmp_path):
    app = create_app({"KG_FILES": [str(sparql_sample_file)], "MAX_REQUEST_BYTES": 100,
                      "QUERY_WORKERS": 1, "KG_CACHE_DIR": str(tmp_path)})
    r = app.test_client().post("/sparql", data="ASK {}" + " " * 200,
                               content_type="application/sparql-query")
    assert r.status_code == 413
    assert r.get_json()["error"] == "request-entity-too-large"
