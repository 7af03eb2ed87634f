"""Progress lines (admiukg.progress) appear on a terminal only: not in captured output, not in CI."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("loading", "inference", "SHACL validation")


def _env(ci: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "1"
    return env


def _validate_on_pty(ci: bool) -> tuple[int, str, str]:
    """``python validate.py`` with stderr on a pseudo-terminal; stdout captured."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "validate.py"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=slave, stdin=subprocess.DEVNULL, env=_env(ci))
    os.close(slave)
    chunks, deadline = [], time.monotonic() + 240
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    stdout = proc.communicate(timeout=60)[0].decode()
    return proc.returncode, stdout, b"".join(chunks).decode(errors="replace")


def test_progress_on_a_terminal():
    code, stdout, terminal = _validate_on_pty(ci=False)
    assert code == 0, stdout + terminal
    for label in STEPS:
        assert label in terminal, terminal
    assert "done in" in terminal and "\r" in terminal
    assert "done in" not in stdout  # the report itself is unchanged


def test_no_progress_in_ci_even_on_a_terminal():
    code, stdout, terminal = _validate_on_pty(ci=True)
    assert code == 0, stdout + terminal
    assert "done in" not in terminal and "\r" not in terminal
    assert not any(label in terminal for label in ("SHACL validation", "inference ("))


def test_no_progress_without_a_terminal():
    done = subprocess.run([sys.executable, "validate.py"], cwd=ROOT, capture_output=True,
                          text=True, env=_env(ci=False), timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    assert "done in" not in done.stdout and "\r" not in done.stdout


def test_step_writes_nothing_to_a_non_terminal(capsys):
    from admiukg import progress

    with progress.step("work"):
        pass
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_step_reports_failure_on_a_terminal(monkeypatch):
    from admiukg import progress

    class Tty:
        def __init__(self):
            self.text = ""

        def isatty(self):
            return True

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    monkeypatch.delenv("CI", raising=False)
    tty = Tty()
    with pytest.raises(RuntimeError):
        with progress.step("work", stream=tty):
            raise RuntimeError("boom")
    assert "work … failed after" in tty.text and tty.text.endswith("\n")
