"""The saved-query HTTP API: catalogue JSON, running with parameters, OpenAPI, the form page."""

from __future__ import annotations

import csv
import io
import re

import pyoxigraph as ox
import pytest
import rdflib

from admiukg import config
from admiukg.queries import catalogue as savedqueries
from admiukg.store import golden as goldens

QUERIES = savedqueries.catalogue()


@pytest.fixture(scope="module")
def app():
    from admiukg.app import create_app
    from admiukg.store.local import load_dataset

    # validate=False: these tests are about the API, not about whether today's data conforms
    app = create_app({"TESTING": True, "QUERY_WORKERS": 1}, dataset=load_dataset(validate=False))
    yield app
    app.extensions["admiukg.endpoint"].pool.close()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def sparql_json_rows(resp) -> tuple[list[str], list[dict]]:
    body = resp.get_json()
    return body["head"]["vars"], body["results"]["bindings"]


# -- catalogue ------------------------------------------------------------------------------


def test_catalogue_lists_every_query_file(client):
    resp = client.get("/api/queries")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    body = resp.get_json()
    names = [q["name"] for q in body["queries"]]
    assert names == sorted(p.stem for p in config.QUERIES_DIR.glob("*.rq"))
    assert body["count"] == len(names) >= 15


def test_catalogue_entry_shape_is_stable(client):
    # The web query page reads these fields; see queries/README.md.
    entry = next(q for q in client.get("/api/queries").get_json()["queries"] if q["name"] == "projects-by-funder")
    assert set(entry) == {"name", "summary", "description", "tags", "kind", "parameters", "columns",
                          "inference", "url", "sparql"}
    assert entry["kind"] == "select"
    assert entry["url"] == "/api/queries/projects-by-funder"
    assert entry["parameters"] == [{"name": "funder", "type": "iri", "default": "id:european-commission",
                                    "description": "the funding body"}]
    assert entry["columns"] == ["funder", "project", "projectLabel", "via", "programme", "year"]
    assert entry["sparql"] == (config.QUERIES_DIR / "projects-by-funder.rq").read_text(encoding="utf-8")


# -- running ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(n for n, q in QUERIES.items() if q.kind == "select"))
def test_select_runs_with_declared_columns_and_golden_row_count(client, name):
    resp = client.get(f"/api/queries/{name}", headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200, resp.data
    variables, rows = sparql_json_rows(resp)
    assert variables == list(QUERIES[name].columns)
    golden = goldens.golden_path(QUERIES[name]).read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(golden) - 1


def test_csv_tsv_and_xml_are_negotiated(client):
    columns = list(QUERIES["admiu-networks"].columns)
    resp = client.get("/api/queries/admiu-networks", headers={"Accept": "text/csv"})
    assert resp.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert table[0] == columns
    assert {row[0] for row in table[1:]} == {config.ID + "cumulus", config.ID + "bsun",
                                            config.ID + "union-of-turkic-world-art-universities"}
    resp = client.get("/api/queries/admiu-networks?format=tsv")
    assert resp.mimetype == "text/tab-separated-values"
    assert resp.get_data(as_text=True).splitlines()[0] == "\t".join("?" + c for c in columns)
    resp = client.get("/api/queries/admiu-networks", headers={"Accept": "application/sparql-results+xml"})
    assert resp.mimetype == "application/sparql-results+xml"
    assert b'<variable name="startYear"/>' in resp.data


@pytest.mark.parametrize("name", sorted(n for n, q in QUERIES.items() if q.is_graph))
@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/ld+json",
                                    "application/rdf+xml"])
def test_graph_queries_return_the_golden_graph(client, name, accept):
    resp = client.get(f"/api/queries/{name}", headers={"Accept": accept})
    assert resp.status_code == 200 and resp.mimetype == accept
    triples = list(ox.parse(resp.data, format=ox.RdfFormat.from_media_type(accept)))
    expected = goldens.golden_path(QUERIES[name]).read_text(encoding="utf-8")
    assert goldens.canonical_ntriples(triples) == expected


def test_ask_query(client):
    assert client.get("/api/queries/is-member").get_json()["boolean"] is True
    assert client.get("/api/queries/is-member?organization=id:turksoy").get_json()["boolean"] is False


def test_parameters_change_the_answer(client):
    _, rows = sparql_json_rows(client.get("/api/queries/network-members?network=id:bsun"))
    assert [r["membership"]["value"] for r in rows] == [config.ID + "membership/admiu-bsun-2022"]
    _, rows = sparql_json_rows(client.get(
        "/api/queries/network-members?network=https://kg.admiu.example/id/union-of-turkic-world-art-universities"))
    assert [r["startYear"]["value"] for r in rows] == ["2023"]
    _, rows = sparql_json_rows(client.get("/api/queries/timeline?since=2023"))
    assert {r["year"]["value"] for r in rows} == {"2023"} and len(rows) == 2
    _, rows = sparql_json_rows(client.get("/api/queries/aims?lang=az"))
    assert rows and all(r["aimLabel"]["xml:lang"] == "az" for r in rows)
    _, rows = sparql_json_rows(client.get("/api/queries/search-labels?text=rektor"))
    # "rektor" is in ECAR's name, both posts ("Rektoru", "prorektoru") and the ECAR visits' purpose
    assert {r["entity"]["value"] for r in rows} == {config.ID + s for s in (
        "ecar", "post/admiu-rector", "post/admiu-vice-rector", "aim/ecar-visits-purpose")}


