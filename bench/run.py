"""Scale benchmark, one command: python bench/run.py [--sizes 10k,100k,1m] [--quick] [--http].

For each size the synthetic generator writes a Turtle file, then every step runs in its own child
process (so its peak RSS is its own) and reports its time:

  generate          write the Turtle file (admiukg.synthetic)
  load-oxigraph     pyoxigraph in-memory Store.load of the data file
  load-rdflib       rdflib Graph.parse of the data file
  infer-fast        admiukg.graph.fastreason.entailments(ontology + data files): parse into Oxigraph,
                    rules to a fixpoint, rdflib result (the note splits the three)
  infer-owlrl       admiukg.graph.inference.entailments (owlrl), only up to --owlrl-cap triples
  infer-reasonable  the `reasonable` package (compiled OWL RL), only with --reasonable, up to 10k:
                    on 10k triples here it took 64-130 s and ~12 GB and missed entailments
  validate          pyshacl over ontology + data + fast entailments, with ontology/shapes.ttl
  queries           queries/**/*.rq in-process on pyoxigraph (union of all graphs): p50/p99 of
                    --reps runs per query after a warm-up (fewer, at least 3, for queries slower
                    than 2 s / reps); each query runs in a fork, killed after --query-deadline

With --http, per size bench/http_bench.py --data (saved queries) and bench/distinct_bench.py
(queries never seen before, against ``oxigraph serve`` in memory) serve the generated file; the
first measures
cold start of `python server.py FILE` (from Turtle, and restart on the built store), the server
tree's RSS per triple, saved-query latency p50/p99 and the saved-query mix at 1/4/16 clients for
our server (with and without its response cache), rdflib-endpoint (up to 150k triples) and
`oxigraph serve-read-only`; its tables are printed after the step table and kept in the JSON.

Prints a table (machine, versions, load average, one row per size and step), writes
bench/results/latest.json and a plot bench/results/latest.png. Ratios are between peers of the
same run only; the machine is shared, so the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, uninstalled

from admiukg import config  # noqa: E402
from bench.synthetic import parse_size  # noqa: E402

RESULTS = ROOT / "bench" / "results"
REASONABLE_CAP = 10_000
STEPS = ["generate", "load-oxigraph", "load-rdflib", "infer-fast", "infer-owlrl",
         "infer-reasonable", "validate", "queries"]
#: Used when queries/ holds no .rq file: lookup, membership join, group-by, inferred-only answer.
BUILTIN_QUERIES = {
    "lookup": "SELECT ?p ?o WHERE { <https://kg.admiu.example/id/syn-university-7> ?p ?o }",
    "members": """PREFIX org: <http://www.w3.org/ns/org#> PREFIX au: <https://kg.admiu.example/ontology#>
        SELECT ?u ?n ?y WHERE { ?m org:member ?u ; org:organization ?n ; au:startYear ?y FILTER(?y >= "2020"^^<http://www.w3.org/2001/XMLSchema#gYear>) }""",
    "by-country": """PREFIX au: <https://kg.admiu.example/ontology#>
        SELECT ?c (COUNT(*) AS ?n) WHERE { ?v au:visitedCountry ?c } GROUP BY ?c ORDER BY DESC(?n)""",
    "participants": """PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?p (COUNT(?a) AS ?n) WHERE { ?p prov:wasAssociatedWith ?a } GROUP BY ?p LIMIT 100""",
}


# -- child steps: each returns a dict; "seconds" is the measured work ------------------------------

def _ontology_and(data: str) -> list[str]:
    return [str(p) for p in config.ontology_files()] + [data]


def _oxigraph_store(paths):
    import pyoxigraph as ox
    store = ox.Store()
    for p in paths:
        store.load(path=p, format=ox.RdfFormat.TURTLE)
    return store


def _rdflib_graph(paths):
    import rdflib
    g = rdflib.Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


def step_generate(size: int, data: str, seed: int, **_) -> dict:
    from bench.synthetic import write_file
    start = time.perf_counter()
    written = write_file(data, size, seed)
    return {"seconds": time.perf_counter() - start, "triples": written}


def step_load_oxigraph(data: str, **_) -> dict:
    start = time.perf_counter()
    store = _oxigraph_store([data])
    return {"seconds": time.perf_counter() - start, "triples": len(store)}


def step_load_rdflib(data: str, **_) -> dict:
    start = time.perf_counter()
    graph = _rdflib_graph([data])
    return {"seconds": time.perf_counter() - start, "triples": len(graph)}


def step_infer_fast(data: str, **_) -> dict:
    from admiukg.graph import fastreason
    start, stats = time.perf_counter(), {}
    added = fastreason.entailments(_ontology_and(data), stats=stats)
    return {"seconds": time.perf_counter() - start, "added": len(added),
            "note": f"from files: parse {stats['load_s']:.1f} s + rules {stats['rules_s']:.1f} s "
                    f"({stats['rounds']} rounds) + rdflib result {stats['result_s']:.1f} s"}


def step_infer_owlrl(data: str, **_) -> dict:
    from admiukg.graph.inference import entailments
    graph = _rdflib_graph(_ontology_and(data))
    start = time.perf_counter()
    added = entailments(graph)
    return {"seconds": time.perf_counter() - start, "triples": len(graph), "added": len(added)}


def step_infer_reasonable(data: str, **_) -> dict:
    import reasonable

    from admiukg.graph import fastreason
    graph = _rdflib_graph(_ontology_and(data))
    start = time.perf_counter()
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    closure = set(reasoner.reason())
    seconds = time.perf_counter() - start
    missed = sum(1 for t in fastreason.entailments(graph) if t not in closure)
    return {"seconds": seconds, "triples": len(graph), "added": len(closure) - len(graph),
            "note": f"misses {missed} instance entailments that owlrl/fast derive"}


def step_validate(data: str, **_) -> dict:
    import pyshacl
    import rdflib

    from admiukg.graph import fastreason
    paths = _ontology_and(data)
    start = time.perf_counter()
    graph = _rdflib_graph(paths)
    parsed = time.perf_counter()
    fastreason.entailments(paths, into=graph)
    inferred = time.perf_counter()
    shapes = rdflib.Graph().parse(config.shapes_file(), format="turtle")
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none",
                                         allow_warnings=True)
    done = time.perf_counter()
    return {"seconds": done - inferred, "triples": len(graph),
            "note": f"{'conforms' if conforms else 'DOES NOT CONFORM'}; pyshacl only; whole pipeline "
                    f"{done - start:.1f} s (rdflib parse {parsed - start:.1f} s, fast inference "
                    f"{inferred - parsed:.1f} s)" + ("" if conforms else ": " + text[:300])}


