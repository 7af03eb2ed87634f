"""Running a query from the event loop: the pool's steps, with waiting done by the loop.

:meth:`QueryPool.run` blocks a thread until the worker answers; handing each query to a thread
costs a wake-up and a GIL hand-over on both sides, as much CPU as a lookup's engine time.
:func:`run` takes an idle worker, sends the job and waits for the worker's socket to become
readable in the loop itself, with the same deadline, renicing, crash and timeout handling
(the pool's own steps). With no idle worker it falls back to :meth:`QueryPool.run` in a thread,
which queues, forks spares or answers "busy" as always. A query older than ``held_after`` whose
client closes the connection is stopped (:class:`ClientGone`): its worker is freed at once
rather than at the deadline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor

from admiukg.endpoint.pool import QueryPool
from admiukg.endpoint.runner import QueryRunner


class ClientGone(Exception):
    """The client closed its connection while its query ran; the query was stopped."""


async def run(pool: QueryRunner, job, executor: Executor | None = None,
              timeout: float | None = None, gone: Callable[[], Awaitable] | None = None):
    """``(reply, seconds it ran in its worker)`` for ``job``, or a
    :class:`~admiukg.endpoint.pool.PoolError`. Other runners (a remote store), and this one when
    no worker is idle, run in ``executor``. The run time is returned, not left in the pool's
    per-thread record: every coroutine of the loop shares its thread. ``gone()`` ends when the
    client has gone away; it is awaited only for a query older than ``held_after`` (quick
    queries are spared the watching)."""
    loop = asyncio.get_running_loop()
    worker = pool.checkout_nowait() if isinstance(pool, QueryPool) else None
    if worker is None:
        return await loop.run_in_executor(executor, _in_thread, pool, job, timeout)
    assert isinstance(pool, QueryPool)
    timeout = pool.timeout if timeout is None else timeout
    deadline = time.monotonic() + timeout
    try:
        sent = pool.dispatch(worker, job)
        fd = worker.conn.fileno()
        ready = await readable(loop, fd, min(pool.held_after, timeout))
        if not ready:
            if pool.spare:
                pool.held(worker)
            ready = await readable(loop, fd, max(0.0, deadline - time.monotonic()), gone)
        if ready is None:  # nobody will read its answer: the worker goes, a fresh one follows
            pool.abandon(worker)
            raise ClientGone("the client closed the connection; its query was stopped")
        if not ready:
            # killing and reaping the worker may take a while: not on the loop's thread
            raise await loop.run_in_executor(executor, pool.timed_out, worker, timeout)
        reply, ran = pool.collect(worker, sent)
    except (EOFError, OSError):
        raise await loop.run_in_executor(executor, pool.crashed, worker) from None
    except asyncio.CancelledError:  # its answer would go to the next job: it goes instead
        pool.abandon(worker)
        raise
    finally:
        pool.release(worker)
    pool.checkin(worker)
    return reply, ran


def _in_thread(pool: QueryRunner, job, timeout: float | None):
    reply = pool.run(job, timeout)
    last = getattr(pool, "last_run_seconds", None)
    return reply, last() if last is not None else None


async def readable(loop: asyncio.AbstractEventLoop, fd: int, timeout: float,
                   gone: Callable[[], Awaitable] | None = None) -> bool | None:
    """Whether ``fd`` became readable within ``timeout`` seconds; None if ``gone()`` ended
    first."""
    ready = loop.create_future()

    def settle(value: bool | None) -> None:
        if not ready.done():
            ready.set_result(value)

    loop.add_reader(fd, settle, True)
    timer = loop.call_later(timeout, settle, False)
    watcher = asyncio.ensure_future(gone()) if gone is not None else None
    if watcher is not None:
        watcher.add_done_callback(lambda _: settle(None))
    try:
        return await ready
    finally:
        timer.cancel()
        loop.remove_reader(fd)
        if watcher is not None:
            watcher.cancel()
