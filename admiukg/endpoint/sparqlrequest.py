"""A SPARQL 1.1 Protocol query request, read without a web framework.

:class:`QueryRequest` is what the endpoint needs of an HTTP request; :func:`from_environ` makes one
from a WSGI environ, so the Flask blueprint and the lean WSGI path read requests the same way.
:func:`read` applies the protocol: parameters from the query string and the body (strict UTF-8),
updates refused, one query at most.
"""

from __future__ import annotations

import binascii
import re
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote_to_bytes

from werkzeug.http import parse_options_header
from werkzeug.wsgi import get_current_url

from admiukg.endpoint import negotiation
from admiukg.errors import KGError

UPDATE_REFUSED = "SPARQL Update is not allowed: this endpoint is read-only"


class ProtocolError(KGError):
    """A request that breaks the SPARQL 1.1 Protocol (parameters, encoding, media types)."""

    def __init__(self, status: int, message: str, kind: str = "bad-request", headers=None):
        super().__init__(message, status=status, kind=kind, headers=headers)


class QueryRequest(NamedTuple):
    method: str
    query_string: bytes
    mimetype: str  # the Content-Type's media type, lower case ("" if none)
    mimetype_params: dict
    body: bytes
    accept: str | None
    remote_addr: str
    endpoint: str  # the endpoint's own URL: the base of relative IRIs in queries


def from_environ(environ, body: bytes) -> QueryRequest:
    mimetype, params = _content_type(environ.get("CONTENT_TYPE", ""))
    path = environ.get("PATH_INFO", "")
    url = request_url(environ)
    return QueryRequest(
        method=environ.get("REQUEST_METHOD", "GET"),
        query_string=environ.get("QUERY_STRING", "").encode("latin1"),
        mimetype=mimetype, mimetype_params=dict(params), body=body,
        accept=environ.get("HTTP_ACCEPT"), remote_addr=environ.get("REMOTE_ADDR") or "-",
        endpoint=url.rstrip("/") if path.endswith("/") else url)


@lru_cache(maxsize=64)
def _content_type(header: str) -> tuple[str, dict[str, str]]:
    """The media type (lower case) and its parameters; clients send a handful of these, so the
    parse is done once for each (the caller copies the parameters)."""
    mimetype, params = parse_options_header(header)
    return mimetype.lower(), params


#: Host and path characters that werkzeug's URL building leaves as they are (nothing to quote,
#: no ``%`` to decode): for them the URL is the parts joined, without werkzeug's two passes.
_PLAIN_HOST = re.compile(r"[a-z0-9.-]+(?::(?P<port>[1-9][0-9]{0,4}))?\Z")
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.~!$&'()*+,/:;=@-]*\Z")
_DEFAULT_PORT = {"http": ":80", "https": ":443"}


def request_url(environ) -> str:
    """The request's URL without its query string, as ``werkzeug.wsgi.get_current_url`` makes it
    (the base of relative IRIs in queries); the usual host and path are joined directly (werkzeug
    also lower-cases the host, normalises the port and decodes Punycode: such hosts are left
    to it)."""
    host, root, path = (environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME", ""),
                        environ.get("PATH_INFO", ""))
    scheme = environ["wsgi.url_scheme"]
    # an ``xn--`` label is Punycode: werkzeug decodes it (or refuses it) as an IRI
    plain = _PLAIN_HOST.match(host) if host is not None and "xn--" not in host else None
    if plain is None or scheme not in _DEFAULT_PORT or int(plain["port"] or 0) > 65535 \
            or root[:1] not in ("", "/") or not _PLAIN_PATH.match(root) \
            or not _PLAIN_PATH.match(path):
        try:
            return get_current_url(environ, strip_querystring=True)
        except ValueError:  # werkzeug's IDNA decoding, a port out of range
            raise ProtocolError(400, f"the Host header {host!r} is not a valid host",
                                "bad-host") from None
    return (f"{scheme}://{plain.group(0).removesuffix(_DEFAULT_PORT[scheme])}{root.rstrip('/')}/"
            f"{path.lstrip('/')}")


