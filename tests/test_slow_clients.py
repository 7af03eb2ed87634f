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
