"""A pool of query worker *processes* with a hard wall-clock deadline per query.

Neither pyoxigraph nor rdflib can be interrupted from a thread, pyoxigraph segfaults on some
pathological queries and aborts on memory exhaustion. So every query runs in a separate
process with ``RLIMIT_AS`` set. The web process sends the job over a socket pair and waits at
most ``timeout`` seconds; on deadline the worker is killed (SIGKILL) and replaced in the
background, and the caller gets :class:`QueryTimeout`. A worker that dies while running a query
(segfault, abort) raises :class:`WorkerCrashed`.

Workers are forked by the zygote (:mod:`admiukg.endpoint.zygote`), which holds the dataset in
memory and runs no threads; while it loads, workers are fresh interpreters over the read-only
on-disk store (``python -m admiukg.endpoint.pool``), never forks of the threaded web process.
Whichever kind, :func:`init_worker` runs before the first query. While queries older than
``held_after`` hold every worker, spare forks serve the others and the long queries are reniced.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing import reduction
from multiprocessing.connection import Connection
from pathlib import Path

from admiukg.config import SERVER
from admiukg.endpoint.worker import (  # noqa: F401  (the pool's public worker API)
    RECYCLE_BYTES,
    ForkedProcess,
    WorkerHandle,
    _die_with_parent,
    init_worker,
    send,
    serve_jobs,
    worker_main,
)
from admiukg.endpoint.zygote import start_zygote
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


#: How often a checkin looks over the idle workers for dead ones.
SWEEP_SECONDS = 0.25


class QueryPool:
    """``size`` worker processes over the store at ``store_path``.

    Workers are forked by a zygote that holds the dataset in memory: the shared one at
    ``zygote`` (a socket path, started by :mod:`admiukg.serve` for all web processes) or, without
    it, a private one started by :meth:`start`. Until the zygote is ready (it is loading), workers
    are fresh interpreters over the read-only on-disk store, retired as soon as it is.
    ``in_memory=False`` keeps to those (graphs larger than memory).
    """

    def __init__(self, store_path: str, size: int = SERVER.query_workers, timeout: float = SERVER.timeout,
                 memory_limit: int = SERVER.memory_limit_mib * 2**20, union: bool | list[str] = True, start_timeout: float = 60,
                 zygote: str | None = None, info: dict | None = None, in_memory: bool = True,
                 queue_timeout: float | None = None, spare: int = 0, slow_after: float = 0.25,
                 held_after: float = 0.03,
                 recycle_bytes: int = RECYCLE_BYTES):
        self.store_path = str(store_path)
        self.size = size
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.union = union
        self.start_timeout = start_timeout
        self.zygote_path = zygote
        self.info = info or {"path": self.store_path, "union": union}
        self.in_memory = in_memory
        self.recycle_bytes = recycle_bytes
        #: longest wait for a free worker before PoolBusy (None: the query timeout)
        self.queue_timeout = queue_timeout
        #: up to ``spare`` extra forks while queries older than ``held_after`` hold the workers;
        #: queries older than ``slow_after`` are reniced when others want the CPU
        self.spare, self.slow_after, self.held_after = spare, slow_after, held_after
        self._busy: dict[WorkerHandle, float] = {}
        self._waiting = 0  # queries waiting in run() for a worker
        self._local = threading.local()  # per request thread: seconds its last query ran
        self._own_zygote: subprocess.Popen | None = None
        self._zygote_conn: Connection | None = None
        # the last to answer goes first: warm caches, and the others copy none of the store
        self._idle: queue.LifoQueue[WorkerHandle] = queue.LifoQueue()
        self._workers: set[WorkerHandle] = set()
        self._lock = threading.Lock()
        self.started = False
        self._closed = False
        self.replaced = 0
        self._swept = 0.0  # when the idle workers were last looked over
        self.recycled = 0
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
        if self.in_memory and self.zygote_path is None:
            self._call_spawner(self._start_own_zygote)
        self._idle.put(self._spawn())  # the first one answers; the others start behind it
        for _ in range(self.size - 1):
            threading.Thread(target=self._add_worker, daemon=True, name="start-query-worker").start()

    def ensure_started(self) -> None:
        if self.started and self._pid != os.getpid():  # forked after start: start afresh
            self._idle = queue.LifoQueue()
            self._workers = set()
            self._lock = threading.Lock()
            self._spawner = None
            self._spawn_requests = queue.Queue()
            self._zygote_conn = None
            if self._own_zygote is not None:
                self._own_zygote, self.zygote_path = None, None
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
        if self._zygote_conn is not None:
            self._zygote_conn.close()  # a shared zygote kills what it forked for us
        if self._own_zygote is not None:
            self._own_zygote.kill()
            self._own_zygote.wait()

    def alive(self) -> int:
        with self._lock:
            return sum(1 for w in self._workers if w.alive())

    @property
    def zygote_ready(self) -> bool:
        return self.in_memory and self.zygote_path is not None \
            and os.path.exists(self.zygote_path)

    # starting processes, always from one long-lived thread (see _die_with_parent)
    def _call_spawner(self, fn):
        with self._lock:
            if self._spawner is None or not self._spawner.is_alive():
                self._spawner = threading.Thread(target=self._spawner_loop, daemon=True,
                                                 name="query-worker-spawner")
                self._spawner.start()
        reply: queue.Queue = queue.Queue(maxsize=1)
        self._spawn_requests.put((fn, reply))
        result = reply.get()
        if isinstance(result, BaseException):
            raise result
        return result

    def _spawn(self) -> WorkerHandle:
        return self._call_spawner(self._spawn_now)

    def _spawner_loop(self) -> None:
        while True:
            request = self._spawn_requests.get()
            if request is None:
                return
            fn, reply = request
            try:
                reply.put(fn())
            except Exception as exc:  # handed to the caller
                reply.put(exc)

    def _env(self) -> dict:
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        return env

    def _start_own_zygote(self) -> None:
        self.zygote_path = os.path.join(tempfile.mkdtemp(prefix="admiukg-zygote-"), "socket")
        self._own_zygote = start_zygote(self.zygote_path, self.info, self._env())

    def _spawn_now(self) -> WorkerHandle:
        if self.zygote_ready:
            try:
                return self._fork_from_zygote()
            except (OSError, EOFError) as exc:
                log.warning("zygote unavailable (%s): starting a worker on the on-disk store", exc)
                self._zygote_conn = None
        return self._spawn_disk_worker()

    def _fork_from_zygote(self) -> WorkerHandle:
        if self._zygote_conn is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(self.zygote_path)
            self._zygote_conn = Connection(sock.detach())
        self._zygote_conn.send(("spawn", self.memory_limit, self.recycle_bytes))
        if not self._zygote_conn.poll(self.start_timeout):
            raise OSError("the zygote did not answer")
        _, pid = self._zygote_conn.recv()
        fd = reduction.recv_handle(self._zygote_conn)
        worker = WorkerHandle(ForkedProcess(pid), Connection(fd), forked=True)
        return self._await_ready(worker)

    def _spawn_disk_worker(self) -> WorkerHandle:
        parent_sock, child_sock = socket.socketpair()
        proc = subprocess.Popen(
            [sys.executable, "-m", "admiukg.endpoint.pool", str(child_sock.fileno()),
             self.store_path, str(self.memory_limit), json.dumps(self.union), str(os.getpid())],
            pass_fds=(child_sock.fileno(),), env=self._env(), stdin=subprocess.DEVNULL,
        )
        child_sock.close()
        return self._await_ready(WorkerHandle(proc, Connection(parent_sock.detach())))

    def _await_ready(self, worker: WorkerHandle) -> WorkerHandle:
        if not worker.conn.poll(self.start_timeout):
            worker.kill()
            raise RuntimeError("query worker did not start in time")
        try:
            msg = worker.conn.recv()
        except (EOFError, OSError) as exc:
            worker.kill()
            raise RuntimeError(f"query worker failed to start (exit {worker.process.poll()})") \
                from exc
        assert msg[0] == "ready"
        with self._lock:
            self._workers.add(worker)
        return worker

    def _replace(self, worker: WorkerHandle, counted: bool = True) -> None:
        """Kill ``worker`` and start a replacement in the background. ``counted``: a failure
        (/health "replaced"), not a planned retirement."""
        with self._lock:
            self._workers.discard(worker)
            needed = len(self._workers) < self.size  # a spare that goes needs no successor
        worker.kill()
        if counted:
            self.replaced += 1
        else:
            self.recycled += 1
        if self._closed or not needed:
            return
        threading.Thread(target=self._add_worker, daemon=True, name="respawn-query-worker").start()

    def _add_worker(self) -> None:
        for attempt in range(3):
            if self._closed:
                return
            try:
                self._idle.put(self._spawn())
                return
            except Exception:  # pragma: no cover - logged, retried
                log.exception("could not start a query worker")
                time.sleep(1 + attempt)

    def _usable(self, worker: WorkerHandle) -> bool:
        """Whether an idle worker can take a job; if not, it is replaced."""
        if not worker.alive():
            self._replace(worker)  # died while idle (killed from outside)
            return False
        if not worker.forked and self.zygote_ready:  # the in-memory store is ready now
            self._replace(worker, counted=False)
            return False
        return True

    # work: run() is checkout, dispatch, wait, collect, checkin; the event loop's path
    # (admiukg.endpoint.asyncpool) waits its own way between the same steps
    def run(self, job, timeout: float | None = None):
        """Run ``job`` in a worker; return its reply or raise a :class:`PoolError`."""
        timeout = self.timeout if timeout is None else timeout
        started = time.monotonic()
        wait = timeout if self.queue_timeout is None else min(timeout, self.queue_timeout)
        self._local.ran = None  # not this thread's last query's, should this one never run
        self.ensure_started()
        with self._lock:
            self._waiting += 1
        try:
            worker = self._acquire(started + wait, wait)
        finally:
            with self._lock:
                self._waiting -= 1
        deadline = started + timeout
        try:
            sent = self.dispatch(worker, job)
            if self.spare and not worker.conn.poll(self.held_after):
                self.held(worker)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise self.timed_out(worker, timeout)
            reply, self._local.ran = self.collect(worker, sent)
        except (EOFError, OSError):
            raise self.crashed(worker) from None
        finally:
            self.release(worker)
        self.checkin(worker)
        return reply

    def checkout_nowait(self) -> WorkerHandle | None:
        """An idle worker at once, or None (then :meth:`run` waits for one, or spares one).
        None too while queries wait in :meth:`run`: they came first."""
        self.ensure_started()
        while not self._waiting:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return None
            if self._usable(worker):
                return worker
        return None

    def dispatch(self, worker: WorkerHandle, job) -> float:
        """Send ``job`` to a checked-out worker; the time it was sent."""
        self._busy[worker] = sent = time.monotonic()
        send(worker.conn, job)
        return sent

    def collect(self, worker: WorkerHandle, sent: float) -> tuple:
        """``(reply, seconds the query ran)`` of a worker whose answer is ready (EOFError or
        OSError if it died)."""
        reply = worker.conn.recv()
        ran = time.monotonic() - sent
        if reply[0] == "retire":  # it copied too much of the store: a fresh fork follows
            reply = worker.conn.recv()
            worker.retired = True
            self._replace(worker, counted=False)
        return reply, ran

    def held(self, worker: WorkerHandle) -> None:
        """Its query is older than ``held_after``: reniced if others want the CPU too."""
        if len(self._busy) > 1:
            worker.demoted = worker.demote()

    def abandon(self, worker: WorkerHandle) -> None:
        """Nobody will read this worker's reply (its caller was cancelled): a fresh one instead."""
        self._replace(worker, counted=False)

    def timed_out(self, worker: WorkerHandle, timeout: float) -> QueryTimeout:
        self._replace(worker)
        return QueryTimeout(f"query exceeded the time limit of {timeout:g} s and was stopped")

    def crashed(self, worker: WorkerHandle) -> WorkerCrashed:
        self._replace(worker)
        code = worker.process.returncode
        return WorkerCrashed(
            "the query crashed its worker process"
            + (f" (signal {-code})" if code and code < 0 else "")
            + " (too complex or out of memory); the worker has been replaced")

    def release(self, worker: WorkerHandle) -> None:
        """Its query is over, answered or not."""
        self._busy.pop(worker, None)

    def checkin(self, worker: WorkerHandle) -> None:
        """A worker that answered goes back to the idle ones (or away, if surplus)."""
        if worker.retired:
            return
        if worker.demoted and not worker.restore():  # not permitted: a fresh fork instead
            self._replace(worker, counted=False)
            return
        with self._lock:  # more workers than size + slow ones: a spare goes after its query
            surplus = len(self._workers) > self.size + self._long_running(time.monotonic())
            if surplus:
                self._workers.discard(worker)
        if surplus:
            worker.kill()
            self.recycled += 1
        else:
            self._sweep_idle()
            self._idle.put(worker)

    def _sweep_idle(self) -> None:
        """Replace the idle workers that died or are due to retire: the last to answer goes
        first, so those below it may not be taken (and found out) for a long time. At most every
        ``SWEEP_SECONDS``: it asks the kernel about each worker."""
        now = time.monotonic()
        if now - self._swept < SWEEP_SECONDS:
            return
        self._swept = now
        with self._idle.mutex:
            retiring = not all(w.forked for w in self._idle.queue) and self.zygote_ready
            stale = [w for w in self._idle.queue
                     if not w.alive() or (retiring and not w.forked)]
            for w in stale:
                self._idle.queue.remove(w)
        for w in stale:
            if self._usable(w):  # it was not: replaced (kept should that change meanwhile)
                self._idle.put(w)

    def last_run_seconds(self) -> float | None:
        """How long this thread's last query ran in its worker (queueing left out)."""
        return getattr(self._local, "ran", None)

    def _acquire(self, until: float, wait: float) -> WorkerHandle:
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = self._spare() or self._wait_idle(until, wait)
            if worker is not None and self._usable(worker):
                return worker

    def _wait_idle(self, until: float, wait: float) -> WorkerHandle | None:
        """An idle worker, or None after a short slice (a running query may have turned slow
        meanwhile, which allows a spare); PoolBusy at ``until``."""
        left = until - time.monotonic()
        if left <= 0:
            raise PoolBusy(f"all query workers busy for {wait:g} s; try again later")
        try:
            return self._idle.get(timeout=min(left, 0.05) if self.spare else left)
        except queue.Empty:
            return None

    def _long_running(self, now: float) -> int:
        return sum(1 for t in list(self._busy.values()) if now - t >= self.held_after)

    def _spare(self) -> WorkerHandle | None:
        """A fresh fork while slow queries hold workers: ``size`` workers stay for the rest, so
        cheap queries never queue behind slow ones (forks from the zygote take milliseconds)."""
        if not self.spare or not self.zygote_ready:
            return None
        now = time.monotonic()
        with self._lock:
            if len(self._workers) >= min(self.size + self.spare,
                                         self.size + self._long_running(now)):
                return None
            slow = [w for w, t in list(self._busy.items()) if now - t >= self.held_after]
        for w in slow:  # they hold workers others need: they yield the CPU too
            w.demoted = w.demoted or w.demote()
        try:
            return self._spawn()
        except Exception:  # noqa: BLE001 - no spare: wait for a worker as usual
            log.exception("could not fork a spare query worker")
            return None


if __name__ == "__main__":  # a query worker: python -m admiukg.endpoint.pool FD STORE MEMORY UNION
    _fd, _store, _memory, _union, _parent = sys.argv[1:6]
    worker_main(Connection(int(_fd)), _store, int(_memory), json.loads(_union), int(_parent))
