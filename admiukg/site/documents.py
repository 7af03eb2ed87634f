"""The RDF document about one resource (``/doc/<slug>.<ext>``): asserted and entailed facts.

A client that knows only the standard vocabularies needs the entailments (``id:admiu
org:memberOf id:cumulus`` is never asserted), so every syntax carries them. How they are marked:

* Quad syntaxes (TriG, N-Quads, JSON-LD) hold every fact in the default graph and list the
  entailed ones once more in the named graph ``<…/graph/inferred>``, the graph that holds them
  at the SPARQL endpoint. A client that merges graphs gets the full description; a client that
  reads graph names knows exactly which facts are inferred, without reification or RDF-star.
* Triple syntaxes (Turtle, N-Triples, RDF/XML) cannot name a graph: they hold every fact and
  point at the TriG form (``Link: rel="alternate"``); Turtle and N-Triples also put the entailed
  facts after a comment that says where they come from and where each one is explained.
"""

from __future__ import annotations

from pyoxigraph import DefaultGraph, NamedNode, Quad

from admiukg.site import describe, rdfdocs

TEXT_SECTIONED = ("turtle", "ntriples")


def facts(ds, iri: str) -> tuple[list, list]:
    """(asserted triples of the description, entailed triples about *iri* not asserted)."""
    asserted = describe.describe(ds, iri)
    if "inferred" not in ds.graphs:
        return asserted, []
    node = NamedNode(iri)
    have = set(asserted)
    inferred = sorted({q.triple for q in describe.outgoing(ds, node, ("inferred",))}
                      | {q.triple for q in describe.incoming(ds, node, ("inferred",))}, key=str)
    inferred = [t for t in inferred if t not in have]
    linked = {t.predicate for t in inferred} | {t.object for t in inferred if isinstance(t.object, NamedNode)}
    linked |= {t.subject for t in inferred if isinstance(t.subject, NamedNode)}
    labels = {lt for other in linked - {node} for lt in describe.label_triples(ds, other)} - have
    return sorted(have | labels, key=str), inferred


def serialise(ds, iri: str, fmt: str, explain_url: str) -> bytes:
    """The document in *fmt*; *explain_url* is where the server explains a fact (for the comment)."""
    asserted, inferred = facts(ds, iri)
    prefixes = describe.prefixes(ds.base)
    if fmt in rdfdocs.QUAD_FORMATS:
        graph = NamedNode(ds.graphs["inferred"]) if inferred else None
        quads = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in asserted + inferred]
        quads += [Quad(t.subject, t.predicate, t.object, graph) for t in inferred]
        return rdfdocs.serialise(quads, fmt, prefixes)
    if fmt in TEXT_SECTIONED and inferred:
        head = rdfdocs.serialise(asserted, fmt, prefixes)
        note = (f"\n# Entailed by OWL 2 RL from the ontology, not asserted: these triples are in the named\n"
                f"# graph <{ds.graphs['inferred']}>. Why each holds: {explain_url}?s=…&p=…&o=…\n")
        # Turtle allows the same @prefix again, so the second part parses on its own too
        return head + note.encode() + rdfdocs.serialise(inferred, fmt, prefixes)
    return rdfdocs.serialise(asserted + inferred, fmt, prefixes)
