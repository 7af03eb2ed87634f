"""The validator's command line: ``admiukg.validation.cli.main`` in process, from the checkout
root as CI runs it; one test runs the real ``validate.py`` as a subprocess."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import rdflib

from admiukg import config
from admiukg.validation import cli

ROOT = config.ROOT
FIX = Path("tests/validate_fixtures")  # relative to ROOT, as users type it
FIXTURE_SCHEMA = ["--ontology", str(FIX / "ontology.ttl"), "--shapes", str(FIX / "shapes.ttl")]
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def run(*args: str, schema: bool = True) -> subprocess.CompletedProcess:
    """``validate.py ARGS`` in this process, from the checkout root; exit code and both streams."""
    argv = [*(FIXTURE_SCHEMA if schema else []), *args]
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = cli.main(argv)
            except SystemExit as exc:  # argparse's own errors
                code = exc.code
    finally:
        os.chdir(here)
    done = subprocess.CompletedProcess(["validate.py", *argv], code, out.getvalue(), err.getvalue())
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.mark.live
def test_validate_py_runs_as_a_script():
    argv = [sys.executable, str(ROOT / "validate.py"), *FIXTURE_SCHEMA, str(FIX / "invalid.ttl")]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "invalid.ttl:" in done.stdout and ": violation: " in done.stdout
    assert "Traceback" not in done.stderr


def line_of(fixture: str, needle: str) -> int:
    """The line of ``needle`` in a fixture, found independently of the validator."""
    lines = (ROOT / FIX / fixture).read_text("utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


# -- exit codes ----------------------------------------------------------------


def test_bundled_graph_conforms():
    done = run(schema=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("conforms")


def test_valid_fixture_exits_0():
    done = run(str(FIX / "valid.ttl"))
    assert done.returncode == 0, done.stdout
    assert "conforms: 0 violations" in done.stdout


def test_invalid_fixture_exits_1_naming_file_and_line():
    done = run(str(FIX / "invalid.ttl"))
    assert done.returncode == 1
    line = line_of("invalid.ttl", "id:uni-b a au:University")
    expected = f"{FIX}/invalid.ttl:{line}: violation: every organisation needs a name (au:name)"
    assert expected in done.stdout.splitlines()[0]
    assert "https://kg.admiu.example/id/uni-b" in done.stdout
    assert "does not conform: 1 violation" in done.stdout


def test_syntax_error_exits_2_naming_file_and_line():
    done = run(str(FIX / "syntax_error.ttl"))
    assert done.returncode == 2
    line = line_of("syntax_error.ttl", "au:website")  # the statement runs on past the missing '.'
    assert f"{FIX}/syntax_error.ttl:{line}: syntax error" in done.stderr
    assert "cannot validate" in done.stdout


def test_undeclared_prefix_is_a_load_error_with_line():
    done = run(str(FIX / "undeclared_prefix.ttl"))
    assert done.returncode == 2
    line = line_of("undeclared_prefix.ttl", "foaf:homepage")
    assert f'{FIX}/undeclared_prefix.ttl:{line}: syntax error: Prefix "foaf:" not bound' in done.stderr


def test_missing_file_exits_2():
    done = run(str(FIX / "no-such-file.ttl"))
    assert done.returncode == 2
    assert f"{FIX}/no-such-file.ttl: no such file" in done.stderr


def test_unknown_extension_exits_2():
    done = run("README.md")
    assert done.returncode == 2
    assert "README.md: unknown RDF file extension '.md'" in done.stderr


def test_remote_jsonld_context_exits_2():
    done = run(str(FIX / "remote_context.jsonld"))
    assert done.returncode == 2
    line = line_of("remote_context.jsonld", '"@context"')
    assert f"remote_context.jsonld:{line}: external JSON-LD context 'https://kg.admiu.example/context.jsonld' refused" in done.stderr


def test_every_load_error_is_reported_not_just_the_first():
    done = run(str(FIX / "syntax_error.ttl"), str(FIX / "no-such-file.ttl"))
    assert done.returncode == 2
    assert "syntax_error.ttl:" in done.stderr and "no-such-file.ttl: no such file" in done.stderr


# -- what is found --------------------------------------------------------------


def test_owl_rl_inconsistency_is_a_violation_on_the_subject_line():
    done = run(str(FIX / "inconsistent.ttl"))
    assert done.returncode == 1
    line = line_of("inconsistent.ttl", "id:jane a")
    expected = rf"inconsistent\.ttl:{line}: violation: OWL RL inconsistency: Disjoint classes .*id/jane"
    assert re.search(expected, done.stdout)


def test_misspelt_vocabulary_term_is_reported_with_a_suggestion():
    done = run(str(FIX / "vocabulary_typo.ttl"))
    assert done.returncode == 1
    line = line_of("vocabulary_typo.ttl", "rdfs:lable")
    expected = f"vocabulary_typo.ttl:{line}: violation: rdfs:lable is not a term of the rdfs: vocabulary"
    assert expected + "; did you mean rdfs:label?" in done.stdout


def test_undeclared_ontology_term_is_reported():
    done = run(str(FIX / "undeclared_term.ttl"))
    assert done.returncode == 1
    line = line_of("undeclared_term.ttl", "au:foundedIn")
    expected = f"undeclared_term.ttl:{line}: violation: au:foundedIn is used but not declared in the ontology"
    assert expected in done.stdout


def test_blank_node_focus_is_located_at_its_enclosing_subject():
    done = run(str(FIX / "blank_nodes.ttl"))
    assert done.returncode == 1  # the nameless partner is an Organisation only by inference (rdfs:domain)
    line = line_of("blank_nodes.ttl", "id:uni-h a")
    assert f"blank_nodes.ttl:{line}: violation: every organisation needs a name" in done.stdout


# -- strict, quiet, timeout ----------------------------------------------------------


def test_warnings_pass_unless_strict():
    lenient = run(str(FIX / "warning_only.ttl"))
    strict = run("--strict", str(FIX / "warning_only.ttl"))
    line = line_of("warning_only.ttl", "id:uni-c a")
    finding = f"warning_only.ttl:{line}: warning: a university should have a website (au:website)"
    assert lenient.returncode == 0 and finding in lenient.stdout
    assert strict.returncode == 1 and finding in strict.stdout
    assert "strict: warnings fail" in strict.stdout


def test_quiet_prints_only_failures():
    assert run("-q", str(FIX / "valid.ttl")).stdout == ""
    assert run("-q", str(FIX / "warning_only.ttl")).stdout == ""  # a warning does not fail
    out = run("-q", str(FIX / "invalid.ttl")).stdout.splitlines()
    assert len(out) == 1 and ": violation: " in out[0]


def test_timeout_exits_2_with_message(monkeypatch):
    def never_done(*args, **kwargs):  # a validation slower than any limit, whatever the machine
        while True:
            time.sleep(0.01)

    monkeypatch.setattr("admiukg.validation.validate.validate", never_done)
    started = time.monotonic()
    done = run("--timeout", "0.2", str(FIX / "valid.ttl"))
    assert done.returncode == 2
    assert "time limit of 0.2 s exceeded" in done.stderr
    assert time.monotonic() - started < 2


def test_naming_a_bundled_file_validates_the_whole_bundled_graph():
    """What pre-commit does: pass the changed files; a lone data file would lack its neighbours."""
    whole = run(schema=False)
    one = run(str(config.data_files()[0].relative_to(ROOT)), schema=False)
    assert one.returncode == whole.returncode
    assert one.stdout == whole.stdout


# -- formats ------------------------------------------------------------------------


def test_json_format():
    done = run("--format", "json", str(FIX / "invalid.ttl"))
    doc = json.loads(done.stdout)
    assert done.returncode == 1 and doc["exit_code"] == 1 and doc["conforms"] is False
    (result,) = doc["results"]
    assert result["severity"] == "Violation"
    assert result["focus"] == "https://kg.admiu.example/id/uni-b"
    assert result["path"] == "https://kg.admiu.example/ontology#name"
    assert result["source"] == "https://kg.admiu.example/shapes#OrganisationShape"
    assert result["component"] == str(SH.MinCountConstraintComponent)
    assert (result["file"], result["line"]) == (f"{FIX}/invalid.ttl", line_of("invalid.ttl", "id:uni-b a"))


def test_json_format_carries_load_errors():
    doc = json.loads(run("--format", "json", str(FIX / "syntax_error.ttl")).stdout)
    assert doc["exit_code"] == 2
    assert doc["errors"][0]["file"] == f"{FIX}/syntax_error.ttl"
    assert doc["errors"][0]["line"] == line_of("syntax_error.ttl", "au:website")


def test_turtle_format_is_a_shacl_report():
    done = run("--format", "turtle", str(FIX / "invalid.ttl"), str(FIX / "vocabulary_typo.ttl"))
    graph = rdflib.Graph().parse(data=done.stdout, format="turtle")
    (report,) = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms).toPython() is False
    results = list(graph.objects(report, SH.result))
    assert len(results) == 2
    foci = {str(graph.value(r, SH.focusNode)) for r in results}
    assert "https://kg.admiu.example/id/uni-b" in foci
    assert all(graph.value(r, SH.resultSeverity) == SH.Violation for r in results)


def test_turtle_format_conforming():
    graph = rdflib.Graph().parse(data=run("-f", "turtle", str(FIX / "valid.ttl")).stdout, format="turtle")
    (report,) = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms).toPython() is True
    assert not list(graph.objects(report, SH.result))


GITHUB = re.compile(r"^::(error|warning|notice) file=([^,]+),line=(\d+),title=([^:]*)::(.+)$")


def test_github_format_annotates_the_line():
    done = run("--format", "github", str(FIX / "invalid.ttl"), str(FIX / "warning_only.ttl"))
    found = [GITHUB.match(line) for line in done.stdout.splitlines()]
    annotations = {(m[1], m[2], int(m[3])) for m in found if m}
    assert ("error", f"{FIX}/invalid.ttl", line_of("invalid.ttl", "id:uni-b a")) in annotations
    assert ("warning", f"{FIX}/warning_only.ttl", line_of("warning_only.ttl", "id:uni-c a")) in annotations
    assert done.returncode == 1


def test_github_format_strict_turns_warnings_into_errors():
    done = run("--strict", "--format", "github", str(FIX / "warning_only.ttl"))
    assert done.returncode == 1
    assert any(m and m[1] == "error" for m in map(GITHUB.match, done.stdout.splitlines()))


def test_github_format_load_error():
    done = run("--format", "github", str(FIX / "syntax_error.ttl"))
    match = GITHUB.match(done.stdout.splitlines()[0])
    assert match, done.stdout
    line = line_of("syntax_error.ttl", "au:website")
    assert (match[1], match[2], int(match[3])) == ("error", f"{FIX}/syntax_error.ttl", line)
    assert done.returncode == 2


@pytest.mark.parametrize("fmt", ["text", "json", "turtle", "github"])
def test_every_format_keeps_the_exit_code(fmt):
    assert run("--format", fmt, str(FIX / "valid.ttl")).returncode == 0
    assert run("--format", fmt, str(FIX / "invalid.ttl")).returncode == 1
    assert run("--format", fmt, str(FIX / "syntax_error.ttl")).returncode == 2
