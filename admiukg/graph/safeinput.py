"""Reading the RDF files we are given without letting them read us.

The validator runs on untrusted files in other people's CI and the server on whatever FILEs it
is given, so an input is read only when it is a regular file (a FIFO would block, a symlink to
``/dev/zero`` never end) and at most :data:`limits` ``.max_bytes`` long. RDF/XML is first run
through expat, whose entity-amplification limit stops billion-laughs documents in well under a
second, before any RDF parser expands them. Parser messages quote the file's text, so they are
shortened and escaped, and withheld entirely when the file is a link to something outside the
input's own tree (a link to a credentials file must not print the credentials).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

XML_FORMATS = (".rdf", ".owl", ".xml")
EXCERPT_CHARS = 160


@dataclass
class Limits:
    max_bytes: int = 2 * 2**30  # a million triples of Turtle are about 100 MB


limits = Limits()


class InputError(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a regular file"


def check_input(path) -> None:
    """Refuse ``path`` as :func:`read_input` would, reading it only if it is XML."""
    if Path(path).suffix.lower() in XML_FORMATS:
        read_input(path)
    else:
        read_input(path, header_only=True)


def read_input(path, max_bytes: int | None = None, header_only: bool = False) -> bytes:
    """The bytes of ``path`` if it is (or links to) a regular file within the size limit."""
    path = Path(path)
    limit = limits.max_bytes if max_bytes is None else max_bytes
    try:  # O_NONBLOCK: opening a FIFO must not wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("no such file") from None
    except IsADirectoryError:
        raise InputError("is a directory, not an RDF file") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            what = _kind(info.st_mode)
            if what == "a directory":
                raise InputError("is a directory, not an RDF file")
            raise InputError(f"is {what}, not a regular file: refused")
        if info.st_size > limit:
            raise InputError(f"file is {info.st_size:,} bytes, over the limit of {limit:,} "
                             "(--max-file-size)")
        if header_only:
            return b""
        data = f.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"file grew past the limit of {limit:,} bytes while being read")
    if path.suffix.lower() in XML_FORMATS:
        check_xml(data)
    return data


def check_xml(data: bytes) -> None:
    """Refuse XML whose entities expand explosively (expat's amplification limit)."""
    import pyexpat

    parser = pyexpat.ParserCreate()
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError as exc:
        if "amplification" in str(exc) or "entity" in str(exc).lower():
            raise InputError("XML entities expand too much (an entity-expansion bomb): refused",
                             exc.lineno) from None
        # other XML errors are reported by the RDF parser, with its own message


def inside_tree(path) -> bool:
    """Does ``path`` (after links) stay inside the working directory or its own folder?"""
    path = Path(path)
    target = path.resolve()
    for root in (Path.cwd().resolve(), path.absolute().parent.resolve()):
        if target == root or root in target.parents:
            return True
    return False


def shown(path, message: str) -> str:
    """A parser message fit to print: withheld if ``path`` leads outside its tree, else one
    line of at most :data:`EXCERPT_CHARS` characters with control characters escaped."""
    if not inside_tree(path):
        return (f"cannot parse (details withheld: the file is a link to {Path(path).resolve()}, "
                "outside the input's folder and the working directory)")
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in message)
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
