"""``python server.py --store URL`` and ``python -m admiukg.store.push`` against a real Virtuoso.

Virtuoso (Debian's virtuoso-opensource 7) is started by these tests on 127.0.0.1 in a
temporary directory (tests/virtuoso.py). Its absence is a failure, not a skip: CI installs it.
The oracle for every answer is the bundled graph itself (rdflib / a local pyoxigraph store
built from the files), never the code under test.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from sandbox import copy_checkout
from sparql_live import ROOT, LiveServer
from virtuoso import running

from admiukg import config
from admiukg.queries import checks as qchecks

AU = config.AU
ADMIU = config.ID + "admiu"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with running(tmp_path_factory.mktemp("virtuoso")) as server:
        print(f"\nVirtuoso started in {server.start_seconds} s on {server.url}")
        yield server


def push(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "admiukg.store.push", *args], cwd=cwd,
                          check=False, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def pushed(virtuoso):
    proc = push("--store", virtuoso.sparql, "--graph-store-url", virtuoso.graph_crud,
                "--user", "dba", "--password", "dba")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def front(virtuoso, pushed, tmp_path_factory):
    server = LiveServer(["--store", virtuoso.sparql, "--workers", "1", "--timeout", "5"],
                        cache_dir=tmp_path_factory.mktemp("front-cache"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def local_store():
    """The oracle: the bundled files (+ entailments) in an in-memory pyoxigraph store."""
    from admiukg.store.golden import bundled_store

    return bundled_store()


def store_count(virtuoso, graph: str) -> int:
    r = requests.post(virtuoso.sparql, data={
        "query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": JSON}, timeout=30)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def file_graph(paths) -> rdflib.Graph:
    g = rdflib.Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


def sparql(front, query, accept=JSON, **kw):
    return requests.post(front.endpoint, data={"query": query}, headers={"Accept": accept},
                         timeout=30, **kw)


# --- store quirks, parsed without a store ----------------------------------------------------


def store_answer(body: bytes, content_type: str) -> requests.Response:
    resp = requests.Response()
    resp.status_code = 200
    resp.headers["Content-Type"] = content_type
    resp.raw = io.BytesIO(body)
    return resp


def reply_for(body: bytes, content_type: str, **job):
    from admiukg.store import client as storeclient
    from admiukg.store import remote

    answer = storeclient.parse_answer(store_answer(body, content_type), "http://store.test/sparql")
    return remote._reply(answer, {"max_rows": 10, "results_format": "json",
                                  "graph_format": "ntriples", **job})


def test_virtuoso_ask_with_head_link_becomes_plain_boolean_json():
    reply = reply_for(b'{  "head": { "link": [] }, "boolean": true}',
                      "application/sparql-results+json")
    assert reply[0] == "ok" and json.loads(reply[2]) == {"head": {}, "boolean": True}


def test_virtuoso_typed_literal_bnode_and_boolean_quirks_are_normalised():
    body = json.dumps({"head": {"link": [], "vars": ["n", "b", "t"]}, "results": {
        "distinct": False, "ordered": True, "bindings": [{
            "n": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                  "value": "7"},
            "b": {"type": "bnode", "value": "nodeID://b10006"},
            "t": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#boolean",
                  "value": "1"}}]}}).encode()
    reply = reply_for(body, "application/sparql-results+json; charset=UTF-8")
    row = json.loads(reply[2])["results"]["bindings"][0]
    assert row["n"] == {"type": "literal", "value": "7",
                        "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert row["b"]["type"] == "bnode" and row["b"]["value"]
    assert row["t"]["value"] == "true"


def test_xml_answer_to_a_json_request_is_rewritten_and_capped():
    rows = "".join(f'<result><binding name="x"><literal>{i}</literal></binding></result>'
                   for i in range(25))
    body = ('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f'<head><variable name="x"/></head><results>{rows}</results></sparql>').encode()
    status, fmt, out, count, truncated = reply_for(body, "application/sparql-results+xml",
                                                   results_format="csv")
    assert (status, fmt, count, truncated) == ("ok", "csv", 10, True)
    assert out.decode().splitlines()[:3] == ["x", "0", "1"]


def test_unreadable_or_unknown_answers_are_store_failures_not_500s():
    from admiukg.store import client as storeclient

    with pytest.raises(storeclient.StoreUnavailable, match="unreadable"):
        storeclient.parse_answer(store_answer(b"{not json", "application/sparql-results+json"),
                                 "u")
    with pytest.raises(storeclient.StoreUnavailable, match="unsupported media type text/html"):
        storeclient.parse_answer(store_answer(b"<html>", "text/html"), "u")


def test_virtuoso_blank_nodes_can_be_asked_about_again():
    from admiukg.store import client as storeclient

    node = ox.BlankNode(storeclient.bnode_id("nodeID://b10006"))
    assert storeclient.term_sparql(node) == "<nodeID://b10006>"


@pytest.fixture
def misbehaving_store():
    """A local HTTP server that fails (500) or stalls, as a store on a bad day does."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/slow":
                time.sleep(3)
            self.send_response(500 if self.path == "/fail" else 200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"Virtuoso 08C01 Error CL: Cluster: out of memory")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_store_errors_and_stalls_become_503_pool_errors(misbehaving_store):
    from admiukg.endpoint.pool import QueryTimeout
    from admiukg.store import remote

    job = {"query": "SELECT * WHERE { ?s ?p ?o }", "max_rows": 10, "results_format": "json",
           "graph_format": None, "default_graphs": None, "named_graphs": None,
           "has_dataset": False}
    failing = remote.RemotePool(remote.RemoteDataset(misbehaving_store + "/fail"), timeout=5)
    with pytest.raises(remote.StoreUnavailable, match="HTTP 500.*out of memory") as exc:
        failing.run(job)
    assert exc.value.status == 503
    assert failing.dataset.last_error and failing.alive() == 0
    stalling = remote.RemotePool(remote.RemoteDataset(misbehaving_store + "/slow"), timeout=1)
    t0 = time.monotonic()
    with pytest.raises(QueryTimeout, match="did not answer within 1 s"):
        stalling.run(job)
    assert time.monotonic() - t0 < 2.5


