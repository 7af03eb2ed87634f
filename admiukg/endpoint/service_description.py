"""SPARQL 1.1 Service Description of the endpoint, with VoID statistics of its dataset."""

from __future__ import annotations

import pyoxigraph as ox

from admiukg.endpoint.negotiation import FORMAT_IRIS, GRAPHS, RESULTS

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _site(endpoint: str) -> str:
    """The server root the endpoint hangs under (the VoID sits there, as the request saw it)."""
    head, sep, _ = endpoint.rpartition("/sparql")
    return (head if sep else endpoint.rstrip("/")) + "/"


def _default_graph_text(union) -> str:
    if isinstance(union, list):
        return ("The default graph is the union of the named graphs "
                + ", ".join(f"<{g}>" for g in union) + " (other named graphs are left out).")
    if union:
        return "The default graph is the union of all named graphs."
    return "The default graph is the files' own default graph."


def description_turtle(endpoint: str, info) -> str:
    """The service description as Turtle (absolute IRIs, no base)."""
    formats = " , ".join(f"<{FORMAT_IRIS[k]}>" for k in list(RESULTS) + list(GRAPHS))
    union = info.union
    lines = [
        f"@prefix sd: <{SD}> .",
        f"@prefix void: <{VOID}> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"<{endpoint}#service> a sd:Service ;",
        f"    sd:endpoint <{endpoint}> ;",
        "    sd:supportedLanguage sd:SPARQL11Query ;",
        f"    sd:resultFormat {formats} ;",
        # sd:UnionDefaultGraph says "the union of ALL named graphs": only true without a list
        "    sd:feature sd:UnionDefaultGraph ;" if union is True else "",
        f"    dcterms:title {_lit(info.title)} ;",
        "    dcterms:description "
        + _lit("Read-only SPARQL 1.1 endpoint (no SPARQL Update, no SERVICE, no LOAD). "
               + _default_graph_text(union)
               + " FROM / default-graph-uri select local graphs only.")
        + " ;",
        "    sd:defaultDataset <" + endpoint + "#dataset> .",
        "",
        f"<{endpoint}#dataset> a sd:Dataset , void:Dataset ;",
        f"    void:sparqlEndpoint <{endpoint}> ;",
        f"    rdfs:seeAlso <{_site(endpoint)}.well-known/void> ;",  # the full VoID + DCAT
        f"    sd:defaultGraph <{endpoint}#default-graph>",
    ]
    named = sorted(g for g in info.graph_sizes if g)
    for i, _graph in enumerate(named):
        lines.append(f"    ; sd:namedGraph <{endpoint}#named-graph-{i}>")
    lines[-1] += " ."
    stats = info.stats or {}
    lines += [
        "",
        f"<{endpoint}#default-graph> a sd:Graph , void:Dataset ;",
        f"    dcterms:description {_lit(_default_graph_text(union) + ' The counts are over it.')} ;",
        f"    void:triples {int(stats.get('triples', info.triples))}",
    ]
    for key in ("distinctSubjects", "properties", "distinctObjects", "classes"):  # known once
        if key in stats:  # the store is built (seconds after a cold start)
            lines[-1] += f" ;\n    void:{key} {int(stats[key])}"
    lines[-1] += " ."
    roles = {iri: role for role, iri in (info.graphs or {}).items()}
    for i, g in enumerate(named):
        lines += [
            "",
            f"<{endpoint}#named-graph-{i}> a sd:NamedGraph ;",
            f"    sd:name <{g}> ;",
            f"    sd:graph [ a sd:Graph , void:Dataset ; void:triples {int(info.graph_sizes[g])}"
            + (f" ; dcterms:title {_lit(roles[g])}" if g in roles else "")
            + " ] .",
        ]
    return "\n".join(line for line in lines if line is not None) + "\n"


def description_triples(endpoint: str, info) -> list:
    text = description_turtle(endpoint, info)
    return [q.triple for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)]
