"""A 127.0.0.1 listener that counts connections, and the pyoxigraph oracle built on it.

The listener answers every request with an empty SPARQL JSON result, so an engine that does
connect gets a reply at once instead of hanging.
"""

from __future__ import annotations

import socket
import threading
import time

EMPTY = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
REPLY = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
         b"Connection: close\r\nContent-Length: " + str(len(EMPTY)).encode() + b"\r\n\r\n" + EMPTY)


class Listener:
    """Counts TCP connections to ``url``; ``hits`` only grows."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))  # a free port on loopback only
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            try:
                conn.settimeout(1)
                conn.recv(65536)
                conn.sendall(REPLY)
            except OSError:
                pass
            conn.close()

    def settle(self, seconds: float = 0.3) -> int:
        time.sleep(seconds)
        return self.hits

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def pyoxigraph_connects(query: str, listener: Listener) -> bool:
    """The oracle: does pyoxigraph itself, unsandboxed, contact the listener for ``query``?"""
    import pyoxigraph as ox

    before = listener.hits
    try:
        result = ox.Store().query(query)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except Exception:  # noqa: BLE001, S110 - an error may still come after the connection
        pass
    deadline = time.monotonic() + 0.05  # the engine waited for our reply: hits is counted
    while listener.hits == before and time.monotonic() < deadline:
        time.sleep(0.01)
    return listener.hits > before
