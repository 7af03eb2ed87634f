"""pyrudof (Rust SHACL, on PyPI) against pyshacl on the same input: time and whether the reports agree.

    pip install pyrudof && python bench/rudof_compare.py [--sizes 10k,100k]

Both validate the ontology + data as asserted (no inference) against ontology/shapes.ttl: the
golden invalid examples (tests/shapes/invalid/*, each with the minimal world) and generated graphs.
Compared per result: focus node, path, severity, source shape (IRIs only), component and value.
Messages are compared separately: validate.py reports each constraint's sh:message.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rdflib  # noqa: E402

from admiukg import config  # noqa: E402
from bench.synthetic import generate, parse_size  # noqa: E402

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
INVALID = sorted((ROOT / "tests" / "shapes" / "invalid").glob("*.ttl"))
BASE = ROOT / "tests" / "shapes" / "valid" / "00_minimal_world.ttl"


def pyshacl_results(paths: list[Path]) -> tuple[set, set, float]:
    import pyshacl

    start = time.perf_counter()
    data = rdflib.Graph()
    for path in [*config.ontology_files(), *paths]:
        data.parse(path, format="turtle")
    shapes = rdflib.Graph().parse(config.shapes_file())
    _c, report, _t = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                      allow_warnings=True, do_owl_imports=False)  # fmt: skip
    seconds = time.perf_counter() - start
    keys, messages = set(), set()
    for r in report.objects(None, SH.result):
        shape = report.value(r, SH.sourceShape)
        path = report.value(r, SH.resultPath)
        value = report.value(r, SH.value)
        keys.add((str(report.value(r, SH.focusNode)), _path(report, path), _local(report.value(r, SH.resultSeverity)),
                  str(shape) if isinstance(shape, rdflib.URIRef) else None,
                  _local(report.value(r, SH.sourceConstraintComponent)), None if value is None else str(value)))
        messages |= {str(m) for m in report.objects(r, SH.resultMessage)}
    return keys, messages, seconds


def rudof_results(paths: list[Path]) -> tuple[set, set, float]:
    import pyrudof

    start = time.perf_counter()
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    for path in [*config.ontology_files(), *paths]:
        rudof.read_data(str(path), merge=True)
    rudof.read_shacl(str(config.shapes_file()))
    report = rudof.validate_shacl()
    seconds = time.perf_counter() - start
    keys, messages = set(), set()
    for e in report:
        shape = str(e.source_shape)
        keys.add((str(e.focus_node).strip("<>"), _rudof_path(e.path), _local(e.severity),
                  shape.strip("<>") if not shape.startswith("_:") else None,
                  _local(e.constraint_component), _rudof_value(e.value)))
        if e.message:
            messages.add(str(e.message))
    return keys, messages, seconds


def _local(iri) -> str:
    return re.split(r"[#/]", str(iri))[-1].removesuffix("ConstraintComponent")


def _path(graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, rdflib.URIRef):
        return str(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + str(inverse)
    return "(" + " / ".join(str(p) for p in graph.items(path)) + ")"


def _rudof_path(path) -> str | None:
    text = str(path) if path is not None else ""
    if not text:
        return None
    text = text.replace("<", "").replace(">", "")
    return re.sub(r"^\^\((\S+)\)$", r"^\1", text)  # pyrudof writes ^(p) for an inverse path


def _rudof_value(value) -> str | None:
    if value is None or str(value) == "":
        return None
    text = str(value)
    match = re.match(r'^"(.*)"(\^\^.*|@.*)?$', text, re.DOTALL)
    return match.group(1) if match else text.strip("<>")


def compare(name: str, paths: list[Path]) -> bool:
    ref, ref_messages, ref_s = pyshacl_results(paths)
    got, got_messages, got_s = rudof_results(paths)
    agree = ref == got
    print(f"{name:44} {len(ref):6} {len(got):6} {'yes' if agree else 'NO':>6} {ref_s:9.2f} {got_s:9.2f} "
          f"{'yes' if ref_messages <= got_messages else 'no':>9}")  # fmt: skip
    if not agree and os.environ.get("VERBOSE"):
        print("   only pyshacl:", sorted(ref - got, key=repr)[:3], "\n   only pyrudof:", sorted(got - ref, key=repr)[:3])
    return agree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k")
    args = parser.parse_args()
    import pyrudof

    print(f"pyrudof {pyrudof.Rudof(pyrudof.RudofConfig()).get_version()}; load {os.getloadavg()[0]:.1f}")
    print(f"{'input':44} {'pyshacl':>6} {'rudof':>6} {'agree':>6} {'pyshacl s':>9} {'rudof s':>9} {'messages':>9}")
    agreed = 0
    for path in INVALID:
        agreed += compare(path.stem, [BASE, path])
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            text = io.StringIO()
            generate(text, parse_size(size))
            data = Path(tmp) / f"generated-{size}.ttl"
            data.write_text(text.getvalue(), "utf-8")
            agreed += compare(f"generated {size}", [data])
    print(f"reports agree on {agreed} of {len(INVALID) + len(args.sizes.split(','))} inputs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
