"""The query worker pool on its own: memory limit, deadline, crash, replacement."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from admiukg.endpoint.pool import QueryPool, QueryTimeout, WorkerCrashed
from admiukg.store.local import load_dataset

pytestmark = pytest.mark.slow  # real worker processes, killed and replaced

ROOT = Path(__file__).resolve().parent.parent
GREEDY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g LIMIT 1"


def job(query):
    return {"query": query, "default_graphs": None, "named_graphs": None, "has_dataset": False,
            "results_format": "json", "graph_format": "turtle", "max_rows": 10}


@pytest.fixture(scope="module")
def store_path(sparql_sample_file, tmp_path_factory):
    return load_dataset([sparql_sample_file], cache_dir=tmp_path_factory.mktemp("pool")).path


def wait_alive(pool, n, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and pool.alive() < n:
        time.sleep(0.1)
    return pool.alive()


def test_memory_limit_kills_the_query_not_the_pool(store_path):
    pool = QueryPool(store_path, size=1, timeout=60, memory_limit=600 * 2**20)
    try:
        t0 = time.monotonic()
        with pytest.raises(WorkerCrashed) as err:
            pool.run(job(GREEDY))
        assert time.monotonic() - t0 < 30  # stopped by RLIMIT_AS, long before the deadline
        assert "out of memory" in err.value.message
        assert wait_alive(pool, 1) == 1 and pool.replaced == 1
        assert pool.run(job("ASK { ?s ?p ?o }"))[:2] == ("ok", "json")
    finally:
        pool.close()


ROOM_CHILD = r"""
import mmap
from admiukg.endpoint import worker
held = mmap.mmap(-1, 3 * 2**30)  # address space a fork inherits (the zygote's store), untouched
worker._set_memory_limit(512 * 2**20)
room = bytearray(400 * 2**20)  # within the limit of room beyond it: allowed
del room
try:
    bytearray(700 * 2**20)  # beyond it: refused
except MemoryError:
    print("limited")