# --- push -----------------------------------------------------------------------------------


def test_push_puts_every_graph_with_the_files_triples(virtuoso, pushed):
    data = file_graph(config.data_files())
    ontology = file_graph(config.ontology_files())
    assert store_count(virtuoso, config.GRAPH_DATA) == len(data)
    assert store_count(virtuoso, config.GRAPH_ONTOLOGY) == len(ontology)
    assert store_count(virtuoso, config.GRAPH_SHAPES) == len(file_graph([config.shapes_file()]))
    assert store_count(virtuoso, config.GRAPH_INFERRED) > 0
    assert "pushed" in pushed


def test_push_by_sparql_update_replaces_instead_of_duplicating(virtuoso, pushed):
    before = {g: store_count(virtuoso, g) for g in (config.GRAPH_DATA, config.GRAPH_ONTOLOGY)}
    # small chunks: blank-node groups (OWL restrictions) must not be cut apart
    proc = push("--store", virtuoso.sparql, "--update-url", virtuoso.url + "/sparql-auth",
                "--user", "dba", "--password", "dba", "--chunk", "50", "--no-validate")
    assert proc.returncode == 0, proc.stderr
    after = {g: store_count(virtuoso, g) for g in before}
    assert after == before
    # every restriction still has its owl:onProperty next to its type (same blank node)
    owl = "http://www.w3.org/2002/07/owl#"
    query = (f"ASK {{ GRAPH <{config.GRAPH_ONTOLOGY}> {{ ?r a <{owl}Restriction> "
             f"FILTER NOT EXISTS {{ ?r <{owl}onProperty> ?p }} }} }}")
    r = requests.post(virtuoso.sparql, data={"query": query}, headers={"Accept": JSON}, timeout=30)
    assert r.json()["boolean"] is False


def test_push_refuses_a_graph_that_does_not_validate(virtuoso, pushed, tmp_path):
    checkout = copy_checkout(tmp_path / "checkout")
    orgs = checkout / "data" / "organizations.ttl"
    orgs.write_text(orgs.read_text(encoding="utf-8")
                    + f'\n<{ADMIU}> <{SKOS_PREF}> "a label without language" .\n',
                    encoding="utf-8")
    before = store_count(virtuoso, config.GRAPH_DATA)
    proc = push("--store", virtuoso.sparql, "--graph-store-url", virtuoso.graph_crud,
                "--user", "dba", "--password", "dba", cwd=checkout)
    assert proc.returncode == 1
    assert "refused" in proc.stderr and "organizations.ttl" in proc.stderr
    assert store_count(virtuoso, config.GRAPH_DATA) == before


def test_push_reports_a_wrong_password_without_a_traceback(virtuoso, pushed):
    proc = push("--store", virtuoso.sparql, "--graph-store-url", virtuoso.graph_crud,
                "--user", "dba", "--password", "wrong", "--no-validate")
    assert proc.returncode == 2
    assert "401" in proc.stderr and "Traceback" not in proc.stderr


# --- the front over the store ----------------------------------------------------------------

NETWORK_LABELS = f"""SELECT ?s ?l WHERE {{ ?s a <{AU}Network> ; <{SKOS_PREF}> ?l }}"""


