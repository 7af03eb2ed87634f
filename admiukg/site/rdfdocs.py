"""RDF document formats shared by dereferencing and downloads: file extension
<-> negotiation format key <-> pyoxigraph serializer, and one serialise call.

The media types themselves live in admiukg.endpoint.negotiation (GRAPHS).
"""

from __future__ import annotations

from pyoxigraph import serialize

from admiukg import jsonld
from admiukg.endpoint import negotiation
from admiukg.endpoint.results import RDF_FORMATS

#: file extension -> negotiation format key, in the order pages list them.
EXTENSIONS = {
    "ttl": "turtle",
    "nt": "ntriples",
    "jsonld": "jsonld",
    "rdf": "rdfxml",
    "nq": "nquads",
    "trig": "trig",
}
EXTENSION_OF = {key: ext for ext, key in EXTENSIONS.items()}
FORMAT_NAMES = {
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF/XML",
    "nquads": "N-Quads",
    "trig": "TriG",
}
SERIALIZERS = RDF_FORMATS  # the endpoint's table: negotiation key -> pyoxigraph format
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
