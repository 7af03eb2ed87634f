"""Queries never seen before, over HTTP: this server against ``oxigraph serve`` in memory.

    python bench/generate.py 1m -o /tmp/syn-1m.ttl
    python bench/distinct_bench.py --data /tmp/syn-1m.ttl [--seconds 8] [--clients 4]

Both servers get the same file (ours: ``python server.py FILE --cache-mb 0``; Oxigraph: ``oxigraph
serve`` in memory, loaded over its Graph Store endpoint) and the same seeded stream of distinct
queries in six shapes (:mod:`bench.distinct`). First the answers are compared (bindings, sorted;
graphs as sets of N-Triples lines); then each server answers ``--warm-up`` seconds of them (its
rate is printed as "just started"); then throughput at ``--clients`` keep-alive clients is
measured in windows alternated A B A B, per-shape p50 from all windows. The warm-up matters to
ours: its query workers are forks sharing the in-memory store, and pyoxigraph writes to pages it
only reads (reference counts), so a fork's first hundred or so grouped queries also copy the
pages they touch (+4-7 ms each). The cache's effect is measured separately (ours with the cache
on, replaying one window's queries). Machine load is printed. ``--per-shape SECONDS`` adds, per
server, a window of each shape alone and the CPU one request of it cost the server's tree.
``--store URL`` serves a SPARQL store already holding ``--data`` (e.g. Virtuoso) instead of the
file (``server.py --store URL``; it has no response cache, so no cache row).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.distinct import SHAPES, DistinctQueries, graph_counts  # noqa: E402
from bench.live import LiveServer, free_port  # noqa: E402
from bench.proctree import tree_cpu_seconds  # noqa: E402


def start_oxigraph(data: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(["oxigraph", "serve", "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
            break
        except OSError:
            time.sleep(0.1)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    with open(data, "rb") as f:
        conn.request("POST", "/store?default", body=f, headers={"Content-Type": "text/turtle"})
    r = conn.getresponse()
    r.read()
    if r.status >= 300:
        raise RuntimeError(f"oxigraph load failed: {r.status}")
    return proc, base + "/query"


class Client:
    def __init__(self, endpoint: str):
        u = urlsplit(endpoint)
        self.host, self.port, self.path = u.hostname, u.port, u.path
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def ask(self, query: str, accept: str) -> tuple[int, bytes]:
        body = urlencode({"query": query})
        for attempt in (0, 1):
            try:
                self.conn.request("POST", self.path, body=body, headers={
                    "Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
                r = self.conn.getresponse()
                return r.status, r.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError


def normalised(body: bytes, accept: str):
    if accept.endswith("json"):
        doc = json.loads(body)
        rows = doc.get("results", {}).get("bindings", [])
        return sorted(json.dumps(b, sort_keys=True) for b in rows)
    return sorted(line.strip() for line in body.decode().splitlines() if line.strip())


def compare(endpoints: dict, queries) -> tuple[int, list[str]]:
    clients = {name: Client(url) for name, url in endpoints.items()}
    differ = []
    for shape, query, accept in queries:
        answers = {}
        for name, c in clients.items():
            status, body = c.ask(query, accept)
            answers[name] = (status, normalised(body, accept) if status == 200 else body[:200])
        if len({json.dumps(a, default=str) for a in answers.values()}) > 1:
            differ.append(f"{shape}: {query[-160:]!r} -> " +
                          ", ".join(f"{n}: {a[0]}" for n, a in answers.items()))
    return len(queries), differ


def window(endpoint: str, queries: list, clients: int, seconds: float) -> dict:
    """``clients`` threads take queries from one list in turn for ``seconds``."""
    lock, pos = threading.Lock(), [0]
    lat: dict[str, list[float]] = {s: [] for s in SHAPES}
    errors = [0]
    stop_at = time.monotonic() + seconds

    def run():
        c = Client(endpoint)
        while time.monotonic() < stop_at:
            with lock:
                shape, query, accept = queries[pos[0] % len(queries)]
                pos[0] += 1
            t0 = time.perf_counter()
            status, _ = c.ask(query, accept)
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                lat[shape].append(ms) if status == 200 else None
                errors[0] += status != 200

    t0 = time.monotonic()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    done = sum(len(v) for v in lat.values())
    return {"rps": done / elapsed, "lat": lat, "errors": errors[0], "requests": pos[0]}


def wait_in_memory(server, seconds: float = 600) -> None:
    """Until the server's query workers are forks of its in-memory copy (if it has one)."""
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers = requests.get(server.url + "/health", timeout=10).json()["workers"]
        if workers.get("in_memory", True):
            return
        time.sleep(0.2)


