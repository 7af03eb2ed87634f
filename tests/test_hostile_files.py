"""Hostile input files for the validator and the server: each ends at once with exit 2 and one
message naming the file; nothing outside the input's tree is echoed.

Every child runs with a 3 GiB address-space limit and a wall-clock timeout well under the
validator's own ``--timeout``, so a regression fails the test instead of eating the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from sparql_live import ROOT, free_port

SECRET = "AKIAVERYSECRETKEY123"
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY l0 "lol">\n'
          + "".join(f"<!ENTITY l{i} \"{f'&l{i - 1};' * 10}\">\n" for i in range(1, 10))
          + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://example.org/">\n<rdf:Description rdf:about="http://example.org/a">'
            "<ex:p>&l9;</ex:p></rdf:Description>\n</rdf:RDF>\n")


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


def run(argv, cwd=ROOT, timeout=60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script, *rest = argv
    return subprocess.run([sys.executable, str(ROOT / script), *map(str, rest)], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=timeout, preexec_fn=_limit_memory, check=False)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile")
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "credentials").write_text(f"aws_secret_access_key = {SECRET}\n")
    repo = root / "repo"
    repo.mkdir()
    files = {
        "laughs": repo / "laughs.rdf",
        "deep": repo / "deep.jsonld",
        "fifo": repo / "fifo.ttl",
        "zero": repo / "zero.ttl",
    }
    files["laughs"].write_text(LAUGHS)
    files["deep"].write_text("[" * 100_000 + "]" * 100_000)
    os.mkfifo(files["fifo"])
    files["zero"].symlink_to("/dev/zero")
    for ext in ("ttl", "nt", "nq", "trig", "rdf", "jsonld"):
        files[f"creds.{ext}"] = repo / f"creds.{ext}"
        files[f"creds.{ext}"].symlink_to(outside / "credentials")
    return files


@pytest.mark.parametrize("kind", ["laughs", "deep", "fifo", "zero"])
def test_validator_refuses_at_once_naming_the_file(hostile, kind):
    out = run(["validate.py", hostile[kind]])
    assert out.returncode == 2, out.stdout + out.stderr
    text = out.stdout + out.stderr
    assert str(hostile[kind]) in text, text
    assert "internal error" not in text and "Traceback" not in text and "time limit" not in text


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
@pytest.mark.parametrize("ext", ["ttl", "nt", "nq", "trig", "rdf", "jsonld"])
def test_a_link_to_a_credentials_file_is_never_echoed(hostile, fmt, ext):
    path = hostile[f"creds.{ext}"]
    out = run(["validate.py", "--format", fmt, path], cwd=path.parent)
    assert out.returncode == 2
    assert SECRET not in out.stdout + out.stderr
    assert path.name in out.stdout + out.stderr


def test_excerpts_are_short_and_escaped(tmp_path):
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://a> <http://b> " + "\x1b[31m" + "x" * 5000 + " .\n")
    out = run(["validate.py", "--format", "json", bad], cwd=tmp_path)
    assert out.returncode == 2
    assert "\x1b" not in out.stdout and "x" * 300 not in out.stdout
    assert "bad.nt" in out.stdout


def test_file_size_limit_is_configurable(tmp_path):
    big = tmp_path / "big.nt"
    big.write_text("<http://a> <http://b> <http://c> .\n" * 40_000)  # 1.4 MB
    out = run(["validate.py", "--max-file-size", "1", big])
    assert out.returncode == 2
    assert "big.nt" in out.stderr + out.stdout and "limit" in out.stderr + out.stdout


def one_line_exit_2(out: subprocess.CompletedProcess, *needles) -> str:
    assert out.returncode == 2, out.stderr[-2000:]
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr[-2000:]
    assert "Traceback" not in out.stderr and "panicked" not in out.stderr
    for needle in needles:
        assert str(needle) in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("kind", ["laughs", "fifo", "zero"])
def test_server_refuses_hostile_files_in_one_line(hostile, kind, tmp_path):
    out = run(["server.py", hostile[kind], "--port", free_port(), "--cache-dir", tmp_path])
    one_line_exit_2(out, hostile[kind])


def test_server_refuses_a_cache_dir_that_is_a_file(tmp_path):
    plain = tmp_path / "plain-file"
    plain.write_text("x")
    out = run(["server.py", "--port", free_port(), "--cache-dir", plain])
    one_line_exit_2(out, "--cache-dir", plain)


def test_server_refuses_a_read_only_cache_dir():
    read_only = Path("/proc/1")  # a directory nobody may write, root included
    out = run(["server.py", "--port", free_port(), "--cache-dir", read_only])
    one_line_exit_2(out, "--cache-dir", read_only)
