"""One-line progress for long steps, on a terminal only.

    with progress.step("loading data.ttl"):
        ...

When stderr is a TTY and the environment variable ``CI`` is not set, prints ``loading data.ttl …``
and updates the elapsed seconds on the same line (carriage return) twice a second, then ends the
line with ``… done in 1.2 s`` (or ``… failed after 1.2 s``). Otherwise it prints nothing at all,
so logs of CI jobs, servers under a supervisor and captured test output stay unchanged.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager

#: Seconds between updates of the elapsed time.
INTERVAL = 0.5


def enabled(stream=None) -> bool:
    """True when progress is shown: ``stream`` (stderr) is a terminal and CI is not set."""
    stream = stream or sys.stderr
    if os.environ.get("CI"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


#: (label, seconds) of every step finished in this process, for benchmarks.
TIMES: list[tuple[str, float]] = []


@contextmanager
def step(label: str, stream=None):
    """Show ``label`` with a running clock while the block runs (terminal only)."""
    stream = stream or sys.stderr
    if not enabled(stream):
        began = time.perf_counter()
        yield
        TIMES.append((label, time.perf_counter() - began))
        return
    lock = threading.Lock()
    start = time.perf_counter()
    stop = threading.Event()

    def write(text: str) -> None:
        with lock:
            try:
                stream.write("\r\x1b[K" + text)  # carriage return, clear to end of line
                stream.flush()
            except (OSError, ValueError):
                pass

    def tick() -> None:
        while not stop.wait(INTERVAL):
            write(f"{label} … {time.perf_counter() - start:.1f} s")

    write(f"{label} …")
    ticker = threading.Thread(target=tick, name="progress", daemon=True)
    ticker.start()
    outcome = "failed after"
    try:
        yield
        outcome = "done in"
        TIMES.append((label, time.perf_counter() - start))
    finally:
        stop.set()
        ticker.join()
        write(f"{label} … {outcome} {time.perf_counter() - start:.1f} s\n")
