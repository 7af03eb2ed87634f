"""How an in-memory pyoxigraph store is loaded changes how fast it answers.

    python bench/load_kinds.py --data /tmp/syn-1m.ttl [--queries 400]

Each way (``Store.load``, a transaction; ``Store.bulk_load``, the parallel bulk loader) loads the
file into a fresh in-memory store in a child process; then the six distinct-query shapes
(:mod:`bench.distinct`) run in process, and the table shows load time (wall and CPU), resident
memory and CPU per query of each shape, with the ratio. The zygote loads with ``Store.load``
(:func:`admiukg.graph.rebase.load_into`, ``bulk=False``) because of what this shows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.distinct import SHAPES, DistinctQueries, graph_counts  # noqa: E402


def measure(data: Path, how: str, queries: int) -> dict:
    import ctypes

    import pyoxigraph as ox

    store = ox.Store()
    wall, cpu = time.perf_counter(), time.process_time()
    getattr(store, how)(path=str(data), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:g"))
    out = {"load_s": time.perf_counter() - wall, "load_cpu_s": time.process_time() - cpu}
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    out["rss_mib"] = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf(
        "SC_PAGE_SIZE") / 2**20
    counts = graph_counts(data)
    for shape in SHAPES:
        stream = DistinctQueries(counts, seed=5)
        n = queries if shape != "network-country" else max(10, queries // 20)
        texts = [stream.make(shape)[1] for _ in range(n + 10)]

        def run(text):
            result = store.query(text, use_default_graph_as_union=True)
            result.serialize(format=ox.RdfFormat.N_TRIPLES if isinstance(result, ox.QueryTriples)
                             else ox.QueryResultsFormat.JSON)

        for text in texts[:10]:
            run(text)
        cpu = time.process_time()
        for text in texts[10:]:
            run(text)
        out[shape] = (time.process_time() - cpu) / n * 1000
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--queries", type=int, default=400)
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.data, args.child, args.queries)))
        return 0
    print(f"in-memory store, {args.data}; {os.cpu_count()} cores; load average "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])} at start")
    found = {}
    for how in ("load", "bulk_load"):  # each in its own process: no shared heap
        found[how] = json.loads(subprocess.run(
            [sys.executable, __file__, "--data", str(args.data), "--queries", str(args.queries),
             "--child", how], check=True, capture_output=True, text=True).stdout)
    a, b = found["load"], found["bulk_load"]
    print(f"{'':26} {'load':>10} {'bulk_load':>10} {'bulk/load':>10}")
    for key, label in (("load_s", "load, wall s"), ("load_cpu_s", "load, CPU s"),
                       ("rss_mib", "resident MiB")):
        print(f"{label:26} {a[key]:10.1f} {b[key]:10.1f} {b[key] / a[key]:9.2f}x")
    for shape in SHAPES:
        print(f"{shape + ', CPU ms':26} {a[shape]:10.3f} {b[shape]:10.3f} "
              f"{b[shape] / a[shape]:9.2f}x")
    print(f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
