"""Every RDF and SPARQL-results format the product reads or writes, taken from pyoxigraph's tables.

A format is known by a short key (``turtle``, ``json`` …), the value of ``format=`` and of
negotiation; media type, file extension and W3C format IRI come from pyoxigraph's
``RdfFormat`` / ``QueryResultsFormat``, so the server, the validator and the downloads agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

#: pyoxigraph 0.5 names JSON-LD ``https://www.w3.org/ns/formats/data/JSON-LD``; the W3C
#: list of format IRIs (https://www.w3.org/ns/formats/) has this one.
_W3C_IRI = {"jsonld": "http://www.w3.org/ns/formats/JSON-LD"}


@dataclass(frozen=True)
class Format:
    key: str
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None

    @property
    def _ox(self):
        return self.rdf or self.results

    @property
    def media_type(self) -> str:
        return self._ox.media_type.split(";")[0]

    @property
    def extension(self) -> str:
        return self._ox.file_extension

    @property
    def iri(self) -> str:
        return _W3C_IRI.get(self.key, self._ox.iri)

    @property
    def name(self) -> str:
        return self._ox.name.removeprefix("SPARQL Results in ")

    @property
    def keeps_graphs(self) -> bool:
        return bool(self.rdf and self.rdf.supports_datasets)


#: Graph syntaxes (CONSTRUCT/DESCRIBE results, documents, dumps), in order of preference.
GRAPHS = {f.key: f for f in (
    Format("turtle", rdf=ox.RdfFormat.TURTLE),
    Format("ntriples", rdf=ox.RdfFormat.N_TRIPLES),
    Format("nquads", rdf=ox.RdfFormat.N_QUADS),
    Format("trig", rdf=ox.RdfFormat.TRIG),
    Format("jsonld", rdf=ox.RdfFormat.JSON_LD),
    Format("rdfxml", rdf=ox.RdfFormat.RDF_XML),
)}
#: SELECT/ASK result syntaxes, in order of preference.
RESULTS = {f.key: f for f in (
    Format("json", results=ox.QueryResultsFormat.JSON),
    Format("xml", results=ox.QueryResultsFormat.XML),
    Format("csv", results=ox.QueryResultsFormat.CSV),
    Format("tsv", results=ox.QueryResultsFormat.TSV),
)}
ALL = {**RESULTS, **GRAPHS}

#: File name endings read as RDF, by the server and the validator alike: each syntax's own
#: (pyoxigraph's table) and the usual aliases.
INPUTS: dict[str, ox.RdfFormat] = {
    **{f.extension: f.rdf for f in GRAPHS.values() if f.rdf},
    "n3": ox.RdfFormat.N3,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "json": ox.RdfFormat.JSON_LD,
}


def input_format(path: str | Path) -> ox.RdfFormat | None:
    """The RDF syntax a file name says (``.ttl``, ``.jsonld``, ``.owl`` …), or None."""
    return INPUTS.get(Path(path).suffix.lower().lstrip("."))
