"""Validate data against the bundled ontology and shapes; returns a Report, prints nothing.

Order: load every file (any failure -> errors, exit 2); OWL RL entailments of
ontology + data (cached); inconsistency markers; hygiene checks; saved
``queries/checks`` queries when the queries module provides them; SHACL twice:
over data + ontology + entailments (the closure merged in, so shapes see
inferred types; pyshacl's own inference stays off), and over data + ontology
as asserted, because an own property's rdfs:range makes OWL RL type whatever
it links to, which would hide a wrong link from ``sh:class`` (a university
given as a grant's funder becomes a funding body). Only sh:class findings are
taken from the asserted pass: elsewhere it would miss what inference rightly
adds (a label through a subproperty). Large inputs (LARGE_INPUT) run the same
steps inside one Oxigraph store (admiukg.validation.instore: pyoxigraph parse,
the rules of admiukg.graph.fastreason, SHACL compiled to SPARQL); this module's
rdflib/pyshacl path stays the reference, and takes over when the shapes use a
construct the compiler does not cover.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Namespace, URIRef

from admiukg import config, progress
from admiukg.validation.findings import _consistency, _first_line, _merge, _saved_checks, _text
from admiukg.validation.reports import (
    INFO,
    VIOLATION,
    WARNING,
    Finding,
    LoadError,
    Report,
)

SH = Namespace("http://www.w3.org/ns/shacl#")
#: Above this many ontology + data triples, entailments come from admiukg.graph.fastreason.
LARGE_INPUT = 50_000
_SEVERITY = {SH.Violation: VIOLATION, SH.Warning: WARNING, SH.Info: INFO}


def validate(
    data_paths=None, *, strict=False, ontology_paths=None, shapes_path=None, use_cache=True, saved_checks=None,
    facts=None,
    engine="auto",
) -> Report:
    """Validate ``data_paths`` (None: the bundled data) with the bundled ontology and shapes.

    ``ontology_paths`` and ``shapes_path`` replace the bundled ontology and
    shapes (for fixtures and other projects); ``use_cache=False`` forces a
    fresh OWL RL run. ``saved_checks`` (queries/checks/*.rq) defaults to on
    with the bundled ontology and off with another one, whose data they
    were not written for. ``facts`` (admiukg.validation.facts: quotes, checksum, labels,
    entities and numbers against the source file) follows ``saved_checks`` unless given.
    were not written for. ``engine``: "auto" (above LARGE_INPUT triples everything runs inside
    one Oxigraph store, SHACL compiled to SPARQL; below, rdflib and pyshacl), "pyshacl" (always
    the rdflib path, the reference) or "sparql" (always the store path; ValueError when the
    shapes use a construct it does not compile).
    """
    if saved_checks is None:
        saved_checks = ontology_paths is None
    if facts is None:
        facts = saved_checks
    data_paths = [Path(p) for p in (config.data_files() if data_paths is None else data_paths)]
    ontology_paths = [Path(p) for p in (config.ontology_files() if ontology_paths is None else ontology_paths)]
    shapes_path = Path(shapes_path or config.shapes_file())
    report = Report(strict=strict, files=[str(p) for p in (*ontology_paths, shapes_path, *data_paths)])

    from admiukg.graph.rdfload import load_graph
    from admiukg.validation import instore

    if engine != "pyshacl" and instore.applicable(data_paths):
        large = -1 if engine == "sparql" else LARGE_INPUT
        outcome = instore.run(report, ontology_paths, data_paths, shapes_path, saved_checks, large, facts)
        if outcome is None and engine == "sparql":
            from admiukg.validation.shaclsparql import uncovered

            raise ValueError("shapes not compiled: " + "; ".join(uncovered(load_graph(shapes_path))))
        if outcome is not None:  # None: a small input, or shapes the compiler does not cover
            if not report.errors:
                _report(report, outcome.found, data_paths, ontology_paths, shapes_path, outcome.view,
                        outcome.bnode_files)
            return report

    with progress.step(f"loading {len(report.files)} files"):
        inputs = _load(report, ontology_paths, data_paths, shapes_path)
    if report.errors:
        return report

    from admiukg.validation.hygiene import check as hygiene_check

    found = hygiene_check({"data": inputs.data, "shapes": inputs.shapes, "ontology": inputs.ontology}, inputs.ontology)
    asserted = inputs.data  # ontology + data as stated; graph copies are the costly part at scale
    asserted += inputs.ontology
    union = Graph()
    union += asserted  # gets the closure: what SHACL and the saved checks see
    with progress.step(f"inference ({len(union)} triples)"):
        if len(union) > LARGE_INPUT:
            # owlrl needs minutes from ~100k triples; the compiled rules give the same
            # instance-level closure (tests/test_fastreason.py), which is all SHACL reads.
            from admiukg.graph.fastreason import entailments as fast_entailments

            entailed = fast_entailments(asserted, into=union)
        else:
            if use_cache:
                from admiukg.graph.inference import cached_entailments

                entailed = cached_entailments([*ontology_paths, *data_paths], graph=asserted,
                                              cacheable=inputs.cacheable)
            else:
                from admiukg.graph.inference import entailments

                entailed = entailments(asserted)
            union += entailed

    found += _consistency(entailed)
    if facts:
        from admiukg.validation.facts import check as facts_check

        with progress.step("facts against the source text"):  # terminal only
            found += [(f, "data") for f in facts_check(asserted, data_paths)]
    if saved_checks:
        found += [(f, "data") for f in _saved_checks(union)]
    try:
        with progress.step("SHACL validation"):
            wrong_links = [f for f in _shacl(asserted, _class_constraints_only(inputs.shapes))
                           if f.component == str(SH.ClassConstraintComponent)]
            found += [(f, "data") for f in _merge(_shacl(union, inputs.shapes), wrong_links)]
    except Exception as exc:  # pyshacl refuses malformed shapes with its own error types
        report.errors.append(LoadError(str(shapes_path), f"SHACL shapes unusable: {_first_line(exc)}"))
        return report

    _report(report, found, data_paths, ontology_paths, shapes_path, union, inputs.bnode_files)
    return report


def _report(report: Report, found, data_paths, ontology_paths, shapes_path, graph, bnode_files) -> None:
    """Locate each finding in the source files and add them to ``report`` in a stable order."""
    from admiukg.graph.rdfload import SourceIndex

    with progress.step("locating findings in the files"):
        files = {"data": data_paths, "ontology": ontology_paths, "shapes": [shapes_path]}
        indexes = {name: SourceIndex(paths) for name, paths in files.items()}
        for finding, where in found:
            _locate(finding, where, indexes, graph, bnode_files)
            report.results.append(finding)
    report.results.sort(key=lambda f: (f.file or "~", f.line or 0, f.severity, f.message, f.focus or "",
                                       f.path or "", f.value or "", f.source or "", f.component or ""))


@dataclass
class _Inputs:
    ontology: Graph = field(default_factory=Graph)
    data: Graph = field(default_factory=Graph)
    shapes: Graph = field(default_factory=Graph)
    cacheable: bool = True  # every blank node has a reproducible label
    bnode_files: dict[str, str] = field(default_factory=dict)  # blank-node label prefix -> file


def _load(report: Report, ontology_paths, data_paths, shapes_path) -> _Inputs:
    """Parse everything, recording every failure (not just the first) in ``report.errors``."""
    from admiukg.graph.rdfload import (
        RDFLoadError,
        bnode_file_prefix,
        load_graph,
        load_graph_stable,
    )

    if not data_paths:
        report.errors.append(LoadError(str(config.DATA_DIR), "no data files to validate"))
    if not ontology_paths:
        report.errors.append(LoadError(str(config.ONTOLOGY_DIR), "no ontology files (*.ttl besides shapes.ttl)"))
    inputs = _Inputs()
    for graph, paths in ((inputs.ontology, ontology_paths), (inputs.data, data_paths)):
        for path in paths:
            try:
                part, raw, stable = load_graph_stable(path)
            except RDFLoadError as exc:
                report.errors.append(LoadError(exc.path, exc.message, exc.line))
                continue
            graph += part
            inputs.cacheable = inputs.cacheable and stable
            inputs.bnode_files[bnode_file_prefix(raw)] = str(path)
    try:
        inputs.shapes = load_graph(shapes_path)
    except RDFLoadError as exc:
        report.errors.append(LoadError(exc.path, exc.message, exc.line))
    return inputs


def _shacl(data: Graph, shapes: Graph) -> list[Finding]:
    from pyshacl import validate as shacl_validate  # lazy: ~0.6 s of import time

    _conforms, results, _text_report = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",  # our OWL RL closure is already merged in
        advanced=True,
        inplace=True,
        allow_warnings=True,
        allow_infos=True,
        do_owl_imports=False,
    )
    findings = []
    for r in results.objects(None, SH.result):
        severity = _SEVERITY.get(results.value(r, SH.resultSeverity), VIOLATION)
        focus, path, value = (results.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.value))
        component = results.value(r, SH.sourceConstraintComponent)
        shape = results.value(r, SH.sourceShape)
        if isinstance(shape, BNode):  # property shapes are often blank: name their node shape
            shape = shapes.value(None, SH.property, shape) or shape
        message = _message(list(results.objects(r, SH.resultMessage))) or f"{_local(component)} not satisfied"
        findings.append(
            Finding(
                severity,
                message,
                focus=_text(focus),
                path=str(path) if isinstance(path, URIRef) else (path.n3() if path is not None else None),
                value=_text(value) if value is not None else None,
                source=_text(shape) if isinstance(shape, URIRef) else None,
                component=str(component) if component else None,
            )
        )
    return findings


def _class_constraints_only(shapes: Graph) -> Graph:
    """The shapes with every property shape that has no sh:class cut off, and no node-level
    constraints but sh:class: all the asserted pass needs, at a fraction of the work."""
    kept = Graph()
    for node_shape in set(shapes.subjects(SH.targetClass, None)):
        for p in (SH.targetClass, SH["class"], SH.severity, SH.message):
            for o in shapes.objects(node_shape, p):
                kept.add((node_shape, p, o))
        for prop in shapes.objects(node_shape, SH.property):
            if (prop, SH["class"], None) in shapes:
                kept.add((node_shape, SH.property, prop))
                kept += shapes.triples((prop, None, None))
                for path in shapes.objects(prop, SH.path):  # an inverse or sequence path's nodes
                    kept += _described(shapes, path)
    return kept


def _described(graph: Graph, node) -> Graph:
    """The triples about a blank node and the blank nodes below it (a SHACL path, a list)."""
    out, todo = Graph(), [node]
    while todo:
        current = todo.pop()
        if isinstance(current, BNode):
            for triple in graph.triples((current, None, None)):
                out.add(triple)
                todo.append(triple[2])
    return out


def _message(texts) -> str:
    """English (or untagged) sh:message texts when there are any, else all of them."""
    preferred = [t for t in texts if getattr(t, "language", None) in (None, "en")] or texts
    return "; ".join(sorted(str(t) for t in preferred))


def _local(iri) -> str:
    return str(iri).rsplit("#", 1)[-1] if iri else "constraint"


# -- Where in the source ------------------------------------------------------


def _locate(finding: Finding, where: str, indexes, graph: Graph, bnode_files: dict[str, str]) -> None:
    """Fill file and line: the focus node's first line as a subject (data, then ontology, shapes)."""
    if finding.file or not finding.focus:
        return
    order = [where] + [n for n in ("data", "ontology", "shapes") if n != where]
    focus = finding.focus
    if focus.startswith("_:"):
        focus = _iri_ancestor(BNode(focus[2:]), graph)
        if focus is None:
            label = finding.focus[2:]
            finding.file = next((f for p, f in bnode_files.items() if label.startswith(p)), None)
            return
    for name in order:
        index = indexes[name]
        hit = index.subject_line(focus) if name != "shapes" or where == "shapes" else None
        hit = hit or (index.mention_line(focus) if name == where else None)
        if hit:
            finding.file, finding.line = hit
            return
    for name in order:  # last resort: any mention anywhere
        hit = indexes[name].mention_line(focus)
        if hit:
            finding.file, finding.line = hit
            return


def _iri_ancestor(node: BNode, graph: Graph, depth: int = 8) -> str | None:
    """The IRI whose statement contains this blank node ([ ... ] is written inside it)."""
    for _ in range(depth):
        parent = next(graph.subjects(None, node), None)
        if parent is None:
            return None
        if isinstance(parent, URIRef):
            return str(parent)
        node = parent
    return None
