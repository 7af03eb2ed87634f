"""The response cache: finished responses of the read-only graph, bounded by entries and bytes,
and the fast path that answers a repeated GET from it before Flask is entered."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

from admiukg.endpoint import negotiation
from admiukg.endpoint.negotiation import GRAPH_OFFERS, RESULT_OFFERS

#: the query log: a cache hit logs as the endpoint does
log = logging.getLogger("admiukg.endpoint.protocol")


class ResponseCache:
    """Thread-safe LRU of finished responses, bounded by entries and bytes.

    The graph is read-only, so a response depends only on (query, dataset, format).
    """


    def __init__(self, max_entries: int = 2048, max_bytes: int = 64 * 2**20,
                 max_entry_bytes: int = 2 * 2**20):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self._data: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def get(self, key):
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key, value, size: int) -> None:
        if not self.enabled or size > self.max_entry_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[0]
            self._data[key] = (size, value)
            self._bytes += size
            while self._data and (len(self._data) > self.max_entries or self._bytes > self.max_bytes):
                _, (s, _) = self._data.popitem(last=False)
                self._bytes -= s

    def __len__(self) -> int:
        return len(self._data)

    def stats(self) -> dict:
        return {"entries": len(self._data), "bytes": self._bytes, "hits": self.hits,
                "misses": self.misses}


class FastPath:
    """WSGI middleware answering repeated GET queries from the cache without Flask.

    A response is remembered only when the endpoint marks it cacheable (a successful query
    result); the key is the request (path, query string, the formats ``Accept`` negotiates to,
    Host, scheme), so a hit is byte-for-byte the response Flask produced, CORS and ``Vary``
    headers included. The key's bytes count against the cache's size; an over-long ``Accept``
    skips the cache and gets the app's 400.
    """

    FLAG = "admiukg.cacheable"

    def __init__(self, wsgi_app, cache: ResponseCache):
        self.wsgi_app = wsgi_app
        self.cache = cache

    @staticmethod
    def key(environ):
        accept = environ.get("HTTP_ACCEPT")
        return ("wsgi", environ.get("PATH_INFO"), environ.get("QUERY_STRING"),
                negotiation.choose(accept, RESULT_OFFERS), negotiation.choose(accept, GRAPH_OFFERS),
                environ.get("HTTP_HOST"), environ.get("wsgi.url_scheme"))

    @staticmethod
    def key_bytes(key) -> int:
        return sum(len(part) for part in key if isinstance(part, str))

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or not self.cache.enabled \
                or len(environ.get("HTTP_ACCEPT", "")) > negotiation.MAX_HEADER:
            return self.wsgi_app(environ, start_response)
        key = self.key(environ)
        hit = self.cache.get(key)
        if hit is not None:
            started = time.perf_counter()
            status, headers, body, qhash, rows = hit
            start_response(status, list(headers))
            log.info("query hash=%s status=200 rows=%s ms=%.1f cache=hit", qhash, rows,
                     (time.perf_counter() - started) * 1000)
            return [body]
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        meta = environ.get(self.FLAG)
        if meta is None or not captured.get("status", "").startswith("200"):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        self.cache.put(key, (captured["status"], captured["headers"], body, *meta),
                       len(body) + 512 + self.key_bytes(key))
        return [body]
