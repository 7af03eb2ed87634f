"""HTTP benchmark of the SPARQL endpoint against rdflib-endpoint and Oxigraph's own server.

    python bench/http_bench.py                 # bundled graph, all peers, wrk if installed
    python bench/http_bench.py --quick         # shorter runs, no saved queries
    python bench/http_bench.py --files a.ttl   # other data
    python bench/http_bench.py --data syn-1m.ttl --label 1m --json out.json
                                               # one generated size: cold start, RSS,
                                               # saved-query latency and mix throughput

``--data FILE`` (what ``bench/run.py --http`` runs per size) serves FILE as it is (no ontology,
no inference: ``python server.py FILE``) by every server and measures, in one run: cold start of
``python server.py FILE`` until /health answers 200 from Turtle (empty --cache-dir) and on restart
(store already on disk), the summed VmRSS of the server's process tree per triple served; the
saved queries (queries/*.rq as written, default parameters) one client at a time: p50/p99 over
all of them; and the saved-query mix (each client cycles through all of them) at 1/4/16 clients:
requests/s, p50/p99, errors (non-200 answers, e.g. 503 after our 10 s query deadline, and client
timeouts). rdflib-endpoint is skipped above ``--rdflib-cap`` triples and given
``--rdflib-load-timeout`` seconds to load.

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
import json
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

import requests  # noqa: E402

from bench.live import LiveServer, free_port  # noqa: E402

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
        self.restart = None  # set for servers without a query deadline

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


def start_rdflib_endpoint(nt: Path, load_timeout: float = 120):
    exe = shutil.which("rdflib-endpoint")
    if not exe:
        return None, "rdflib-endpoint not installed (pip install rdflib-endpoint uvicorn)"
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}/"  # the `serve` command mounts the endpoint at /

    def launch():
        return subprocess.Popen([exe, "serve", str(nt), "--host", "127.0.0.1", "--port",
                                 str(port)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    peer = Peer("rdflib-endpoint", endpoint, launch())
    try:
        wait_ready(endpoint, peer.proc, timeout=load_timeout)
    except RuntimeError as exc:
        peer.stop()
        return None, f"rdflib-endpoint: n/a ({exc})"

    def restart():  # no query deadline: a timed-out query would go on using a core
        peer.stop()
        peer.proc = launch()
        wait_ready(endpoint, peer.proc, timeout=load_timeout)

    peer.restart = restart
    return peer, None


def start_oxigraph(nt: Path, tmp: Path):
    exe = shutil.which("oxigraph")
    if not exe:
        return None, "oxigraph CLI not installed (pip install oxigraph)"
    location = tmp / "oxigraph-store"
    subprocess.run([exe, "load", "--location", str(location), "--file", str(nt)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}/query"

    def launch():
        proc = subprocess.Popen([exe, "serve-read-only", "--location", str(location), "--bind",
                                 f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        wait_ready(endpoint, proc)
        return proc

    peer = Peer("oxigraph", endpoint, launch())

    def restart():  # it has no query deadline: a timed-out query would go on using a core
        peer.stop()
        peer.proc = launch()

    peer.restart = restart
    return peer, None


# --- clients ---------------------------------------------------------------------------------


def accept_for(query: str) -> str:
    """SPARQL JSON for SELECT/ASK, Turtle for CONSTRUCT/DESCRIBE."""
    from admiukg import guard

    try:
        form = guard.check(query).form
    except guard.GuardError:
        form = None
    return "text/turtle" if form in ("CONSTRUCT", "DESCRIBE") else ACCEPT


def _wrk_mix_script(mix: list[tuple[str, str]]) -> str:
    """A wrk Lua script cycling through (url, accept) pairs; each thread starts elsewhere."""
    def lua(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    paths = ", ".join(lua(urlsplit(u).path + "?" + urlsplit(u).query) for u, _ in mix)
    accepts = ", ".join(lua(a) for _, a in mix)
    return (f"paths = {{{paths}}}\naccepts = {{{accepts}}}\ncounter = 0\n"
            "setup = function(thread) thread:set('start', counter); counter = counter + 7 end\n"
            "init = function(args) i = tonumber(start) or 0 end\n"
            "request = function()\n  i = i % #paths + 1\n"
            "  return wrk.format('GET', paths[i], {['Accept'] = accepts[i]})\nend\n")


def run_wrk(url, concurrency: int, duration: float, accept: str = ACCEPT) -> dict:
    """``url``: one URL, or a list of (url, accept) pairs requested in turn (a query mix)."""
    script = None
    if isinstance(url, list):
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(_wrk_mix_script(url))
        script.close()
        url = url[0][0].split("?", 1)[0]
    cmd = ["wrk", "-t", str(min(concurrency, 2)), "-c", str(concurrency), "-d",
           f"{max(1, round(duration))}s", "--timeout", "15s", "--latency", "-H",
           f"Accept: {accept}", url] + (["-s", script.name] if script else [])
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    finally:
        if script:
            os.unlink(script.name)

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


def run_python(url, concurrency: int, duration: float, accept: str = ACCEPT) -> dict:
    """``url``: one URL, or a list of (url, accept) pairs requested in turn (a query mix)."""
    mix = url if isinstance(url, list) else [(url, accept)]
    parts = urlsplit(mix[0][0])
    requests_ = [(urlsplit(u).path + "?" + urlsplit(u).query, a) for u, a in mix]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker(offset):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine = []
        n = offset
        while time.monotonic() < stop_at:
            path, accept_ = requests_[n % len(requests_)]
            n += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": accept_})
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
    threads = [threading.Thread(target=worker, args=(7 * i,)) for i in range(concurrency)]
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

    from admiukg.store.local import load_dataset

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
    if not r["rps"]:
        return f"{'0 (none answered)':>24}"
    err = f" err={r['errors']}" if r["errors"] else ""
    rps = f"{r['rps']:8.0f}" if r["rps"] >= 100 else f"{r['rps']:8.1f}"
    return f"{rps} {r['p50']:6.1f} {r['p99']:7.1f}{err}"


# --- one generated size (--data): cold start, RSS, saved-query latency and mix -----------------


def tree_rss(pid: int) -> tuple[int, int, int]:
    """Summed VmRSS in bytes of ``pid`` and all its descendants, how many processes, and their
    summed PSS (proportional set size: pages shared after fork counted once in total)."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                          if ":\t" in line)
        except OSError:
            continue
        children.setdefault(int(fields["PPid"]), []).append(int(fields["Pid"]))
    total, count, pss, todo = 0, 0, 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    count += 1
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total, count, pss