def step_queries(data: str, reps: int, deadline: float, **_) -> dict:
    import pyoxigraph as ox

    from admiukg.graph import fastreason
    store = _oxigraph_store(_ontology_and(data))
    added = fastreason.entailments(store)
    store.extend(ox.Quad(*(_to_ox(t) for t in triple)) for triple in added)
    queries = {str(p.relative_to(config.QUERIES_DIR)): p.read_text("utf-8")
               for p in sorted(config.QUERIES_DIR.rglob("*.rq"))} or BUILTIN_QUERIES
    timings, medians, failed = [], {}, []
    for name, text in queries.items():
        runs = _query_in_fork(store, text, reps, deadline)
        if isinstance(runs, str):
            failed.append(f"{name} ({runs})")
            continue
        timings += runs[1:]
        medians[name] = statistics.median(runs[1:])
    timings.sort()
    slowest = max(medians, key=medians.get) if medians else "-"
    return {"seconds": sum(timings), "triples": len(store), "queries": len(medians),
            "p50_ms": 1000 * timings[len(timings) // 2] if timings else None,
            "p99_ms": 1000 * timings[min(len(timings) - 1, int(len(timings) * 0.99))] if timings else None,
            "note": f"{len(medians)} queries ({'builtin' if queries is BUILTIN_QUERIES else 'queries/'}),"
                    f" slowest {slowest}" + (f", failed {failed}" if failed else "")}


def _query_in_fork(store, text: str, reps: int, deadline: float) -> list[float] | str:
    """Timings of one query, run in a forked copy of this process so that a query slower than
    ``deadline`` seconds can be killed (Oxigraph cannot be interrupted from Python)."""
    import multiprocessing
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_query_worker, args=(store, text, reps, send))
    worker.start()
    send.close()
    result = receive.recv() if receive.poll(deadline) else f"over {deadline:.0f} s"
    worker.kill()
    worker.join()
    return result


