"""A small pool of query worker *processes* with a hard wall-clock deadline per query.

Neither pyoxigraph nor rdflib can be interrupted from a thread, pyoxigraph segfaults on some
pathological queries and aborts on memory exhaustion. So every query runs in a separate
process that opens the on-disk store read-only and has ``RLIMIT_AS`` set. The web process
sends the job over a socket pair and waits at most ``timeout`` seconds; on deadline the worker
is killed (SIGKILL) and replaced in the background, and the caller gets :class:`QueryTimeout`.
A worker that dies while running a query (segfault, abort) raises :class:`WorkerCrashed`.
Workers are fresh interpreters (``python -m admiukg.endpoint.pool``), not forks: no locks inherited
from a threaded parent, and no re-import of the caller's ``__main__`` (multiprocessing's spawn).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from admiukg.config import SERVER
from admiukg.errors import KGError

log = logging.getLogger("admiukg.endpoint.pool")


class PoolError(KGError):
    """No answer from a query worker: a 503 for the client."""

    status, kind = 503, "unavailable"

    def __init__(self, message: str):
        super().__init__(message, headers={"Retry-After": "1"})


class QueryTimeout(PoolError):
    kind = "timeout"


class WorkerCrashed(PoolError):
    kind = "worker-crashed"


class PoolBusy(PoolError):
    kind = "busy"


# --- the worker process ------------------------------------------------------------------


def _set_memory_limit(limit: int) -> None:
    if not limit:
        return
    import resource

    try:
        with open("/proc/self/statm") as f:
            vm_now = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        vm_now = 0
    limit = max(limit, vm_now + 256 * 2**20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL us when the spawning thread dies (no orphaned runaway queries).

    A worker busy in a long query does not read its socket, so it would not notice the web
    process going away; PR_SET_PDEATHSIG does it for us. The pool spawns from one long-lived
    thread because the signal follows the *thread* that created the process.
    """
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if parent_pid and os.getppid() != parent_pid:  # the parent died before prctl
        os._exit(1)


def worker_main(conn, store_path: str, memory_limit: int, union, parent_pid: int = 0) -> None:
    """Entry point of a query worker: open the store read-only, answer jobs until EOF."""
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    import pyoxigraph as ox

    from admiukg.endpoint import results
    from admiukg.endpoint.sandbox import deny_network

    store = ox.Store.read_only(store_path)
    results.warm_up(store)
    deny_network()  # from here on the kernel refuses this process any network connection
    _set_memory_limit(memory_limit)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            reply = results.execute(store, job, union)
        except MemoryError:
            reply = ("error", 503, "memory", "query exceeded the memory limit")
        except Exception as exc:  # never let a worker die on a Python exception
            reply = ("error", 400, "evaluation", f"query failed: {str(exc)[:300]}")
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("error", 503, "memory", "result exceeded the memory limit"))


# --- the parent side -------------------------------------------------------------------------


class _Worker:
    def __init__(self, process: subprocess.Popen, conn: Connection):
        self.process = process
        self.conn = conn

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        try:
            self.process.kill()
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        try:
            self.conn.close()
        except OSError:
            pass


