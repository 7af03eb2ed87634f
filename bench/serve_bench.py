"""Cold start, restart and memory of ``python server.py FILE`` for 1, 2 and 4 query workers.

    python bench/serve_bench.py --data /tmp/syn-1m.ttl [--queries 300]
    python bench/serve_bench.py --data /tmp/syn-10m.ttl --workers 4 --modes memory,disk,store \
        --store http://127.0.0.1:8890/sparql --store-pid PID

Per configuration: cold start (empty ``--cache-dir``) until ``/health`` answers 200 and queries
are answered, until the in-memory copy serves them (on a cold start the same moment: the on-disk
store is built in the background) and until the on-disk store is built; on restart (store on
disk) until answering (workers on the on-disk store at first) and until the in-memory copy
serves; then ``--queries`` distinct queries (bench/distinct.py) and, once every query worker is
up again, the memory of the whole process tree: summed PSS (shared copy-on-write pages counted once, split
between the processes that share them) and, for comparison, summed RSS (shared pages counted in
every process). B/triple = PSS / triples served.

``--modes``: ``memory`` (the default: query workers forked from the in-memory copy), ``disk``
(``--disk``: workers on the on-disk store; no in-memory copy to wait for) and ``store``
(``--store URL``: a SPARQL store already holding ``--data``, e.g. Virtuoso; its own memory is
shown apart when ``--store-pid`` names its process).
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
from bench.proctree import children, cmdline, descendants, query_workers  # noqa: E402

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


def server_args(mode: str, data: Path, store: str | None) -> tuple[list[str], bool]:
    """The command line of ``mode`` and whether it has an in-memory copy to wait for."""
    if mode == "memory":
        return [str(data)], True
    if mode == "disk":
        return [str(data), "--disk"], False
    if mode == "store":
        if not store:
            raise SystemExit("serve_bench.py: --modes store needs --store URL")
        return ["--store", store], False
    raise SystemExit(f"serve_bench.py: unknown mode {mode!r} (memory, disk, store)")


def start(args: list[str], cache: Path,
          in_memory: bool) -> tuple[LiveServer, float, float, float]:
    """Seconds until answering, until the in-memory copy answers, until the store is on disk."""
    srv = LiveServer([*args, "--cache-mb", "0"], cache_dir=cache)
    t0 = time.perf_counter()
    srv.start(timeout=1800)
    serving = time.perf_counter() - t0
    while in_memory and not requests.get(srv.url + "/health",
                                         timeout=10).json()["workers"].get("in_memory"):
        time.sleep(0.05)
    memory = time.perf_counter() - t0
    while not requests.get(srv.url + "/health", timeout=10).json().get("store_on_disk", True):
        time.sleep(0.1)  # a cold start builds it in the background: the restart needs it
    return srv, serving, memory, time.perf_counter() - t0


def query_worker_count(pid: int) -> int:
    """Query workers in the tree: the zygote's forks, or the web workers' children (``--disk``)."""
    kids = children(pid)
    zygotes = [k for k in kids if "admiukg.endpoint.zygote" in cmdline(k)]
    return sum(len(children(z)) for z in zygotes) or len(query_workers(pid))


def settled(srv: LiveServer, expected: int, seconds: float = 60) -> dict:
    """/health's workers once all ``expected`` query workers are up: a sample while retired
    forks are being replaced (at 10M triples grouped queries make them retire often) misses
    their share of the store."""
    deadline = time.monotonic() + seconds
    while query_worker_count(srv.proc.pid) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return requests.get(srv.url + "/health", timeout=10).json()["workers"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--workers", default="1,2,4")
    p.add_argument("--server-args", default="", help="extra arguments for server.py")
    p.add_argument("--modes", default="memory", help="memory, disk, store (comma-separated)")
    p.add_argument("--store", metavar="URL", help="--modes store: the store's query URL")
    p.add_argument("--store-pid", type=int, help="--modes store: the store's process, to show "
                   "its memory apart")
    args = p.parse_args(argv)
    counts = graph_counts(args.data)
    print(f"{args.data.name} {args.server_args}; load average {load_avg()} at start")
    print(f"{'mode':>6} {'query workers':>13} | {'cold: serving / in memory / on disk':>36} | "
          f"{'restart: serving / in memory':>29} | {'PSS MB':>7} {'B/triple':>8} | "
          f"{'RSS MB':>7} | procs | alive/replaced/recycled | load")
    for mode in args.modes.split(","):
        command, in_memory = server_args(mode, args.data, args.store)
        command += args.server_args.split()
        for n in [int(x) for x in args.workers.split(",")]:
            cache = Path(tempfile.mkdtemp(prefix="serve-bench-"))
            try:
                srv, cold_serving, cold_memory, cold_disk = start([*command, *CONFIGS[n]], cache,
                                                                  in_memory)
                srv.stop()
                srv, warm_serving, warm_memory, _ = start([*command, *CONFIGS[n]], cache,
                                                          in_memory)
                triples = requests.get(srv.url + "/health", timeout=10).json()["triples"]
                client = Client(srv.endpoint)
                stream = iter(DistinctQueries(counts, 3))
                for _ in range(args.queries):
                    _, query, accept = next(stream)
                    client.ask(query, accept)
                workers = settled(srv, 0 if mode == "store" else n)
                pss, rss, procs = tree_memory(srv.proc.pid)
                srv.stop()
            finally:
                shutil.rmtree(cache, ignore_errors=True)
            fate = f"{workers['alive']}/{workers['replaced']}/{workers.get('recycled', 0)}"
            memory = f"{cold_memory:6.1f} s" if in_memory else f"{'-':>8}"
            warm = f"{warm_memory:6.1f} s" if in_memory else f"{'-':>8}"
            print(f"{mode:>6} {n:>13} | {cold_serving:10.1f} s / {memory} / {cold_disk:6.1f} s | "
                  f"{warm_serving:12.1f} s / {warm} | {pss / 2**20:7.0f} "
                  f"{pss / triples:8.0f} | {rss / 2**20:7.0f} | {procs:>5} | {fate:>23} | {load_avg()}")
            if mode == "store" and args.store_pid:
                spss, srss, _ = tree_memory(args.store_pid)
                print(f"{'':>6} {'the store':>13} | {'':>36} | {'':>29} | {spss / 2**20:7.0f} "
                      f"{spss / triples:8.0f} | {srss / 2**20:7.0f} |")
    print(f"load average {load_avg()} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
