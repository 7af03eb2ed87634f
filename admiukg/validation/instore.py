"""The validator's path for large inputs: every step inside one Oxigraph store, no rdflib graph of the data.

Same steps and findings as :func:`admiukg.validation.validate.validate` (the reference, and the path below
``LARGE_INPUT``): data parsed by pyoxigraph (:mod:`admiukg.graph.oxload`; rdflib for a file it refuses,
and so for the file-and-line message of a syntax error), the small ontology and shapes by rdflib;
hygiene over the terms the store uses; the ``sh:class`` pass over the asserted graph before
inference; OWL RL rules of :mod:`admiukg.graph.fastreason` run in place; SHACL compiled to SPARQL
(:mod:`admiukg.validation.shaclsparql`); the saved checks over the same store.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import rdflib

from admiukg import progress
from admiukg.graph import fastreason
from admiukg.graph.oxload import (
    OX_FORMATS,
    SKOLEM,
    TOKEN,
    StoreTerms,
    load_file,
    parseable,
)
from admiukg.validation.reports import Finding, LoadError, Report


def applicable(data_paths: list[Path]) -> bool:
    """Whether the store path can read these data files (else the rdflib path runs)."""
    return bool(data_paths) and all(parseable(p) for p in data_paths)


class Outcome:
    """What the common tail of validation needs: findings with where they belong, and lookups."""

    def __init__(self, found, view, bnode_files) -> None:
        self.found, self.view, self.bnode_files = found, view, bnode_files


def run(report: Report, ontology_paths, data_paths, shapes_path, saved_checks: bool, large: int,
        facts: bool = False):
    """The findings for ``report`` (errors go into it), or None when the input has at most
    ``large`` triples or the shapes use what the compiler does not cover: the caller then
    takes the rdflib path."""
    from admiukg.graph.rdfload import (
        RDFLoadError,
        bnode_file_prefix,
        load_graph,
        load_graph_stable,
    )
    from admiukg.validation.shaclsparql import CompiledShapes

    store, terms = ox.Store(), StoreTerms()
    ontology, bnode_files, shapes = rdflib.Graph(), {}, None
    errors = {"ontology": [], "data": [], "shapes": []}  # reported in this order, as the rdflib path does
    with progress.step(f"parsing {len(report.files)} files (data by pyoxigraph)"):
        for path in data_paths:
            try:
                parsed, raw = load_file(store, path, terms)
                if not parsed:  # rdflib reads it, or explains why it cannot
                    part, raw, _stable = load_graph_stable(path)
                    store.bulk_extend(_quads(part, terms))
            except RDFLoadError as exc:
                errors["data"].append(LoadError(exc.path, exc.message, exc.line))
                continue
            bnode_files[bnode_file_prefix(raw)] = str(path)
        if not errors["data"] and len(store) + _count(ontology_paths) <= large:
            return None  # small: rdflib and pyshacl, the reference
        for path in ontology_paths:
            try:
                part, raw, _stable = load_graph_stable(path)
            except RDFLoadError as exc:
                errors["ontology"].append(LoadError(exc.path, exc.message, exc.line))
                continue
            ontology += part
            bnode_files[bnode_file_prefix(raw)] = str(path)
        try:
            shapes = load_graph(shapes_path)
        except RDFLoadError as exc:
            errors["shapes"].append(LoadError(exc.path, exc.message, exc.line))
    report.errors += [e for part in errors.values() for e in part]
    if report.errors:
        return Outcome([], None, bnode_files)
    compiled = CompiledShapes(shapes)
    if compiled.problems:
        return None

    from admiukg.validation.findings import _consistency, _merge, _saved_checks
    from admiukg.validation.hygiene import check as hygiene_check

    with progress.step("vocabulary hygiene"):
        found = hygiene_check({"data": used_iris(store, terms), "shapes": shapes, "ontology": ontology}, ontology)
        store.bulk_extend(_quads(ontology, terms))
    if facts:
        with progress.step("facts against the source text"):
            found += [(f, "data") for f in _facts(store, terms, data_paths)]
    try:
        with progress.step("SHACL sh:class over the asserted graph"):
            wrong_links = compiled.findings(store, terms, only_class=True)
        with progress.step(f"inference ({len(store)} triples)"):
            found += _consistency(infer(store, terms))
        with progress.step("SHACL validation"):
            found += [(f, "data") for f in _merge(compiled.findings(store, terms), wrong_links)]
    except (ValueError, TypeError, KeyError, SyntaxError) as exc:  # a malformed constraint (sh:minCount "x")
        report.errors.append(LoadError(str(shapes_path), f"SHACL shapes unusable: {exc}"))
        return Outcome([], None, bnode_files)
    if saved_checks:
        with progress.step("quality checks"):
            canonicalise(store, terms)
            found += [(f, "data") for f in _saved_checks(store)]
    return Outcome(found, StoreView(store, terms), bnode_files)


def _facts(store: ox.Store, terms: StoreTerms, data_paths) -> list:
    """The fact rules (admiukg.validation.facts) over the asserted graph in the store.

    They read only excerpts of documents whose source file is found and whose checksum holds;
    with none (a generated graph), the documents' own triples are all they need, and the
    whole graph is copied into rdflib only when there is a text to read the facts off.
    """
    from admiukg.validation import facts

    def graph_of(quads) -> rdflib.Graph:
        graph = rdflib.Graph()
        for q in quads:
            graph.add((terms.back(q.subject), terms.back(q.predicate), terms.back(q.object)))
        return graph

    document = ox.NamedNode(str(facts.AU.SourceDocument))
    rdf_type = ox.NamedNode(str(rdflib.RDF.type))
    docs = [q.subject for q in store.quads_for_pattern(None, rdf_type, document, ox.DefaultGraph())]
    described = graph_of(q for d in docs for q in store.quads_for_pattern(d, None, None, ox.DefaultGraph()))
    texts, found = facts._source_texts(described, [Path(p) for p in data_paths])
    if not texts:
        return found
    return facts.check(graph_of(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), data_paths)


def _count(paths) -> int:
    """Triples in these files by a quick pyoxigraph parse (0 for one it cannot read)."""
    from admiukg.graph.rdfload import RDFLoadError, read_source

    total = 0
    for path in paths:
        try:
            fmt, raw = read_source(Path(path))
            total += sum(1 for _ in ox.parse(raw, OX_FORMATS[fmt])) if fmt in OX_FORMATS else 0
        except (RDFLoadError, SyntaxError, ValueError):
            pass
    return total


def _quads(graph: rdflib.Graph, terms: StoreTerms):
    conv = terms.from_rdflib
    return (ox.Quad(conv(s), conv(p), conv(o)) for s, p, o in graph)


def used_iris(store: ox.Store, terms: StoreTerms) -> set[rdflib.URIRef]:
    """The IRIs of the store's triples (any position, and literal datatypes) that hygiene checks:
    those in the ontology's namespace or a well-known one (it says nothing about the others)."""
    from admiukg import config
    from admiukg.validation.hygiene import WELL_KNOWN

    checked = "^(" + "|".join(_regex_escape(ns) for ns in sorted({config.AU, *WELL_KNOWN})) + ")"
    keep = 'REGEX(STR(?t), "' + checked.replace("\\", "\\\\") + '")'
    queries = (f"SELECT ?t WHERE {{ {{ SELECT DISTINCT ?t WHERE {{ ?s ?t ?o }} }} FILTER({keep}) }}",
                  f"SELECT DISTINCT ?t WHERE {{ ?t ?p ?o FILTER(isIRI(?t) && {keep}) }}",
                  f"SELECT DISTINCT ?t WHERE {{ ?s ?p ?t FILTER(isIRI(?t) && {keep}) }}",
                  (f"SELECT DISTINCT ?t WHERE {{ ?s ?p ?o FILTER(isLiteral(?o) && LANG(?o) = '' "
                   f"&& DATATYPE(?o) != {TOKEN}) BIND(DATATYPE(?o) AS ?t) }}"))
    with ThreadPoolExecutor(max_workers=2) as pool:  # pyoxigraph evaluates without the GIL
        rows = pool.map(lambda q: [row[0].value for row in store.query(q)], queries)
    found = {rdflib.URIRef(iri) for part in rows for iri in part}
    return found | {lit.datatype for lit in terms.originals if lit.datatype is not None}