def cold_start(data: Path, cache_dir: Path, timeout: float = 600) -> dict:
    """Seconds from launching ``python server.py DATA`` until /health answers 200, and the
    summed RSS of its process tree once every web worker's query pool is up."""
    port = free_port()
    cmd = [sys.executable, "server.py", str(data), "--host", "127.0.0.1", "--port", str(port),
           "--cache-dir", str(cache_dir), "--log-level", "warning"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    out: dict = {}
    try:
        health = None
        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                return {"error": f"server exited with {proc.returncode}"}
            try:
                r = requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
                if r.status_code == 200:
                    health = r.json()
                    break
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.05)
        if health is None:
            return {"error": f"no /health 200 after {timeout:g} s"}
        out["seconds"] = time.perf_counter() - t0
        out["triples"] = health["triples"]
        out["store_reopened"] = health.get("store_reopened")
        # RSS once both web workers answered with their query pools started (or after 10 s)
        pids, settle = set(), time.monotonic() + 10
        while time.monotonic() < settle:
            try:
                h = requests.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
                pids.add(h["pid"])
                if len(pids) >= 2 and h["workers"]["alive"]:
                    break
            except (requests.RequestException, ValueError, KeyError):
                pass
            time.sleep(0.05)
        time.sleep(0.5)
        out["rss"], out["processes"], out["pss"] = tree_rss(proc.pid)
        out["bytes_per_triple"] = out["rss"] / max(1, out["triples"])
        return out
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def saved_latency(peer: Peer, queries: dict[str, str], reps: int, budget: float,
                  timeout: float) -> dict:
    """One client: each saved query once to warm up, then up to ``reps`` timed runs within
    ``budget`` seconds (at least one). p50/p99 over all timed runs of all queries. A query
    that fails (non-200 or client timeout) is not repeated; a server without a query deadline
    is restarted after a client timeout, so that the runaway query does not go on using CPU."""
    endpoint = peer.endpoint
    session = requests.Session()
    all_ms, per_query, failed = [], {}, {}
    for name, query in queries.items():
        headers = {"Accept": accept_for(query)}
        url = endpoint + "?query=" + quote(query)
        runs = []
        for i in range(reps + 1):
            t0 = time.perf_counter()
            try:
                r = session.get(url, headers=headers, timeout=timeout)
                status = r.status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
                if peer.restart:
                    peer.restart()
                    session = requests.Session()
                    status += " (server restarted)"
            ms = (time.perf_counter() - t0) * 1000
            if status != 200:
                failed[name] = f"{status} after {ms / 1000:.1f} s"
                break
            if i:
                runs.append(ms)
            if i and sum(runs) > budget * 1000:
                break
        if runs and name not in failed:
            all_ms += runs
            per_query[name] = statistics.median(runs)
    all_ms.sort()

    def pct(p):
        return all_ms[min(len(all_ms) - 1, int(p / 100 * len(all_ms)))] if all_ms else None

    return {"p50": pct(50), "p99": pct(99), "runs": len(all_ms), "answered": len(per_query),
            "per_query_ms": per_query, "failed": failed}