def _query_worker(store, text: str, reps: int, send) -> None:
    try:
        runs = [_timed_query(store, text)]  # a warm-up, which also sizes the repetitions
        runs += [_timed_query(store, text) for _ in range(min(reps, max(3, int(2 / runs[0]))))]
        send.send(runs)
    except (SyntaxError, OSError, ValueError) as exc:
        send.send(f"{type(exc).__name__}: {exc}"[:120])


def _timed_query(store, text: str) -> float:
    import pyoxigraph as ox
    start = time.perf_counter()
    result = store.query(text, use_default_graph_as_union=True)
    if not isinstance(result, ox.QueryBoolean):
        for _row in result:  # drain: Oxigraph evaluates lazily
            pass
    return time.perf_counter() - start


def _to_ox(term):
    import pyoxigraph as ox
    import rdflib
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child(step: str, args: argparse.Namespace) -> None:
    """Run one step in this (fresh) process and print its result as one JSON line."""
    import pyoxigraph  # noqa: F401 -- imports are part of the baseline, not the step
    baseline = _rss_bytes()
    result = globals()["step_" + step.replace("-", "_")](
        size=args.child_size, data=args.child_data, seed=args.seed, reps=args.reps,
        deadline=args.query_deadline)
    result["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result["baseline_rss"] = baseline
    print(json.dumps(result))


# -- parent: machine, steps, table, JSON, plot ----------------------------------------------------

def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
               platform.processor())
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    versions = {}
    for name in ["rdflib", "pyoxigraph", "owlrl", "pyshacl", "reasonable", "matplotlib"]:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"cores": os.cpu_count(), "ram_gib": round(mem_kb / 2**20, 1), "cpu": cpu,
            "python": platform.python_version(), "versions": versions}


def skip_reason(step: str, size: int, args, info) -> str | None:
    if step == "infer-owlrl" and size > args.owlrl_cap:
        return f"skipped: above --owlrl-cap {args.owlrl_cap}"
    if step == "infer-reasonable":
        if not args.reasonable:
            return "skipped: opt-in with --reasonable (memory-hungry)"
        if not info["versions"]["reasonable"]:
            return "skipped: reasonable not installed"
        if size > REASONABLE_CAP:
            return f"skipped: above {REASONABLE_CAP} (it needs ~12 GB at 10k)"
    if step == "validate" and not config.shapes_file().exists():
        return "skipped: no ontology/shapes.ttl"
    return None