def _regex_escape(text: str) -> str:
    return "".join("\\" + c if c in ".^$|?*+()[]{}\\" else c for c in text)


def infer(store: ox.Store, terms: StoreTerms) -> rdflib.Graph:
    """Close the store's default graph under the OWL RL rules, in place; returns owlrl-style
    inconsistency markers (what admiukg.validation reads from the entailments)."""
    schema = _schema_blank_nodes(store)
    _rename(store, {b: ox.NamedNode(SKOLEM + b.value) for b in schema})
    tbox = fastreason.TBox.read(store)
    rounds = [fastreason.round_graph(1)]
    for rule in tbox.rules(source=None, target=rounds[-1]):
        store.update(rule)
    while next(store.quads_for_pattern(None, None, None, rounds[-1]), None) is not None:
        rounds.append(fastreason.round_graph(len(rounds) + 1))
        for rule in tbox.rules(source=rounds[-2], target=rounds[-1]):
            store.update(rule)
        store.remove_graph(rounds[-2])  # its triples stay in the default graph
    store.remove_graph(rounds[-1])
    markers = rdflib.Graph()
    for message in fastreason.clashes(store, terms.back):
        marker = rdflib.BNode()
        markers.add((marker, rdflib.RDF.type, fastreason.ERR.ErrorMessage))
        markers.add((marker, fastreason.ERR.error, rdflib.Literal(message)))
    _rename(store, {ox.NamedNode(SKOLEM + b.value): b for b in schema})
    return markers


