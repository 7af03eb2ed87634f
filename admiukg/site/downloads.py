"""Whole-graph downloads: each named graph (and the whole dataset) in every
RDF syntax, plain and gzipped, with checksums, ETag/Last-Modified and 304s.

Dumps are built on first request with pyoxigraph's serializer and kept in
memory: the served store is read-only, so a dump never goes stale within a
process, and the ETag (its SHA-256) is the same in every worker.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request
from pyoxigraph import NamedNode

from admiukg import config
from admiukg.site import describe
from admiukg.site import i18n
from admiukg.endpoint import negotiation
from admiukg.site import rdfdocs

bp = Blueprint("downloads", __name__)

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
    return datetime.fromtimestamp(int(stamp), tz=timezone.utc)


def sha256sums(ds) -> str:
    lines = []
    for d in all_dumps(ds):
        lines.append(f"{d.sha256}  {d.filename}")
        lines.append(f"{d.sha256_gz}  {d.filename}.gz")
    return "\n".join(lines) + "\n"


def _conditional(response, etag: str):
    response.set_etag(etag)
    response.last_modified = last_modified()
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)


@bp.get("/downloads/")
def index():
    ds = current_app.extensions["admiukg"]
    lang = i18n.current_lang()
    rows = [
        {
            "role": r,
            "graph": ds.graphs.get(r),
            "files": [
                {
                    "name": rdfdocs.FORMAT_NAMES[d.fmt],
                    "file": d.filename,
                    "size": len(d.raw),
                    "gz_size": len(d.gz),
                    "sha256": d.sha256,
                }
                for d in (dump(r, f) for f in formats_for(r))
            ],
        }
        for r in available_roles(ds)
    ]
    body = render_template("downloads.html", rows=rows, lang=lang, t=i18n.strings(lang), prefix=FILE_PREFIX)
    return current_app.response_class(body, content_type="text/html; charset=utf-8")


@bp.get("/downloads")
def index_no_slash():
    return redirect("/downloads/", code=301)


@bp.get("/downloads/SHA256SUMS")
def checksums():
    ds = current_app.extensions["admiukg"]
    text = sha256sums(ds)
    response = current_app.response_class(text, content_type="text/plain; charset=utf-8")
    return _conditional(response, hashlib.sha256(text.encode()).hexdigest())


@bp.get("/downloads/<filename>")
def download(filename: str):
    ds = current_app.extensions["admiukg"]
    name = filename.removeprefix(FILE_PREFIX) if filename.startswith(FILE_PREFIX) else ""
    gzipped = name.endswith(".gz")
    role, dot, ext = name.removesuffix(".gz").partition(".")
    fmt = rdfdocs.EXTENSIONS.get(ext)
    if not dot or role not in available_roles(ds) or fmt is None or fmt not in formats_for(role):
        abort(404, description=f"No download named {filename!r}; see /downloads/ for the list.")
    d = dump(role, fmt)
    body = d.gz if gzipped else d.raw
    ctype = "application/gzip" if gzipped else rdfdocs.content_type(fmt)
    response = current_app.response_class(body, content_type=ctype)
    response.headers["Content-Disposition"] = f'attachment; filename="{d.filename}{".gz" if gzipped else ""}"'
    return _conditional(response, d.sha256_gz if gzipped else d.sha256)


@bp.get("/.well-known/void")
def void_description():
    """The VoID + DCAT description (Turtle for */*, HTML for browsers)."""
    from admiukg.site import linkeddata
    from admiukg.site import void

    ds = current_app.extensions["admiukg"]
    fmt = linkeddata.negotiate()
    triples = void.describe_dataset(ds)
    if fmt == "html":
        lang = i18n.current_lang()
        turtle = rdfdocs.serialise(triples, "turtle", void.prefixes(ds.base)).decode()
        body = render_template(
            "void.html",
            lang=lang,
            t=i18n.strings(lang),
            turtle=turtle,
            stats=void.statistics(ds),
        )
        response = current_app.response_class(body, content_type="text/html; charset=utf-8")
    else:
        data = rdfdocs.serialise(triples, fmt, void.prefixes(ds.base))
        response = current_app.response_class(data, content_type=negotiation.content_type(fmt))
    response.headers["Vary"] = "Accept, Accept-Language"
    return response