def run_step(step: str, size: int, data: Path, args) -> dict:
    cmd = [sys.executable, __file__, "--child", step, "--child-size", str(size),
           "--child-data", str(data), "--seed", str(args.seed), "--reps", str(args.reps),
           "--query-deadline", str(args.query_deadline)]
    try:
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"note": f"timed out after {args.timeout} s"}
    if done.returncode != 0:
        return {"note": "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:200]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_http_size(label: str, data: Path, args) -> dict:
    """bench/http_bench.py --data on one generated file; its printed tables and JSON."""
    out = data.with_suffix(".http.json")
    cmd = [sys.executable, str(ROOT / "bench" / "http_bench.py"), "--data", str(data),
           "--label", label, "--json", str(out),
           "--duration", str(1.0 if args.quick else args.http_duration)]
    if args.quick:
        cmd += ["--reps", "2"]
    try:
        done = subprocess.run(cmd, check=False, capture_output=True, text=True,
                              timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"text": f"timed out after {args.timeout} s"}
    text = done.stdout if done.returncode == 0 else \
        done.stdout + "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:300]
    result = json.loads(out.read_text()) if out.exists() else {}
    distinct = [sys.executable, str(ROOT / "bench" / "distinct_bench.py"), "--data", str(data),
                "--seconds", str(2.0 if args.quick else 2 * args.http_duration)]
    try:  # the same file, queries never seen before, against oxigraph serve in memory
        done = subprocess.run(distinct, check=False, capture_output=True, text=True,
                              timeout=args.timeout)
        text += "\n" + done.stdout + ("" if done.returncode == 0 else "distinct: failed: " + (
            done.stderr.strip().splitlines() or ["?"])[-1][:300])
    except subprocess.TimeoutExpired:
        text += f"\ndistinct queries: timed out after {args.timeout} s"
    return {"text": text, "result": result}


def print_table(report: dict) -> None:
    m = report["machine"]
    print(f"machine: {m['cores']} cores, {m['ram_gib']} GiB, {m['cpu']}; Python {m['python']}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v))
    print(f"load average (1/5/15 min): start {report['load_start']}, end {report['load_end']}")
    header = f"{'size':>6} {'step':<17} {'seconds':>8} {'triples':>9} {'peak MB':>8} {'B/triple':>8}  note"
    print(header + "\n" + "-" * len(header))
    for row in report["rows"]:
        secs = f"{row['seconds']:.2f}" if "seconds" in row else "-"
        peak = f"{row['peak_rss'] / 2**20:.0f}" if "peak_rss" in row else "-"
        per = f"{row['bytes_per_triple']:.0f}" if row.get("bytes_per_triple") else "-"
        note = row.get("note", "")
        if row.get("p50_ms") is not None:
            note = f"p50 {row['p50_ms']:.2f} ms, p99 {row['p99_ms']:.2f} ms; " + note
        if row.get("added") is not None:
            note = f"+{row['added']} entailed; " + note
        print(f"{row['size_label']:>6} {row['step']:<17} {secs:>8} {row.get('triples', '-'):>9} "
              f"{peak:>8} {per:>8}  {note}")
    for label, ratio in report["ratios"].items():
        print(f"{label}: {ratio}")


def ratios(rows: list[dict]) -> dict:
    out = {}
    by = {(r["size_label"], r["step"]): r for r in rows}
    for size in dict.fromkeys(r["size_label"] for r in rows):
        fast = by.get((size, "infer-fast"), {}).get("seconds")
        for peer in ("infer-owlrl", "infer-reasonable", "load-rdflib"):
            base = "load-oxigraph" if peer == "load-rdflib" else "infer-fast"
            mine = fast if base == "infer-fast" else by.get((size, base), {}).get("seconds")
            theirs = by.get((size, peer), {}).get("seconds")
            if mine and theirs:
                out[f"{size} {peer} / {base}"] = f"{theirs / mine:.1f}x"
    return out


def plot(report: dict, path: Path) -> None:
    """Seconds and peak memory against size, one line per step (queries: p99 latency)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    http = {label: h.get("result") or {} for label, h in report.get("http_sizes", {}).items()}
    http = {label: r for label, r in http.items() if r.get("triples")}
    if http:
        fig, (time_ax, mem_ax, http_ax) = plt.subplots(1, 3, figsize=(18, 5))
    else:
        fig, (time_ax, mem_ax) = plt.subplots(1, 2, figsize=(12, 5))
    for step in STEPS:
        rows = [r for r in report["rows"] if r["step"] == step and "seconds" in r]
        seconds = [(r["size"], r["p99_ms"] / 1000 if step == "queries" else r["seconds"])
                   for r in rows if step != "queries" or r.get("p99_ms")]
        label = "queries (p99 of one)" if step == "queries" else step
        if seconds:
            time_ax.plot(*zip(*seconds), marker="o", label=label)
        if rows:
            mem_ax.plot([r["size"] for r in rows], [r["peak_rss"] / 2**20 for r in rows], marker="o", label=step)
    for ax, ylabel in ((time_ax, "seconds"), (mem_ax, "peak RSS of the step, MB")):
        ax.set(xscale="log", yscale="log", xlabel="triples requested", ylabel=ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    if http:  # requests/s of the saved-query mix at 4 clients, and cold starts, against size
        sizes = {label: r["triples"] for label, r in http.items()}
        servers = dict.fromkeys(n for r in http.values() for n in r.get("mix", {}).get("4", {}))
        for name in servers:
            pts = [(sizes[label], r["mix"]["4"][name]["rps"]) for label, r in http.items()
                   if name in r.get("mix", {}).get("4", {}) and r["mix"]["4"][name]["rps"]]
            if pts:
                http_ax.plot(*zip(*pts), marker="o", label=f"{name}: saved-query mix, 4 clients, req/s")
        for key, what in (("cold_turtle", "cold start from Turtle, s"),
                          ("cold_store", "restart on the built store, s")):
            pts = [(sizes[label], r[key]["seconds"]) for label, r in http.items()
                   if r.get(key, {}).get("seconds")]
            if pts:
                http_ax.plot(*zip(*pts), marker="s", linestyle="--", label=f"ours: {what}")
        http_ax.set(xscale="log", yscale="log", xlabel="triples served", ylabel="req/s or seconds")
        http_ax.grid(True, which="both", alpha=0.3)
        http_ax.legend(fontsize=7)
    load = ", ".join(f"{x:.1f}" for x in report["load_end"])
    fig.suptitle(f"ADMİU KG cost against size ({report['machine']['cores']} cores, shared machine, "
                 f"load average at end {load})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k", help="comma list, e.g. 10k,100k,1m")
    parser.add_argument("--quick", action="store_true", help="10k only, few query repetitions")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma list of steps to run")
    parser.add_argument("--owlrl-cap", type=parse_size, default=100_000,
                        help="largest size given to owlrl (default 100k)")
    parser.add_argument("--reasonable", action="store_true",
                        help=f"also time the `reasonable` package (sizes up to {REASONABLE_CAP})")
    parser.add_argument("--reps", type=int, default=20, help="timed runs per saved query")
    parser.add_argument("--query-deadline", type=float, default=30,
                        help="seconds after which one saved query is killed and reported")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per step")
    parser.add_argument("--http", action="store_true",
                        help="per size, also run bench/http_bench.py --data on the generated file: "
                        "cold start, server RSS, saved-query latency and mix throughput over HTTP "
                        "of our server, rdflib-endpoint and oxigraph serve-read-only")
    parser.add_argument("--http-bundled", action="store_true",
                        help="also run bench/http_bench.py on the bundled graph (typical queries)")
    parser.add_argument("--http-duration", type=float, default=3.0,
                        help="seconds per HTTP throughput cell (default 3; 1 with --quick)")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON file (default bench/results/latest.json; quick.json with --quick)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args)
        return 0
    if args.quick:  # a smoke run must not overwrite the reference results
        args.sizes, args.reps = "10k", 5
    args.out = args.out or RESULTS / ("quick.json" if args.quick else "latest.json")
    info = machine()
    report = {"machine": info, "load_start": os.getloadavg(), "rows": [], "args": vars(args) | {"out": str(args.out)}}
    steps = [s for s in args.steps.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="admiukg-bench-") as tmp:
        for label in args.sizes.split(","):
            size = parse_size(label)
            data = Path(tmp) / f"synthetic-{label}.ttl"
            for step in ["generate"] + [s for s in steps if s != "generate"]:
                row = {"size": size, "size_label": label, "step": step}
                reason = skip_reason(step, size, args, info)
                row |= {"note": reason} if reason else run_step(step, size, data, args)
                if step == "generate":
                    generated = row.get("triples")
                elif "seconds" in row:
                    row.setdefault("triples", generated)  # the data file's triples
                if row.get("peak_rss") and row.get("triples") and step != "generate":  # writes, holds nothing
                    row["bytes_per_triple"] = (row["peak_rss"] - row["baseline_rss"]) / row["triples"]
                report["rows"].append(row)
                print(f"  {label} {step}: {row.get('seconds', '-')} s {row.get('note', '')}",
                      file=sys.stderr, flush=True)
            if args.http and (ROOT / "bench" / "http_bench.py").exists() and data.exists():
                report.setdefault("http_sizes", {})[label] = run_http_size(label, data, args)
                print(f"  {label} http: done", file=sys.stderr, flush=True)
    if args.http_bundled and (ROOT / "bench" / "http_bench.py").exists():
        quick = ["--quick"] if args.quick else []
        done = subprocess.run([sys.executable, str(ROOT / "bench" / "http_bench.py"), *quick],
                              check=False, capture_output=True, text=True, timeout=args.timeout)
        report["http"] = done.stdout
    report["load_end"] = os.getloadavg()
    report["ratios"] = ratios(report["rows"])
    print_table(report)
    for label, http in report.get("http_sizes", {}).items():
        print(f"\nHTTP, {label} (bench/http_bench.py --data):\n" + http["text"].rstrip())
    if report.get("http"):
        print("\nHTTP, bundled graph (bench/http_bench.py):\n" + report["http"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    try:
        plot(report, args.out.with_suffix(".png"))
        print(f"\nwrote {args.out} and {args.out.with_suffix('.png')}")
    except ImportError:
        print(f"\nwrote {args.out}; no plot: pip install matplotlib (the 'bench' extra)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
