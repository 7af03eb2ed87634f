"""What the graph says about one IRI: the triples a dereferenced IRI returns,
and the label look-ups that the HTML pages share.

Works on the served pyoxigraph store directly (quad patterns, no SPARQL
parsing), which keeps a page or RDF description to a few hundred lookups.
"""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

from admiukg import vocab

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SH = "http://www.w3.org/ns/shacl#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Label properties in order of preference.
LABEL_PREDICATES = tuple(
    NamedNode(i) for i in (SKOS + "prefLabel", RDFS + "label", DCTERMS + "title", SH + "name")
)
WAS_DERIVED_FROM = NamedNode(PROV + "wasDerivedFrom")
PROV_VALUE = NamedNode(PROV + "value")

#: Graph roles whose triples are asserted (the inferred graph is shown apart).
ASSERTED_ROLES = ("data", "ontology", "shapes")
#: Blank-node descriptions (OWL restrictions, lists) are followed this deep.
BNODE_DEPTH = 4


def prefixes(base: str) -> dict[str, str]:
    """Prefixes for serialising descriptions and dumps under *base*."""
    return vocab.prefixes(base)


def graph_nodes(ds, roles=ASSERTED_ROLES) -> list:
    """The named graphs of these roles; ``[None]`` (any graph) for a dataset
    served from arbitrary files, which has no roles."""
    if not ds.graphs:
        return [None]
    return [NamedNode(ds.graphs[r]) for r in roles if r in ds.graphs]


def data_scope(ds) -> dict:
    """``Store.query`` arguments making the data graph the default graph (the
    union of everything when the dataset has no roles)."""
    if "data" in ds.graphs:
        return {"default_graph": NamedNode(ds.graphs["data"])}
    return {"use_default_graph_as_union": True}


def default_graphs(ds) -> list[str] | None:
    """The graph IRIs the endpoint's default graph unites; None: all graphs (or, with
    ``--no-union``, the files' own default graph: see :func:`default_scope`)."""
    union = getattr(getattr(ds, "info", None), "union", True)
    return list(union) if isinstance(union, list) else None


def default_scope(ds) -> dict:
    """``Store.query`` arguments for what the endpoint's default graph holds."""
    graphs = default_graphs(ds)
    if graphs is not None:
        return {"default_graph": [NamedNode(g) for g in graphs]}
    union = getattr(getattr(ds, "info", None), "union", True)
    return {"use_default_graph_as_union": True} if union else {}


def exists(ds, iri: str) -> bool:
    """True when *iri* is the subject or object of any triple in any graph."""
    try:
        node = NamedNode(iri)
    except ValueError:  # a path no IRI can hold (space, "|", "<", NUL): nothing is there
        return False
    for pattern in ((node, None, None), (None, None, node), (None, node, None)):
        for _ in ds.store.quads_for_pattern(*pattern):
            return True
    return False


def outgoing(ds, node, roles=ASSERTED_ROLES) -> list[Quad]:
    return [q for g in graph_nodes(ds, roles) for q in ds.store.quads_for_pattern(node, None, None, g)]


def incoming(ds, node, roles=("data",)) -> list[Quad]:
    return [q for g in graph_nodes(ds, roles) for q in ds.store.quads_for_pattern(None, None, node, g)]


def bnode_closure(ds, quads, out: set, depth=BNODE_DEPTH) -> None:
    """Add the triples of blank nodes reached from *quads* (a restriction is
    meaningless without them)."""
    frontier = [q.object for q in quads if isinstance(q.object, BlankNode)]
    seen = set()
    while frontier and depth > 0:
        depth -= 1
        nxt = []
        for b in frontier:
            if b in seen:
                continue
            seen.add(b)
            for q in outgoing(ds, b):
                out.add(q.triple)
                if isinstance(q.object, BlankNode):
                    nxt.append(q.object)
        frontier = nxt


def label_triples(ds, node) -> list[Triple]:
    return [
        q.triple
        for p in LABEL_PREDICATES
        for g in graph_nodes(ds)
        for q in ds.store.quads_for_pattern(node, p, None, g)
    ]


def derived_from(ds, node) -> list[NamedNode]:
    return [
        q.object
        for q in outgoing(ds, node)
        if q.predicate == WAS_DERIVED_FROM and isinstance(q.object, NamedNode)
    ]


def describe(ds, iri: str) -> list[Triple]:
    """The description served for *iri*: its own triples (with blank-node
    detail), inbound links, labels of every IRI it links to or from, and its
    provenance (the source excerpts' triples)."""
    node = NamedNode(iri)
    out: set[Triple] = set()
    own = outgoing(ds, node)
    out.update(q.triple for q in own)
    bnode_closure(ds, own, out)
    inbound = incoming(ds, node, ASSERTED_ROLES)
    out.update(q.triple for q in inbound)
    linked = {q.object for q in own if isinstance(q.object, NamedNode)}
    linked |= {q.predicate for q in own} | {q.predicate for q in inbound}
    linked |= {q.subject for q in inbound if isinstance(q.subject, NamedNode)}
    for source in derived_from(ds, node):
        out.update(q.triple for q in outgoing(ds, source))
    for other in linked - {node}:
        out.update(label_triples(ds, other))
    return sorted(out, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def literal_by_lang(literals, lang: str) -> Literal | None:
    """Pick the literal in *lang*, else English, else untagged, else any."""
    literals = [x for x in literals if isinstance(x, Literal)]
    for want in (lang, "en", None):
        for lit in literals:
            if (lit.language or None) == want:
                return lit
    return literals[0] if literals else None


def label(ds, node, lang: str) -> str | None:
    """The best label of *node* in *lang* (see LABEL_PREDICATES order)."""
    for p in LABEL_PREDICATES:
        lits = [q.object for g in graph_nodes(ds) for q in ds.store.quads_for_pattern(node, p, None, g)]
        picked = literal_by_lang(lits, lang)
        if picked is not None:
            return picked.value
    return None


def compact(iri: str, base: str) -> str:
    """A CURIE for display (au:member, id:admiu) or the IRI itself."""
    for prefix, ns in prefixes(base).items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri
