"""Staying up when things break: a killed query worker, bad input files, ``--reload``, and a
``--store`` that is unreachable. Every server here is the real one (``python server.py``,
gunicorn) on 127.0.0.1; data is broken only in a throwaway copy of the checkout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests
from sandbox import break_turtle, copy_checkout
from sparql_live import ROOT, LiveServer, free_port, write_sample_dataset

from bench.proctree import cpu_ticks, query_workers

JSON = "application/sparql-results+json"
ADMIU = "https://kg.admiu.example/id/admiu"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
ENDLESS_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def ask(url: str, query: str) -> requests.Response:
    return requests.post(url, data={"query": query}, headers={"Accept": JSON}, timeout=90)


def wait_for(predicate, timeout: float, what: str, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def run_server(args, cwd, timeout=120) -> subprocess.CompletedProcess:
    """``python server.py ARGS`` that is expected to refuse to start."""
    return subprocess.run([sys.executable, "server.py", *args, "--port", str(free_port())],
                          cwd=cwd, check=False, capture_output=True, text=True,
                          timeout=timeout)


# --- a query worker dies mid-query ------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(["--workers", "1", "--query-workers", "2", "--timeout", "60"],
                     cache_dir=tmp_path_factory.mktemp("faults-store"))
    srv.start()
    yield srv
    srv.stop()


def busy_worker(master: int) -> int | None:
    """The query worker burning CPU (the one running the endless query), measured over a
    second so that a machine busy with other work still shows a clear difference."""
    before = {p: cpu_ticks(p) for p in query_workers(master)}
    time.sleep(1.0)
    used = sorted(((cpu_ticks(p) - t, p) for p, t in before.items()), reverse=True)
    if not used or used[0][0] < 10:  # under 0.1 s of CPU: nothing is running yet
        return None
    if len(used) > 1 and used[1][0] * 2 > used[0][0]:
        return None  # two busy workers: not sure which one is ours
    return used[0][1]


def test_killed_query_worker_fails_only_its_query_and_is_replaced(server):
    health = requests.get(server.url + "/health", timeout=10).json()
    replaced_before = health["workers"]["replaced"]
    victim_reply = {}

    def endless():
        victim_reply["r"] = ask(server.endpoint, ENDLESS_QUERY)

    others, stop = [], threading.Event()

    def bystander():
        n = 0
        while not stop.is_set():  # distinct queries: the response cache must not answer
            n += 1
            others.append(ask(server.endpoint, f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {n}"))

    victim = threading.Thread(target=endless)
    victim.start()
    pid = wait_for(lambda: busy_worker(server.proc.pid), 30, "a busy query worker")
    watcher = threading.Thread(target=bystander)
    watcher.start()
    time.sleep(0.5)
    os.kill(pid, signal.SIGKILL)
    victim.join(60)
    time.sleep(1)
    stop.set()
    watcher.join(30)

    r = victim_reply["r"]
    assert r.status_code == 503
    assert "crashed its worker" in r.json()["message"]
    assert others and all(o.status_code == 200 for o in others), \
        [o.status_code for o in others if o.status_code != 200]

    def replaced():
        h = requests.get(server.url + "/health", timeout=10).json()["workers"]
        return h["alive"] == 2 and h["replaced"] > replaced_before

    wait_for(replaced, 30, "the killed worker's replacement")
    assert pid not in query_workers(server.proc.pid)
    assert ask(server.endpoint, f"ASK {{ <{ADMIU}> ?p ?o }}").json()["boolean"] is True


# --- bad input files --------------------------------------------------------------------------


def test_corrupt_bundled_file_refuses_to_start_naming_file_and_line(tmp_path):
    checkout = copy_checkout(tmp_path / "checkout")
    break_turtle(checkout / "data" / "people.ttl", 5)
    proc = run_server(["--cache-dir", str(tmp_path / "cache")], cwd=checkout)
    assert proc.returncode != 0
    assert "people.ttl:5" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_corrupt_served_file_refuses_to_start_naming_file_and_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "ok" .\nex:c ex:d "unterminated .\n')
    proc = run_server([str(bad), "--cache-dir", str(tmp_path / "cache")], cwd=ROOT)
    assert proc.returncode != 0
    assert "bad.ttl" in proc.stderr and "line 3" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bundled_graph_with_violations_refuses_to_start(tmp_path):
    checkout = copy_checkout(tmp_path / "checkout")
    orgs = checkout / "data" / "organizations.ttl"
    orgs.write_text(orgs.read_text(encoding="utf-8")
                    + f'\n<{ADMIU}> <{PREF_LABEL}> "a label without language" .\n')
    proc = run_server(["--cache-dir", str(tmp_path / "cache")], cwd=checkout)
    assert proc.returncode != 0
    assert "validation" in proc.stderr and "organizations.ttl" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- --reload ---------------------------------------------------------------------------------


def launch(server: LiveServer, cwd) -> LiveServer:
    """Start ``server`` (its args, port, log) from ``cwd`` without waiting for health."""
    server.proc = subprocess.Popen(
        [sys.executable, "server.py", *server.args, "--host", "127.0.0.1",
         "--port", str(server.port), "--cache-dir", server.cache_dir],
        cwd=cwd, stdout=server.log, stderr=subprocess.STDOUT, start_new_session=True)
    return server


def healthy(server: LiveServer):
    r = _get(server.url + "/health")
    return r is not None and r.status_code == 200


def test_reload_swaps_good_graphs_and_keeps_serving_through_bad_ones(tmp_path):
    checkout = copy_checkout(tmp_path / "checkout")
    orgs = checkout / "data" / "organizations.ttl"
    original = orgs.read_text(encoding="utf-8")
    srv = launch(LiveServer(["--reload", "--workers", "1"], cache_dir=tmp_path / "cache"),
                 checkout)
    new_fact = f'ASK {{ <{ADMIU}> <{ALT_LABEL}> "ReloadTest"@en }}'
    try:
        wait_for(lambda: healthy(srv), 120, "the server over the copied checkout")
        assert ask(srv.endpoint, new_fact).json()["boolean"] is False
        status = requests.get(srv.url + "/health", timeout=10).json()["reload"]
        assert status["generation"] == 0 and status["error"] is None

        # 1. a syntax error: refused, reported, the old graph keeps answering
        orgs.write_text(original + "\nthis is not turtle ;;\n", encoding="utf-8")
        failed = wait_for(lambda: _reload_error(srv), 90, "the reload error in /health")
        assert "organizations.ttl" in failed
        assert ask(srv.endpoint, f"ASK {{ <{ADMIU}> ?p ?o }}").json()["boolean"] is True
        assert "reload refused" in srv.log_text()

        # 2. a good change: swapped in without a restart
        orgs.write_text(original + f'\n<{ADMIU}> <{ALT_LABEL}> "ReloadTest"@en .\n',
                        encoding="utf-8")
        wait_for(lambda: ask(srv.endpoint, new_fact).status_code == 200
                 and ask(srv.endpoint, new_fact).json()["boolean"], 90, "the new graph")
        status = requests.get(srv.url + "/health", timeout=10).json()["reload"]
        assert status["error"] is None and status["generation"] == 1

        # 3. valid Turtle that breaks the shapes: refused, the last good graph stays
        orgs.write_text(original + f'\n<{ADMIU}> <{ALT_LABEL}> "ReloadTest"@en .\n'
                        f'<{ADMIU}> <{PREF_LABEL}> "no language tag" .\n', encoding="utf-8")
        failed = wait_for(lambda: _reload_error(srv), 90, "the validation error in /health")
        assert "validation" in failed
        assert ask(srv.endpoint, new_fact).json()["boolean"] is True
        assert requests.get(srv.url + "/health", timeout=10).status_code == 200
    finally:
        srv.stop()


def _reload_error(srv) -> str | None:
    try:
        return requests.get(srv.url + "/health", timeout=10).json()["reload"]["error"]
    except (requests.RequestException, ValueError, KeyError):
        return None


# --- --store that is not there ----------------------------------------------------------------


def test_unreachable_store_gives_503_then_recovers_when_it_appears(tmp_path):
    store_port = free_port()
    store_url = f"http://127.0.0.1:{store_port}/sparql"
    front = launch(LiveServer(["--store", store_url, "--workers", "1", "--timeout", "5"],
                              cache_dir=tmp_path / "front"), ROOT)
    store = None
    try:
        # (a list: a Response is falsy for error statuses, and a 503 is what we wait for)
        health = wait_for(lambda: [r for r in [_get(front.url + "/health")] if r is not None],
                          60, "the front to answer")[0]
        assert health.status_code == 503
        assert health.json()["store"]["reachable"] is False
        r = ask(front.endpoint, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        assert r.status_code == 503 and "unreachable" in r.json()["message"]

        # a SPARQL store appears at that address (our own endpoint over a sample file)
        sample = write_sample_dataset(tmp_path / "sample.trig", people=20)
        store = LiveServer([sample, "--workers", "1"], cache_dir=tmp_path / "store")
        store.port, store.url = store_port, f"http://127.0.0.1:{store_port}"
        store.start()
        r = wait_for(lambda: _ok(ask(front.endpoint, "SELECT (COUNT(*) AS ?n) WHERE "
                                     "{ GRAPH ?g { ?s a <http://xmlns.com/foaf/0.1/Person> } }")),
                     30, "answers through the recovered store")
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "20"
        assert _get(front.url + "/health").status_code == 200
        assert front.proc.poll() is None  # the same front process throughout
    finally:
        if store:
            store.stop()
        front.stop()


def _get(url):
    try:
        return requests.get(url, timeout=10)
    except requests.RequestException:
        return None


def _ok(r):
    return r if r is not None and r.status_code == 200 else None
