"""Start the real endpoint (``python server.py ... --port FREEPORT``, gunicorn) for tests.

Used by the ``sparql_*`` fixtures in conftest.py and by bench/http_bench.py.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
EX = "http://example.org/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """One ``python server.py`` process on 127.0.0.1; ``stop()`` ends it (and its children)."""

    def __init__(self, args, *, cache_dir=None, env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.endpoint = self.url + "/sparql"
        self.args = [str(a) for a in args]
        self.cache_dir = str(cache_dir or tempfile.mkdtemp(prefix="kg-store-"))
        self.log = tempfile.NamedTemporaryFile(prefix="kg-server-", suffix=".log", delete=False)
        self.env = {**os.environ, **(env or {})}
        self.proc = None

    def start(self, timeout: float = 90) -> LiveServer:
        cmd = [sys.executable, "server.py", *self.args, "--host", "127.0.0.1",
               "--port", str(self.port), "--cache-dir", self.cache_dir]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=self.env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                r = requests.get(self.url + "/health", timeout=2)
                if r.status_code == 200 and r.json()["workers"]["alive"]:
                    return self
            except (requests.ConnectionError, requests.Timeout, ValueError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not become healthy:\n{self.log_text()}")

    def log_text(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


def write_sample_dataset(path: Path, people: int = 250) -> Path:
    """A TriG file: people and organisations in two named graphs, a default graph, Unicode."""
    lines = [
        "@prefix ex: <http://example.org/> .",
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        'ex:dataset ex:title "Azərbaycan Dövlət Mədəniyyət və İncəsənət Universiteti"@az ;',
        '    ex:note "tab\\there, quote \\" and, comma" .',
        "ex:orgs {",
    ]
    for i in range(5):
        lines.append(f'  ex:org{i} a foaf:Organization ; foaf:name "Org {i}" ; '
                     f'ex:country "C{i % 2}" ; ex:founded "{1990 + i}"^^xsd:gYear .')
    lines.append("}")
    lines.append("ex:people {")
    for i in range(people):
        lines.append(f'  ex:p{i} a foaf:Person ; foaf:name "Person {i}" ; '
                     f"ex:memberOf ex:org{i % 5} ; ex:age {20 + i % 50} .")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
