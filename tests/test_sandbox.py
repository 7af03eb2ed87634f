"""The kernel sandbox of query workers: no network connection from a query, whatever it says.

The guard is bypassed on purpose (jobs go straight to the pool, or queries straight to
pyoxigraph in a sandboxed process); a 127.0.0.1 listener counts connections.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from netprobe import Listener, pyoxigraph_connects

from admiukg.endpoint import sandbox
from admiukg.endpoint.pool import QueryPool
from admiukg.store.local import load_dataset
from bench.live import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def service_spellings(url: str) -> list[str]:
    """SERVICE as pyoxigraph runs it, plain and in spellings that once passed the guard."""
    iri = f"<{url}>"
    return [
        f"SELECT * WHERE {{ SERVICE {iri} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT {iri} {{ ?s ?p ?o }} }}",
        f'SELECT * {{ BIND("\\u0022" AS ?a) SERVICE {iri} {{}} }} #""" AS ?z) }}',
        f"SELECT * {{ FILTER(?a<?b)SERVICE#>\n{iri}{{}} }}",
        f"ASK {{ SERVICE {iri} {{ }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {iri} {{ ?s ?p ?o }} }}",
    ]


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture(scope="module")
def store_path(sparql_sample_file, tmp_path_factory):
    return load_dataset([sparql_sample_file], cache_dir=tmp_path_factory.mktemp("sandbox")).path


def job(query):
    return {"query": query, "default_graphs": None, "named_graphs": None, "has_dataset": False,
            "results_format": "json", "graph_format": "turtle", "max_rows": 10}


def run_python(code: str, env=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": ROOT, **(env or {})}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_control_an_unsandboxed_engine_connects_for_every_spelling(listener):
    for query in service_spellings(listener.url):
        assert pyoxigraph_connects(query, listener), query


def test_pool_workers_open_no_connection_whatever_the_query(store_path, listener):
    pool = QueryPool(store_path, size=1, timeout=20)
    try:
        for query in service_spellings(listener.url):
            reply = pool.run(job(query))
            if "SILENT" in query:  # the failure is silenced: one empty solution
                assert reply[0] == "ok" and b'"bindings":[{}]' in reply[2], reply
            else:
                assert reply[0] == "error" and "not permitted" in reply[3], (query, reply)
        assert listener.settle() == 0
        ok = pool.run(job("SELECT (COUNT(*) AS ?n) { ?s a ?c }"))  # the Unix channel still works
        assert ok[0] == "ok" and b'"255"' in ok[2]
    finally:
        pool.close()


def test_sandboxed_process_gets_eperm_for_ip_sockets_and_keeps_unix_ones(listener):
    out = run_python(f"""
        import errno, socket
        from admiukg.endpoint.sandbox import deny_network
        assert deny_network() is True
        for family in (socket.AF_INET, socket.AF_INET6):
            try:
                socket.socket(family)
            except PermissionError as exc:
                assert exc.errno == errno.EPERM
            else:
                raise SystemExit("socket() allowed")
        try:
            socket.create_connection(("127.0.0.1", {listener.port}), timeout=2)
        except OSError:
            pass
        else:
            raise SystemExit("connected")
        a, b = socket.socketpair()
        a.sendall(b"unix ok")
        print(b.recv(16).decode())
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "unix ok"
    assert listener.settle() == 0


def test_without_seccomp_the_worker_refuses_to_start_unless_opted_out():
    broken = """
        import sys
        sys.modules["pyseccomp"] = None  # as if libseccomp were missing
        from admiukg.endpoint.sandbox import deny_network, SandboxUnavailable
        try:
            print(deny_network())
        except SandboxUnavailable as exc:
            print("refused:", exc)
    """
    env = {sandbox.OPT_OUT: ""}
    refused = run_python(broken, env)
    assert refused.stdout.startswith("refused:"), refused
    assert sandbox.OPT_OUT in refused.stdout
    opted_out = run_python(broken, {sandbox.OPT_OUT: "1"})
    assert opted_out.stdout.strip() == "False"
    assert "WITHOUT the network sandbox" in opted_out.stderr


def test_server_refuses_to_start_when_the_sandbox_is_unavailable(tmp_path, sparql_sample_file):
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "pyseccomp.py").write_text('raise RuntimeError("Unable to find libseccomp")\n')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fake), ROOT]), sandbox.OPT_OUT: ""}
    out = subprocess.run([sys.executable, os.path.join(ROOT, "server.py"), str(sparql_sample_file),
                          "--port", str(free_port()), "--cache-dir", str(tmp_path / "c")],
                         env=env, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Unable to find libseccomp" in lines[0], out.stderr
    assert "Traceback" not in out.stderr