class QueryPool:
    """``size`` worker processes over the read-only store at ``store_path``."""

    def __init__(self, store_path: str, size: int = SERVER.query_workers, timeout: float = SERVER.timeout,
                 memory_limit: int = SERVER.memory_limit_mib * 2**20, union: bool | list[str] = True,
                 start_timeout: float = 60):
        self.store_path = str(store_path)
        self.size = size
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.union = union
        self.start_timeout = start_timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self.started = False
        self._closed = False
        self.replaced = 0
        self._pid = None
        self._spawner: threading.Thread | None = None
        self._spawn_requests: queue.Queue = queue.Queue()

    # lifecycle
    def start(self) -> None:
        with self._lock:
            if self.started:
                return
            self.started = True
            self._pid = os.getpid()
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def ensure_started(self) -> None:
        if self.started and self._pid != os.getpid():  # forked after start: start afresh
            self._idle = queue.Queue()
            self._workers = set()
            self._lock = threading.Lock()
            self._spawner = None
            self._spawn_requests = queue.Queue()
            self.started = False
        if not self.started:
            self.start()

    def close(self) -> None:
        self._closed = True
        self._spawn_requests.put(None)
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for w in workers:
            w.kill()

    def alive(self) -> int:
        with self._lock:
            return sum(1 for w in self._workers if w.alive())

    def _spawn(self) -> _Worker:
        """Start a worker from the pool's long-lived spawner thread (see _die_with_parent)."""
        with self._lock:
            if self._spawner is None or not self._spawner.is_alive():
                self._spawner = threading.Thread(target=self._spawner_loop, daemon=True,
                                                 name="query-worker-spawner")
                self._spawner.start()
        reply: queue.Queue = queue.Queue(maxsize=1)
        self._spawn_requests.put(reply)
        result = reply.get()
        if isinstance(result, BaseException):
            raise result
        return result

    def _spawner_loop(self) -> None:
        while True:
            reply = self._spawn_requests.get()
            if reply is None:
                return
            try:
                reply.put(self._spawn_now())
            except Exception as exc:  # handed to the caller
                reply.put(exc)

    def _spawn_now(self) -> _Worker:
        parent_sock, child_sock = socket.socketpair()
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        proc = subprocess.Popen(
            [sys.executable, "-m", "admiukg.endpoint.pool", str(child_sock.fileno()),
             self.store_path, str(self.memory_limit), json.dumps(self.union), str(os.getpid())],
            pass_fds=(child_sock.fileno(),), env=env, stdin=subprocess.DEVNULL,
        )
        child_sock.close()
        worker = _Worker(proc, Connection(parent_sock.detach()))
        if not worker.conn.poll(self.start_timeout):
            worker.kill()
            raise RuntimeError("query worker did not start in time")
        try:
            msg = worker.conn.recv()
        except (EOFError, OSError) as exc:
            worker.kill()
            raise RuntimeError(f"query worker failed to start (exit {proc.returncode})") from exc
        assert msg[0] == "ready"
        with self._lock:
            self._workers.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start a replacement in the background."""
        with self._lock:
            self._workers.discard(worker)
        worker.kill()
        self.replaced += 1
        if self._closed:
            return

        def respawn():
            for attempt in range(3):
                try:
                    self._idle.put(self._spawn())
                    return
                except Exception:  # pragma: no cover - logged, retried
                    log.exception("could not start a replacement query worker")
                    time.sleep(1 + attempt)

        threading.Thread(target=respawn, daemon=True, name="respawn-query-worker").start()

    # work
    def run(self, job, timeout: float | None = None):
        """Run ``job`` in a worker; return its reply or raise a :class:`PoolError`."""
        self.ensure_started()
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise PoolBusy(
                    f"all query workers busy for {timeout:g} s; try again later"
                ) from None
            if worker.alive():
                break
            self._replace(worker)  # died while idle (killed from outside): take another
        try:
            worker.conn.send(job)
            remaining = max(0.0, deadline - time.monotonic())
            if not worker.conn.poll(remaining):
                self._replace(worker)
                raise QueryTimeout(
                    f"query exceeded the time limit of {timeout:g} s and was stopped"
                )
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            code = worker.process.returncode
            raise WorkerCrashed(
                "the query crashed its worker process"
                + (f" (signal {-code})" if code and code < 0 else "")
                + " (too complex or out of memory); the worker has been replaced"
            ) from None
        self._idle.put(worker)
        return reply


if __name__ == "__main__":  # a query worker: python -m admiukg.endpoint.pool FD STORE MEMORY UNION
    _fd, _store, _memory, _union, _parent = sys.argv[1:6]
    worker_main(Connection(int(_fd)), _store, int(_memory), json.loads(_union), int(_parent))
