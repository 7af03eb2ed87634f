"""The dumps behind /downloads/: each named graph (and the whole dataset) in every RDF syntax,
plain and gzipped, with their checksums.

Built on first request with pyoxigraph's serializer and kept in memory: the served store is
read-only, so a dump never goes stale within a process, and its SHA-256 (the ETag) is the same
in every worker.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from pyoxigraph import NamedNode

from admiukg import config
from admiukg.site import describe, rdfdocs

#: Order in which graphs are listed; "all" is the whole dataset.
ROLES = ("all", "data", "ontology", "shapes", "inferred")
FILE_PREFIX = "admiukg-"
_lock = threading.Lock()


@dataclass(frozen=True)
class Dump:
    role: str
    fmt: str
    raw: bytes
    gz: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def sha256_gz(self) -> str:
        return hashlib.sha256(self.gz).hexdigest()

    @property
    def filename(self) -> str:
        return f"{FILE_PREFIX}{self.role}.{rdfdocs.EXTENSION_OF[self.fmt]}"


def formats_for(role: str) -> tuple[str, ...]:
    """A single graph comes in every syntax; the whole dataset only in syntaxes
    that keep graph names (merging graphs into one would lose them)."""
    if role == "all":
        return rdfdocs.QUAD_FORMATS
    return tuple(rdfdocs.EXTENSIONS.values())


def available_roles(ds) -> list[str]:
    return [r for r in ROLES if r == "all" or r in ds.graphs]


def _build(ds, role: str, fmt: str) -> Dump:
    store, prefixes = ds.store, describe.prefixes(ds.base)
    if role == "all":
        quads = list(store.quads_for_pattern(None, None, None, None))
        data = rdfdocs.serialise(quads, fmt, prefixes)
    else:
        quads = store.quads_for_pattern(None, None, None, NamedNode(ds.graphs[role]))
        if fmt in ("nquads", "trig"):
            data = rdfdocs.serialise(list(quads), fmt, prefixes)
        else:
            data = rdfdocs.serialise([q.triple for q in quads], fmt, prefixes)
    # mtime=0 keeps the gzip bytes, hence the checksum, identical in every worker.
    return Dump(role, fmt, data, gzip.compress(data, mtime=0))


def _cache(app) -> dict:
    return app.extensions.setdefault("admiukg.dumps", {})


def dump(role: str, fmt: str) -> Dump:
    """The cached dump of graph *role* in format key *fmt* (built on first use)."""
    cache = _cache(current_app)
    key = (role, fmt)
    if key not in cache:
        with _lock:
            if key not in cache:
                cache[key] = _build(current_app.extensions["admiukg"], role, fmt)
    return cache[key]


def all_dumps(ds) -> list[Dump]:
    return [dump(r, f) for r in available_roles(ds) for f in formats_for(r)]


def last_modified() -> datetime:
    """Newest modification time of the loaded files (same in every worker)."""
    paths = current_app.config.get("KG_FILES") or (
        config.ontology_files() + config.data_files() + [config.shapes_file()]
    )
    times = [Path(p).stat().st_mtime for p in paths if Path(p).exists()]
    stamp = max(times) if times else 0
    return datetime.fromtimestamp(int(stamp), tz=UTC)


def sha256sums(ds) -> str:
    lines = []
    for d in all_dumps(ds):
        lines.append(f"{d.sha256}  {d.filename}")
        lines.append(f"{d.sha256_gz}  {d.filename}.gz")
    return "\n".join(lines) + "\n"
