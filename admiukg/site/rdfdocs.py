"""RDF document formats shared by dereferencing and downloads: file extension
<-> negotiation format key <-> pyoxigraph serializer, and one serialise call.

Media types, extensions and names come from :mod:`admiukg.formats`.
"""

from __future__ import annotations

from pyoxigraph import serialize

from admiukg import formats, jsonld
from admiukg.endpoint import negotiation

#: file extension -> format key, in the order pages list them.
_PAGE_ORDER = ("turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig")
EXTENSIONS = {formats.GRAPHS[key].extension: key for key in _PAGE_ORDER}
EXTENSION_OF = {key: ext for ext, key in EXTENSIONS.items()}
FORMAT_NAMES = {key: formats.GRAPHS[key].name for key in _PAGE_ORDER}
SERIALIZERS = {key: f.rdf for key, f in formats.GRAPHS.items()}
#: formats that keep graph names (a dump of the whole dataset needs one).
QUAD_FORMATS = ("nquads", "trig", "jsonld")
#: formats that hold one graph only.
TRIPLE_FORMATS = ("turtle", "ntriples", "rdfxml")
#: formats of a per-resource description: every syntax; the quad ones also name the inferred graph.
DOCUMENT_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads")

#: Offers for a dereferenced resource. Turtle comes first so that a client
#: that says nothing (*/*) gets data; browsers ask for text/html explicitly.
RESOURCE_OFFERS: tuple[tuple[str, str], ...] = (
    ("text/turtle", "turtle"),
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
) + tuple((m, k) for m, k in negotiation.GRAPH_OFFERS if k in DOCUMENT_FORMATS and m != "text/turtle")


def serialise(triples_or_quads, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise with pyoxigraph; *fmt* is a negotiation format key. JSON-LD comes out
    compacted with *prefixes* (admiukg.jsonld)."""
    data = serialize(triples_or_quads, format=SERIALIZERS[fmt], prefixes=prefixes or {})
    return jsonld.compact(data, prefixes or {}) if fmt == "jsonld" else data


def content_type(fmt: str) -> str:
    return negotiation.content_type(fmt)
