"""Query workers forked from one in-memory copy, and fair scheduling under load (live servers).

The load test is bounded (``ADMIUKG_FAIR_SECONDS``, 15 s by default): greedy clients, each from
its own loopback address, loop queries that run into the deadline while cheap clients send
distinct quick queries; no cheap request may fail and their p99 must stay under a second.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import pytest
from sparql_live import ROOT, LiveServer

from bench.proctree import cmdline, query_workers

JSON = "application/sparql-results+json"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SECONDS = float(os.environ.get("ADMIUKG_FAIR_SECONDS", "15"))


def post(port, query, source="127.0.0.1", timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0))
    try:
        conn.request("POST", "/sparql", body=urlencode({"query": query}), headers={
            "Accept": JSON, "Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        return r.status, r.headers, r.read()  # header names are case-insensitive (HTTP/1.1)
    finally:
        conn.close()


def health(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/health")
    return json.loads(conn.getresponse().read())


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def sample(sparql_sample_file):
    return sparql_sample_file


def test_workers_are_forks_of_the_in_memory_copy_and_replaced_without_reload(sample, tmp_path):
    srv = LiveServer([sample, "--workers", "1", "--query-workers", "2", "--timeout", "30"],
                     cache_dir=tmp_path)
    srv.start()
    try:
        wait_for(lambda: health(srv)["workers"]["in_memory"], 30, "the in-memory copy")
        # every request now goes to forks of the zygote, not to interpreters on the disk store
        for i in range(4):
            assert post(srv.port, f"ASK {{ ?s ?p ?o }} # {i}")[0] == 200
        workers = query_workers(srv.proc.pid)
        assert len(workers) == 2
        assert all("admiukg.endpoint.zygote" in cmdline(p) for p in workers), \
            [cmdline(p) for p in workers]
        # a runaway query's worker is killed: the fork that replaces it answers at once
        before = health(srv)["workers"]["replaced"]
        victim = {}
        t = threading.Thread(target=lambda: victim.setdefault("r", post(srv.port, ENDLESS)))
        t.start()
        time.sleep(1.0)
        busy = set(query_workers(srv.proc.pid))
        for pid in busy:
            if open(f"/proc/{pid}/stat").read().rsplit(") ", 1)[1].split()[0] == "R":
                os.kill(pid, signal.SIGKILL)
        t.join(30)
        assert victim["r"][0] == 503 and b"crashed its worker" in victim["r"][2]
        started = time.monotonic()
        wait_for(lambda: health(srv)["workers"]["replaced"] > before
                 and health(srv)["workers"]["alive"] == 2, 10, "the replacement fork")
        assert time.monotonic() - started < 2  # a fork, not a reload of the store
        status, _, body = post(srv.port, "SELECT (COUNT(*) AS ?n) { ?s a ?c }")
        assert status == 200 and b'"255"' in body
    finally:
        srv.stop()


def _endless_query(srv) -> tuple[socket.socket, list[int]]:
    """A connection that has sent ENDLESS as a POST, once a query worker is running it; and
    the running workers."""
    body = urlencode({"query": ENDLESS}).encode()
    client = socket.create_connection(("127.0.0.1", srv.port))
    client.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + JSON.encode()
                   + b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                   + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    running = wait_for(lambda: [p for p in query_workers(srv.proc.pid) if open(
        f"/proc/{p}/stat").read().rsplit(") ", 1)[1].split()[0] == "R"], 10, "the query")
    return client, running


def test_a_query_whose_client_hangs_up_is_stopped(sample, tmp_path):
    """A long query whose client closes the connection frees its worker at once, not at the
    deadline: nobody would read its answer, and a client could otherwise hold every worker by
    sending heavy queries and hanging up."""
    srv = LiveServer([sample, "--workers", "1", "--query-workers", "1", "--timeout", "60"],
                     cache_dir=tmp_path)
    srv.start()
    try:
        wait_for(lambda: health(srv)["workers"]["in_memory"], 30, "the in-memory copy")
        before = health(srv)["workers"]["recycled"]
        client, running = _endless_query(srv)
        time.sleep(0.5)
        client.close()
        wait_for(lambda: not set(running) & set(query_workers(srv.proc.pid)), 5,
                 "the hung-up query's worker to go")
        assert health(srv)["workers"]["recycled"] > before
        assert "status=499" in srv.log_text()
        status, _, body = post(srv.port, "SELECT (COUNT(*) AS ?n) { ?s a ?c }")
        assert status == 200 and b'"255"' in body
    finally:
        srv.stop()


def test_a_long_query_whose_client_half_closes_is_stopped_and_the_client_told(sample, tmp_path):
    """A half-close sends the same FIN as a hang-up: a query still running past ``held_after``
    is stopped as for a client that went away, and a client still reading gets a 400 saying why
    (a quick answer is sent as usual: tests/test_slow_clients.py)."""
    srv = LiveServer([sample, "--workers", "1", "--query-workers", "1", "--timeout", "60"],
                     cache_dir=tmp_path)
    srv.start()
    try:
        wait_for(lambda: health(srv)["workers"]["in_memory"], 30, "the in-memory copy")
        before = health(srv)["workers"]["recycled"]
        client, _ = _endless_query(srv)
        with client:
            client.settimeout(20)
            client.shutdown(socket.SHUT_WR)
            t0 = time.monotonic()
            reply = b""
            while chunk := client.recv(4096):
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 400") and b'"client-closed"' in reply, reply[:300]
        assert time.monotonic() - t0 < 10  # not the 60 s deadline
        wait_for(lambda: health(srv)["workers"]["recycled"] > before, 5, "a fresh worker")
        assert "status=499" in srv.log_text()
        status, _, body = post(srv.port, "SELECT (COUNT(*) AS ?n) { ?s a ?c }")
        assert status == 200 and b'"255"' in body
    finally:
        srv.stop()


COPYING = "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?a ?c ?d { ?a ?b ?c . ?d ?e ?f } }"


def test_a_worker_that_copied_its_limit_hands_it_back_after_that_query(sample, tmp_path):
    """--worker-copy-mb: the fork retires right after the query that took it over the limit
    (its copy is freed at once, not held until a next query), and a fresh fork takes over."""
    srv = LiveServer([sample, "--workers", "1", "--query-workers", "1", "--timeout", "30",
                      "--worker-copy-mb", "16", "--cache-mb", "0"], cache_dir=tmp_path)
    srv.start()
    try:
        wait_for(lambda: health(srv)["workers"]["in_memory"], 30, "the in-memory copy")
        assert post(srv.port, "ASK { ?s ?p ?o }")[0] == 200  # copies next to nothing: stays
        [first] = query_workers(srv.proc.pid)
        assert health(srv)["workers"]["recycled"] == 0
        status, _, body = post(srv.port, COPYING)  # ~90 MB of hash table
        assert status == 200 and b'"261632"' in body
        assert health(srv)["workers"]["recycled"] == 1  # retired with that very reply
        wait_for(lambda: query_workers(srv.proc.pid) and first not in query_workers(srv.proc.pid),
                 10, "the fresh fork")
        assert post(srv.port, "ASK { ?s ?p ?o }")[0] == 200
    finally:
        srv.stop()


def test_a_dead_web_process_takes_its_forked_workers_with_it(sample, tmp_path):
    """Workers are the zygote's children, not the web process's: the zygote must kill them
    when the web process that asked for them disappears mid-query."""
    from admiukg.endpoint.zygote import start_zygote
    from admiukg.store.local import load_dataset

    ds = load_dataset([sample], cache_dir=tmp_path / "store")
    socket_path = str(tmp_path / "zygote.sock")
    zygote = start_zygote(socket_path, ds.info.to_json())
    try:
        wait_for(lambda: os.path.exists(socket_path), 30, "the zygote")
        owner = subprocess.Popen([sys.executable, "-c", (
            "import threading\n"
            "from admiukg.endpoint.pool import QueryPool\n"
            f"pool = QueryPool({ds.path!r}, size=1, timeout=600, zygote={socket_path!r})\n"
            "pool.start()\n"
            "print(*[w.process.pid for w in pool._workers], flush=True)\n"
            f"job = {{'query': {ENDLESS!r}, 'default_graphs': None, 'named_graphs': None,"
            " 'has_dataset': False, 'results_format': 'json', 'graph_format': None,"
            " 'max_rows': 1}\n"
            "threading.Thread(target=pool.run, args=(job,), daemon=True).start()\n"
            "threading.Event().wait()\n")], stdout=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        worker = int(owner.stdout.readline())
        assert worker in [int(x) for x in open(f"/proc/{zygote.pid}/task/{zygote.pid}/children")
                          .read().split()]
        time.sleep(1.0)
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        wait_for(lambda: not os.path.exists(f"/proc/{worker}")
                 or open(f"/proc/{worker}/stat").read().rsplit(") ", 1)[1][0] == "Z",
                 10, "the orphaned worker to be killed")
    finally:
        zygote.kill()
        zygote.wait()


@pytest.mark.load
def test_greedy_clients_are_throttled_and_cheap_queries_stay_fast(sample, tmp_path):
    # one thread per client: holding threads is the HTTP front's business, not the pool's
    srv = LiveServer([sample, "--workers", "1", "--threads", "48", "--query-workers", "2",
                      "--timeout", "3",
                      "--fair-use-loopback", "--client-queries", "2", "--client-seconds", "6",
                      "--cache-mb", "0"], cache_dir=tmp_path)
    srv.start()
    wait_for(lambda: health(srv)["workers"]["in_memory"], 30, "the in-memory copy")
    stop_at = time.monotonic() + SECONDS
    cheap, greedy, lock = [], [], threading.Lock()

    def cheap_client(n):
        i = 0
        while time.monotonic() < stop_at:
            i += 1
            t0 = time.perf_counter()
            status, headers, body = post(srv.port, f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {i}",
                                         source=f"127.0.1.{n}")
            with lock:
                cheap.append((status, time.perf_counter() - t0, body[:200]))

    def greedy_client(n):
        while time.monotonic() < stop_at:
            status, headers, _ = post(srv.port, ENDLESS + f" # {n} {time.monotonic()}",
                                      source=f"127.0.2.{n}")
            with lock:
                greedy.append((status, headers.get("Retry-After")))
            if status == 429:
                time.sleep(min(float(headers.get("Retry-After", 1)), 1.0))

    threads = [threading.Thread(target=cheap_client, args=(n,)) for n in range(1, 31)]
    threads += [threading.Thread(target=greedy_client, args=(n,)) for n in range(1, 11)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(SECONDS + 60)
    finally:
        srv.stop()
    lost = [c for c in cheap if c[0] != 200]
    times = sorted(c[1] for c in cheap)
    p99 = times[int(len(times) * 0.99)]
    statuses = sorted({g[0] for g in greedy})
    print(f"\ncheap: {len(cheap)} requests, p50 {times[len(times) // 2] * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, lost {len(lost)}; greedy answers {statuses}")
    from collections import Counter
    assert not lost, (Counter((c[0], c[2][:90]) for c in lost), lost[:3])
    assert len(cheap) > 100
    assert p99 <= 1.0
    assert 429 in statuses and all(g[1] for g in greedy if g[0] == 429)