"""


def test_memory_limit_is_room_beyond_the_inherited_store():
    # at 10M triples a fork inherits ~4 GB; --memory-limit must still leave a query that much room
    out = subprocess.run([sys.executable, "-c", ROOM_CHILD], capture_output=True, text=True,
                         timeout=60, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "limited"


def test_deadline_kills_and_replaces(store_path):
    pool = QueryPool(store_path, size=1, timeout=1.5)
    try:
        t0 = time.monotonic()
        with pytest.raises(QueryTimeout):
            pool.run(job("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"))
        assert 1.4 < time.monotonic() - t0 < 5
        assert wait_alive(pool, 1) == 1
        reply = pool.run(job("SELECT (COUNT(*) AS ?n) { ?s a ?c }"))
        assert reply[0] == "ok" and b'"255"' in reply[2]
    finally:
        pool.close()


def test_errors_come_back_as_replies(store_path):
    pool = QueryPool(store_path, size=1)
    try:
        status = pool.run(job("SELECT * {"))
        assert status[:3] == ("error", 400, "syntax") and "line 1" in status[3]
        assert pool.run(job("CONSTRUCT WHERE { ?s ?p ?o }") | {"graph_format": None})[1] == 406
        assert pool.alive() == 1 and pool.replaced == 0
    finally:
        pool.close()


def test_worker_killed_while_idle_is_skipped_and_replaced(store_path):
    pool = QueryPool(store_path, size=2)
    try:
        pool.start()
        victim = next(iter(pool._workers))
        victim.process.kill()
        victim.process.wait()
        for _ in range(3):  # whichever worker is picked, every query is answered
            assert pool.run(job("ASK { ?s ?p ?o }"))[0] == "ok"
        assert wait_alive(pool, 2) == 2
    finally:
        pool.close()


def test_queries_one_after_another_go_to_the_same_worker(store_path):
    """The last worker to answer takes the next query: its caches are warm, its copy of the
    store already made, and the idle ones copy nothing (taken in turn, every fork slowly
    becomes a private copy of the store under a single client)."""
    pool = QueryPool(store_path, size=3)
    used = []
    dispatch = pool.dispatch
    pool.dispatch = lambda worker, job: used.append(worker) or dispatch(worker, job)
    try:
        pool.start()
        assert wait_alive(pool, 3) == 3
        for _ in range(6):
            assert pool.run(job("ASK { ?s ?p ?o }"))[0] == "ok"
        assert len(set(used)) == 1, f"{len(set(used))} workers took 6 queries in a row"
    finally:
        pool.close()


def test_all_workers_busy_is_a_503_not_a_hang(store_path):
    import threading

    from admiukg.endpoint.pool import PoolBusy

    pool = QueryPool(store_path, size=1, timeout=2)
    try:
        pool.start()
        outcome: list[BaseException | tuple] = []

        def run_slow():  # an assert in a thread would not fail the test: record what happened
            try:
                outcome.append(pool.run(job("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")))
            except BaseException as exc:
                outcome.append(exc)

        slow = threading.Thread(target=run_slow)
        slow.start()
        time.sleep(0.3)
        with pytest.raises(PoolBusy):
            pool.run(job("ASK {}"), timeout=0.5)
        slow.join()
        assert len(outcome) == 1 and isinstance(outcome[0], QueryTimeout), outcome
    finally:
        pool.close()


def test_workers_die_with_their_web_process(store_path, tmp_path):
    """A web process killed hard (SIGKILL) leaves no query worker running a runaway query."""
    import os
    import signal
    import subprocess
    import sys

    script = tmp_path / "owner.py"
    script.write_text(
        "import sys, threading\n"
        "from admiukg.endpoint.pool import QueryPool\n"
        f"pool = QueryPool({store_path!r}, size=1, timeout=600)\n"
        "pool.start()\n"
        "print(*[w.process.pid for w in pool._workers], flush=True)\n"
        "job = {'query': 'SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }',"
        " 'default_graphs': None, 'named_graphs': None, 'has_dataset': False,"
        " 'results_format': 'json', 'graph_format': None, 'max_rows': 1}\n"
        "threading.Thread(target=pool.run, args=(job,), daemon=True).start()\n"
        "threading.Event().wait()\n")
    from sparql_live import ROOT

    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                             cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    worker_pid = int(owner.stdout.readline())
    time.sleep(1.0)  # the worker is now busy in the runaway query
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(worker_pid, signal.SIGKILL)
    pytest.fail("the query worker outlived its web process")


def test_start_returns_with_the_first_worker_and_the_others_follow(store_path):
    """A web process takes requests as soon as one worker answers (a restart answers sooner);
    the rest of the pool starts behind it."""
    pool = QueryPool(store_path, size=3, timeout=30, in_memory=False)
    try:
        pool.start()
        assert pool.alive() < 3  # fresh interpreters take ~0.3 s each: not all there yet
        assert pool.run(job("ASK { ?s ?p ?o }"))[0] == "ok"
        assert wait_alive(pool, 3) == 3
    finally:
        pool.close()


def test_copy_limit_counts_faults_then_confirms_with_private_dirty(monkeypatch):
    """Faults also count freshly allocated pages: a worker retires only when its real private
    memory is over the limit, and the exact reading is not taken after every query."""
    from admiukg.endpoint import worker

    MB = 2**20
    faults, dirty, reads = [0], [0], []
    monkeypatch.setattr(worker, "copied_bytes", lambda: faults[0])
    monkeypatch.setattr(worker, "private_dirty_bytes", lambda: reads.append(1) or dirty[0])
    faults[0], dirty[0] = 50 * MB, 0
    assert worker.over_copy_limit(0, 100 * MB) == (False, 0) and not reads
    faults[0], dirty[0] = 150 * MB, 30 * MB  # allocations, not copies: keep, measure from here
    assert worker.over_copy_limit(0, 100 * MB) == (False, 120 * MB) and len(reads) == 1
    faults[0] = 200 * MB  # 80 MB of faults since: not read again
    assert worker.over_copy_limit(120 * MB, 100 * MB) == (False, 120 * MB) and len(reads) == 1
    faults[0], dirty[0] = 300 * MB, 140 * MB  # really copied
    assert worker.over_copy_limit(120 * MB, 100 * MB)[0] is True
    assert worker.over_copy_limit(0, 0) == (False, 0)  # no limit


def test_worker_killed_at_the_bottom_of_the_idle_ones_is_replaced(store_path):
    """The last to answer goes first, so the idle worker answered longest ago may never be taken
    again under light load: if it dies it must still be noticed and replaced."""
    pool = QueryPool(store_path, size=2)
    try:
        pool.start()
        assert wait_alive(pool, 2) == 2
        deadline = time.monotonic() + 20
        while not (pool._idle.qsize() == 2 and all(w.forked for w in pool._idle.queue)):
            assert time.monotonic() < deadline, "the workers were not forked from the zygote"
            assert pool.run(job("ASK { ?s ?p ?o }"))[0] == "ok"  # retires the disk workers
            time.sleep(0.05)
        bottom = pool._idle.queue[0]  # next to be taken in a queue, last in a stack
        bottom.process.kill()
        bottom.process.wait()
        deadline = time.monotonic() + 10
        while pool.alive() < 2 and time.monotonic() < deadline:  # queries keep coming
            assert pool.run(job("ASK { ?s ?p ?o }"))[0] == "ok"
            time.sleep(0.05)
        assert wait_alive(pool, 2, seconds=5) == 2
    finally:
        pool.close()


def test_jobs_and_replies_sent_with_the_plain_pickler_read_back_by_recv():
    import socket
    from multiprocessing.connection import Connection

    from admiukg.endpoint.replies import Answer, failure
    from admiukg.endpoint.worker import send

    left, right = socket.socketpair()
    ours, theirs = Connection(left.detach()), Connection(right.detach())
    sent = [{"query": "ASK {}", "default_graphs": None, "prefixes": {"ex": "http://e/"}},
            Answer("ok", "json", b"\x00" * 70_000, 3, "bytes"), failure(400, "evaluation", "é"),
            ("retire", 7)]
    for message in sent:
        send(ours, message)
        received = theirs.recv()
        assert received == message and type(received) is type(message)
    theirs.close()  # a worker that died: the pool expects OSError (or EOFError on reading)
    with pytest.raises(OSError):
        for _ in range(100):  # the first write may still fit in the socket's buffer
            send(ours, sent[1])
    with pytest.raises(EOFError):
        ours.recv()
    ours.close()
