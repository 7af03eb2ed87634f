"""Media types of the SPARQL endpoint and HTTP content negotiation (pure functions).

``choose(accept, offers)`` implements RFC 9110 ``Accept`` semantics: q-values, ``q=0``
excludes, ``type/*`` and ``*/*`` wildcards, and for each offer the *most specific* matching
media range decides its quality. Ties go to the server's order of preference (the order
of ``offers``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from admiukg import formats

# --- result formats -------------------------------------------------------------------

#: format key -> canonical media type, for SELECT / ASK results and for RDF graphs.
RESULTS = {key: f.media_type for key, f in formats.RESULTS.items()}
GRAPHS = {key: f.media_type for key, f in formats.GRAPHS.items()}
#: W3C format IRIs (http://www.w3.org/ns/formats/) for the service description.
FORMAT_IRIS = {key: f.iri for key, f in formats.ALL.items()}

#: Offers per query form, in order of server preference: (media type, format key).
#: Aliases (application/json, application/xml, text/plain …) map onto a canonical format.
RESULT_OFFERS: tuple[tuple[str, str], ...] = (
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
)
GRAPH_OFFERS: tuple[tuple[str, str], ...] = (
    ("text/turtle", "turtle"),
    ("application/n-triples", "ntriples"),
    ("application/n-quads", "nquads"),
    ("application/trig", "trig"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/x-turtle", "turtle"),
    ("text/n3", "turtle"),
    ("text/rdf+n3", "turtle"),
    ("text/plain", "ntriples"),
    ("application/json", "jsonld"),
    ("application/xml", "rdfxml"),
    ("text/xml", "rdfxml"),
)
#: Error bodies.
ERROR_OFFERS: tuple[tuple[str, str], ...] = (
    ("application/json", "json"),
    ("text/plain", "text"),
    ("application/problem+json", "json"),
)

#: ``format=`` / ``output=`` parameter values -> format key (also accepts media types).
FORMAT_ALIASES = {
    "json": "json", "srj": "json", "sparql-results+json": "json",
    "xml": "xml", "srx": "xml", "sparql-results+xml": "xml",
    "csv": "csv", "tsv": "tsv",
    "turtle": "turtle", "ttl": "turtle", "n3": "turtle",
    "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples",
    "nq": "nquads", "nquads": "nquads", "n-quads": "nquads",
    "trig": "trig",
    "jsonld": "jsonld", "json-ld": "jsonld",
    "rdfxml": "rdfxml", "rdf/xml": "rdfxml", "rdf": "rdfxml", "owl": "rdfxml",
    "html": "html",
}


def media_type(fmt: str) -> str:
    """Canonical media type of a format key (without charset)."""
    return RESULTS.get(fmt) or GRAPHS[fmt]


def content_type(fmt: str) -> str:
    """``Content-Type`` header value for a format key, always with UTF-8 charset."""
    if fmt == "html":
        return "text/html; charset=utf-8"
    if fmt == "text":
        return "text/plain; charset=utf-8"
    return f"{media_type(fmt)}; charset=utf-8"


# --- Accept parsing -------------------------------------------------------------------

#: Bounds of what negotiation reads: browsers send about 100-300 characters, 5-10 ranges.
MAX_HEADER = 4096
MAX_RANGES = 64
#: Request headers that negotiation (ours and Werkzeug's) parses.
NEGOTIATION_HEADERS = ("Accept", "Accept-Language", "Accept-Charset", "Accept-Encoding")


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    @property
    def specificity(self) -> int:
        """0 for */*, 1 for type/*, 2 for type/subtype, 3 with parameters."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, mtype: str) -> bool:
        t, _, s = mtype.partition("/")
        return (self.type in ("*", t)) and (self.subtype in ("*", s))


def _split_params(text: str) -> list[str]:
    """Split on ';' outside double-quoted strings."""
    parts: list[str] = []
    cur: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an ``Accept`` header into media ranges; malformed entries are skipped.

    An absent or empty header means ``*/*``. Only the first :data:`MAX_RANGES` ranges within
    the first :data:`MAX_HEADER` characters count (the app answers 400 to longer headers;
    this bounds the work for any other caller).
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for item in header[:MAX_HEADER].split(",", MAX_RANGES)[:MAX_RANGES]:
        item = item.strip()
        if not item:
            continue
        head, *params = _split_params(item)
        mtype = head.strip().lower()
        if mtype == "*":  # some clients (old Java) send a bare '*'
            mtype = "*/*"
        t, sep, s = mtype.partition("/")
        if not sep or not t or not s or (t == "*" and s != "*"):
            continue
        q = 1.0
        other = []
        for p in params:
            k, _, v = p.strip().partition("=")
            k, v = k.strip().lower(), v.strip().strip('"')
            if k == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
                q = min(max(q, 0.0), 1.0)
                break  # parameters after q are accept-extensions
            if k and k != "charset":
                other.append((k, v))
        ranges.append(MediaRange(t, s, q, tuple(other)))
    return ranges


def quality(ranges: list[MediaRange], mtype: str) -> float:
    """Quality of ``mtype`` under ``ranges``: the q of the most specific matching range."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(mtype) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best is not None else 0.0


@functools.lru_cache(maxsize=512)  # clients repeat their Accept header; callers bound its length
def choose(accept: str | None, offers) -> str | None:
    """Pick the format key of the best offer for ``accept``; ``None`` when nothing fits (406).

    ``offers`` is a sequence of ``(media type, key)`` in server preference order. For equal
    quality, an offer matched by a more specific range wins (``text/turtle`` over ``*/*``),
    then the server's order.
    """
    ranges = parse_accept(accept)
    best_key, best_score = None, (0.0, -1)
    for mtype, key in offers:
        q = quality(ranges, mtype)
        if q <= 0:
            continue
        spec = max((r.specificity for r in ranges if r.matches(mtype) and r.q == q), default=0)
        score = (q, spec)
        if score > best_score:
            best_key, best_score = key, score
    return best_key


@functools.lru_cache(maxsize=512)
def prefers_html(accept: str | None) -> bool:
    """True when ``accept`` names ``text/html`` itself above every SPARQL result and RDF
    format: a person in a browser, not a SPARQL client (those never name HTML, and a
    wildcard alone keeps the protocol's answer)."""
    ranges = parse_accept(accept)
    html = max((r.q for r in ranges if (r.type, r.subtype) == ("text", "html")), default=0.0)
    best = max(quality(ranges, mtype) for mtype, _ in RESULT_OFFERS + GRAPH_OFFERS)
    return html > best


def format_from_param(value: str | None, offers) -> str | None:
    """Resolve a ``format=`` parameter (short name or media type) against ``offers``.

    Returns the format key, or ``None`` if the value is unknown or not offered here.
    """
    if not value:
        return None
    v = value.strip().lower()
    keys = {k for _, k in offers}
    if "/" in v:
        for mtype, key in offers:
            if mtype == v.split(";")[0].strip():
                return key
        return None
    key = FORMAT_ALIASES.get(v)
    if key == "json" and "json" not in keys and "jsonld" in keys:
        key = "jsonld"
    if key == "xml" and "xml" not in keys and "rdfxml" in keys:
        key = "rdfxml"
    return key if key in keys else None
