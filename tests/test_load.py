"""Staying up under load: the real server (gunicorn, bundled graph) with 50 clients for 60 s.

The clients mix saved queries (/api/queries/NAME), random valid queries over the graph's real
predicates, and hostile requests: a query that runs into the (short) query timeout, syntax
errors, oversized bodies. Pass criteria: no good request fails or changes its answer, the only
5xx are the 503s of the timeout queries, and the server's memory (master + web workers + query
workers, from /proc) grows less than RSS_GROWTH_LIMIT. The p50/p99 of good requests are printed.

Shorter local runs: ADMIUKG_LOAD_SECONDS=10 ADMIUKG_LOAD_CLIENTS=20 pytest tests/test_load.py -s
"""

from __future__ import annotations

import json
import os
import random
import statistics
import threading
import time
from collections import Counter

import pyoxigraph as ox
import pytest
import requests
from sparql_live import LiveServer

from bench.proctree import tree_rss

SECONDS = float(os.environ.get("ADMIUKG_LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("ADMIUKG_LOAD_CLIENTS", "50"))
QUERY_TIMEOUT = 2  # seconds: the hostile query is stopped after this
MAX_BODY_KIB = 64
CACHE_MB = 16  # response cache per web worker
WEB_WORKERS = 2
#: Query processes per web worker: one may be stuck on the timeout query (and then be
#: replaced) while the others serve the 8 threads of its web worker.
QUERY_WORKERS = 4
#: Allowed growth of the whole tree: both response caches full, plus headroom for allocator
#: slack and replaced query workers warming up their store pages.
RSS_GROWTH_LIMIT = (WEB_WORKERS * CACHE_MB + 150) * 2**20
JSON = "application/sparql-results+json"
#: A cross product of three copies of the graph: billions of rows, never finishes in time.
TIMEOUT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(["--timeout", str(QUERY_TIMEOUT), "--workers", str(WEB_WORKERS),
                      "--query-workers", str(QUERY_WORKERS), "--max-body", str(MAX_BODY_KIB),
                      "--cache-mb", str(CACHE_MB)],
                     cache_dir=tmp_path_factory.mktemp("load-store"))
    srv.start()
    yield srv
    srv.stop()


def predicates() -> list[str]:
    from admiukg.store.golden import bundled_store

    store = bundled_store()
    rows = store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    return sorted(r["p"].value for r in rows)


def random_query(rng: random.Random, preds: list[str]) -> tuple[str, str]:
    """A random valid query over real predicates and the format to ask for."""
    p, q = rng.choice(preds), rng.choice(preds)
    shape = rng.randrange(5)
    if shape == 0:
        query = (f"SELECT ?s ?o WHERE {{ ?s <{p}> ?o }} LIMIT {rng.randint(1, 50)} "
                 f"OFFSET {rng.randint(0, 20)}")
        return query, rng.choice([JSON, "text/csv", "application/sparql-results+xml"])
    if shape == 1:
        return (f"SELECT ?s ?y WHERE {{ ?s <{p}> ?x . ?x <{q}> ?y }} LIMIT {rng.randint(1, 100)}",
                JSON)
    if shape == 2:
        return f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{p}> ?o }}", JSON
    if shape == 3:
        return f"ASK {{ ?s <{p}> ?o . ?o <{q}> ?z }}", JSON
    return (f"CONSTRUCT {{ ?s <{p}> ?o }} WHERE {{ ?s <{p}> ?o }} LIMIT {rng.randint(1, 30)}",
            "text/turtle")


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.good_ms: list[float] = []
        self.failures: list[str] = []

    def add(self, kind: str, status: int, ms: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.counts[(kind, status)] += 1
            if kind in ("saved", "random"):
                self.good_ms.append(ms)
            if not ok and len(self.failures) < 20:
                self.failures.append(f"{kind} -> {status}: {detail[:200]}")


def same_answer(body: bytes, reference: bytes, accept: str) -> bool:
    """Equal results, whatever the row / triple order of the worker that answered."""
    if accept == JSON:
        def rows(b):
            doc = json.loads(b)
            return doc["head"], sorted(json.dumps(x, sort_keys=True)
                                       for x in doc.get("results", {}).get("bindings", []))
        return rows(body) == rows(reference)
    def triples(b):
        return sorted(str(q) for q in ox.parse(b, format=ox.RdfFormat.TURTLE))
    return triples(body) == triples(reference)


def test_fifty_clients_for_a_minute(server):
    from admiukg.queries.catalogue import catalogue

    preds = predicates()
    saved_accept = {name: "text/turtle" if q.is_graph else JSON for name, q in catalogue().items()}
    saved = sorted(saved_accept)
    session = requests.Session()
    # reference answers, taken while the server is idle
    reference = {}
    for name in saved:
        r = session.get(f"{server.url}/api/queries/{name}",
                        headers={"Accept": saved_accept[name]}, timeout=30)
        assert r.status_code == 200, (name, r.text)
        reference[name] = r.content
    rss_before = tree_rss(server.proc.pid)

    tally = Tally()
    stop_at = time.monotonic() + SECONDS
    one_timeout_at_a_time = threading.Semaphore(1)  # keeps the query pool from saturating
    oversized = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (MAX_BODY_KIB * 1024 + 10)

    def client(seed: int) -> None:
        rng = random.Random(seed)
        s = requests.Session()
        while time.monotonic() < stop_at:
            roll = rng.random()
            kind = "?"
            t0 = time.perf_counter()
            try:
                if roll < 0.45:
                    kind = "saved"
                    name = rng.choice(saved)
                    r = s.get(f"{server.url}/api/queries/{name}",
                              headers={"Accept": saved_accept[name]}, timeout=30)
                    ok = r.status_code == 200 and same_answer(r.content, reference[name],
                                                              saved_accept[name])
                    tally.add("saved", r.status_code, _ms(t0), ok, name + " " + r.text)
                elif roll < 0.90:
                    kind = "random"
                    query, accept = random_query(rng, preds)
                    r = s.post(server.endpoint, data={"query": query},
                               headers={"Accept": accept}, timeout=30)
                    ok = r.status_code == 200 and (accept != JSON or "head" in r.json())
                    tally.add("random", r.status_code, _ms(t0), ok, query + " " + r.text)
                elif roll < 0.95:
                    kind = "syntax"
                    r = s.post(server.endpoint, data={"query": "SELECT ?x WHERE { ?x ?y }"},
                               timeout=30)
                    tally.add("syntax", r.status_code, _ms(t0), r.status_code == 400, r.text)
                elif roll < 0.98:
                    kind = "oversized"
                    r = s.post(server.endpoint, data=oversized.encode(), timeout=30,
                               headers={"Content-Type": "application/sparql-query"})
                    tally.add("oversized", r.status_code, _ms(t0), r.status_code == 413, r.text)
                elif one_timeout_at_a_time.acquire(blocking=False):
                    try:
                        r = s.post(server.endpoint, data={"query": TIMEOUT_QUERY}, timeout=30)
                    finally:
                        one_timeout_at_a_time.release()
                    tally.add("timeout", r.status_code, _ms(t0), r.status_code == 503, r.text)
            except requests.RequestException as exc:
                tally.add("connection", 0, _ms(t0), False, f"{kind}: {exc!r}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(SECONDS + 120)
    elapsed = time.monotonic() - started
    rss_after = tree_rss(server.proc.pid)

    total = sum(tally.counts.values())
    good = sorted(tally.good_ms)
    p50 = statistics.median(good) if good else float("nan")
    p99 = good[min(len(good) - 1, int(len(good) * 0.99))] if good else float("nan")
    growth = rss_after - rss_before
    print(f"\nload: {CLIENTS} clients, {elapsed:.0f} s, {total} requests "
          f"({total / elapsed:.0f}/s); good {len(good)}: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    for (kind, status), n in sorted(tally.counts.items()):
        print(f"  {kind:10} {status}: {n}")
    print(f"  RSS of the server tree: {rss_before / 2**20:.0f} MiB -> "
          f"{rss_after / 2**20:.0f} MiB (growth {growth / 2**20:+.0f} MiB, "
          f"limit {RSS_GROWTH_LIMIT / 2**20:.0f} MiB)")

    assert not any(t.is_alive() for t in threads), "clients hung"
    assert not tally.failures, "\n".join(tally.failures)
    five_xx = {k: n for k, n in tally.counts.items() if k[1] >= 500 and k != ("timeout", 503)}
    assert not five_xx
    assert len(good) > CLIENTS, "the load test did hardly any work"
    assert tally.counts[("timeout", 503)] >= 1, "the hostile timeout query never ran"
    assert growth < RSS_GROWTH_LIMIT
    # the pools are whole again once the last killed timeout worker has been replaced
    deadline = time.monotonic() + 30
    while True:
        health = requests.get(server.url + "/health", timeout=10)
        if health.json()["workers"]["alive"] == QUERY_WORKERS or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert health.status_code == 200 and health.json()["workers"]["alive"] == QUERY_WORKERS


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000

