"""Safe by default, tested against live servers: runaway queries are stopped, crashed workers
replaced, memory bounded, and no query makes the server contact another host.
"""

from __future__ import annotations

import concurrent.futures
import time

import pytest
import requests
from netprobe import Listener
from sparql_live import LiveServer

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
QUICK = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }"


def health(server):
    return requests.get(server.url + "/health", timeout=30).json()


def count(resp) -> int:
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


def test_runaway_query_stopped_at_deadline_and_server_keeps_serving(sparql_server):
    before = health(sparql_server)["workers"]["replaced"]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        t0 = time.monotonic()
        slow = pool.submit(requests.get, sparql_server.endpoint,
                           params={"query": CROSS_JOIN}, timeout=60)
        time.sleep(0.3)
        # while the runaway query runs, the second worker answers others promptly
        for _ in range(5):
            quick = requests.get(sparql_server.endpoint, params={"query": QUICK}, timeout=10)
            assert quick.status_code == 200
            assert count(quick) == 255
        r = slow.result()
        elapsed = time.monotonic() - t0
    assert r.status_code == 503
    assert "time limit of 3 s" in r.json()["message"]
    assert r.headers["Retry-After"]
    assert 2.5 < elapsed < 8
    # the killed worker is replaced
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        h = health(sparql_server)
        if h["workers"]["alive"] == 2 and h["workers"]["replaced"] > before:
            break
        time.sleep(0.2)
    assert h["workers"]["alive"] == 2 and h["workers"]["replaced"] == before + 1
    assert count(requests.get(sparql_server.endpoint, params={"query": QUICK}, timeout=10)) == 255


def test_timeouts_in_parallel_do_not_take_the_server_down(sparql_server):
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(requests.get, sparql_server.endpoint,
                               params={"query": CROSS_JOIN + f" # {i}"}, timeout=60)
                   for i in range(3)]
        statuses = [f.result().status_code for f in futures]
    assert statuses == [503, 503, 503]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and health(sparql_server)["workers"]["alive"] < 2:
        time.sleep(0.2)
    assert count(requests.get(sparql_server.endpoint, params={"query": QUICK}, timeout=10)) == 255


def test_memory_limit_stops_a_query_that_allocates_too_much(sparql_server):
    # materialising a cross product for ORDER BY grows without bound: RLIMIT_AS (1 GiB) or
    # the deadline stops it; either way a 503, and the server goes on answering
    q = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g LIMIT 1"
    r = requests.get(sparql_server.endpoint, params={"query": q}, timeout=60)
    assert r.status_code == 503
    assert r.json()["error"] == "unavailable"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and health(sparql_server)["workers"]["alive"] < 2:
        time.sleep(0.2)
    assert count(requests.get(sparql_server.endpoint, params={"query": QUICK}, timeout=10)) == 255


@pytest.fixture(scope="module")
def unguarded_server(sparql_sample_file, tmp_path_factory):
    """A server whose static depth limit is off, so that a query can crash its worker."""
    server = LiveServer([sparql_sample_file, "--max-depth", "1000000", "--workers", "1",
                         "--query-workers", "1", "--timeout", "20"],
                        cache_dir=tmp_path_factory.mktemp("unguarded-store"))
    server.start()
    yield server
    server.stop()


def test_crashed_worker_is_replaced_and_server_keeps_answering(unguarded_server):
    deep = "SELECT * WHERE " + "{" * 5000 + "}" * 5000  # segfaults pyoxigraph 0.5
    r = requests.post(unguarded_server.endpoint, data=deep.encode(),
                      headers={"Content-Type": "application/sparql-query"}, timeout=60)
    assert r.status_code == 503, r.text  # never a 500, never a hung request
    assert "Traceback" not in r.text
    assert "crashed" in r.json()["message"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and health(unguarded_server)["workers"]["alive"] < 1:
        time.sleep(0.2)
    ok = requests.get(unguarded_server.endpoint, params={"query": QUICK}, timeout=30)
    assert ok.status_code == 200 and count(ok) == 255


# --- no outbound traffic -------------------------------------------------------------------


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def test_listener_would_see_an_engine_that_fetches(listener):
    """Control: pyoxigraph itself does contact a SERVICE IRI, so the guard is what stops it."""
    import pyoxigraph as ox

    try:
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
    except Exception:
        pass
    time.sleep(0.3)
    assert listener.hits >= 1


def test_no_request_leaves_the_machine(sparql_server, listener):
    url = listener.url
    attempts = [
        {"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"},
        {"query": f"SELECT * WHERE {{ service silent <{url}> {{ ?s ?p ?o }} }}"},
        {"query": f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}"},
        {"query": f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}"},
        {"query": f"SELECT * WHERE {{ SERVICE # sneaky\n <{url}> {{ ?s ?p ?o }} }}"},
        {"query": f"LOAD <{url}>"},
        {"query": f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}"},
        {"query": f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
        {"query": f"ASK {{ GRAPH <{url}> {{ ?s ?p ?o }} }}"},
        {"query": f"DESCRIBE <{url}>"},
        {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": url},
        {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": url},
        {"update": f"LOAD <{url}>"},
    ]
    statuses = []
    for params in attempts:
        r = requests.get(sparql_server.endpoint, params=params, timeout=30)
        statuses.append(r.status_code)
        assert r.status_code < 500
    time.sleep(0.5)
    assert listener.hits == 0
    assert statuses[:6] == [403] * 6  # SERVICE and LOAD refused
    assert statuses[6:12] == [200] * 6  # FROM / graph IRIs only name (empty) local graphs
    assert statuses[12] == 403
