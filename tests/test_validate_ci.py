"""The CI integrations run what they say: the pre-commit hook and the GitHub workflow."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import yaml

from admiukg import config

ROOT = config.ROOT
BAD = "tests/validate_fixtures/bundled_typo.ttl"  # rdfs:lable, checked against the bundled ontology
BROKEN = "tests/validate_fixtures/syntax_error.ttl"


def bad_line(path: str, needle: str) -> int:
    lines = (ROOT / path).read_text("utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text and not text.startswith("#"))


def executable(name: str) -> str:
    found = shutil.which(name)
    assert found, f"console script {name!r} is not installed: run `pip install -e .`"
    return found


def run(argv: list[str]) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_pre_commit_hook_entry():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "admiu-kg-validate"
    assert hook["language"] == "python"
    assert hook["entry"] == "admiukg-validate"
    files = re.compile(hook["files"])
    for name in ("data/x.ttl", "a.nt", "a.trig", "a.nq", "a.jsonld", "a.rdf"):
        assert files.search(name), name
    for name in ("validate.py", "README.md", "a.ttl.bak"):
        assert not files.search(name), name


def test_pre_commit_hook_command_reports_file_and_line():
    """pre-commit runs ENTRY FILE...; the finding must name the file and line."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    argv = shlex.split(hook["entry"])
    done = run([executable(argv[0]), *argv[1:], BAD])
    assert done.returncode == 1
    assert f"{BAD}:{bad_line(BAD, 'rdfs:lable')}: violation: rdfs:lable is not a term" in done.stdout


def workflow_command() -> list[str]:
    workflow = yaml.safe_load((ROOT / "docs/ci/github-workflow.yml").read_text("utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    runs = [s["run"] for s in steps if "admiukg-validate" in s.get("run", "")]
    assert len(runs) == 1, runs
    argv = shlex.split(runs[0])
    assert argv[0] == "admiukg-validate" and "--format" in argv and argv[argv.index("--format") + 1] == "github"
    return [executable(argv[0]), *argv[1:]]


def test_github_workflow_triggers_on_push_and_pull_request():
    workflow = yaml.safe_load((ROOT / "docs/ci/github-workflow.yml").read_text("utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert {"push", "pull_request"} <= set(triggers)


def test_github_workflow_command_annotates_the_bad_line():
    done = run([*workflow_command(), BAD])
    assert done.returncode == 1
    line = bad_line(BAD, "rdfs:lable")
    pattern = rf"^::error file={re.escape(BAD)},line={line},title=[^:]+::rdfs:lable is not a term"
    assert re.search(pattern, done.stdout, re.M), done.stdout


def test_github_workflow_command_annotates_syntax_errors():
    done = run([*workflow_command(), BROKEN])
    assert done.returncode == 2
    line = bad_line(BROKEN, "au:website")
    pattern = rf"^::error file={re.escape(BROKEN)},line={line},title=RDF load error::syntax error"
    assert re.search(pattern, done.stdout, re.M)


def test_github_workflow_command_passes_on_the_bundled_graph():
    done = run(workflow_command())
    assert done.returncode == 0, done.stdout
    assert not re.search(r"^::error", done.stdout, re.M)


def test_github_workflow_validates_the_checkout_not_an_installed_copy():
    """A plain `pip install .` would validate share/admiukg in the virtualenv and annotate its
    paths; the workflow installs editable and runs in the checkout."""
    workflow = yaml.safe_load((ROOT / "docs/ci/github-workflow.yml").read_text("utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    assert any(s.get("uses", "").startswith("actions/checkout") for s in steps)
    installs = [shlex.split(s["run"]) for s in steps if "pip install" in s.get("run", "")]
    assert installs and all("-e" in argv or "--editable" in argv for argv in installs), installs
    assert not any("working-directory" in s for s in steps)
    # and the command annotates checkout-relative paths
    done = run([*workflow_command(), BAD])
    files = re.findall(r"^::\w+ file=([^,]+),", done.stdout, re.M)
    assert files and all(not f.startswith("/") and "site-packages" not in f for f in files), files
