"""The README's promises: its two commands, that CI runs the second one verbatim, and that a
plain install brings every package the code imports."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

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


def third_party_imports() -> set[str]:
    """Top-level modules imported anywhere in the package (function-level imports included)."""
    found = set()
    for path in (ROOT / "admiukg").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m != "admiukg" and m not in sys.stdlib_module_names}


def test_a_plain_install_brings_every_imported_package():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[<>=!~ \[;]", d, maxsplit=1)[0].lower().replace("_", "-") for d in declared}
    owners = packages_distributions()
    missing = {m: owners.get(m, ["?"]) for m in third_party_imports()
               if not {d.lower().replace("_", "-") for d in owners.get(m, [])} & names}
    assert missing == {}, f"imported by admiukg but not in [project] dependencies: {missing}"
