"""Cold start, restart and memory of ``python server.py FILE`` for 1, 2 and 4 query workers.

    python bench/serve_bench.py --data /tmp/syn-1m.ttl [--queries 300]

Per configuration: cold start (empty ``--cache-dir``) until ``/health`` answers 200 and queries
are answered, until the in-memory copy serves them (on a cold start the same moment: the on-disk
store is built in the background) and until the on-disk store is built; on restart (store on
disk) until answering (workers on the on-disk store at first) and until the in-memory copy serves; then ``--queries`` distinct queries (bench/distinct.py) and,
a second later, the memory of the whole process tree: summed PSS (shared copy-on-write pages counted once, split
between the processes that share them) and, for comparison, summed RSS (shared pages counted in
every process). B/triple = PSS / triples served.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.distinct import DistinctQueries, graph_counts  # noqa: E402
from bench.distinct_bench import Client, load_avg  # noqa: E402
from bench.live import LiveServer  # noqa: E402
from bench.proctree import descendants  # noqa: E402

CONFIGS = {1: ["--workers", "1", "--query-workers", "1"],
           2: ["--workers", "1", "--query-workers", "2"],
           4: ["--workers", "1", "--query-workers", "4"]}  # 4: the default


def tree_memory(pid: int) -> tuple[int, int, int]:
    pss = rss = n = 0
    for p in [pid, *descendants(pid)]:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
            n += 1
        except OSError:
            pass
    return pss, rss, n


def start(data: Path, args: list[str], cache: Path) -> tuple[LiveServer, float, float, float]:
    """Seconds until answering, until the in-memory copy answers, until the store is on disk."""
    srv = LiveServer([str(data), "--cache-mb", "0", *args], cache_dir=cache)
    t0 = time.perf_counter()
    srv.start(timeout=600)
    serving = time.perf_counter() - t0
    while not requests.get(srv.url + "/health", timeout=10).json()["workers"].get("in_memory"):
        time.sleep(0.05)
    in_memory = time.perf_counter() - t0
    while not requests.get(srv.url + "/health", timeout=10).json().get("store_on_disk", True):
        time.sleep(0.1)  # a cold start builds it in the background: the restart needs it
    return srv, serving, in_memory, time.perf_counter() - t0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--workers", default="1,2,4")
    p.add_argument("--server-args", default="", help="extra arguments for server.py")
    args = p.parse_args(argv)
    counts = graph_counts(args.data)
    print(f"{args.data.name} {args.server_args}; load average {load_avg()} at start")
    print(f"{'query workers':>13} | {'cold: serving / in memory / on disk':>36} | "
          f"{'restart: serving / in memory':>29} | {'PSS MB':>7} {'B/triple':>8} | "
          f"{'RSS MB':>7} | procs")
    for n in [int(x) for x in args.workers.split(",")]:
        cache = Path(tempfile.mkdtemp(prefix="serve-bench-"))
        try:
            srv, cold_serving, cold_memory, cold_disk = start(args.data, CONFIGS[n] + args.server_args.split(), cache)
            srv.stop()
            srv, warm_serving, warm_memory, _ = start(args.data, CONFIGS[n] + args.server_args.split(), cache)
            triples = requests.get(srv.url + "/health", timeout=10).json()["triples"]
            client = Client(srv.endpoint)
            stream = iter(DistinctQueries(counts, 3))
            for _ in range(args.queries):
                _, query, accept = next(stream)
                client.ask(query, accept)
            time.sleep(1)  # a worker retired by the last query: its fresh fork settles
            pss, rss, procs = tree_memory(srv.proc.pid)
            srv.stop()
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        print(f"{n:>13} | {cold_serving:10.1f} s / {cold_memory:6.1f} s / {cold_disk:6.1f} s | "
              f"{warm_serving:12.1f} s / {warm_memory:6.1f} s | {pss / 2**20:7.0f} "
              f"{pss / triples:8.0f} | {rss / 2**20:7.0f} | {procs}")
    print(f"load average {load_avg()} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