def wait_on_disk(server, seconds: float = 1800) -> None:
    """Until a cold start's background build of the on-disk store is done: it takes a core
    while it runs, so measuring before it ends would time the build, not the queries."""
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if requests.get(server.url + "/health", timeout=10).json().get("store_on_disk", True):
            return
        time.sleep(0.2)


def per_shape(endpoints: dict, pids: dict, make: DistinctQueries, clients: int,
              seconds: float) -> dict[str, dict]:
    """A window of each shape alone per server (after a second of the same shape), with the CPU
    its process tree spent: what one request of that shape costs each server."""
    alone: dict[str, dict] = {}
    for shape in SHAPES:
        for name, endpoint in endpoints.items():
            queries = [make.make(shape) for _ in range(20000)]
            window(endpoint, queries[:2000], clients, 1)
            alone.setdefault(shape, {})[name] = cpu_window(endpoint, pids[name], queries[2000:],
                                                           clients, seconds)
    return alone


def cpu_window(endpoint: str, pid: int, queries: list, clients: int, seconds: float) -> dict:
    """:func:`window`, with the CPU seconds the server's process tree (``pid``) spent in it."""
    cpu = tree_cpu_seconds(pid)
    measured = window(endpoint, queries, clients, seconds)
    measured["cpu"] = tree_cpu_seconds(pid) - cpu
    return measured


