"""The shapes' golden examples through the validator itself: what CI users run.

Each invalid example is a fragment written against valid/00_minimal_world.ttl and breaks one
rule, so the validator must fail it (strictly, for the two warning-level rules) with a
finding that points into that file; the valid fragments must pass.
"""

from pathlib import Path

import pytest

from admiukg.validation.validate import validate

EXAMPLES = Path(__file__).parent / "shapes"
WORLD = EXAMPLES / "valid" / "00_minimal_world.ttl"
INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))
VALID = sorted(p for p in (EXAMPLES / "valid").glob("*.ttl") if p != WORLD)


@pytest.mark.parametrize("example", VALID, ids=lambda p: p.stem)
def test_valid_example_conforms(example):
    # the example world quotes a made-up source file: its facts cannot be read off a text
    report = validate([WORLD, example], strict=True, facts=False)
    assert report.exit_code == 0, [f.message for f in report.results]


@pytest.mark.parametrize("example", INVALID, ids=lambda p: p.stem)
def test_invalid_example_fails_with_a_finding_in_its_file(example):
    report = validate([WORLD, example], strict=True)
    assert report.exit_code == 1
    located = [f for f in report.results if f.file and Path(f.file).name == example.name]
    assert located, [(f.file, f.message) for f in report.results]
    assert all(f.line and f.message for f in located)
