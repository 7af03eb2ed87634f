"""Start the real endpoint (``python server.py ... --port FREEPORT``, gunicorn) on 127.0.0.1, for
benchmarks and the live test tier."""

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
