"""Routes of the whole-graph downloads (``/downloads/``, with checksums, ETag/Last-Modified and
304s) and of the VoID description (``/.well-known/void``); the dumps are :mod:`admiukg.site.dumps`."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, current_app, redirect, render_template, request

from admiukg.endpoint import negotiation
from admiukg.site import i18n, linkeddata, rdfdocs, void
from admiukg.site.dumps import (
    FILE_PREFIX,
    available_roles,
    dump,
    formats_for,
    last_modified,
    sha256sums,
)

bp = Blueprint("downloads", __name__)


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
