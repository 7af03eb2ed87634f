"""Look at a server's process tree through /proc: descendants, RSS, query workers, CPU."""

from __future__ import annotations

import os
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return kids


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for kid in children(p):
            out.append(kid)
            todo.append(kid)
    return out


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0  # exited meanwhile


def tree_rss(pid: int) -> int:
    """Resident memory of ``pid`` and every descendant (master, web and query workers)."""
    return sum(rss_bytes(p) for p in [pid, *descendants(pid)])


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def query_workers(pid: int) -> list[int]:
    """The query worker processes: the children of the gunicorn web workers (the master's
    children), whatever way the pool starts them; multiprocessing's tracker excluded."""
    return [p for web in children(pid) for p in children(web)
            if "resource_tracker" not in cmdline(p)]


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return -1


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and its descendants, the reaped ones included (their time is in
    their parent's ``cutime``/``cstime``): retired query workers count too."""
    ticks = 0
    for p in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(") ", 1)[1].split()
            ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        except (OSError, IndexError, ValueError):
            pass  # exited meanwhile: its parent's cutime has it
    return ticks / os.sysconf("SC_CLK_TCK")
