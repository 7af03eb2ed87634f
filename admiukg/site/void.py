"""VoID + DCAT description of the served dataset, computed from the store.

Served at ``/.well-known/void`` (RFC 5785 / VoID §7). The dataset node is the
hash IRI ``<base>.well-known/void#dataset``, so it dereferences to this very
document. The SPARQL Service Description links here: see
``service_description_turtle``.
"""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from admiukg import vocab
from admiukg.endpoint import negotiation
from admiukg.site import describe, dumps, links, rdfdocs

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = describe.DCTERMS
SPDX = "http://spdx.org/rdf/terms#"
SD = "http://www.w3.org/ns/sparql-service-description#"
XSD = describe.XSD
RDF_TYPE = describe.RDF_TYPE
IANA = "https://www.iana.org/assignments/media-types/"
#: How many example resources to list.
EXAMPLES = 5
VOID_PATH = ".well-known/void"


def dataset_iri(base: str) -> str:
    return base + VOID_PATH + "#dataset"


def void_document(base: str) -> str:
    return base + VOID_PATH


def prefixes(base: str) -> dict[str, str]:
    return {**vocab.prefixes(base), "spdx": SPDX}


def service_description_turtle(subject_iri: str, base: str) -> str:
    """The Turtle statement the SPARQL Service Description adds to point at
    the VoID (its ``sd:Dataset`` node, or the service, as *subject_iri*)."""
    return f"<{subject_iri}> <{describe.RDFS}seeAlso> <{void_document(base)}> .\n"


def _rows(ds, query: str):
    """Run a fixed query of ours over the endpoint's default graph: every count of the VoID
    (and of the Service Description and the landing page) is over that one graph."""
    return ds.store.query(query, **describe.default_scope(ds))


def _count(ds, query: str) -> int:
    return int(next(iter(_rows(ds, query)))[0].value)