#: ``%`` as quoted-printable's ``=``, and ``+`` as a space
_FORM_TO_QP = bytes.maketrans(b"%+", b"= ")
#: a ``%`` without two hex digits after it: urllib keeps it as it is
_LONE_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def unquote_plus(raw: bytes) -> bytes:
    """``unquote_to_bytes(raw.replace(b"+", b" "))``, decoded in C when it can be: ``a2b_qp``
    decodes ``=XX`` as urllib does ``%XX``, but any other ``=`` it treats its own way (soft line
    breaks, ``==``, a trailing ``=``), so a value with an ``=`` or a lone ``%`` goes to urllib."""
    if b"=" in raw or _LONE_PERCENT.search(raw) is not None:
        return unquote_to_bytes(raw.replace(b"+", b" "))
    return binascii.a2b_qp(raw.translate(_FORM_TO_QP))


def parse_pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    """Parse ``application/x-www-form-urlencoded`` bytes with strict UTF-8 decoding."""
    pairs = []
    for part in raw.split(b"&"):
        if not part:
            continue
        key, _, value = part.partition(b"=")
        try:
            k = unquote_plus(key).decode("utf-8")
            v = unquote_plus(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(
                400, f"invalid UTF-8 in the {where} (byte {exc.start} of a value)", "bad-encoding"
            ) from None
        pairs.append((k, v))
    return pairs


def _charset_ok(mimetype_params: dict) -> bool:
    charset = mimetype_params.get("charset")
    return charset is None or charset.strip().lower() in ("utf-8", "utf8", "us-ascii")


def read(req: QueryRequest) -> tuple[str | None, dict[str, list[str]]]:
    """Return (query text or None, parameters) following the SPARQL 1.1 Protocol."""
    params: dict[str, list[str]] = {}

    def add(pairs):
        for k, v in pairs:
            params.setdefault(k, []).append(v)

    add(parse_pairs(req.query_string, "query string"))
    query = None
    if req.method == "POST":
        ctype = req.mimetype
        if not ctype:
            raise ProtocolError(415, "POST needs a Content-Type: application/sparql-query or "
                                "application/x-www-form-urlencoded", "unsupported-media-type")
        if ctype == "application/sparql-update":
            raise ProtocolError(403, UPDATE_REFUSED, "update")
        if not _charset_ok(req.mimetype_params):
            raise ProtocolError(
                415, f"unsupported charset {req.mimetype_params.get('charset')!r}: "
                "only UTF-8 is accepted", "unsupported-media-type")
        if ctype == "application/x-www-form-urlencoded":
            add(parse_pairs(req.body, "request body"))
        elif ctype == "application/sparql-query":
            try:
                query = req.body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ProtocolError(400, f"the request body is not valid UTF-8 (byte {exc.start})",
                                    "bad-encoding") from None
            if "query" in params:
                raise ProtocolError(400, "query given both in the URL and in the body",
                                    "bad-request")
        else:
            raise ProtocolError(
                415, f"unsupported Content-Type {ctype!r}: use application/sparql-query or "
                "application/x-www-form-urlencoded", "unsupported-media-type")
    if "update" in params:
        raise ProtocolError(403, UPDATE_REFUSED, "update")
    if query is None and "query" in params:
        if len(params["query"]) > 1:
            raise ProtocolError(400, "more than one 'query' parameter", "bad-request")
        query = params["query"][0]
    return query, params


def pick_format(params, offers, accept: str | None) -> str | None:
    """Format key from ``format=``/``output=`` (overrides Accept) or from the Accept header."""
    values = params.get("format", []) + params.get("output", [])
    if values:  # clients such as SPARQLWrapper send format=…&output=…; the first that fits wins
        for value in values:
            fmt = negotiation.format_from_param(value, offers)
            if fmt:
                return fmt
        return None
    return negotiation.choose(accept, offers)


def wants_page(req: QueryRequest, params) -> bool:
    """A link to a query, opened in a browser: it gets the query page, not results."""
    return (req.method in ("GET", "HEAD") and not params.get("format")
            and not params.get("output") and negotiation.prefers_html(req.accept))
