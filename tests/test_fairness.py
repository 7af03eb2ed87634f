"""Fair-use rules on their own: parallel queries, query-time quota, the slow lane."""

from __future__ import annotations

import pytest

from admiukg.endpoint import fairness
from admiukg.endpoint.fairness import Fairness, Refused


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(fairness.time, "monotonic", c)
    return c


def run(f, client, seconds, clock):
    with f.admit(client) as ticket:
        clock.now += seconds
        ticket.ran = seconds


def test_parallel_queries_per_client_are_capped_with_retry_after(clock):
    f = Fairness(slow_slots=1, concurrent=2)
    a, b = f.admit("a"), f.admit("a")
    with pytest.raises(Refused) as err:
        f.admit("a")
    assert err.value.status == 429 and err.value.retry_after >= 1
    f.admit("b").__exit__(None, None, None)  # others are not affected
    a.__exit__(None, None, None)
    f.admit("a")  # one finished: admitted again
    b.__exit__(None, None, None)


def test_query_time_quota_refills_over_the_window(clock):
    f = Fairness(slow_slots=4, concurrent=4, quota_seconds=10, window_seconds=60,
                 slow_ms=10**9)
    run(f, "a", 6, clock)
    run(f, "a", 6, clock)  # 12 s spent (minus what refilled meanwhile) > 10 s
    with pytest.raises(Refused) as err:
        f.admit("a")
    assert "quota" in err.value.message and err.value.retry_after > 1
    clock.now += err.value.retry_after
    run(f, "a", 0.1, clock)  # refilled: admitted


def test_slow_clients_share_the_slow_lane_and_cheap_ones_pass(clock):
    f = Fairness(slow_slots=1, concurrent=4, slow_ms=500)
    run(f, "slow1", 5, clock)
    run(f, "slow2", 5, clock)
    held = f.admit("slow1")  # the one slow slot
    with pytest.raises(Refused) as err:
        f.admit("slow2")
    assert "slow" in err.value.message
    run(f, "cheap", 0.01, clock)  # the fast lane is open
    held.__exit__(None, None, None)
    f.admit("slow2").__exit__(None, None, None)


def test_queueing_time_is_not_charged_as_query_time(clock):
    f = Fairness(slow_slots=1, concurrent=4, slow_ms=500)
    with f.admit("a") as ticket:
        clock.now += 30  # waited for a worker
        ticket.ran = 0.01  # ran 10 ms
    f.admit("a").__exit__(None, None, None)
    f.admit("a")  # never classified slow, quota barely touched
    assert f.stats()["slow_running"] == 0
