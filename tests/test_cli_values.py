"""``python server.py`` refuses bad command-line values with one clear line and exit 2, and keys
its validated-store cache on everything that decides validity."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from sparql_live import ROOT, free_port


def run_server(*args, timeout=60):
    return subprocess.run([sys.executable, "server.py", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.parametrize("args,needle", [
    (("--port", "99999"), "--port: 99999 is out of range: a TCP port must be between 1 and 65535"),
    (("--port", "0"), "--port: 0 is out of range"),
    (("--port", "http"), "--port: 'http' is not a whole number"),
    (("--workers", "0"), "--workers: 0 is out of range"),
    (("--threads", "0"), "--threads: 0 is out of range"),
    (("--query-workers", "-2"), "--query-workers: -2 is out of range"),
    (("--timeout", "-1"), "--timeout: -1 is out of range"),
    (("--timeout", "0"), "--timeout: 0 is out of range"),
    (("--timeout", "nan"), "--timeout: nan is out of range"),
    (("--max-rows", "0"), "--max-rows: 0 is out of range"),
    (("--cache-mb", "-1"), "--cache-mb: -1 is out of range"),
])
def test_bad_value_is_one_line_and_exit_2(args, needle):
    done = run_server(*args, timeout=30)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert needle in done.stderr and done.stderr.startswith("server.py: ")
    assert "Traceback" not in done.stderr


def test_port_in_use_is_one_line_and_exit_2_at_once():
    port = free_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        done = run_server("--port", port, timeout=20)
    assert done.returncode == 2
    assert done.stderr == f"server.py: cannot listen on 127.0.0.1:{port}: the port is in use\n"


def test_unknown_host_is_one_line_and_exit_2():
    done = run_server("--host", "no-such-host.invalid", "--port", free_port(), timeout=30)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "cannot listen on no-such-host.invalid" in done.stderr


def test_store_cache_key_covers_code_queries_and_package_versions(monkeypatch, tmp_path):
    from importlib import metadata

    from admiukg import config
    from admiukg.store import local

    inputs = config.ontology_files() + config.data_files() + [config.shapes_file()]
    key = local.validity_key(inputs)
    assert local.validity_key(inputs) == key
    # a package upgrade changes the key
    real = metadata.version
    for name in ("pyshacl", "owlrl", "rdflib", "pyoxigraph"):
        monkeypatch.setattr(metadata, "version", lambda n, _name=name: "999" if n == _name else real(n))
        assert local.validity_key(inputs) != key, name
    monkeypatch.setattr(metadata, "version", real)
    # so does any source file of the package (fastreason, reports … not a hand-picked list)
    package = ROOT / "admiukg"
    sources = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    assert {"graph/fastreason.py", "validation/reports.py"} <= sources
    original = package.rglob
    extra = tmp_path / "x.py"
    extra.write_text("# changed\n")
    monkeypatch.setattr(type(package), "rglob", lambda self, pat: [*original.__func__(self, pat), extra]
                        if self == package and pat == "*.py" else original.__func__(self, pat))
    assert local.validity_key(inputs) != key


def test_cache_lives_in_the_user_cache_dir(monkeypatch, tmp_path):
    from admiukg import config

    monkeypatch.delenv("ADMIUKG_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert config.user_cache_dir() == tmp_path / "xdg" / "admiukg"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config.user_cache_dir() == tmp_path / "home" / ".cache" / "admiukg"
    assert not str(config.CACHE_DIR).startswith(str(config.ROOT / "admiukg"))
