"""The README's promises: its two commands, and that CI runs the second one verbatim."""

import re

from admiukg.config import ROOT


def readme_commands():
    block = re.search(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def test_readme_starts_with_run_and_test_commands():
    run, test = readme_commands()[:2]
    assert run.endswith("python server.py")
    assert "pytest" in test


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = readme_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines
