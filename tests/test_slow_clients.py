"""Slow and greedy clients cannot hold the server (the event-loop front, admiukg.front).

While 17 slowloris connections, 40 slow POST bodies or 300 silent connections are open, a
normal client on fresh connections gets every answer within 1 s. Connections that never finish
their headers or body are ended by the header and body timeouts. Everything is on 127.0.0.1 and
every loop is bounded in time.
"""

from __future__ import annotations

import socket
import time

import pytest
from slowclients import Attack, normal_client, summary
from sparql_live import LiveServer

TIMEOUT = 4  # --header-timeout and --body-timeout of the server under test


@pytest.fixture(scope="module")
def server(sparql_sample_file, tmp_path_factory):
    srv = LiveServer([sparql_sample_file, "--header-timeout", TIMEOUT, "--body-timeout", TIMEOUT],
                     cache_dir=tmp_path_factory.mktemp("slow-clients"))
    srv.start()
    yield srv
    srv.stop()


@pytest.mark.parametrize(("kind", "count"), [("slowloris", 17), ("slowbody", 40), ("idle", 300)])
def test_a_normal_client_is_answered_within_a_second(server, kind, count):
    url = server.endpoint + "?query=ASK%7B%7D"
    with Attack("127.0.0.1", server.port, kind, count) as attack:
        assert attack.opened == count
        time.sleep(0.5)
        latencies = normal_client(url, seconds=TIMEOUT - 1, timeout=1.0)
    assert latencies and None not in latencies, summary(latencies)


def test_unfinished_headers_are_cut_off(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT + 5) as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        t0 = time.monotonic()
        deadline = t0 + TIMEOUT + 4
        closed = False
        while time.monotonic() < deadline:
            try:
                s.sendall(b"X-Slow: 1\r\n")
                if s.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                break
            except OSError:
                closed = True
                break
        assert closed and time.monotonic() - t0 < TIMEOUT + 3


def read_reply(s) -> bytes:
    """What the server sends until it closes the connection (bounded by the socket timeout)."""
    reply = b""
    try:
        while chunk := s.recv(4096):
            reply += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return reply


def test_a_body_that_never_arrives_gets_408(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT + 20) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 1000\r\n\r\nASK")
        reply = read_reply(s)
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    assert b'"request-timeout"' in reply


def test_an_announced_oversize_body_is_refused_unread(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 999999999\r\n\r\n")
        reply = read_reply(s)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


def _cors_json(reply: bytes) -> bool:
    head = reply.split(b"\r\n\r\n", 1)[0].lower()
    return (b"access-control-allow-origin: *" in head and b"x-content-type-options: nosniff" in head
            and b"content-type: application/json" in head)


def test_a_header_flood_gets_431_and_the_server_stays_quick(server):
    """llhttp has no header limit of its own: 20,000 repeated headers once took the web
    process past gunicorn's timeout while the WSGI environ was built."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        try:
            for _ in range(2000):
                s.sendall(b"X-A: " + b"a" * 1000 + b"\r\n")
        except OSError:  # refused mid-way: the server closed the connection
            pass
        reply = read_reply(s)
    assert reply.startswith(b"HTTP/1.1 431"), reply[:200]
    assert b'"header-too-large"' in reply and _cors_json(reply)
    latencies = normal_client(server.endpoint + "?query=ASK%7B%7D", seconds=1, timeout=1.0)
    assert latencies and None not in latencies, summary(latencies)


def test_errors_of_the_front_carry_the_headers_of_every_response(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
        reply = read_reply(s)
    assert reply.startswith(b"HTTP/1.1 400") and _cors_json(reply), reply[:300]
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT + 20) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 10\r\n\r\nASK")
        reply = read_reply(s)
    assert reply.startswith(b"HTTP/1.1 408") and _cors_json(reply), reply[:300]


def test_a_chunked_body_over_the_limit_gets_413(server):
    chunk = b"#" * 100_000
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(12):  # 1.2 MB, over the default 1 MiB
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass
        reply = read_reply(s)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:300]


def test_a_chunked_query_within_the_limit_is_answered(server):
    body = b"ASK {}"
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        reply = read_reply(s)
    assert reply.startswith(b"HTTP/1.1 200") and b'"boolean":true' in reply, reply[:300]


def _half_closed(server, request: bytes) -> tuple[bytes, float]:
    """Send ``request``, shut down the sending side, read until the server closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT + 10) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        t0 = time.monotonic()
        return read_reply(s), time.monotonic() - t0


ASK = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n\r\n"


@pytest.mark.parametrize("turn", ["first", "cached"])  # cached: answered in the same loop turn
def test_a_client_that_half_closes_after_its_request_gets_the_answer(server, turn):
    reply, took = _half_closed(server, ASK)
    assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b'"boolean":true}'), reply[:300]
    assert took < TIMEOUT  # closed once answered, not by a timeout


@pytest.mark.parametrize("tail", [b"", b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nASK"])
def test_pipelined_requests_before_a_half_close_are_all_answered(server, tail):
    reply, took = _half_closed(server, ASK * 3 + tail)
    assert reply.count(b"HTTP/1.1 200") == 3 and reply.count(b'"boolean":true}') == 3, reply[:600]
    assert took < TIMEOUT


@pytest.mark.parametrize("request_bytes", [
    b"",  # an idle connection
    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n",  # headers cut short
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: 100\r\n\r\nASK",  # body cut short
])
def test_a_half_close_that_leaves_nothing_to_answer_ends_the_connection_at_once(
        server, request_bytes):
    reply, took = _half_closed(server, request_bytes)
    assert reply == b"" and took < TIMEOUT - 1, (reply[:200], took)