def _schema_blank_nodes(store: ox.Store) -> set[ox.BlankNode]:
    """Blank nodes of schema axioms (restrictions, lists), which the rule tables must name."""
    found = set()
    for p in fastreason.SCHEMA_PREDICATES:
        for q in store.quads_for_pattern(None, ox.NamedNode(str(p)), None):
            found |= {t for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    return found


def _rename(store: ox.Store, mapping: dict) -> None:
    for old in mapping:
        quads = [*store.quads_for_pattern(None, None, old, None)]
        if not isinstance(old, ox.Literal):
            quads += store.quads_for_pattern(old, None, None, None)
        for q in quads:
            store.remove(q)
        store.extend(ox.Quad(mapping.get(q.subject, q.subject), q.predicate, mapping.get(q.object, q.object),
                             q.graph_name) for q in quads)  # fmt: skip


def canonicalise(store: ox.Store, terms: StoreTerms) -> None:
    """Tokens become the literals the store makes of them: the saved checks have always run on
    Oxigraph's reading of the graph."""
    for number in range(len(terms.originals)):
        token = ox.Literal(str(number), datatype=TOKEN)
        _rename(store, {token: terms.canonical(token)})


class StoreView:
    """The one rdflib.Graph lookup locating a blank node needs (its parent), over the store."""

    def __init__(self, store: ox.Store, terms: StoreTerms) -> None:
        self.store, self.terms = store, terms

    def subjects(self, _predicate, obj):
        node = ox.BlankNode(str(obj)) if isinstance(obj, rdflib.BNode) else self.terms.from_rdflib(obj)
        for q in self.store.quads_for_pattern(None, None, node, ox.DefaultGraph()):
            yield self.terms.back(q.subject)


__all__ = ["Finding", "Outcome", "applicable", "run"]
