"""The worker side of the query pool: what a query process does, and how the pool sees a fork.

:func:`init_worker` is the one place where a query worker prepares itself before its first query
(parent-death signal, signals, the network sandbox, the memory limit), whether it was forked by
the zygote or started as a fresh interpreter over the on-disk store (:func:`worker_main`).
:func:`serve_jobs` answers jobs until EOF. :class:`ForkedProcess` is how the pool watches and
kills a fork, which is the zygote's child, not its own.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import subprocess
from multiprocessing.connection import Connection

from admiukg.endpoint.replies import failure
from admiukg.endpoint.sandbox import deny_network


def _set_memory_limit(limit: int) -> None:
    if not limit:
        return
    import resource

    try:
        with open("/proc/self/statm") as f:
            vm_now = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        vm_now = 0
    limit += vm_now  # room to query beyond what a fork inherits (the shared store)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL us when the spawning thread dies (no orphaned runaway queries).

    A worker busy in a long query does not read its socket, so it would not notice the web
    process going away; PR_SET_PDEATHSIG does it for us. The pool spawns from one long-lived
    thread because the signal follows the *thread* that created the process.
    """
    if _PRCTL is not None:
        _PRCTL(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    if parent_pid and os.getppid() != parent_pid:  # the parent died before prctl
        os._exit(1)


def _libc_prctl():
    """libc's prctl, loaded once (before the zygote forks: 5 ms less in every new worker)."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return None


_PRCTL = _libc_prctl()


def init_worker(memory_limit: int, parent_pid: int) -> None:
    """Everything a query worker does before its first query, whichever way it started:
    die with its parent, leave signals to the parent, no network, the memory limit."""
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    deny_network()  # from here on the kernel refuses this process any network connection
    _set_memory_limit(memory_limit)


def copied_bytes() -> int:
    """About how much memory this process has written since it started: minor page faults
    (a copy-on-write fault on a page of the shared store is one), a cheap proxy for
    ``Private_Dirty`` (reading smaps takes milliseconds at a million triples)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt * PAGE


def private_dirty_bytes() -> int | None:
    """This process's own written memory (``Private_Dirty``), exact; milliseconds to read."""
    try:
        with open("/proc/self/smaps_rollup") as f:
            for line in f:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def over_copy_limit(faults_since: int, limit: int) -> tuple[bool, int]:
    """Whether the worker has copied more than ``limit``: the fault count first (it also counts
    freshly allocated pages, so a query that allocates and frees a lot looks like copying),
    confirmed by ``Private_Dirty``. Returns the verdict and the fault count to measure from next
    (so the exact reading is taken once per ``limit`` of faults, not after every query)."""
    faults = copied_bytes()
    if not limit or faults - faults_since <= limit:
        return False, faults_since
    real = private_dirty_bytes()
    if real is None or real > limit:
        return True, faults_since
    return False, faults - real


def send(conn: Connection, obj) -> None:
    """``conn.send(obj)`` with the plain pickler, which ``conn.recv()`` reads as well: jobs and
    replies need none of ForkingPickler's reducers, and it takes a third of the time."""
    conn.send_bytes(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))


PAGE = os.sysconf("SC_PAGE_SIZE")
#: A forked worker retires (and a fresh fork takes its place) once it has copied this much of
#: the shared store: queries write to pages they only read (reference counts), so without this
#: every worker slowly becomes a full private copy. Higher is faster, lower is smaller.
RECYCLE_BYTES = 1024 * 2**20


def serve_jobs(conn, store, union, memory_limit: int, parent_pid: int = 0,
               recycle_bytes: int = 0) -> None:
    """Answer jobs from ``conn`` until EOF. With ``recycle_bytes``, the reply of the query after
    which that much memory is copied is preceded by ``("retire", n)`` and the worker exits
    after it, handing its copy back at once."""
    init_worker(memory_limit, parent_pid)
    from admiukg.endpoint import results

    start_faults = copied_bytes()
    conn.send(("ready", os.getpid()))
    done = 0
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
            reply = failure(503, "memory", "query exceeded the memory limit")
        except Exception as exc:  # never let a worker die on a Python exception
            reply = failure(400, "evaluation", f"query failed: {str(exc)[:300]}")
        done += 1
        retiring, start_faults = over_copy_limit(start_faults, recycle_bytes)
        if retiring:
            send(conn, ("retire", done))
        try:
            send(conn, reply)
        except MemoryError:
            send(conn, failure(503, "memory", "result exceeded the memory limit"))
        if retiring:
            return


def worker_main(conn, store_path: str, memory_limit: int, union, parent_pid: int = 0) -> None:
    """A worker on the on-disk store: used while the zygote loads, and in ``--disk`` mode."""
    import pyoxigraph as ox

    from admiukg.endpoint import results

    store = ox.Store.read_only(store_path)
    results.warm_up(store)
    serve_jobs(conn, store, union, memory_limit, parent_pid)


class WorkerHandle:
    """The pool's side of one query worker: its process, its socket, what the pool did to it."""

    def __init__(self, process, conn: Connection, forked: bool = False):
        self.process = process
        self.conn = conn
        self.forked = forked  # from the zygote (in-memory store), else on the on-disk store
        self.demoted = False  # reniced while a slow query held it
        self.retired = False  # replaced after its last reply (it copied too much)

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
        if isinstance(self.process, ForkedProcess):
            self.process.close()

    def demote(self) -> bool:
        """Lower its CPU priority (nice 10); only forked workers, which are cheap to replace
        afterwards."""
        if not self.forked:
            return False
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, 19)
        except OSError:
            return False
        return True

    def restore(self) -> bool:
        """Normal priority again (needs CAP_SYS_NICE or RLIMIT_NICE); False if not permitted."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, 0)
        except OSError:
            return False
        self.demoted = False
        return True


class ForkedProcess:
    """A worker forked by the zygote: not our child, so watched and killed through a pidfd."""

    def __init__(self, pid: int):
        self.pid = pid
        self.pidfd = os.pidfd_open(pid)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self.pidfd], [], [], 0)[0]:
            self.returncode = _exit_code(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None and select.select([self.pidfd], [], [], timeout)[0]:
            self.returncode = _exit_code(self.pid)
        return self.returncode

    def kill(self) -> None:
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def close(self) -> None:
        try:
            os.close(self.pidfd)
        except OSError:
            pass


def _exit_code(pid: int) -> int:
    """Popen-style exit code of an exited process that its zygote has not reaped yet."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            status = int(f.read().rsplit(") ", 1)[1].split()[49])  # field 52: exit_code
    except (OSError, IndexError, ValueError):
        return -1
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