def test_select_in_json_csv_and_xml_matches_the_bundled_graph(front, local_store):
    expected = {(row["s"].value, row["l"].value, row["l"].language)
                for row in local_store.query(NETWORK_LABELS, use_default_graph_as_union=True)}
    assert expected
    r = sparql(front, NETWORK_LABELS)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(JSON)
    got = {(b["s"]["value"], b["l"]["value"], b["l"].get("xml:lang"))
           for b in r.json()["results"]["bindings"]}
    assert got == expected
    csv = sparql(front, NETWORK_LABELS, "text/csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "s,l" and len(lines) == len(expected) + 1
    xml = sparql(front, NETWORK_LABELS, "application/sparql-results+xml")
    parsed = ox.parse_query_results(xml.content, format=ox.QueryResultsFormat.XML)
    assert {(s["s"].value, s["l"].value, s["l"].language) for s in parsed} == expected


def test_ask_is_plain_sparql_json_without_virtuoso_extras(front):
    r = sparql(front, f"ASK {{ <{ADMIU}> ?p ?o }}")
    assert r.status_code == 200
    assert r.json() == {"head": {}, "boolean": True}
    assert sparql(front, "ASK { <urn:x:nothing> ?p ?o }").json()["boolean"] is False


def test_typed_literals_come_back_as_plain_literals_with_datatypes(front):
    r = sparql(front, 'SELECT ?n WHERE { BIND(42 AS ?n) }')
    binding = r.json()["results"]["bindings"][0]["n"]
    assert binding == {"type": "literal", "value": "42",
                       "datatype": "http://www.w3.org/2001/XMLSchema#integer"}


def test_construct_in_turtle_matches_the_data_graph(front):
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{config.GRAPH_DATA}> {{ ?s ?p ?o }} }}"
    r = sparql(front, query, "text/turtle")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    got = rdflib.Graph().parse(data=r.text, format="turtle")
    assert isomorphic(got, file_graph(config.data_files()))


def test_row_cap_and_syntax_errors_follow_the_endpoint_rules(front):
    r = sparql(front, "SELECT * WHERE { ?s ?p ?o }")
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) <= 10_000
    bad = sparql(front, "SELECT ?x WHERE { ?x ?y }")
    assert bad.status_code == 400
    assert "syntax" in bad.json()["message"].lower()


def test_entity_page_in_html_and_turtle(front, local_store):
    html = requests.get(front.url + "/id/admiu", headers={"Accept": "text/html"}, timeout=30)
    assert html.status_code == 200 and "text/html" in html.headers["Content-Type"]
    english = next(q.object.value for q in local_store.quads_for_pattern(
        ox.NamedNode(ADMIU), ox.NamedNode(SKOS_PREF), None, None) if q.object.language == "en")
    assert english in html.text
    ttl = requests.get(front.url + "/id/admiu", headers={"Accept": "text/turtle"}, timeout=30)
    assert ttl.status_code == 200
    got = rdflib.Graph().parse(data=ttl.text, format="turtle")
    own = {(p, o) for s, p, o in file_graph(config.data_files())
           if str(s) == ADMIU and not isinstance(o, rdflib.BNode)}
    assert own and own <= {(p, o) for s, p, o in got if str(s) == ADMIU}


def test_saved_query_runs_on_the_store(front, local_store):
    from admiukg.queries import catalogue as savedqueries

    listing = requests.get(front.url + "/api/queries", timeout=30).json()
    name = "admiu-networks"
    assert name in {q["name"] for q in listing["queries"]}
    saved = savedqueries.catalogue()[name]
    result = qchecks.execute(local_store, saved)
    names = [v.value for v in result.variables]
    expected = {tuple(row[v].value if row[v] is not None else None for v in names)
                for row in result}
    r = requests.get(f"{front.url}/api/queries/{name}", headers={"Accept": JSON}, timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert body["head"]["vars"] == names
    got = {tuple(b[v]["value"] if v in b else None for v in names)
           for b in body["results"]["bindings"]}
    assert got == expected and got


def test_downloads_hold_the_pushed_graphs(front):
    r = requests.get(front.url + "/downloads/admiukg-data.nt", timeout=60)
    assert r.status_code == 200
    got = rdflib.Graph().parse(data=r.text, format="nt")
    assert isomorphic(got, file_graph(config.data_files()))
    everything = requests.get(front.url + "/downloads/admiukg-all.nq", timeout=60)
    graphs = {line.rsplit(" ", 2)[-2] for line in everything.text.splitlines() if line}
    # only the project's graphs, not Virtuoso's system graphs
    assert graphs == {f"<{g}>" for g in (config.GRAPH_ONTOLOGY, config.GRAPH_DATA,
                                          config.GRAPH_INFERRED, config.GRAPH_SHAPES)}


# --- the store goes away and comes back -------------------------------------------------------


def test_store_down_gives_503_and_recovers_without_restart(front, virtuoso):
    pid = requests.get(front.url + "/health", timeout=10).json()["pid"]
    virtuoso.stop()
    try:
        r = sparql(front, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
        assert r.status_code == 503
        assert "unreachable" in r.json()["message"] and virtuoso.sparql in r.json()["message"]
        assert r.headers.get("Retry-After")
        page = requests.get(front.url + "/doc/cumulus", headers={"Accept": "text/html"},
                            timeout=30)
        assert page.status_code == 503
        health = requests.get(front.url + "/health", timeout=10)
        assert health.status_code == 503
        assert health.json()["store"]["reachable"] is False
        assert health.json()["store"]["error"]
    finally:
        virtuoso.start()
    deadline = time.monotonic() + 30
    while True:
        r = sparql(front, f"ASK {{ <{ADMIU}> ?p ?o }}")
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert r.status_code == 200 and r.json()["boolean"] is True
    health = requests.get(front.url + "/health", timeout=10)
    assert health.status_code == 200 and health.json()["store"]["reachable"] is True
    assert health.json()["pid"] == pid  # the same server process, not a restart
