"""Read and drop the unread rest of a refused request body (413), so keep-alive survives.

gunicorn answers a request without ``Connection: close`` and, if more than 64 KiB of the
body is left unread, then closes the connection anyway; a keep-alive client (browser,
``requests.Session``) sending its next request on it gets "connection closed without
response". Reading the rest here, up to a cap, keeps the connection usable; a body larger
than the cap is left to gunicorn, which closes the connection as before.
"""

from __future__ import annotations

#: Most bytes read after a 413 (beyond this the connection is given up).
MAX_DRAIN_BYTES = 16 * 2**20
CHUNK = 64 * 1024


def drain(environ: dict, max_bytes: int = MAX_DRAIN_BYTES) -> int:
    """Consume what is left of the request body; return the number of bytes read."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return 0
    length = environ.get("CONTENT_LENGTH")
    if length and length.isdigit() and int(length) > max_bytes:
        return 0  # too big to be worth reading: let the server close the connection
    read = 0
    try:
        while read < max_bytes:
            chunk = stream.read(min(CHUNK, max_bytes - read))
            if not chunk:
                break
            read += len(chunk)
    except (OSError, ValueError):  # client gone or stream closed: nothing to save
        pass
    return read
