"""Reading SHACL shapes for the SPARQL compiler (admiukg.validation.shaclsparql): what it covers,
and each shape's path, severity, message and source as validation.py reports them."""

from __future__ import annotations

from dataclasses import dataclass, field

import rdflib
from rdflib import RDF, RDFS, BNode, URIRef

from admiukg.validation.reports import INFO, VIOLATION, WARNING

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SEVERITY = {SH.Violation: VIOLATION, SH.Warning: WARNING, SH.Info: INFO}
#: Parameter -> constraint component, for every component compiled at the property level.
VALUE_COMPONENTS = {
    SH["class"]: "Class", SH.datatype: "Datatype", SH.nodeKind: "NodeKind", SH.minCount: "MinCount",
    SH.maxCount: "MaxCount", SH.minInclusive: "MinInclusive", SH.maxInclusive: "MaxInclusive",
    SH.minExclusive: "MinExclusive", SH.maxExclusive: "MaxExclusive", SH.minLength: "MinLength",
    SH.maxLength: "MaxLength", SH.pattern: "Pattern", SH.languageIn: "LanguageIn",
    SH.uniqueLang: "UniqueLang", SH["in"]: "In", SH.hasValue: "HasValue", SH.equals: "Equals",
    SH.disjoint: "Disjoint",
}
#: Components compiled on node shapes only (they name the focus node itself).
NODE_COMPONENTS = {SH.closed: "Closed", SH["or"]: "Or", SH["and"]: "And", SH["not"]: "Not", SH.xone: "Xone"}
#: Components compiled on property shapes only.
PATH_ONLY = {SH.minCount, SH.maxCount, SH.uniqueLang, SH.equals, SH.disjoint}
#: Other shapes-graph predicates the compiler reads or may ignore (they change no result).
STRUCTURE = {SH.targetClass, SH.property, SH.path, SH.inversePath, SH.severity, SH.message, SH.deactivated,
             SH.ignoredProperties, SH.flags, SH.name, SH.description, SH.order, SH.group, SH.defaultValue}

def uncovered(shapes: rdflib.Graph) -> list[str]:
    """What the compiler does not cover in ``shapes``, one line each (empty: all of it)."""
    problems = []
    known = STRUCTURE | set(VALUE_COMPONENTS) | set(NODE_COMPONENTS)
    for s, p, _o in shapes:
        if str(p).startswith(str(SH)) and p not in known:
            problems.append(f"{_name(shapes, s)}: {_curie(p)} (not compiled)")
    for s in set(shapes.subjects(RDF.type, RDFS.Class)) & _all_shapes(shapes):
        problems.append(f"{_name(shapes, s)}: implicit class target (a shape that is an rdfs:Class)")
    for shape in _all_shapes(shapes):
        path = shapes.value(shape, SH.path)
        if path is not None and path_steps(shapes, path) is None:
            problems.append(f"{_name(shapes, shape)}: sh:path {path_text_of(path)} (path form not compiled)")
        nested = [p for p in NODE_COMPONENTS if (shape, p, None) in shapes]
        if path is not None and nested:
            problems.append(f"{_name(shapes, shape)}: {', '.join(map(_curie, nested))} on a property shape")
        paired = [p for p in PATH_ONLY if (shape, p, None) in shapes]
        if path is None and paired:
            problems.append(f"{_name(shapes, shape)}: {', '.join(map(_curie, paired))} on a node shape")
        if path is not None and (shape, SH.property, None) in shapes:
            problems.append(f"{_name(shapes, shape)}: sh:property nested in a property shape")
        for message in shapes.objects(shape, SH.message):
            if "{$" in message or "{?" in message:
                problems.append(f"{_name(shapes, shape)}: sh:message with a {{…}} placeholder")
        if _constraints(shapes, shape) and not _is_operand(shapes, shape) and \
                shapes.value(shape, SH.message) is None:
            problems.append(f"{_name(shapes, shape)}: no sh:message (pyshacl's generated text is not reproduced)")
    return sorted(set(problems))


# -- reading the shapes ----------------------------------------------------------------------------


@dataclass
class Shape:
    node: object
    path: str | None  # SPARQL property path; None: a node shape
    hops: list[tuple[str, bool]]  # the path as (predicate IRI, inverse) steps
    path_text: str | None
    severity: str
    message: str
    source: str | None
    targets: set = field(default_factory=set)  # target classes (roots only)


def _all_shapes(g: rdflib.Graph) -> set:
    shapes = set(g.subjects(SH.targetClass, None)) | set(g.objects(None, SH.property))
    shapes |= set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    for p in (SH["or"], SH["and"], SH.xone):
        for lst in g.objects(None, p):
            shapes |= set(g.items(lst))
    shapes |= set(g.objects(None, SH["not"]))
    return shapes


def _is_operand(g: rdflib.Graph, shape) -> bool:
    if (None, SH["not"], shape) in g:
        return True
    return any(shape in set(g.items(lst)) for p in (SH["or"], SH["and"], SH.xone) for lst in g.objects(None, p))


def _constraints(g: rdflib.Graph, shape) -> list:
    return [p for p in (*VALUE_COMPONENTS, *NODE_COMPONENTS) if (shape, p, None) in g]


def path_steps(g: rdflib.Graph, node) -> list[tuple[str, bool]] | None:
    """The path as steps, or None when its form is not compiled."""
    if isinstance(node, URIRef):
        return [(str(node), False)]
    inverse = g.value(node, SH.inversePath)
    if inverse is not None:
        return [(str(inverse), True)] if isinstance(inverse, URIRef) and len(list(g.predicate_objects(node))) == 1 \
            else None
    if (node, RDF.first, None) in g:
        steps = []
        for item in g.items(node):
            step = path_steps(g, item)
            if step is None or len(step) != 1:
                return None
            steps += step
        return steps or None
    return None


def path_text_of(path) -> str:
    """How validation.py prints a result path: the IRI, or the node of a complex path."""
    return str(path) if isinstance(path, URIRef) else path.n3()


def _curie(iri) -> str:
    return "sh:" + str(iri)[len(str(SH)):] if str(iri).startswith(str(SH)) else f"<{iri}>"


def _name(g: rdflib.Graph, node) -> str:
    if isinstance(node, URIRef):
        return str(node)
    parent = g.value(None, SH.property, node)
    return f"a blank shape in {_name(g, parent)}" if parent is not None else "a blank shape"


def message_text(texts) -> str:
    """English (or untagged) sh:message texts when there are any, else all (as validation.py)."""
    preferred = [t for t in texts if getattr(t, "language", None) in (None, "en")] or texts
    return "; ".join(sorted(str(t) for t in preferred))


def term_text(term) -> str | None:
    if term is None:
        return None
    return f"_:{term}" if isinstance(term, BNode) else str(term)
