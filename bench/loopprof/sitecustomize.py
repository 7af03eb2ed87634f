"""Thread CPU of every event-loop callback of a web process, and of chosen functions, written on
request: imported by Python at start-up when ``bench/loopprof`` is on ``PYTHONPATH`` and
``LOOPPROF`` is set (``bench/loop_profile.py`` does both). A file ``LOOPPROF.PID`` appearing
makes process PID write ``LOOPPROF.PID.txt`` and start counting afresh."""

import collections
import functools
import inspect
import os
import sys
import threading
import time

#: Functions timed besides the callbacks (module, attribute or class.method); coroutine
#: functions are left out: their time would include their awaits.
TIMED = [
    "admiukg.endpoint.sparqlrequest:from_environ", "admiukg.endpoint.sparqlrequest:read",
    "admiukg.endpoint.queryrun:prepare", "admiukg.endpoint.queryrun:finish",
    "admiukg.endpoint.queryrun:_log", "admiukg.guard:check",
    "admiukg.endpoint.pool:QueryPool.dispatch", "admiukg.endpoint.pool:QueryPool.collect",
    "admiukg.endpoint.pool:QueryPool.checkout_nowait", "admiukg.endpoint.pool:QueryPool.checkin",
]
stats: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])


def _count(name: str, since: int) -> None:
    entry = stats[name]
    entry[0] += time.thread_time_ns() - since
    entry[1] += 1


def _install_loop_timing() -> None:
    import asyncio.events
    import selectors

    run, select = asyncio.events.Handle._run, selectors.EpollSelector.select

    def timed_run(handle):
        t = time.thread_time_ns()
        try:
            return run(handle)
        finally:
            callback = handle._callback
            name = getattr(callback, "__qualname__", type(callback).__name__)
            coro = getattr(getattr(callback, "__self__", None), "get_coro", lambda: None)()
            _count(f"callback {name}" + (f" ({coro.__qualname__})" if coro else ""), t)

    def timed_select(selector, timeout=None):
        t = time.thread_time_ns()
        try:
            return select(selector, timeout)
        finally:
            _count("selector", t)

    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
    selectors.EpollSelector.select = timed_select  # type: ignore[method-assign]


def _timed(fn, name):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t = time.thread_time_ns()
        try:
            return fn(*args, **kwargs)
        finally:
            _count(f"function {name}", t)
    return wrapper


def _install_function_timing() -> None:
    for target in TIMED:
        module_name, _, path = target.partition(":")
        module = sys.modules.get(module_name)
        if module is None:
            continue
        owner_name, _, attr = path.rpartition(".")
        owner = getattr(module, owner_name) if owner_name else module
        original = getattr(owner, attr)
        if inspect.iscoroutinefunction(original) or hasattr(original, "__wrapped__"):
            continue
        wrapper = _timed(original, path)
        setattr(owner, attr, wrapper)
        if not owner_name:  # names imported elsewhere with ``from module import name``
            for other in list(sys.modules.values()):
                for key, value in list(getattr(other, "__dict__", {}).items()):
                    if value is original:
                        setattr(other, key, wrapper)


def _write(path: str) -> None:
    with open(path, "w") as out:
        for name, (ns, calls) in sorted(stats.items(), key=lambda kv: -kv[1][0]):
            out.write(f"{ns / 1e3 / max(calls, 1):9.1f} us/call {calls:8} calls  {name}\n")
    stats.clear()


def _watch() -> None:
    trigger = f"{os.environ['LOOPPROF']}.{os.getpid()}"
    while True:
        time.sleep(0.05)
        if os.path.exists(trigger):
            os.unlink(trigger)
            _install_function_timing()  # by now the app is imported
            _write(trigger + ".txt")


if os.environ.get("LOOPPROF"):
    _install_loop_timing()
    threading.Thread(target=_watch, daemon=True).start()
    os.register_at_fork(after_in_child=lambda: threading.Thread(target=_watch, daemon=True).start())
