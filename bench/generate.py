"""Write synthetic ADMİU-style Turtle: python bench/generate.py 100k -o /tmp/syn-100k.ttl [--seed 1]."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled

from bench.synthetic import parse_size, write_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("size", help="triples wanted: 10k, 100k, 1m or a number")
    parser.add_argument("-o", "--output", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    written = write_file(args.output, parse_size(args.size), args.seed)
    print(f"{written} triples -> {args.output} in {time.perf_counter() - start:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
