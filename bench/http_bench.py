"""HTTP benchmark of the SPARQL endpoint against rdflib-endpoint and Oxigraph's own server.

    python bench/http_bench.py                 # bundled graph, all peers, wrk if installed
    python bench/http_bench.py --quick         # shorter runs, no saved queries
    python bench/http_bench.py --files a.ttl   # other data

The same triples (the served default graph: ontology + data + OWL RL entailments) are served by
this project's server (twice: with the response cache, and with ``--cache-mb 0`` to show the
engine path), by ``rdflib-endpoint serve`` and by ``oxigraph serve-read-only``, all on 127.0.0.1
in the same run. Each query is requested as GET with ``Accept: application/sparql-results+json``
at concurrency 1/4/16 (saved queries at 4) for a fixed time, by ``wrk`` when it is installed
(``apt-get install wrk``) or by a keep-alive Python client with threads. Prints requests/s,
p50/p99 latency, errors and the ratios against the peers.

Needs: ``pip install rdflib-endpoint uvicorn oxigraph`` (peers missing are skipped, and said so).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import requests  # noqa: E402

from sparql_live import LiveServer, free_port  # noqa: E402

ACCEPT = "application/sparql-results+json"
TYPICAL = {
    "lookup": "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}",
    "membership": "PREFIX org: <http://www.w3.org/ns/org#>\n"
                  "SELECT ?member ?org WHERE { ?m org:member ?member ; org:organization ?org }",
    "group-by": "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } "
                "GROUP BY ?class ORDER BY DESC(?n)",
}


# --- servers -------------------------------------------------------------------------------


class Peer:
    def __init__(self, name, endpoint, proc=None, stop=None):
        self.name, self.endpoint, self.proc, self._stop = name, endpoint, proc, stop

    def stop(self):
        if self._stop:
            self._stop()
        elif self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def wait_ready(endpoint: str, proc, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{endpoint}: server exited with {proc.returncode}")
        try:
            r = requests.get(endpoint, params={"query": "ASK {}"}, headers={"Accept": ACCEPT},
                             timeout=5)
            if r.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{endpoint}: not ready after {timeout} s")


def start_ours(args, files, cache_mb, tmp):
    server = LiveServer([*files, "--cache-mb", str(cache_mb), "--workers", str(args.workers)],
                        cache_dir=tmp / "our-store").start(timeout=300)
    return Peer(f"ours{'' if cache_mb else ' (no cache)'}", server.endpoint, stop=server.stop)


def start_rdflib_endpoint(nt: Path):
    exe = shutil.which("rdflib-endpoint")
    if not exe:
        return None, "rdflib-endpoint not installed (pip install rdflib-endpoint uvicorn)"
    port = free_port()
    proc = subprocess.Popen([exe, "serve", str(nt), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}/"  # the `serve` command mounts the endpoint at /
    wait_ready(endpoint, proc)
    return Peer("rdflib-endpoint", endpoint, proc), None


def start_oxigraph(nt: Path, tmp: Path):
    exe = shutil.which("oxigraph")
    if not exe:
        return None, "oxigraph CLI not installed (pip install oxigraph)"
    location = tmp / "oxigraph-store"
    subprocess.run([exe, "load", "--location", str(location), "--file", str(nt)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    proc = subprocess.Popen([exe, "serve-read-only", "--location", str(location), "--bind",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}/query"
    wait_ready(endpoint, proc)
    return Peer("oxigraph", endpoint, proc), None


# --- clients ---------------------------------------------------------------------------------


def accept_for(query: str) -> str:
    """SPARQL JSON for SELECT/ASK, Turtle for CONSTRUCT/DESCRIBE."""
    from admiukg import guard

    try:
        form = guard.check(query).form
    except guard.GuardError:
        form = None
    return "text/turtle" if form in ("CONSTRUCT", "DESCRIBE") else ACCEPT


def run_wrk(url: str, concurrency: int, duration: float, accept: str = ACCEPT) -> dict:
    cmd = ["wrk", "-t", str(min(concurrency, 2)), "-c", str(concurrency), "-d",
           f"{max(1, round(duration))}s", "--timeout", "15s", "--latency", "-H",
           f"Accept: {accept}", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout

    def ms(label):
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                              out)
    n_err = int(errors.group(1)) if errors else 0
    if socket_errors:
        n_err += sum(int(x) for x in socket_errors.groups())
    return {"rps": float(rps.group(1)) if rps else 0.0, "p50": ms(50), "p99": ms(99),
            "errors": n_err}


def run_python(url: str, concurrency: int, duration: float, accept: str = ACCEPT) -> dict:
    parts = urlsplit(url)
    path = parts.path + "?" + parts.query
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": accept})
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            mine.append(time.perf_counter() - t0)
            if not ok:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    t_start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t_start
    latencies.sort()

    def pct(p):
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {"rps": len(latencies) / elapsed, "p50": pct(50), "p99": pct(99), "errors": errors[0]}


# --- main ------------------------------------------------------------------------------------


def export_union(files, tmp: Path) -> tuple[Path, str]:
    """The served default graph as one N-Triples file for the peers, and a lookup IRI."""
    import pyoxigraph as ox

    from admiukg.dataset import load_dataset

    ds = load_dataset(files or None, cache_dir=tmp / "export-store")
    store = ds.store
    union = ds.info.union
    if isinstance(union, list):
        kw = {"default_graph": [ox.NamedNode(g) for g in union]}
    else:
        kw = {"use_default_graph_as_union": True}
    triples = list(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", **kw))
    nt = tmp / "union.nt"
    ox.serialize(triples, str(nt), format=ox.RdfFormat.N_TRIPLES)
    row = next(iter(store.query(
        "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) } "
        "GROUP BY ?s ORDER BY DESC(?n) LIMIT 1", **kw)))
    return nt, row["s"].value, len(set(triples))


def saved_queries(limit: int | None) -> dict[str, str]:
    out = {}
    for path in sorted((ROOT / "queries").glob("*.rq")):
        out[path.stem] = path.read_text(encoding="utf-8")
    if limit is not None:
        out = dict(list(out.items())[:limit])
    return out


def fmt_cell(r):
    if r is None:
        return "—"
    err = f" err={r['errors']}" if r["errors"] else ""
    return f"{r['rps']:8.0f} {r['p50']:6.1f} {r['p99']:7.1f}{err}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--files", nargs="*", default=None, help="RDF files instead of the bundled graph")
    p.add_argument("--duration", type=float, default=3.0, help="seconds per cell (default 3)")
    p.add_argument("--concurrency", default="1,4,16")
    p.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    p.add_argument("--workers", type=int, default=2, help="our gunicorn workers (default 2)")
    p.add_argument("--saved", type=int, default=None,
                   help="how many saved queries (queries/*.rq) to run, default all")
    p.add_argument("--quick", action="store_true", help="1 s cells, no saved queries")
    p.add_argument("--peers", default="rdflib-endpoint,oxigraph")
    args = p.parse_args(argv)
    if args.quick:
        args.duration, args.saved = 1.0, 0
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    run = run_wrk if client == "wrk" else run_python
    levels = [int(c) for c in args.concurrency.split(",")]

    tmp = Path(tempfile.mkdtemp(prefix="http-bench-"))
    nt, lookup_iri, n_triples = export_union(args.files, tmp)
    queries = {k: v.format(iri=lookup_iri) if k == "lookup" else v for k, v in TYPICAL.items()}
    plan = [(name, q, levels) for name, q in queries.items()]
    mid = [4] if 4 in levels else levels[:1]
    plan += [(f"saved:{name}", q, mid) for name, q in saved_queries(args.saved).items()]

    peers, notes = [], []
    try:
        peers.append(start_ours(args, args.files or [], 64, tmp))
        peers.append(start_ours(args, args.files or [], 0, tmp))
        wanted = args.peers.split(",")
        if "rdflib-endpoint" in wanted:
            peer, note = start_rdflib_endpoint(nt)
            peers.append(peer) if peer else notes.append(note)
        if "oxigraph" in wanted:
            peer, note = start_oxigraph(nt, tmp)
            peers.append(peer) if peer else notes.append(note)

        print(f"# {n_triples} triples (served default graph); client: {client}; "
              f"{args.duration:g} s per cell; GET, Accept: {ACCEPT} "
              "(text/turtle for CONSTRUCT/DESCRIBE)")
        print("# cells: requests/s  p50 ms  p99 ms")
        header = f"{'query':34} {'c':>3} | " + " | ".join(f"{pe.name:^24}" for pe in peers)
        names = [pe.name for pe in peers]
        has_rdflib = "rdflib-endpoint" in names
        has_ox = "oxigraph" in names
        header += (" | ours/rdflib" if has_rdflib else "") + (" | ours/oxigraph" if has_ox else "")
        print(header)
        print("-" * len(header))
        summary = []
        for name, query, conc_levels in plan:
            # every server must answer the query the same way before it is timed
            accept = accept_for(query)
            for c in conc_levels:
                cells = {}
                for pe in peers:
                    url = pe.endpoint + "?query=" + quote(query)
                    try:
                        requests.get(url, headers={"Accept": accept}, timeout=30)  # warm up
                    except requests.RequestException:
                        pass
                    cells[pe.name] = run(url, c, args.duration, accept)
                ours = cells["ours"]["rps"]
                line = f"{name[:34]:34} {c:>3} | " + " | ".join(fmt_cell(cells[n]) for n in names)
                r_rdflib = ours / cells["rdflib-endpoint"]["rps"] if has_rdflib and \
                    cells["rdflib-endpoint"]["rps"] else float("nan")
                r_ox = ours / cells["oxigraph"]["rps"] if has_ox and cells["oxigraph"]["rps"] \
                    else float("nan")
                if has_rdflib:
                    line += f" | {r_rdflib:10.1f}x"
                if has_ox:
                    line += f" | {r_ox:12.2f}x"
                print(line, flush=True)
                summary.append((name, c, r_rdflib, r_ox,
                                cells["ours (no cache)"]["rps"] / cells["oxigraph"]["rps"]
                                if has_ox and cells["oxigraph"]["rps"] else float("nan")))
        if summary:
            def gmean(xs):
                xs = [x for x in xs if x == x and x > 0]
                return statistics.geometric_mean(xs) if xs else float("nan")

            print()
            print(f"geometric mean ours/rdflib-endpoint: {gmean([s[2] for s in summary]):.1f}x "
                  "(target >= 5x)")
            print(f"geometric mean ours/oxigraph:        {gmean([s[3] for s in summary]):.2f}x "
                  "(target >= 0.5x)")
            print(f"geometric mean ours without cache/oxigraph: "
                  f"{gmean([s[4] for s in summary]):.2f}x")
        for note in notes:
            print("note:", note)
    finally:
        for pe in peers:
            pe.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
