"""One ``send`` for a small response: writes made in one turn of the event loop go out together.

uvicorn writes a response's status line and headers, then its body, each with its own
``transport.write``, and asyncio sends each at once: two TCP segments, two system calls, two
wake-ups of the client, where the whole response would fit in one. :class:`CoalescingTransport`
wraps a connection's transport: a small write is held until the end of the loop's current turn
(or until the held bytes reach :data:`MAX_HELD`), and what was held then goes out as one write.
Order is kept; a large write is never copied into the held bytes.
"""

from __future__ import annotations

import asyncio

#: Held bytes are sent at once when they reach this size, and larger writes are not held.
MAX_HELD = 64 * 2**10


class CoalescingTransport:
    """An ``asyncio.Transport`` whose small writes of one loop turn are joined; everything but
    writing and closing is the wrapped transport's own."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []
        self._held_size = 0

    def write(self, data) -> None:
        if not data:
            return
        if len(data) >= MAX_HELD or self._transport.is_closing():
            self.flush()
            self._transport.write(data)
            return
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(bytes(data))
        self._held_size += len(data)
        if self._held_size >= MAX_HELD:
            self.flush()

    def writelines(self, chunks) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Send what is held now (also run at the end of the turn in which it was written)."""
        if self._held:
            data = self._held[0] if len(self._held) == 1 else b"".join(self._held)
            self._held, self._held_size = [], 0
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._held, self._held_size = [], 0
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._held_size + self._transport.get_write_buffer_size()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)
