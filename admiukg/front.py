"""The HTTP front: an event loop reads whole requests and answers SPARQL queries itself; threads
run the WSGI app for the rest.

gunicorn's ``gthread`` worker gives a connection a thread as soon as it is readable and then
reads headers and body with blocking calls that have no timeout, so 17 slowloris clients, 40
slow POST bodies or 300 silent connections held all 2 × 8 threads. Here every gunicorn worker
runs uvicorn's asyncio server (:class:`Worker`): reading headers and bodies and writing
responses happen in the event loop, where a waiting connection costs a few kilobytes, and the
Flask app runs in a pool of ``--threads`` threads only once its whole request is in memory
(:class:`BufferedWSGI`); a small query to ``/sparql`` never leaves the loop
(:func:`admiukg.endpoint.lean.answer_in_loop`). Bounds: headers must be complete within
:data:`HEADER_TIMEOUT` seconds after a connection opens or its last response and within
:data:`MAX_HEADER_BYTES` (431), the body :data:`BODY_TIMEOUT` seconds after the headers (408),
and a body over the app's ``MAX_CONTENT_LENGTH`` is refused before it is read (413). gunicorn keeps its master: forking, worker restarts, ``--reload`` and hooks as before.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from a2wsgi.wsgi import build_environ
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker

from admiukg.coalesce import CoalescingTransport
from admiukg.config import SERVER
from admiukg.endpoint import lean
from admiukg.endpoint.asyncpool import ClientGone
from admiukg.endpoint.responses import common_headers

log = logging.getLogger("admiukg.front")

HEADER_TIMEOUT = SERVER.header_timeout
BODY_TIMEOUT = SERVER.body_timeout
BUFFERED = 4 * 2**20  # responses up to this size free their thread before the client reads
#: A streamed response goes to the loop in pieces of at most this size, at most 8 of them unsent:
#: a client that stops reading then holds ~2 MiB, not a copy of the whole body (a 143 MB dump).
STREAM_SLICE = 256 * 2**10


class BufferedWSGI:
    """ASGI in front of a WSGI app: the body is read in full first, then the app runs in a
    thread and its whole response is handed back to the event loop."""

    def __init__(self, app, threads: int = 8, body_timeout: float = BODY_TIMEOUT):
        body_timeout = getattr(app, "config", {}).get("BODY_TIMEOUT", body_timeout)
        self.app = app
        self.body_timeout = body_timeout
        self.max_body = getattr(app, "config", {}).get("MAX_CONTENT_LENGTH")
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi")
        #: the SPARQL endpoint's state: its queries take the lean path (admiukg.endpoint.lean)
        self.endpoint = getattr(app, "extensions", {}).get("admiukg.endpoint")

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        too_large = bool(self.max_body and declared.isdigit() and int(declared) > self.max_body)
        body = b""
        if not too_large:  # an announced oversize body is never read: the app answers 413
            try:  # timeout(), not wait_for(): no Task made for every request
                async with asyncio.timeout(self.body_timeout):
                    body = await self._body(receive)
            except TimeoutError:
                return await _error(send, 408, "request-timeout", "request body not complete "
                                    f"within {self.body_timeout:g} s")
            except _TooLarge:
                too_large, body = True, b""
            if body is None:  # the client went away
                return
        try:
            environ = build_environ(scope, io.BytesIO(body))
        except UnicodeDecodeError:
            return await _error(send, 400, "bad-request",
                                "the query string is not ASCII: percent-encode it")
        environ["CONTENT_LENGTH"] = str(self.max_body + 1 if too_large else len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)  # read in full: the length is what counts
        environ["wsgi.errors"] = sys.stderr
        if self.endpoint is not None and len(body) + len(environ["QUERY_STRING"]) \
                <= lean.INLINE_BYTES and lean.takes(environ, self.max_body):
            try:
                reply = await lean.answer_in_loop(self.endpoint, environ, body, self.pool,
                                                  gone=lambda: _disconnected(receive, scope))
            except ClientGone:  # gone, or only half-closed (see eof_received): tell the latter
                return await _error(send, 400, "client-closed", "the query was stopped: the "
                                    "client shut down its sending side while it ran, which "
                                    "looks the same as hanging up")
            if reply is not None:
                return await _send(send, reply)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        credit = threading.Semaphore(8)  # chunks in flight while streaming
        self.pool.submit(self._run, environ, loop, queue, credit)
        status, headers, body = await queue.get()
        if too_large:  # the unread body cannot be skipped: end the connection after this
            headers = [h for h in headers if h[0] != b"connection"] + [(b"connection", b"close")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if body is not None:  # the whole response, handed over at once
            await send({"type": "http.response.body", "body": body})
            return
        while (chunk := await queue.get()) is not None:
            if isinstance(chunk, Exception):
                raise chunk
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            credit.release()
        await send({"type": "http.response.body", "body": b""})

    async def _body(self, receive) -> bytes | None:
        parts, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if self.max_body and size > self.max_body:
                raise _TooLarge
            parts.append(chunk)
            if not message.get("more_body"):
                return b"".join(parts)

    def _run(self, environ, loop, queue, credit) -> None:
        """In a worker thread: call the app and hand its response to the event loop. Up to
        :data:`BUFFERED` bytes are collected first and handed over as one item, so a small
        response frees the thread at once and wakes the loop once; a larger one (a download)
        streams, at the pace the client reads."""
        started: dict = {}
        chunks: list[bytes] = []
        size = 0
        streaming = False

        def put(item):
            loop.call_soon_threadsafe(queue.put_nowait, item)

        def flush():
            nonlocal streaming, chunks
            if not streaming:
                put((started["status"], started["headers"], None))
                streaming = True
            data, chunks = b"".join(chunks), []
            for start in range(0, len(data), STREAM_SLICE):  # one huge chunk is no exception
                credit.acquire()  # released as the loop sends: the reader sets the pace
                put(data[start:start + STREAM_SLICE])

        def start_response(status, headers, exc_info=None):
            started["status"] = int(status.split(" ", 1)[0])
            started["headers"] = _asgi_headers(headers)
            return chunks.append

        try:
            result = self.app(environ, start_response)
            try:
                for chunk in result:
                    if chunk:
                        chunks.append(chunk)
                        size += len(chunk)
                        if size > BUFFERED:
                            flush()
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception as exc:  # the app's own handlers turn errors into responses; a bug
            if streaming:  # the loop raises it: the connection ends, never a silently cut body
                put(exc)
                return
            log.exception("unhandled error in the app")
            started.update(status=500, headers=[(b"content-type", b"text/plain; charset=utf-8")])
            chunks = [b"500 internal error\n"]
        if streaming:
            flush()
            put(None)
        else:
            put((started["status"], started["headers"], b"".join(chunks)))


async def _disconnected(receive, scope) -> None:
    """Ends when the client has closed the connection (its request already read in full) or
    shut down its sending side: both send the same FIN (nginx and Go's net/http also take it
    for a hang-up)."""
    lost = asyncio.ensure_future(_lost(receive))
    eof = scope.get(EOF_EVENT)
    if eof is None:
        return await lost
    half_closed = asyncio.ensure_future(eof.wait())
    try:
        await asyncio.wait((lost, half_closed), return_when=asyncio.FIRST_COMPLETED)
    finally:
        lost.cancel()
        half_closed.cancel()


async def _lost(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        await asyncio.sleep(0.1)  # a server that answers at once must not make this spin


#: The scope key of an ``asyncio.Event`` set when the client shuts down its sending side.
EOF_EVENT = "admiukg.eof"


def _asgi_headers(headers) -> list[tuple[bytes, bytes]]:
    """WSGI's ``(name, value)`` strings as ASGI's lower-case latin-1 bytes."""
    return [(k.lower().encode("latin1"), v.encode("latin1")) for k, v in headers]


async def _send(send, reply) -> None:
    headers = _asgi_headers(lean.wsgi_headers(reply))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


class _TooLarge(Exception):
    pass


def _error_parts(status: int, kind: str, message: str) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """An error the app never sees, in the app's JSON form and with the headers every response
    has (CORS, nosniff): a browser client then reads it instead of a bare CORS failure."""
    body = json.dumps({"status": status, "error": kind, "message": message}).encode() + b"\n"
    headers = [(b"content-type", b"application/json; charset=utf-8"),
               *_asgi_headers(common_headers("application/json")),
               (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    return headers, body


async def _error(send, status: int, kind: str, message: str) -> None:
    headers, body = _error_parts(status, kind, message)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


#: Request line and headers may hold this much (h11, used before, allowed 16 KiB); past it 431.
MAX_HEADER_BYTES = 64 * 2**10


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """HTTP/1.1 (llhttp, through httptools), each response's head and body in one write
    (:mod:`admiukg.coalesce`), with bounds on request headers: complete within
    :data:`HEADER_TIMEOUT` seconds (else the connection is closed) and within
    :data:`MAX_HEADER_BYTES` (else 431: llhttp itself has no limit, and 20 MB of repeated
    headers made building the WSGI environ take longer than gunicorn's worker timeout)."""

    timeout = HEADER_TIMEOUT

    def connection_made(self, transport):
        super().connection_made(CoalescingTransport(transport, self.loop))
        self._peer_done = asyncio.Event()  # the client has shut down its sending side
        self._oversize_headers = False
        self._arm()

    def _arm(self):
        self._header_deadline = self.loop.call_later(self.timeout, self._headers_overdue)
        self._awaiting_headers, self._header_bytes = True, 0

    def _headers_overdue(self):
        if self.cycle is None or self.cycle.response_complete:  # still waiting for headers
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        awaiting = self._awaiting_headers
        super().data_received(data)
        if awaiting and self._awaiting_headers and not self.transport.is_closing():
            self._header_bytes += len(data)  # still no complete headers after this chunk
            if self._header_bytes > MAX_HEADER_BYTES:
                self._refuse_oversize()

    def on_message_begin(self):
        super().on_message_begin()
        # a pipelined request's headers are counted too, while the one before it is answered
        self._awaiting_headers, self._header_bytes = True, 0

    def on_headers_complete(self):
        self._header_deadline.cancel()
        self._awaiting_headers = False
        # the head as sent: "GET " url " HTTP/1.1\r\n", "name: value\r\n" each, "\r\n"
        head = len(self.parser.get_method()) + len(self.url) + 14 \
            + sum(len(k) + len(v) + 4 for k, v in self.headers)
        if head > MAX_HEADER_BYTES:
            self._oversize_headers = True  # headers that came complete in one read
            raise _TooLarge  # llhttp stops; data_received gets a parser error: see below
        self.scope[EOF_EVENT] = self._peer_done
        super().on_headers_complete()

    def on_response_complete(self):
        if self._peer_done.is_set() and not self._complete_waiting():
            self.pipeline.clear()  # at most a request cut short, which can never complete
            self.transport.close()
        super().on_response_complete()  # returns at once when closing
        self._header_deadline.cancel()
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection gets its own deadline

    def eof_received(self) -> bool:  # type: ignore[override]  # asyncio: bool | None
        """A client that shuts down its sending side after its requests (``nc -N``, some
        HTTP/1.0 clients) gets the answers to those that are complete, and the connection
        closes after the last of them. An idle connection, or one whose only unanswered request
        was cut short (headers or body), is closed at once. A hang-up sends the same FIN, so a
        query still running after ``held_after`` is stopped as for a client that went away
        (:func:`_disconnected`): the half-closed client gets a 400 saying so."""
        assert isinstance(self.transport, CoalescingTransport)
        self.transport.flush()  # asyncio closes the wrapped transport: what is held would be lost
        cycle = self.cycle  # the newest request read; earlier ones wait in self.pipeline
        if self.pipeline or (cycle and not cycle.response_complete and not cycle.more_body):
            self._peer_done.set()
            return True
        return False

    def _complete_waiting(self) -> bool:
        """Whether a complete request waits in the pipeline (only the newest can be partial)."""
        return len(self.pipeline) > 1 or bool(self.pipeline and not self.pipeline[0][0].more_body)

    def send_400_response(self, msg: str) -> None:  # what llhttp cannot parse
        if self._oversize_headers:
            return self._refuse_oversize()
        self._refuse(400, "bad-request", f"malformed HTTP request ({msg.rstrip('.')})")

    def _refuse_oversize(self) -> None:
        self._refuse(431, "header-too-large", f"request line and headers over {MAX_HEADER_BYTES} bytes")

    def _refuse(self, status: int, kind: str, message: str) -> None:
        headers, body = _error_parts(status, kind, message)
        reason = {400: b"Bad Request", 431: b"Request Header Fields Too Large"}[status]
        head = b"".join(k + b": " + v + b"\r\n" for k, v in headers)
        self.transport.write(b"HTTP/1.1 %d %s\r\n%s\r\n%s" % (status, reason, head, body))
        self.transport.close()

    def connection_lost(self, exc):
        self._header_deadline.cancel()
        super().connection_lost(exc)


class Worker(UvicornWorker):
    """gunicorn worker: uvicorn (httptools, asyncio) serving the Flask app through BufferedWSGI."""

    CONFIG_KWARGS: ClassVar[dict] = {"loop": "asyncio", "http": HeaderTimeoutProtocol,
                                     "lifespan": "off"}

    async def _serve(self) -> None:
        flask_app: Any = self.wsgi  # type: ignore[has-type]  # hooks and the reloader keep seeing the Flask app
        HeaderTimeoutProtocol.timeout = flask_app.config.get("HEADER_TIMEOUT", HEADER_TIMEOUT)
        self.wsgi = BufferedWSGI(flask_app, threads=self.cfg.threads)
        try:
            await super()._serve()
        finally:
            self.wsgi = flask_app
