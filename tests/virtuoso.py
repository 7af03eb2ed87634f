"""Start and stop a throwaway Virtuoso (Debian's virtuoso-opensource 7) on 127.0.0.1.

Each instance lives in its own temporary directory (database, log, lock, transaction files)
with a copy of the packaged ``virtuoso.ini`` whose paths and ports are rewritten, so tests
never touch the system database or listen beyond loopback. ``+wait`` makes ``virtuoso-t``
return only once the server accepts connections (it then runs as a daemon), and stopping
goes through ``isql-vt … shutdown`` so the database is left clean for a restart.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

SYSTEM_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
INSTALL_HINT = ("Virtuoso is not installed: `apt-get install virtuoso-opensource` "
                "(CI installs it; the remote-store tests need a real SPARQL store)")


class VirtuosoMissing(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_virtuoso() -> tuple[str, str]:
    """The paths of ``virtuoso-t`` and ``isql-vt``; :class:`VirtuosoMissing` with the fix."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not server or not isql or not SYSTEM_INI.exists():
        raise VirtuosoMissing(INSTALL_HINT)
    return server, isql


def _rewrite_ini(text: str, directory: Path, sql_port: int, http_port: int) -> str:
    section = None
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
        key = re.match(r"^\s*([A-Za-z_]+)\s*=", line)
        name = key.group(1) if key else None
        if name in ("DatabaseFile", "ErrorLogFile", "LockFile", "TransactionFile",
                    "xa_persistent_file"):
            line = f"{name} = {directory / Path(line.split('=', 1)[1].strip()).name}"
        elif name == "ServerPort" and section == "Parameters":
            line = f"ServerPort = 127.0.0.1:{sql_port}"
        elif name == "ServerPort" and section == "HTTPServer":
            line = f"ServerPort = 127.0.0.1:{http_port}"
        elif name == "DirsAllowed":
            line = line.rstrip() + f", {directory}"
        out.append(line)
    return "\n".join(out) + "\n"


class Virtuoso:
    """One Virtuoso instance in ``directory`` (kept across stop/start: the data survives)."""

    def __init__(self, directory: Path):
        self.server_bin, self.isql_bin = require_virtuoso()
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.http_port = free_port(), free_port()
        self.ini = self.directory / "virtuoso.ini"
        self.ini.write_text(_rewrite_ini(SYSTEM_INI.read_text(), self.directory, self.sql_port,
                                         self.http_port))
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.sparql = self.url + "/sparql"
        self.graph_crud = self.url + "/sparql-graph-crud-auth"
        self.start_seconds = None

    def start(self, timeout: float = 60) -> Virtuoso:
        t0 = time.monotonic()
        proc = subprocess.run([self.server_bin, "+configfile", str(self.ini), "+wait"],
                              cwd=self.directory, check=False, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"virtuoso-t failed ({proc.returncode}): {proc.stderr}\n"
                               f"{self.log_tail()}")
        deadline = t0 + timeout
        while time.monotonic() < deadline:  # the HTTP listener can lag the SQL one
            try:
                if requests.get(self.sparql, params={"query": "ASK {}"}, timeout=2).ok:
                    self.start_seconds = round(time.monotonic() - t0, 2)
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"Virtuoso did not answer on {self.sparql}\n{self.log_tail()}")

    def pid(self) -> int | None:
        lock = self.directory / "virtuoso.lck"
        try:
            match = re.search(r"\d+", lock.read_text())
        except OSError:
            return None
        return int(match.group()) if match else None

    def isql(self, command: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([self.isql_bin, f"127.0.0.1:{self.sql_port}", "dba", "dba",
                               f"exec={command}"], check=False, capture_output=True, text=True,
                              timeout=timeout)

    def stop(self, timeout: float = 30) -> None:
        """Shut down cleanly; kill the pid from the lock file if that does not work."""
        pid = self.pid()
        try:
            self.isql("shutdown;", timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + timeout
        while pid and _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid and _alive(pid):
            os.kill(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.05)
        (self.directory / "virtuoso.lck").unlink(missing_ok=True)

    def log_tail(self, lines: int = 30) -> str:
        log = self.directory / "virtuoso.log"
        if not log.exists():
            return "(no virtuoso.log)"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (already exited, not reaped by its parent) counts as gone
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


@contextlib.contextmanager
def running(folder):
    """A started Virtuoso in ``folder`` for a test module, stopped after; a missing install fails
    the test (CI installs it) rather than skipping it."""
    import pytest

    try:
        server = Virtuoso(folder)
    except VirtuosoMissing as exc:
        pytest.fail(str(exc))
    server.start()
    try:
        yield server
    finally:
        server.stop()