def _ms(x):
    return "-" if x is None or x != x else f"{x:.1f}"


def _ratio(a, b, digits=2):
    return f"{a / b:.{digits}f}x" if a and b and a == a and b == b else "n/a"


def size_main(args, run, client) -> int:
    """``--data FILE``: every measurement of one generated size, printed and as JSON."""
    data = Path(args.data).resolve()
    label = args.label or data.stem
    levels = [int(c) for c in args.concurrency.split(",")]
    queries = saved_queries(args.saved)
    tmp = Path(tempfile.mkdtemp(prefix=f"http-bench-{label}-"))
    result: dict = {"label": label, "data": str(data), "client": client,
                    "duration": args.duration, "queries": list(queries), "notes": []}
    peers, notes = [], result["notes"]
    try:
        # cold start (a) from Turtle into an empty --cache-dir, (b) restart on the built store
        store_dir = tmp / "our-store"
        result["cold_turtle"] = cold_start(data, store_dir)
        result["cold_store"] = cold_start(data, store_dir)
        triples = result["cold_turtle"].get("triples") or result["cold_store"].get("triples")
        result["triples"] = triples

        for name, cache_mb in (("ours", 64), ("ours (no cache)", 0)):
            server = LiveServer([data, "--cache-mb", str(cache_mb), "--workers",
                                 str(args.workers)], cache_dir=store_dir).start(timeout=300)
            peers.append(Peer(name, server.endpoint, stop=server.stop))
        wanted = args.peers.split(",")
        if "rdflib-endpoint" in wanted:
            if triples and triples > args.rdflib_cap:
                notes.append(f"rdflib-endpoint: n/a (skipped above --rdflib-cap "
                             f"{args.rdflib_cap} triples: rdflib parses 1M triples in ~50 s at "
                             "~1.5 KB/triple; at 100k its saved-query p99 is already seconds)")
            else:
                t0 = time.perf_counter()
                peer, note = start_rdflib_endpoint(data, args.rdflib_load_timeout)
                peers.append(peer) if peer else notes.append(note)
                if peer:
                    result["rdflib_load_seconds"] = time.perf_counter() - t0
        if "oxigraph" in wanted:
            t0 = time.perf_counter()
            peer, note = start_oxigraph(data, tmp)
            peers.append(peer) if peer else notes.append(note)
            if peer:
                result["oxigraph_load_seconds"] = time.perf_counter() - t0
        names = [pe.name for pe in peers]

        # One server at a time, slowest (rdflib-endpoint) last, each stopped right after its
        # cells: a server still working off timed-out requests would take CPU from the next.
        # Saved queries one at a time first (they also warm the server), then an untimed
        # second of the mix at 4 clients (so every web worker's cache has seen it), then the
        # mix at each concurrency.
        # The mix leaves out the saved queries that some server failed one at a time (our 10 s
        # deadline, a client timeout): they are listed, and would only time every client out.
        result["latency"], result["mix"] = {}, {str(c): {} for c in levels}
        peers.sort(key=lambda pe: pe.name == "rdflib-endpoint")
        for pe in peers:
            result["latency"][pe.name] = saved_latency(pe, queries, args.reps,
                                                       args.query_budget, args.request_timeout)
        failing = sorted({q for lat in result["latency"].values() for q in lat["failed"]})
        result["mix_excluded"] = failing
        mix_queries = [q for name, q in queries.items() if name not in failing]
        # A cell lasts at least 1.5 cycles of the mix at this server's one-client speed (at 1M
        # one cycle takes seconds), at most 20 s.
        result["mix_seconds"] = {}
        for pe in peers:
            mix = [(pe.endpoint + "?query=" + quote(q), accept_for(q)) for q in mix_queries]
            # the cached server answered the latency pass from its cache: size its cells
            # (and the warm-up that fills both web workers' caches) by the engine's speed
            timing_of = "ours (no cache)" if pe.name == "ours" and \
                "ours (no cache)" in result["latency"] else pe.name
            per_query = result["latency"][timing_of]["per_query_ms"]
            cycle = sum(per_query.get(name, 0) for name in queries if name not in failing) / 1000
            seconds = min(20.0, max(args.duration, 1.5 * cycle))
            result["mix_seconds"][pe.name] = seconds
            run(mix, 4, min(15.0, max(1.0, cycle)))  # untimed: every web worker sees the mix
            for c in levels:
                result["mix"][str(c)][pe.name] = run(mix, c, seconds)
            pe.stop()  # done with it; queries still running in it must not slow the next
    finally:
        for pe in peers:
            pe.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print_size(result, names)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str) + "\n")
    return 0


