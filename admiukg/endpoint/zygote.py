"""The loaded parent of the query workers: one in-memory store, shared copy-on-write by forks.

``python -m admiukg.endpoint.zygote --socket PATH --info JSON --parent PID`` loads the served
dataset into a pyoxigraph in-memory store (6× faster than the read-only on-disk store on joins),
then listens on a Unix socket and runs no threads, so ``fork()`` is safe. Each ``spawn`` request
forks a query worker that inherits the store's pages and answers within milliseconds of the
request: a worker killed at its deadline is replaced without a reload. The parent end of the new
worker's socket pair goes back over the control connection (SCM_RIGHTS).

Workers belong to the control connection that asked for them. When it closes (its web process
exited or was killed) the zygote kills them: nobody would enforce their deadline any more.
The socket appears (atomic rename) only once the store is loaded, so its existence means ready.
With ``--describe FILE`` the zygote first writes there what the server shows of the dataset
(sizes, title): on a cold start it is ready long before the on-disk store.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
from multiprocessing import reduction
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from admiukg import formats
from admiukg.graph.rebase import load_into
from admiukg.graph.storestats import graph_sizes, identity


def load_in_memory(info: dict) -> ox.Store:
    """The served dataset as an in-memory store: parsed from the served files when they are
    plain files (fastest), else copied from the built on-disk store (the bundled graph)."""
    store = ox.Store()
    sources = [Path(p) for p in info.get("sources") or []]
    if not info.get("graphs") and sources and all(p.is_file() for p in sources):
        for p in sources:
            fmt = formats.input_format(p)
            assert fmt is not None  # the server checked every file's extension before
            load_into(store, p, fmt, info["base"], base_iri=p.resolve().as_uri(), bulk=False)
    else:
        disk = ox.Store.read_only(info["path"])
        store.extend(disk.quads_for_pattern(None, None, None, None))  # not bulk: see load_into
        del disk
    _release_free_heap()
    return store


def _release_free_heap() -> None:
    """Give the parser's freed buffers back to the system before forking (less to share)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


def describe(store: ox.Store, info: dict, path: str) -> None:
    """Write the served dataset's sizes and identity to ``path`` (atomically); its VoID counts
    come later, from the on-disk build (their DISTINCT scans would delay the start by seconds)."""
    sizes, total = graph_sizes(store)
    described = {"graph_sizes": sizes, "triples": total,
                 **identity(store, info.get("sources") or [])}
    tmp = path + ".tmp"
    Path(tmp).write_text(json.dumps(described))
    os.rename(tmp, path)


