"""Compact JSON-LD: pyoxigraph writes expanded JSON-LD (full IRIs, no ``@context``); this
rewrites it with one inline ``@context`` of the published prefixes, so documents and CONSTRUCT
results read like the Turtle forms (``"au:memberOf"``, ``"@id": "id:admiu"``).

The rewrite only shortens IRIs to compact IRIs whose prefix is defined in the context, and turns
``rdf:type`` links into ``@type``; JSON-LD expansion gives back exactly the same RDF. No remote
context is referenced, so a client needs no network to read it.
"""

from __future__ import annotations

import json

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class _Compactor:
    def __init__(self, prefixes: dict[str, str]) -> None:
        # longest namespace first, so id:excerpt/… wins over a shorter prefix of the same IRI
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.used: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        if iri.startswith("_:"):
            return iri
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                rest = iri[len(ns):]
                if rest.startswith("//"):  # would read back as an absolute IRI
                    continue
                self.used[prefix] = ns
                return f"{prefix}:{rest}"
        return iri

    def value(self, v):
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if not isinstance(v, dict):
            return v
        if "@value" in v:
            return {k: (self.iri(x) if k == "@type" else x) for k, x in v.items()}
        return self.node(v)

    def node(self, obj: dict) -> dict:
        out: dict = {}
        for key, val in obj.items():
            if key == "@id":
                out["@id"] = self.iri(val)
            elif key == "@graph":
                out["@graph"] = [self.node(n) for n in val]
            elif key == RDF_TYPE and all(isinstance(x, dict) and set(x) == {"@id"} for x in val):
                out["@type"] = [self.iri(x["@id"]) for x in val]
            elif key.startswith("@"):
                out[key] = val
            else:
                out[self.iri(key)] = self.value(val)
        return out


def compact(expanded: bytes | str, prefixes: dict[str, str]) -> bytes:
    """Expanded JSON-LD (a list of node objects, as pyoxigraph writes) → compacted document."""
    doc = json.loads(expanded)
    nodes = doc if isinstance(doc, list) else [doc]
    c = _Compactor(prefixes)
    graph = [c.node(n) for n in nodes]
    context = {p: c.used[p] for p in sorted(c.used)}
    out = {"@context": context, "@graph": graph}
    return (json.dumps(out, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
