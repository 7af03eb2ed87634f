"""Slow and greedy HTTP clients against a server on 127.0.0.1, and a normal client timing
its requests meanwhile. Every loop is bounded by a duration; sockets are closed at the end."""

from __future__ import annotations

import socket
import threading
import time

import requests


class Attack:
    """``slowloris``: headers one line a second, never finished; ``slowbody``: a POST body one
    byte a second; ``idle``: connections that send nothing."""

    def __init__(self, host: str, port: int, kind: str, count: int):
        self.host, self.port, self.kind, self.count = host, port, kind, count
        self.socks: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.opened = 0

    def __enter__(self):
        for _ in range(self.count):
            try:
                s = socket.create_connection((self.host, self.port), timeout=5)
            except OSError:
                continue
            self.socks.append(s)
            self.opened += 1
            if self.kind == "slowloris":
                self._send(s, b"GET /health HTTP/1.1\r\nHost: x\r\n")
            elif self.kind == "slowbody":
                self._send(s, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: "
                              b"application/sparql-query\r\nContent-Length: 100000\r\n\r\nA")
        self._thread.start()
        return self

    @staticmethod
    def _send(s, data) -> bool:
        try:
            s.sendall(data)
            return True
        except OSError:
            return False

    def _run(self):
        while not self._stop.wait(1.0):
            for s in self.socks:
                if self.kind == "slowloris":
                    self._send(s, b"X-Slow: 1\r\n")
                elif self.kind == "slowbody":
                    self._send(s, b"A")

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=3)
        for s in self.socks:
            s.close()


def normal_client(url: str, seconds: float, timeout: float = 5.0) -> list[float | None]:
    """Latencies of requests on fresh connections for ``seconds``; None for a failure."""
    latencies: list[float | None] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        t0 = time.monotonic()
        try:
            ok = requests.get(url, timeout=timeout, headers={"Connection": "close"}).status_code == 200
        except requests.RequestException:
            ok = False
        latencies.append(time.monotonic() - t0 if ok else None)
        time.sleep(0.05)
    return latencies


def summary(latencies) -> str:
    good = sorted(x for x in latencies if x is not None)
    failed = len(latencies) - len(good)
    if not good:
        return f"{len(latencies)} requests, all failed"
    return (f"{len(latencies)} requests, {failed} failed, p50 {good[len(good) // 2] * 1000:.0f} ms, "
            f"max {good[-1] * 1000:.0f} ms")