def load_avg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--seconds", type=float, default=8.0, help="per window (4 windows each)")
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--warm-up", type=float, default=20.0,
                   help="seconds of distinct queries each server answers before the windows")
    p.add_argument("--per-shape", type=float, default=0, metavar="SECONDS",
                   help="also a window of each shape alone per server: its CPU per request")
    p.add_argument("--compare", type=int, default=60, help="queries whose answers are compared")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--server-args", default="", help="extra arguments for server.py")
    p.add_argument("--store", metavar="URL", help="ours serves this SPARQL store (holding "
                   "--data) instead of the file")
    args = p.parse_args(argv)
    served = ["--store", args.store] if args.store else [str(args.data)]
    print(f"distinct queries over HTTP; {os.cpu_count()} cores; load average {load_avg()} at start")
    counts = graph_counts(args.data)
    tmp = Path(tempfile.mkdtemp(prefix="distinct-bench-"))
    ours = LiveServer([*served, "--cache-mb", "0", *args.server_args.split()],
                      cache_dir=tmp / "ours")
    t0 = time.perf_counter()
    ours.start(timeout=1800)
    print(f"ours ready in {time.perf_counter() - t0:.1f} s")
    in_memory = not args.store and "--disk" not in args.server_args.split()
    if in_memory:
        wait_in_memory(ours)
        print(f"ours serving from its in-memory copy after {time.perf_counter() - t0:.1f} s")
    wait_on_disk(ours)
    print(f"ours' on-disk store built after {time.perf_counter() - t0:.1f} s (measured after it)")
    t0 = time.perf_counter()
    ox_proc, ox_endpoint = start_oxigraph(args.data)
    print(f"oxigraph serve (in memory) loaded in {time.perf_counter() - t0:.1f} s")
    endpoints = {"ours": ours.endpoint, "oxigraph": ox_endpoint}
    try:
        stream = iter(DistinctQueries(counts, args.seed))
        checked, differ = compare(endpoints, [next(stream) for _ in range(args.compare)])
        print(f"answers compared on {checked} distinct queries: "
              f"{'all equal' if not differ else f'{len(differ)} differ'}")
        for line in differ[:5]:
            print("  ", line)
        results: dict[str, list] = {n: [] for n in endpoints}
        pids = {"ours": ours.proc.pid, "oxigraph": ox_proc.pid}
        warm_ups = {}
        for name in endpoints if args.warm_up else ():
            queries = [next(stream) for _ in range(40000)]
            warm_ups[name] = cpu_window(endpoints[name], pids[name], queries, args.clients,
                                        args.warm_up)
        for rnd in range(2):  # A B A B, each window with queries never sent before
            for name in (["ours", "oxigraph"] if rnd == 0 else ["oxigraph", "ours"]):
                queries = [next(stream) for _ in range(20000)]
                results[name].append(cpu_window(endpoints[name], pids[name], queries,
                                                args.clients, args.seconds))
        alone = per_shape(endpoints, pids, DistinctQueries(counts, args.seed + 1), args.clients,
                          args.per_shape) if args.per_shape else {}
        warm = None
        if not args.store:  # the cache's effect: ours with the cache on, replaying a window
            cached = LiveServer([*served, *args.server_args.split()], cache_dir=tmp / "ours")
            ours.stop()
            cached.start(timeout=1800)
            if in_memory:
                wait_in_memory(cached)
            replay = [next(stream) for _ in range(300)]
            window(cached.endpoint, replay, args.clients, args.seconds / 2)
            warm = window(cached.endpoint, replay, args.clients, args.seconds)
            cached.stop()
    finally:
        ours.stop()
        os.killpg(ox_proc.pid, signal.SIGTERM)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{args.clients} clients, {args.seconds:g} s windows alternated A B A B; "
          f"load average {load_avg()} at end")
    if warm_ups:
        rates = {n: w["rps"] for n, w in warm_ups.items()}
        print(f"{'just started':20} {rates['ours']:10.0f} {rates['oxigraph']:10.0f} "
              f"{rates['ours'] / max(rates['oxigraph'], 1e-9):6.2f}x   (requests/s in the {args.warm_up:g} s "
              "warm-up window, not in the figures below)")
    print(f"{'':20} {'ours':>10} {'oxigraph':>10} {'ratio':>7}")
    rps = {n: statistics.mean(w["rps"] for w in ws) for n, ws in results.items()}
    print(f"{'requests/s':20} {rps['ours']:10.0f} {rps['oxigraph']:10.0f} "
          f"{rps['ours'] / rps['oxigraph']:6.2f}x")
    cpu = {n: sum(w["cpu"] for w in ws) * 1000 / sum(sum(map(len, w["lat"].values())) for w in ws)
           for n, ws in results.items()}
    print(f"{'CPU ms per request':20} {cpu['ours']:10.2f} {cpu['oxigraph']:10.2f} "
          f"{cpu['oxigraph'] / cpu['ours']:6.2f}x   (the server's whole process tree)")
    worst = 0.0
    for shape in SHAPES:
        med = {n: statistics.median([x for w in ws for x in w["lat"][shape]] or [float("nan")])
               for n, ws in results.items()}
        worst = max(worst, med["ours"] / med["oxigraph"])
        print(f"{shape + ' p50 ms':20} {med['ours']:10.2f} {med['oxigraph']:10.2f} "
              f"{med['oxigraph'] / med['ours']:6.2f}x")
    for shape, by_server in alone.items():
        cpu_ms = {n: w["cpu"] * 1000 / max(1, sum(map(len, w["lat"].values())))
                  for n, w in by_server.items()}
        print(f"{shape + ' alone, CPU ms':20} {cpu_ms['ours']:10.2f} {cpu_ms['oxigraph']:10.2f} "
              f"{cpu_ms['oxigraph'] / cpu_ms['ours']:6.2f}x   (per request, this shape only)")
    errors = {n: sum(w["errors"] for w in ws) for n, ws in results.items()}
    print(f"{'non-200 answers':20} {errors['ours']:10} {errors['oxigraph']:10}")
    print(f"windows, requests/s: ours {[round(w['rps']) for w in results['ours']]}, "
          f"oxigraph {[round(w['rps']) for w in results['oxigraph']]}")
    print(f"worst shape p50, ours/oxigraph: {worst:.2f}x (target <= 2x); throughput "
          f"{rps['ours'] / rps['oxigraph']:.2f}x (target >= 0.7x)")
    print("rdflib-endpoint: not run on this workload (distinct queries over generated data, 1M "
          "triples: it needs ~50 s and 1.5 GB to parse them; bench/http_bench.py runs it up to "
          "150k triples)")
    if warm:
        print(f"cache's effect (ours, cache on, the same 300 queries replayed): "
              f"{warm['rps']:.0f} requests/s = {warm['rps'] / rps['ours']:.1f}x the uncached "
              "figure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
