"""admiukg.coalesce: the writes of one loop turn leave as one, in order; and the front's
protocol sends a small response's head and body in one write."""

from __future__ import annotations

import asyncio

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from admiukg import coalesce, front
from admiukg.coalesce import CoalescingTransport


class Recorder(asyncio.Transport):
    """A transport that keeps what it is asked to do."""

    def __init__(self):
        super().__init__()
        self.calls: list = []
        self.closing = False

    def write(self, data):
        self.calls.append(("write", bytes(data)))

    def close(self):
        self.calls.append(("close",))
        self.closing = True

    def abort(self):
        self.calls.append(("abort",))
        self.closing = True

    def is_closing(self):
        return self.closing

    def get_write_buffer_size(self):
        return 0

    def get_extra_info(self, name, default=None):
        return {"peername": ("127.0.0.1", 5555), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def pause_reading(self):
        self.calls.append(("pause_reading",))

    def resume_reading(self):
        pass


def in_loop(steps):
    """Run ``steps(transport, recorder)`` in a loop; the recorder's calls at the end of that turn
    and after the loop has turned once more."""
    async def main():
        rec = Recorder()
        steps(CoalescingTransport(rec, asyncio.get_running_loop()), rec)
        during = list(rec.calls)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return during, rec.calls
    return asyncio.run(main())


def test_small_writes_of_one_turn_leave_as_one_write_after_it():
    during, after = in_loop(lambda t, rec: (t.write(b"HTTP/1.1 200 OK\r\n\r\n"), t.write(b"body")))
    assert during == []
    assert after == [("write", b"HTTP/1.1 200 OK\r\n\r\nbody")]


def test_a_large_write_goes_out_at_once_after_what_was_held():
    big = b"x" * coalesce.MAX_HELD
    during, after = in_loop(lambda t, rec: (t.write(b"head"), t.write(big), t.write(b"tail")))
    assert during == [("write", b"head"), ("write", big)]
    assert after == [("write", b"head"), ("write", big), ("write", b"tail")]


def test_held_bytes_reaching_the_bound_are_sent_without_waiting():
    part = b"y" * (coalesce.MAX_HELD // 2)
    during, _ = in_loop(lambda t, rec: (t.write(part), t.write(part)))
    assert during == [("write", part + part)]


def test_close_sends_what_is_held_first_and_abort_drops_it():
    _, closed = in_loop(lambda t, rec: (t.write(b"last words"), t.close()))
    assert closed == [("write", b"last words"), ("close",)]
    _, aborted = in_loop(lambda t, rec: (t.write(b"dropped"), t.abort()))
    assert aborted == [("abort",)]


def test_writes_after_close_are_not_held():
    _, after = in_loop(lambda t, rec: (t.close(), t.write(b"late")))
    assert after == [("close",), ("write", b"late")]  # the transport itself drops it


def test_other_calls_reach_the_wrapped_transport():
    _, after = in_loop(lambda t, rec: (t.pause_reading(), t.write(b"a"), t.get_extra_info("peername")))
    assert after == [("pause_reading",), ("write", b"a")]


async def _until(condition, seconds=2.0):
    """Let the loop turn until ``condition()`` holds or ``seconds`` have passed."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)


class Hello:
    config: dict = {}

    def __call__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
        return [b"hello"]


def test_the_front_sends_a_small_response_in_one_write():
    async def main():
        loop = asyncio.get_running_loop()
        config = Config(app=front.BufferedWSGI(Hello(), threads=1), lifespan="off")
        config.load()
        protocol = front.HeaderTimeoutProtocol(config, ServerState(), {}, _loop=loop)
        rec = Recorder()
        protocol.connection_made(rec)
        protocol.data_received(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
        await _until(lambda: any(c[0] == "write" for c in rec.calls))
        await asyncio.sleep(0.05)
        protocol.connection_lost(None)
        return [c[1] for c in rec.calls if c[0] == "write"]

    writes = asyncio.run(main())
    assert len(writes) == 1, writes
    assert writes[0].startswith(b"HTTP/1.1 200 OK\r\n") and writes[0].endswith(b"\r\n\r\nhello")


def _front_protocol(loop):
    config = Config(app=front.BufferedWSGI(Hello(), threads=1), lifespan="off")
    config.load()
    protocol = front.HeaderTimeoutProtocol(config, ServerState(), {}, _loop=loop)
    rec = Recorder()
    protocol.connection_made(rec)
    return protocol, rec




def test_a_half_close_sends_what_is_held_before_asyncio_closes_the_connection():
    async def main():
        protocol, rec = _front_protocol(asyncio.get_running_loop())
        protocol.transport.write(b"an answer written in this turn")
        keep_open = protocol.eof_received()  # nothing unanswered
        if not keep_open:
            rec.close()  # as asyncio does: the socket's own transport, not the wrapper
        calls = list(rec.calls)
        protocol.connection_lost(None)
        return keep_open, calls

    keep_open, calls = asyncio.run(main())
    assert not keep_open
    assert calls == [("write", b"an answer written in this turn"), ("close",)]


GET = b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n"


@pytest.mark.parametrize(("tail", "answers"), [
    (b"", 3),
    (b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 50\r\n\r\nabc", 3),  # body cut short
    (b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 3),
    (b"GET /x HTTP/1.1\r\nHost:", 3),  # headers cut short
])
def test_complete_requests_before_a_half_close_are_answered_then_the_connection_closes(
        tail, answers):
    async def main():
        protocol, rec = _front_protocol(asyncio.get_running_loop())
        protocol.data_received(GET * 3 + tail)
        keep_open = protocol.eof_received()
        await _until(lambda: rec.closing, seconds=3.0)
        protocol.connection_lost(None)
        return keep_open, rec

    keep_open, rec = asyncio.run(main())
    sent = b"".join(c[1] for c in rec.calls if c[0] == "write")
    assert keep_open and rec.closing
    assert sent.count(b"HTTP/1.1 200 OK\r\n") == answers and sent.endswith(b"hello"), sent[-300:]


def test_a_half_close_with_only_a_cut_short_request_closes_at_once():
    async def main():
        protocol, _ = _front_protocol(asyncio.get_running_loop())
        protocol.data_received(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nab")
        keep_open = protocol.eof_received()
        protocol.connection_lost(None)
        return keep_open

    assert asyncio.run(main()) is False


def test_headers_over_the_bound_in_one_read_get_431():
    async def main():
        protocol, rec = _front_protocol(asyncio.get_running_loop())
        protocol.data_received(b"GET /x HTTP/1.1\r\nHost: a\r\n"
                               + b"X-A: " + b"a" * front.MAX_HEADER_BYTES + b"\r\n\r\n")
        await asyncio.sleep(0.05)
        protocol.connection_lost(None)
        return rec

    rec = asyncio.run(main())
    sent = b"".join(c[1] for c in rec.calls if c[0] == "write")
    assert sent.startswith(b"HTTP/1.1 431") and b"header-too-large" in sent and rec.closing


def _head_of(size: int) -> bytes:
    """A GET whose request line and headers are exactly ``size`` bytes."""
    start = b"GET /x HTTP/1.1\r\nHost: a\r\nX-A: "
    return start + b"a" * (size - len(start) - 4) + b"\r\n\r\n"


@pytest.mark.parametrize(("size", "status"), [(front.MAX_HEADER_BYTES, b"200"),
                                              (front.MAX_HEADER_BYTES + 1, b"431")])
def test_the_header_bound_counts_the_head_as_sent(size, status):
    async def main():
        protocol, rec = _front_protocol(asyncio.get_running_loop())
        assert len(_head_of(size)) == size
        protocol.data_received(_head_of(size))
        await _until(lambda: any(c[0] == "write" for c in rec.calls))
        protocol.connection_lost(None)
        return b"".join(c[1] for c in rec.calls if c[0] == "write")

    assert asyncio.run(main()).startswith(b"HTTP/1.1 " + status)


def test_a_pipelined_request_s_unfinished_headers_are_bounded_while_one_is_answered():
    async def main():
        protocol, rec = _front_protocol(asyncio.get_running_loop())
        protocol.data_received(GET + b"GET /x HTTP/1.1\r\nHost: a\r\n")  # the first is running
        for _ in range(100):
            if rec.closing:
                break
            protocol.data_received(b"X-A: " + b"a" * 1000 + b"\r\n")
        protocol.connection_lost(None)
        return rec

    rec = asyncio.run(main())
    sent = b"".join(c[1] for c in rec.calls if c[0] == "write")
    assert rec.closing and b"HTTP/1.1 431" in sent