def statistics(ds) -> dict:
    """Counts over the default graph (the union of the graphs in ``scope``) and per named graph."""
    per_graph = {
        role: _count(ds, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
        for role, g in ds.graphs.items()
    }
    # the things minted under <base>id/; other files have no such URI space: every IRI subject
    minted = f' && STRSTARTS(STR(?s), "{ds.base}id/")' if ds.graphs else ""
    entities = f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s){minted}) }}"""
    return {
        "scope": describe.default_graphs(ds),
        "triples": _count(ds, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"),
        "graphs": per_graph,
        "entities": _count(ds, entities),
        "classes": _count(ds, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"),
        "properties": _count(ds, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        "distinct_subjects": _count(ds, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        "distinct_objects": _count(ds, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        "excerpts": _count(ds, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{describe.PROV}value> ?v }}"),
    }


def class_partitions(ds) -> list[tuple[str, int]]:
    q = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c"
    return [(s["c"].value, int(s["n"].value)) for s in _rows(ds, q)]


def property_partitions(ds) -> list[tuple[str, int]]:
    q = """SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }
           GROUP BY ?p ORDER BY DESC(?n) ?p"""
    return [(s["p"].value, int(s["n"].value)) for s in _rows(ds, q)]


def scope_text(ds, stats: dict) -> str:
    """One sentence naming the graph every count is over."""
    graphs = stats["scope"]
    if graphs is None:
        return "Counts are over the endpoint's default graph (the union of all its graphs)."
    inside = ", ".join(f"<{g}>" for g in graphs)
    outside = [g for g in ds.graphs.values() if g not in graphs]
    rest = (" The named graph " + ", ".join(f"<{g}>" for g in outside)
            + " is not part of it and is described apart.") if outside else ""
    return f"Counts are over the endpoint's default graph, the union of {inside}.{rest}"


def example_resources(ds) -> list[str]:
    """The best-connected things: the pages most worth opening first."""
    q = f"""SELECT ?s (COUNT(*) AS ?n) WHERE {{
              {{ ?s ?p ?o }} UNION {{ ?o ?p ?s }}
              FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ds.base}id/"))
              FILTER NOT EXISTS {{ ?s <{describe.PROV}value> ?v }} }}
            GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT {EXAMPLES}"""
    return [s["s"].value for s in _rows(ds, q)]


def _ontology_header(ds, predicate: str) -> list:
    onto = NamedNode(ds.base + "ontology")
    return [q.object for q in ds.store.quads_for_pattern(onto, NamedNode(predicate), None, None)]


def _vocabularies(ds, properties, classes) -> list[str]:
    """Namespaces of the classes and properties used (VoID §4.4)."""
    seen = []
    for iri in [p for p, _ in properties] + [c for c, _ in classes]:
        cut = max(iri.rfind("#"), iri.rfind("/"))
        ns = iri[: cut + 1]
        vocab = ns.removesuffix("#")
        if vocab not in seen:
            seen.append(vocab)
    return sorted(seen)


def describe_dataset(ds) -> list[Triple]:
    """VoID + DCAT triples for the whole dataset, its graphs and its dumps."""
    base = ds.base
    out: list[Triple] = []
    dset = NamedNode(dataset_iri(base))

    def add(s, p, o):
        out.append(Triple(s, NamedNode(p), o))

    def lit(value, dtype=None, lang=None):
        if lang:
            return Literal(str(value), language=lang)
        return Literal(str(value), datatype=NamedNode(XSD + dtype)) if dtype else Literal(str(value))

    stats = statistics(ds)
    add(dset, RDF_TYPE.value, NamedNode(VOID + "Dataset"))
    add(dset, RDF_TYPE.value, NamedNode(DCAT + "Dataset"))
    if not ds.graphs:  # other files: their own title and description, never ADMİU's
        add(dset, DCTERMS + "title", lit(ds.info.title))
        if getattr(ds.info, "description", ""):
            add(dset, DCTERMS + "description", lit(ds.info.description))
    else:
        _bundled_identity(dset, add, lit)
    add(dset, DCTERMS + "description", lit(scope_text(ds, stats), lang="en"))
    for licence in _ontology_header(ds, DCTERMS + "license"):
        add(dset, DCTERMS + "license", licence)
    modified = dumps.last_modified().date().isoformat()
    add(dset, DCTERMS + "modified", lit(modified, "date"))
    if ds.graphs:
        add(dset, VOID + "uriSpace", lit(base + "id/"))
    add(dset, VOID + "triples", lit(stats["triples"], "integer"))
    add(dset, VOID + "entities", lit(stats["entities"], "integer"))
    add(dset, VOID + "classes", lit(stats["classes"], "integer"))
    add(dset, VOID + "properties", lit(stats["properties"], "integer"))
    add(dset, VOID + "distinctSubjects", lit(stats["distinct_subjects"], "integer"))
    add(dset, VOID + "distinctObjects", lit(stats["distinct_objects"], "integer"))
    add(dset, VOID + "sparqlEndpoint", NamedNode(links.path("sparql")))
    add(dset, DCAT + "landingPage", NamedNode(links.path("")))
    add(dset, VOID + "rootResource", NamedNode(base + "ontology"))
    for ex in example_resources(ds):
        add(dset, VOID + "exampleResource", NamedNode(ex))
    classes, properties = class_partitions(ds), property_partitions(ds)
    for namespace in _vocabularies(ds, properties, classes):
        add(dset, VOID + "vocabulary", NamedNode(namespace))
    for cls, n in classes:
        part = BlankNode()
        add(dset, VOID + "classPartition", part)
        add(part, VOID + "class", NamedNode(cls))
        add(part, VOID + "entities", lit(n, "integer"))
    for prop, n in properties:
        part = BlankNode()
        add(dset, VOID + "propertyPartition", part)
        add(part, VOID + "property", NamedNode(prop))
        add(part, VOID + "triples", lit(n, "integer"))
    scope = stats["scope"]
    for role, graph in ds.graphs.items():
        sub = NamedNode(f"{dataset_iri(base)}-{role}")
        inside = scope is None or graph in scope
        # a graph outside the default graph (the shapes) is a dataset of its own, not a subset
        add(dset, VOID + "subset" if inside else DCTERMS + "relation", sub)
        add(sub, RDF_TYPE.value, NamedNode(VOID + "Dataset"))
        add(sub, RDF_TYPE.value, NamedNode(DCAT + "Dataset"))
        add(sub, DCTERMS + "title", lit(f"{role} graph", lang="en"))
        add(sub, SD + "name", NamedNode(graph))
        add(sub, VOID + "triples", lit(stats["graphs"][role], "integer"))
        add(sub, VOID + "dataDump", NamedNode(links.path("downloads/" + dumps.dump(role, "turtle").filename)))
        add(sub, VOID + "sparqlEndpoint", NamedNode(links.path("sparql")))
    service = NamedNode(links.path("sparql"))
    add(service, RDF_TYPE.value, NamedNode(DCAT + "DataService"))
    add(service, DCAT + "endpointURL", service)
    add(service, DCAT + "servesDataset", dset)
    add(dset, DCAT + "accessService", service)
    for d in dumps.all_dumps(ds):
        for gz in (False, True):
            name = d.filename + (".gz" if gz else "")
            url = NamedNode(links.path("downloads/" + name))
            media = negotiation.GRAPHS[d.fmt]
            if d.role == "all":
                add(dset, VOID + "dataDump", url)
            dist = NamedNode(f"{dataset_iri(base)}-dump-{name}")
            # a graph's dump distributes that graph's dataset; "all" is every graph at once
            owner = dset if d.role == "all" else NamedNode(f"{dataset_iri(base)}-{d.role}")
            add(owner, DCAT + "distribution", dist)
            add(dist, RDF_TYPE.value, NamedNode(DCAT + "Distribution"))
            add(
                dist,
                DCTERMS + "title",
                lit(f"{'every named graph' if d.role == 'all' else d.role + ' graph'}, "
                    f"{rdfdocs.FORMAT_NAMES[d.fmt]}{', gzipped' if gz else ''}", lang="en"),
            )
            add(dist, DCAT + "downloadURL", url)
            add(dist, DCAT + "mediaType", NamedNode(IANA + media))
            if gz:
                add(dist, DCAT + "compressFormat", NamedNode(IANA + "application/gzip"))
            add(dist, DCAT + "byteSize", lit(len(d.gz if gz else d.raw), "nonNegativeInteger"))
            checksum = BlankNode()
            add(dist, SPDX + "checksum", checksum)
            add(checksum, RDF_TYPE.value, NamedNode(SPDX + "Checksum"))
            add(checksum, SPDX + "algorithm", NamedNode(SPDX + "checksumAlgorithm_sha256"))
            add(checksum, SPDX + "checksumValue", lit(d.sha256_gz if gz else d.sha256, "hexBinary"))
    return out


def _bundled_identity(dset, add, lit) -> None:
    add(dset, DCTERMS + "title", lit("ADMİU Knowledge Graph", lang="en"))
    add(dset, DCTERMS + "title", lit("ADMİU Bilik Qrafı", lang="az"))
    add(dset, DCTERMS + "description", lit(
        "International relations of the Azerbaijan State University of Culture and Arts (ADMİU): "
        "network memberships, projects, funders and visits, each statement traced to a verbatim "
        "source excerpt.", lang="en"))
