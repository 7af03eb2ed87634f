"""Fair use of the query workers: per-client concurrency and query-time quotas, a slow lane.

As Wikidata's query service does, a client (its address) may run only ``concurrent`` queries at
once and spend only ``quota_seconds`` of query time per ``window_seconds``; past either it gets
429 with ``Retry-After``. A client whose recent queries were slow (an average above ``slow_ms``)
is in the slow lane: slow clients together may hold at most ``slow_slots`` workers, so the other
workers stay free for cheap queries from everyone else (the fast lane). The state is per web
process; several web processes each apply the limits.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from admiukg.errors import KGError


class Refused(KGError):
    """The client must wait: HTTP ``status`` with ``Retry-After: retry_after``."""

    kind = "too-many-requests"

    def __init__(self, message: str, retry_after: int, status: int = 429):
        self.retry_after = max(1, retry_after)
        super().__init__(message, status=status, headers={"Retry-After": str(self.retry_after)})


@dataclass
class _Client:
    running: int = 0
    spent: float = 0.0  # query seconds in the current window, decayed linearly
    updated: float = field(default_factory=time.monotonic)
    average_ms: float = 0.0  # moving average of this client's query times
    slow_running: int = 0


class Fairness:
    def __init__(self, slow_slots: int, concurrent: int = 4, quota_seconds: float = 60.0,
                 window_seconds: float = 60.0, slow_ms: float = 1000.0, max_clients: int = 10000):
        self.slow_slots = max(1, slow_slots)
        self.concurrent = concurrent
        self.quota = quota_seconds
        self.window = window_seconds
        self.slow_ms = slow_ms
        self.max_clients = max_clients
        self._clients: dict[str, _Client] = {}
        self._slow_running = 0
        self._lock = threading.Lock()

    def _client(self, key: str, now: float) -> _Client:
        c = self._clients.get(key)
        if c is None:
            if len(self._clients) >= self.max_clients:
                self._forget_idle(now)
            c = self._clients[key] = _Client(updated=now)
        # the quota refills at quota/window seconds per second
        c.spent = max(0.0, c.spent - (now - c.updated) * self.quota / self.window)
        c.updated = now
        return c

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, c in self._clients.items()
                    if not c.running and c.spent <= 0.0]:
            del self._clients[key]

    def admit(self, key: str) -> _Ticket:
        """Admit one query of client ``key`` or raise :class:`Refused`."""
        now = time.monotonic()
        with self._lock:
            c = self._client(key, now)
            if c.running >= self.concurrent:
                raise Refused(f"too many parallel queries from one client (at most "
                              f"{self.concurrent}); retry when one has finished", 1)
            if c.spent >= self.quota:
                wait = (c.spent - self.quota) * self.window / self.quota + 1
                raise Refused(f"query-time quota of {self.quota:g} s per {self.window:g} s "
                              "used up; retry later", int(wait) + 1)
            slow = c.average_ms > self.slow_ms
            if slow and self._slow_running >= self.slow_slots:
                raise Refused("the workers for slow queries are all busy (this client's "
                              "recent queries were slow); retry later", 2)
            c.running += 1
            if slow:
                self._slow_running += 1
                c.slow_running += 1
        return _Ticket(self, key, slow, now)

    def _done(self, ticket: _Ticket, seconds: float) -> None:
        with self._lock:
            c = self._client(ticket.key, time.monotonic())
            c.running -= 1
            c.spent += seconds
            c.average_ms = 0.7 * c.average_ms + 0.3 * seconds * 1000
            if ticket.slow:
                self._slow_running -= 1
                c.slow_running -= 1

    def stats(self) -> dict:
        with self._lock:
            return {"clients": len(self._clients), "slow_running": self._slow_running,
                    "slow_slots": self.slow_slots}


class _Ticket:
    def __init__(self, owner: Fairness, key: str, slow: bool, started: float):
        self.owner, self.key, self.slow, self.started = owner, key, slow, started
        self.ran: float | None = None  # the query's own run time, when known (not queueing)

    def __enter__(self) -> _Ticket:
        return self

    def __exit__(self, *exc) -> None:
        elapsed = time.monotonic() - self.started
        self.owner._done(self, elapsed if self.ran is None else self.ran)
