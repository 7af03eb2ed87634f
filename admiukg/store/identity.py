"""What a set of arbitrary RDF files calls itself: title, description, ontologies."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

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
