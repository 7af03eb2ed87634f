"""admiukg.front.BufferedWSGI on its own: whole request first, then the WSGI app in a thread."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import pytest

from admiukg import front


def scope(path="/x", query=b"", headers=(), method="GET"):
    return {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
            "query_string": query, "headers": list(headers), "http_version": "1.1",
            "scheme": "http", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5555),
            "root_path": ""}


def run(app, sc, messages, timeout=5.0):
    """Call the ASGI app with ``messages`` as the request; return (status, headers, body)."""
    sent = []

    async def main():
        inbox = list(messages)

        async def receive():
            if inbox:
                return inbox.pop(0)
            await asyncio.sleep(3600)  # a client that never sends the rest

        async def send(message):
            sent.append(message)

        await asyncio.wait_for(app(sc, receive, send), timeout)

    asyncio.run(main())
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], dict(start["headers"]), body, len(sent) - 1


class Echo:
    config: ClassVar[dict] = {"MAX_CONTENT_LENGTH": 100}

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read()
        if int(environ.get("CONTENT_LENGTH") or 0) > self.config["MAX_CONTENT_LENGTH"]:
            start_response("413 Request Entity Too Large", [("Content-Type", "application/json")])
            return [b'{"error": "too large"}']
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Path", environ["PATH_INFO"])])
        return [b"got:", body]


def test_small_request_and_response_pass_through():
    app = front.BufferedWSGI(Echo(), threads=2)
    status, headers, body, _ = run(app, scope(method="POST"), [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"cd"}])
    assert status == 200 and body == b"got:abcd" and headers[b"x-path"] == b"/x"


def test_a_body_that_stalls_gets_408_without_calling_the_app():
    calls = []

    def app(environ, start_response):  # pragma: no cover - must not run
        calls.append(environ)
        start_response("200 OK", [])
        return [b""]

    asgi = front.BufferedWSGI(app, threads=1, body_timeout=0.2)
    status, _, body, _ = run(asgi, scope(method="POST"),
                             [{"type": "http.request", "body": b"a", "more_body": True}])
    assert status == 408 and b"request-timeout" in body and not calls


def test_an_oversize_body_is_answered_by_the_app_unread():
    sc = scope(method="POST", headers=[(b"content-length", b"999999")])
    status, headers, body, _ = run(front.BufferedWSGI(Echo(), threads=1), sc, [])
    assert status == 413 and b"too large" in body and headers[b"connection"] == b"close"


def test_a_non_ascii_query_string_is_a_400():
    status, _, _, _ = run(front.BufferedWSGI(Echo(), threads=1), scope(query="é".encode()), [
        {"type": "http.request", "body": b""}])
    assert status == 400


def test_large_responses_stream_in_pieces(monkeypatch):
    monkeypatch.setattr(front, "BUFFERED", 1000)

    def big(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return (bytes([i % 256]) * 500 for i in range(200))

    status, _, body, pieces = run(front.BufferedWSGI(big, threads=1), scope(),
                                  [{"type": "http.request", "body": b""}])
    assert status == 200 and len(body) == 100_000 and pieces > 10


def test_one_huge_chunk_streams_in_slices(monkeypatch):
    monkeypatch.setattr(front, "BUFFERED", 1000)
    monkeypatch.setattr(front, "STREAM_SLICE", 4096, raising=False)
    whole = bytes(range(256)) * 400  # 102,400 bytes as one chunk (a dump kept in memory)

    def dump(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/n-quads")])
        return [whole]

    status, _, body, pieces = run(front.BufferedWSGI(dump, threads=1), scope(),
                                  [{"type": "http.request", "body": b""}])
    assert status == 200 and body == whole and pieces == 102_400 // 4096 + 1  # and the end


@pytest.mark.parametrize("when", ["call", "iterate"])
def test_an_exception_in_the_app_is_a_500_not_a_hang(when):
    def broken(environ, start_response):
        if when == "call":
            raise RuntimeError("boom")
        start_response("200 OK", [])

        def gen():
            raise RuntimeError("boom")
            yield b""  # pragma: no cover

        return gen()

    status, _, _, _ = run(front.BufferedWSGI(broken, threads=1), scope(),
                          [{"type": "http.request", "body": b""}])
    assert status == 500