class Zygote:
    def __init__(self, store: ox.Store, union, parent_pid: int):
        self.store = store
        self.union = union
        self.parent_pid = parent_pid
        self.selector = selectors.DefaultSelector()
        self.owned: dict[int, set[int]] = {}  # control fd -> worker pids
        self.controls: dict[int, Connection] = {}
        self.listener: socket.socket | None = None

    def listen(self, path: str) -> None:
        self.path = path
        tmp = path + ".tmp"
        if os.path.exists(tmp):
            os.unlink(tmp)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(tmp)
        os.chmod(tmp, 0o600)
        self.listener.listen(64)
        os.rename(tmp, path)  # appears only now: existence means "ready"
        self.selector.register(self.listener, selectors.EVENT_READ)

    def run(self) -> None:
        while True:
            for key, _ in self.selector.select(timeout=1.0):
                if key.fileobj is self.listener:
                    sock, _ = self.listener.accept()
                    conn = Connection(sock.detach())
                    self.controls[conn.fileno()] = conn
                    self.owned[conn.fileno()] = set()
                    self.selector.register(conn.fileno(), selectors.EVENT_READ)
                else:
                    self._serve(self.controls[key.fd])
            self._reap()
            if os.getppid() != self.parent_pid:  # parent gone (PDEATHSIG missed): stop
                self._shutdown()
            if not self.controls and not os.path.exists(self.path):  # retired by a reload
                self._shutdown()

    def _serve(self, conn: Connection) -> None:
        fd = conn.fileno()
        try:
            request = conn.recv()
            op, memory_limit, recycle_bytes = request
            if op != "spawn":
                raise ValueError(op)
            pid, parent_end = self._fork_worker(memory_limit, recycle_bytes)
            self.owned[fd].add(pid)
            conn.send(("spawned", pid))
            reduction.send_handle(conn, parent_end.fileno(), pid)
            parent_end.close()
        except (EOFError, OSError, ValueError, TypeError):
            self._drop(fd)

    def _fork_worker(self, memory_limit: int, recycle_bytes: int) -> tuple[int, socket.socket]:
        parent_end, child_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the query worker
            try:
                parent_end.close()
                if self.listener is not None:
                    self.listener.close()
                for conn in self.controls.values():
                    conn.close()
                self.selector.close()
                from admiukg.endpoint import worker

                worker.serve_jobs(Connection(child_end.detach()), self.store, self.union,
                                memory_limit, parent_pid=os.getppid(),
                                recycle_bytes=recycle_bytes)
            finally:
                os._exit(0)
        child_end.close()
        return pid, parent_end

    def _drop(self, fd: int) -> None:
        """A control connection closed: its web process is gone, so are its workers."""
        try:
            self.selector.unregister(fd)
        except (KeyError, ValueError):
            pass
        conn = self.controls.pop(fd, None)
        if conn is not None:
            conn.close()
        for pid in self.owned.pop(fd, set()):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _reap(self) -> None:
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            for pids in self.owned.values():
                pids.discard(pid)

    def _shutdown(self) -> None:
        for fd in list(self.controls):
            self._drop(fd)
        os._exit(0)


def start_zygote(path: str, info: dict, env: dict | None = None,
                 describe: str | None = None) -> subprocess.Popen:
    """Start the zygote (``admiukg.endpoint.zygote``); it is ready when ``path`` exists."""
    return subprocess.Popen(
        [sys.executable, "-m", "admiukg.endpoint.zygote", "--socket", path,
         "--info", json.dumps(info, default=str), "--parent", str(os.getpid()),
         *(["--describe", describe] if describe else [])],
        env=env, stdin=subprocess.DEVNULL)


def start_shared_zygote(info, describe: bool = False):
    """Start the one in-memory copy of the dataset that every web process's query workers are
    forked from (:mod:`admiukg.endpoint.zygote`); returns its socket path. Started from the
    gunicorn master's main thread, before any web worker, so it dies with the master.
    ``describe``: returns ``(socket path, process, path of the description it writes first)``."""
    folder = tempfile.mkdtemp(prefix="admiukg-zygote-")
    path = os.path.join(folder, "socket")
    described = os.path.join(folder, "described.json") if describe else None
    proc = start_zygote(path, info if isinstance(info, dict) else info.to_json(),
                        describe=described)
    return (path, proc, described) if describe else path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m admiukg.endpoint.zygote")
    p.add_argument("--socket", required=True)
    p.add_argument("--info", required=True, help="the served DatasetInfo as JSON")
    p.add_argument("--parent", type=int, required=True)
    p.add_argument("--describe", help="write the dataset's sizes and statistics here first")
    args = p.parse_args(argv)
    from admiukg.endpoint.worker import _die_with_parent

    _die_with_parent(args.parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    info = json.loads(args.info)
    try:
        store = load_in_memory(info)
        if args.describe:
            describe(store, info, args.describe)
    except Exception:  # noqa: BLE001 - the server's own build reports bad input, by file and line
        return 2  # no socket: the pool keeps to workers on the on-disk store
    zygote = Zygote(store, info.get("union", True), args.parent)
    from admiukg.endpoint import results, sandbox, worker  # noqa: F401  (once, before forking)

    sandbox.prepare()
    zygote.listen(args.socket)
    zygote.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
