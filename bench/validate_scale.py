"""validate.py on generated graphs of growing size: per-phase times and peak memory, beside pyshacl.

    python bench/validate_scale.py [--sizes 10k,100k,1m] [--peer-timeout 240]

Each run is a fresh interpreter, as CI runs it. Columns:
  validate.py          `python validate.py FILE` (default engine: above 50k triples everything
                       inside one Oxigraph store), wall time, exit code and peak RSS, with the
                       time of each phase it reports;
  --engine pyshacl     the same validation the reference way (rdflib graphs, pyshacl twice);
  pyshacl alone        rdflib parse + one pyshacl.validate of ontology + data, no inference
                       (less work than validate.py does: no closure, no second pass, no checks).
Peers that exceed --peer-timeout are stopped and shown as "> N s". Target: 1M triples in
60 s wall and 2 GB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import parse_size, write_file  # noqa: E402

VALIDATE = """
import json, sys
from admiukg import progress  # noqa: E402
from admiukg.validation.cli import main  # noqa: E402
code = main(sys.argv[2:])
json.dump(progress.TIMES, open(sys.argv[1], "w"))
sys.exit(code)
"""
PYSHACL = """
import json, sys, time
import pyshacl, rdflib
from admiukg import config  # noqa: E402
t = time.perf_counter()
g = rdflib.Graph()
for p in [*config.ontology_files(), sys.argv[2]]:
    g.parse(p, format="turtle")
parsed = time.perf_counter()
pyshacl.validate(g, shacl_graph=rdflib.Graph().parse(config.shapes_file()), inference="none",
                 advanced=True, allow_warnings=True, do_owl_imports=False)
json.dump([["parse (rdflib)", parsed - t], ["pyshacl.validate", time.perf_counter() - parsed]],
          open(sys.argv[1], "w"))
"""


def measure(code: str, args: list[str], timeout: float | None) -> dict:
    """Wall seconds, exit code, peak RSS (MB) and reported phases of one child interpreter."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        phases_file = Path(out.name)
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, str(phases_file), *args], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    killer = threading.Timer(timeout, child.kill) if timeout else None
    if killer:
        killer.start()
    _pid, status, usage = os.wait4(child.pid, 0)  # the child's own peak RSS
    wall = time.perf_counter() - start
    if killer:
        killer.cancel()
    child.returncode = os.waitstatus_to_exitcode(status)
    try:
        phases = json.loads(phases_file.read_text() or "[]")
    except (OSError, ValueError):
        phases = []
    phases_file.unlink(missing_ok=True)
    return {"wall": wall, "code": child.returncode, "rss": usage.ru_maxrss / 1024, "phases": phases,
            "timed_out": child.returncode < 0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m")
    parser.add_argument("--peer-timeout", type=float, default=240.0, metavar="SECONDS")
    args = parser.parse_args()
    import pyoxigraph
    import pyshacl
    import rdflib

    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}, pyshacl {pyshacl.__version__}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            data = Path(tmp) / f"generated-{size}.ttl"
            triples = write_file(data, parse_size(size))
            ours = measure(VALIDATE, [str(data)], timeout=None)
            reference = measure(VALIDATE, ["--engine", "pyshacl", str(data)], timeout=args.peer_timeout)
            alone = measure(PYSHACL, [str(data)], timeout=args.peer_timeout)
            rows.append((size, triples, ours, reference, alone, os.getloadavg()[0]))
            print(f"\n{size} ({triples} triples), load {rows[-1][5]:.2f}:")
            print(f"  validate.py                {_run(ours)}")
            for label, seconds in ours["phases"]:
                print(f"      {seconds:7.2f} s  {label}")
            print(f"  validate.py --engine pyshacl {_run(reference, args.peer_timeout)}")
            print(f"  pyshacl alone              {_run(alone, args.peer_timeout)}  "
                  + ", ".join(f"{label} {s:.2f} s" for label, s in alone["phases"]))
    print("\n| triples | validate.py | peak | exit | phases | validate.py --engine pyshacl | pyshacl alone | load |")
    print("|---|---|---|---|---|---|---|---|")
    for _size, triples, ours, reference, alone, load in rows:
        phases = "; ".join(f"{label} {s:.1f}" for label, s in ours["phases"])
        print(f"| {triples:,} | {ours['wall']:.1f} s | {ours['rss']:.0f} MB | {ours['code']} | {phases} | "
              f"{_short(reference, args.peer_timeout)} | {_short(alone, args.peer_timeout)} | {load:.1f} |")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def _run(result: dict, timeout: float | None = None) -> str:
    if result["timed_out"]:
        return f"stopped after {timeout:g} s"
    return f"{result['wall']:7.2f} s wall, exit {result['code']}, peak {result['rss']:.0f} MB"


def _short(result: dict, timeout: float) -> str:
    return f"> {timeout:g} s (stopped)" if result["timed_out"] else f"{result['wall']:.1f} s"


if __name__ == "__main__":
    raise SystemExit(main())
