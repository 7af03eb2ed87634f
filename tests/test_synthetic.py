"""The synthetic generator: deterministic, sized as asked, and valid against the real shapes."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate

from admiukg import config
from admiukg.graph import inference
from bench import synthetic


def generated(size: int, seed: int = 1) -> tuple[str, int]:
    out = io.StringIO()
    count = synthetic.generate(out, size, seed)
    return out.getvalue(), count


def shacl_conforms(data_text: str) -> tuple[bool, str]:
    """pyshacl with the real shapes over ontology + data + owlrl entailments (as validate.py does)."""
    graph = rdflib.Graph()
    for path in config.ontology_files():
        graph.parse(path)
    graph.parse(data=data_text, format="turtle")
    graph += inference.entailments(graph)
    shapes = rdflib.Graph().parse(config.shapes_file())
    conforms, _, text = validate(graph, shacl_graph=shapes, inference="none", allow_warnings=False)
    return conforms, text


def test_same_seed_gives_identical_bytes_and_another_seed_does_not():
    assert generated(5_000, seed=3) == generated(5_000, seed=3)
    assert generated(5_000, seed=3)[0] != generated(5_000, seed=4)[0]


@pytest.mark.parametrize("size", [5_000, 10_000, 50_000])
def test_triple_count_is_within_five_percent_and_reported_exactly(size):
    text, count = generated(size)
    store = ox.Store()
    store.load(text.encode(), format=ox.RdfFormat.TURTLE)
    assert len(store) == count  # no duplicate triples, and the returned count is the truth
    assert abs(count - size) <= 0.05 * size


@pytest.mark.parametrize("text, size", [("10k", 10_000), ("1m", 1_000_000), ("2.5k", 2_500), ("77", 77)])
def test_parse_size(text, size):
    assert synthetic.parse_size(text) == size


def test_only_terms_the_ontology_declares_are_used():
    ontology = rdflib.Graph()
    for path in config.ontology_files():
        ontology.parse(path)
    declared = set(ontology.subjects())
    data = rdflib.Graph().parse(data=generated(2_000)[0], format="turtle")
    used = {t for s, p, o in data for t in (p, o) if str(t).startswith(config.AU)}
    assert used and used <= declared, sorted(used - declared)


@pytest.mark.slow
def test_a_10k_sample_passes_the_shapes_after_owl_rl_inference():
    conforms, report = shacl_conforms(generated(10_000, seed=5)[0])
    assert conforms, report[:2000]


def test_the_shapes_check_catches_a_broken_sample():
    text = generated(1_000)[0]
    broken = text.replace("au:startYear", "au:awardYear", 1)  # a membership loses its start year
    assert broken != text
    assert not shacl_conforms(broken)[0]


@pytest.mark.live
def test_generate_cli_writes_the_same_file_twice(tmp_path):
    import subprocess
    import sys

    outputs = [tmp_path / "a.ttl", tmp_path / "b.ttl"]
    for out in outputs:
        subprocess.run([sys.executable, str(config.ROOT / "bench" / "generate.py"), "3k", "-o", str(out),
                        "--seed", "2"], check=True, capture_output=True)
    assert outputs[0].read_bytes() == outputs[1].read_bytes() and outputs[0].stat().st_size > 0


@pytest.mark.live
def test_bench_harness_smoke(tmp_path):
    """The one benchmark command runs end to end on a tiny size and writes its JSON and plot."""
    import json
    import subprocess
    import sys

    out = tmp_path / "r.json"
    done = subprocess.run([sys.executable, str(config.ROOT / "bench" / "run.py"), "--sizes", "2k",
                           "--steps", "generate,load-oxigraph,infer-fast", "--out", str(out)],
                          check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {r["step"]: r for r in json.loads(out.read_text())["rows"]}
    assert rows["infer-fast"]["added"] > 0 and rows["load-oxigraph"]["triples"] == rows["generate"]["triples"]
    assert "infer-fast" in done.stdout
    try:
        import matplotlib  # noqa: F401 -- the plot needs the 'bench' extra
    except ImportError:
        return
    assert out.with_suffix(".png").stat().st_size > 0