def print_size(result: dict, names: list[str]) -> None:
    label, triples = result["label"], result.get("triples")
    print(f"## {label}: {triples} triples served (the data file as is: no ontology, no "
          f"inference); client {result['client']}; {result['duration']:g} s per mix cell")
    a, b = result["cold_turtle"], result["cold_store"]

    at_1m = (triples or 0) >= 900_000  # the targets are set for 1M triples

    def verdict(ok):
        return ("met" if ok else "NOT MET") if at_1m else "applies at 1M"

    def cold(x, target):
        if "seconds" not in x:
            return f"n/a ({x.get('error')})"
        return f"{x['seconds']:.2f} s (target <= {target:g} s: {verdict(x['seconds'] <= target)})"

    print(f"cold start, Turtle -> /health 200 (empty --cache-dir): {cold(a, 15)}")
    print(f"restart, on-disk store -> /health 200:                 {cold(b, 2)}")
    for tag, x in (("after Turtle start", a), ("after restart", b)):
        if "rss" in x:
            print(f"RSS of the server tree {tag}: {x['rss'] / 2**20:.0f} MB in {x['processes']} "
                  f"processes = {x['bytes_per_triple']:.0f} B/triple served (target <= 600: "
                  f"{verdict(x['bytes_per_triple'] <= 600)}); PSS "
                  f"{x['pss'] / 2**20:.0f} MB = {x['pss'] / max(1, x['triples']):.0f} B/triple")
    for key, peer in (("rdflib_load_seconds", "rdflib-endpoint"),
                      ("oxigraph_load_seconds", "oxigraph load + serve-read-only")):
        if key in result:
            print(f"{peer} ready in {result[key]:.1f} s")
    print()
    n = len(result["queries"])
    print(f"saved queries ({n}, queries/*.rq as written), one client, ms:")
    header = f"{'server':18} {'p50':>8} {'p99':>8} {'answered':>9}  failed"
    print(header + "\n" + "-" * len(header))
    for name in names:
        lat = result["latency"][name]
        failed = ", ".join(f"{k} ({v})" for k, v in lat["failed"].items())
        print(f"{name:18} {_ms(lat['p50']):>8} {_ms(lat['p99']):>8} {lat['answered']:>4}/{n:<4}"
              f"  {failed}")
    lat = result["latency"]
    if "rdflib-endpoint" not in lat:
        print(f"{'rdflib-endpoint':18} n/a")
    print()
    excluded = result.get("mix_excluded") or []
    secs = ", ".join(f"{k} {v:.0f} s" for k, v in result.get("mix_seconds", {}).items())
    print(f"mix cell length (>= 1.5 one-client cycles of the mix): {secs}")
    print(f"saved-query mix (each client cycles through the {n - len(excluded)} saved queries "
          f"every server answered above{'; left out: ' + ', '.join(excluded) if excluded else ''})"
          ": requests/s  p50 ms  p99 ms")
    cols = names + ([] if "rdflib-endpoint" in names else ["rdflib-endpoint"])
    header = f"{'c':>3} | " + " | ".join(f"{n:^24}" for n in cols) + \
        " | ours/rdflib | ours/oxigraph | no-cache/oxigraph"
    print(header + "\n" + "-" * len(header))
    for c, cells in result["mix"].items():
        line = f"{c:>3} | " + " | ".join(fmt_cell(cells[n]) if n in cells else f"{'n/a':^24}"
                                         for n in cols)
        ours = cells["ours"]["rps"]
        rd = cells.get("rdflib-endpoint", {}).get("rps")
        ox_ = cells.get("oxigraph", {}).get("rps")
        nc = cells.get("ours (no cache)", {}).get("rps")
        line += f" | {_ratio(ours, rd, 1):>11} | {_ratio(ours, ox_):>13} | {_ratio(nc, ox_):>17}"
        print(line)
    for note in result["notes"]:
        print("note:", note)
    print(flush=True)


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
    p.add_argument("--data", help="one (generated) data file: cold start, RSS, saved-query "
                   "latency and mix throughput of every server on it (see above)")
    p.add_argument("--label", help="size label printed with --data (e.g. 1m)")
    p.add_argument("--json", help="--data: also write the results as JSON here")
    p.add_argument("--reps", type=int, default=5, help="--data: timed runs per saved query")
    p.add_argument("--query-budget", type=float, default=2.0,
                   help="--data: stop repeating a saved query after this many seconds")
    p.add_argument("--request-timeout", type=float, default=20.0,
                   help="--data: client timeout of one latency request (default 20 s)")
    p.add_argument("--rdflib-cap", type=int, default=150_000,
                   help="--data: skip rdflib-endpoint above this many triples (default 150000)")
    p.add_argument("--rdflib-load-timeout", type=float, default=180.0,
                   help="--data: give rdflib-endpoint this long to load (default 180 s)")
    args = p.parse_args(argv)
    if args.quick:
        args.duration, args.saved = 1.0, 0
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    run = run_wrk if client == "wrk" else run_python
    if args.data:
        return size_main(args, run, client)
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
