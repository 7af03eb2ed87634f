"""Where the web process's CPU goes per query, in the running server: thread CPU per event-loop
callback and per function of the query path (``bench/loopprof/sitecustomize.py``).

    python bench/loop_profile.py --data /tmp/syn-1m.ttl [--clients 1] [--seconds 5]

Serves the file with ``python server.py FILE --cache-mb 0``, waits until the in-memory copy
answers and the on-disk store is built, sends distinct queries of the five cheap shapes
(bench/distinct.py) for a warm-up, then for ``--seconds``, and prints microseconds per call and
per query. Unlike a hot loop in one process, this counts the cold caches a process meets when
the client, the web process and a worker take turns on the cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.distinct import SHAPES, DistinctQueries, graph_counts  # noqa: E402
from bench.distinct_bench import load_avg, wait_in_memory, wait_on_disk, window  # noqa: E402
from bench.live import LiveServer  # noqa: E402
from bench.proctree import children, cmdline  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--clients", type=int, default=1)
    p.add_argument("--seconds", type=float, default=5.0)
    args = p.parse_args(argv)
    trigger = Path(tempfile.mkdtemp(prefix="loopprof-")) / "dump"
    env = {"LOOPPROF": str(trigger),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "bench" / "loopprof"), str(ROOT)])}
    server = LiveServer([str(args.data), "--cache-mb", "0"], env=env).start(timeout=1800)
    try:
        wait_in_memory(server)
        wait_on_disk(server)
        web = next(k for k in children(server.proc.pid) if "server.py" in cmdline(k))
        cheap = [s for s in SHAPES if s != "network-country"]
        make = DistinctQueries(graph_counts(args.data), 5).make
        queries = [make(cheap[i % len(cheap)]) for i in range(40000)]

        def dump() -> str:
            Path(f"{trigger}.{web}").touch()
            out = Path(f"{trigger}.{web}.txt")
            while not out.exists():
                time.sleep(0.05)
            time.sleep(0.1)
            text = out.read_text()
            out.unlink()
            return text

        window(server.endpoint, queries[:500], args.clients, 1)
        dump()  # counting starts here
        measured = window(server.endpoint, queries[500:], args.clients, args.seconds)
        report = dump()
    finally:
        server.stop()
    n = sum(len(v) for v in measured["lat"].values())
    print(f"{n} queries, {measured['rps']:.0f}/s, {args.clients} client(s); load average "
          f"{load_avg()}")
    print(f"{'us/call':>9} {'calls':>8} {'us/query':>9}")
    for line in report.splitlines():
        per_call, _, calls, _, name = line.split(maxsplit=4)
        print(f"{float(per_call):9.1f} {int(calls):8} {float(per_call) * int(calls) / n:9.1f}  "
              f"{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