def test_string_parameter_cannot_break_out_of_its_literal(client):
    resp = client.get("/api/queries/search-labels", query_string={"text": '"} } INSERT DATA { <a:b> <a:b> <a:b> } #'})
    assert resp.status_code == 200
    assert sparql_json_rows(resp)[1] == []
    text = client.get("/api/queries/search-labels/sparql", query_string={"text": 'x" } #'}).get_data(as_text=True)
    assert 'VALUES ?text { "x\\" } #" }' in text


def test_describe_with_parameter(client):
    resp = client.get("/api/queries/describe-entity?entity=id:namiq-kerimov", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=resp.get_data(as_text=True), format="turtle")
    subjects = set(graph.subjects())
    assert rdflib.URIRef(config.ID + "namiq-kerimov") in subjects
    assert rdflib.URIRef(config.ID + "cumulus") not in subjects


def test_bound_query_text(client):
    resp = client.get("/api/queries/network-members/sparql?network=id:bsun")
    assert resp.status_code == 200 and resp.mimetype == "application/sparql-query"
    assert "VALUES ?network { <https://kg.admiu.example/id/bsun> }  " not in resp.get_data(as_text=True)
    assert "VALUES ?network { <https://kg.admiu.example/id/bsun> }" in resp.get_data(as_text=True)


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url,kind,fragment", [
    ("/api/queries/network-members?network=not%20an%20iri", "bad-parameter", "parameter 'network' (iri)"),
    ("/api/queries/network-members?network=id:bsun&network=id:cumulus", "bad-parameter", "given 2 times"),
    ("/api/queries/network-members?colour=red", "bad-parameter", "unknown parameter(s) colour"),
    ("/api/queries/timeline?since=2022-05", "bad-parameter", "not a valid xsd:gYear"),
    ("/api/queries/admiu-networks?lang=fr", "bad-parameter", "not one of en, az"),
    ("/api/queries/admiu-networks?query=SELECT%20*%20%7B%7D", "bad-parameter", "use /sparql"),
    ("/api/queries/network-members/sparql?network=javascript:alert(1)", "bad-parameter", "neither an absolute"),
    ("/api/queries/no-such-query", "unknown-query", "no saved query named 'no-such-query'"),
    ("/api/queries/no-such-query/sparql", "unknown-query", "no saved query"),
])
def test_bad_requests_get_specific_4xx(client, url, kind, fragment):
    resp = client.get(url)
    assert resp.status_code == (404 if kind == "unknown-query" else 400)
    body = resp.get_json()
    assert body["error"] == kind and fragment in body["message"]


def test_unacceptable_format_is_406_and_a_bad_format_value_400(client):
    assert client.get("/api/queries/admiu-networks", headers={"Accept": "image/png"}).status_code == 406
    resp = client.get("/api/queries/schema-org-view?format=csv")
    assert resp.status_code == 400 and "turtle, ntriples, jsonld, rdfxml" in resp.get_json()["message"]
    assert client.get("/api/queries/timeline?format=bogus").status_code == 400
    assert client.get("/api/queries/timeline?format=text/csv").status_code == 200


# -- OpenAPI and the page -----------------------------------------------------------------------


def test_openapi_document_is_valid_and_generated_from_headers(client):
    from openapi_spec_validator import validate

    doc = client.get("/api/openapi.json").get_json()
    validate(doc)
    assert set(doc["paths"]) == {"/api/queries"} | {f"/api/queries/{n}" for n in QUERIES}
    op = doc["paths"]["/api/queries/timeline"]["get"]
    assert op["summary"] == QUERIES["timeline"].summary
    since = next(p for p in op["parameters"] if p["name"] == "since")
    assert since["schema"]["default"] == "2022" and since["schema"]["pattern"].startswith("^-?[0-9]{4,}")
    fmt = next(p for p in op["parameters"] if p["name"] == "format")
    assert fmt["schema"]["enum"] == ["json", "xml", "csv", "tsv"]
    graph_op = doc["paths"]["/api/queries/schema-org-view"]["get"]
    assert "text/turtle" in graph_op["responses"]["200"]["content"]
    assert len({o["get"]["operationId"] for o in doc["paths"].values()}) == len(doc["paths"])


def test_openapi_validator_would_catch_a_broken_document(client):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    doc = client.get("/api/openapi.json").get_json()
    del doc["paths"]["/api/queries/timeline"]["get"]["responses"]
    with pytest.raises(OpenAPIValidationError):
        validate(doc)


def test_api_page_has_a_form_per_query_and_no_external_assets(client):
    resp = client.get("/api/")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    for name, query in QUERIES.items():
        assert f'action="/api/queries/{name}"' in page
        for param in query.parameters:
            assert f'name="{param.name}"' in page
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page)
    assert 'href="/api/openapi.json"' in page


def test_rebased_server_rebases_the_saved_queries(tmp_path):
    from admiukg.app import create_app
    from admiukg.store.local import load_dataset

    base = "http://localhost:8080/kg/"
    app = create_app({"TESTING": True, "QUERY_WORKERS": 1, "KG_CACHE_DIR": str(tmp_path)},
                     dataset=load_dataset(base=base, cache_dir=tmp_path, validate=False))
    try:
        client = app.test_client()
        _, rows = sparql_json_rows(client.get("/api/queries/network-members?network=id:bsun"))
        assert [r["member"]["value"] for r in rows] == [base + "id/admiu"]
        entry = client.get("/api/queries").get_json()["queries"][0]
        assert config.CANONICAL_BASE not in entry["sparql"]
    finally:
        app.extensions["admiukg.endpoint"].pool.close()
