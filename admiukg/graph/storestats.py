"""What a loaded store holds and calls itself: sizes, VoID statistics, title and ontologies.

Computed once per served dataset, by whichever process loaded it first: the on-disk build, or
the zygote's in-memory copy when that one is ready before the on-disk store.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox


def statistics(store: ox.Store, union) -> tuple[dict[str, int], int, dict]:
    """Triples per graph ("" = the default graph), all quads, and the VoID statistics of the
    default graph (the union of all graphs, these graphs, or the files' default graph)."""
    sizes, total = graph_sizes(store)
    return sizes, total, void_statistics(store, union, sizes, total)


def graph_sizes(store: ox.Store) -> tuple[dict[str, int], int]:
    """Triples per graph ("" = the default graph) and all quads; no scan of the default graph."""
    total = len(store)
    sizes: dict[str, int] = {}
    if next(iter(store.named_graphs()), None) is not None:
        by_graph = store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(by_graph, ox.QuerySolutions)
        sizes = {row["g"].value: int(row["n"].value) for row in by_graph}
    if total - sum(sizes.values()):
        sizes = {"": total - sum(sizes.values()), **sizes}
    return sizes, total


def void_statistics(store: ox.Store, union, sizes: dict[str, int], total: int) -> dict[str, int]:
    """The VoID counts of the default graph (DISTINCT scans: seconds at a million triples)."""

    def ask(query: str):
        if isinstance(union, list):
            return store.query(query, default_graph=[ox.NamedNode(g) for g in union])
        return store.query(query, use_default_graph_as_union=bool(union))

    stats: dict[str, int] = {}
    if set(sizes) <= {""}:  # no named graphs: each triple is stored once, no DISTINCT scan needed
        stats["triples"] = total
    for key, query in {
        "triples": "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
        "distinctSubjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }",
        "properties": "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }",
        "distinctObjects": "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }",
        "classes": "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }",
    }.items():
        if key not in stats:
            stats[key] = _count(ask(query))
    return stats


def _count(solutions) -> int:
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))["n"].value)


_IDENTITY = """
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?rank ?title ?desc WHERE {
  { ?d a void:Dataset BIND(0 AS ?rank) } UNION { ?d a dcat:Dataset BIND(1 AS ?rank) }
  UNION { ?d a owl:Ontology BIND(2 AS ?rank) }
  OPTIONAL { ?d dcterms:title|rdfs:label|skos:prefLabel ?title }
  OPTIONAL { ?d dcterms:description|rdfs:comment|skos:definition ?desc }
  FILTER(BOUND(?title) || BOUND(?desc))
} ORDER BY ?rank DESC(LANGMATCHES(LANG(?title), "en")) DESC(LANG(?title) = "") ?title LIMIT 1
"""


def identity(store: ox.Store, paths) -> dict:
    """Title and description of arbitrary files: from their own VoID, DCAT or owl:Ontology
    header, else their names; and the ontologies they hold (each gets a page)."""
    solutions = store.query(_IDENTITY, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    row = next(iter(solutions), None)
    title = row["title"].value if row is not None and row["title"] is not None else ""
    desc = row["desc"].value if row is not None and row["desc"] is not None else ""
    ontologies = sorted({q.subject.value for q in store.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")) if isinstance(q.subject, ox.NamedNode)})
    return {"title": title or "RDF files: " + ", ".join(Path(p).name for p in paths),
            "description": desc, "ontologies": ontologies}
