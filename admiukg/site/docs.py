"""Ontology and shapes reference pages, pyLODE/Widoco-style, from the store.

Each own term (``au:``) gets a section anchored by its local name, so a hash
IRI like ``/ontology#member`` opens the browser at that term's entry.
"""

from __future__ import annotations

from flask import current_app, render_template
from pyoxigraph import BlankNode, Literal, NamedNode

from admiukg.site import describe as d
from admiukg.site import i18n, rdfdocs, views

OWL, RDFS, SKOS, SH = d.OWL, d.RDFS, d.SKOS, d.SH
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PROPERTY_KINDS = (
    ("object_properties", OWL + "ObjectProperty"),
    ("datatype_properties", OWL + "DatatypeProperty"),
    ("annotation_properties", OWL + "AnnotationProperty"),
    ("other_properties", RDF + "Property"),
)
#: Rows shown for a term: (i18n key, predicate, inverse?).
CLASS_ROWS = (
    ("subclass_of", RDFS + "subClassOf", False),
    ("superclass_of", RDFS + "subClassOf", True),
    ("equivalent", OWL + "equivalentClass", False),
    ("close_match", SKOS + "closeMatch", False),
    ("exact_match", SKOS + "exactMatch", False),
)
PROPERTY_ROWS = (
    ("domain", RDFS + "domain", False),
    ("range", RDFS + "range", False),
    ("subproperty_of", RDFS + "subPropertyOf", False),
    ("inverse_of", OWL + "inverseOf", False),
    ("equivalent", OWL + "equivalentProperty", False),
    ("close_match", SKOS + "closeMatch", False),
    ("exact_match", SKOS + "exactMatch", False),
)
#: owl:Restriction and boolean class constructors, rendered as Manchester-ish text.
RESTRICTIONS = {
    OWL + "someValuesFrom": "some",
    OWL + "allValuesFrom": "only",
    OWL + "hasValue": "value",
    OWL + "minCardinality": "min",
    OWL + "maxCardinality": "max",
    OWL + "cardinality": "exactly",
    OWL + "minQualifiedCardinality": "min",
    OWL + "maxQualifiedCardinality": "max",
    OWL + "qualifiedCardinality": "exactly",
}
BOOLEANS = {OWL + "unionOf": "or", OWL + "intersectionOf": "and"}


def _graph(ds, role):
    return d.graph_nodes(ds, (role,))


def _objects(ds, s, p, role="ontology"):
    return [q.object for g in _graph(ds, role) for q in ds.store.quads_for_pattern(s, NamedNode(p), None, g)]


def _subjects(ds, p, o, role="ontology"):
    return [q.subject for g in _graph(ds, role) for q in ds.store.quads_for_pattern(None, NamedNode(p), o, g)]


def rdf_list(ds, node, role="ontology", limit=100) -> list:
    items: list = []
    while isinstance(node, BlankNode) and len(items) < limit:
        items += _objects(ds, node, RDF + "first", role)
        rest = _objects(ds, node, RDF + "rest", role)
        node = rest[0] if rest else None
    return items


def expression(ds, node, lang, role="ontology", depth=0, sep=",") -> list:
    """Tokens for a class expression: term dicts and plain words. A plain RDF
    list is joined with *sep* (``∘`` for property chains, ``/`` for paths)."""
    if not isinstance(node, BlankNode) or depth > 4:
        return [views.term(ds, node, lang)]
    on = _objects(ds, node, OWL + "onProperty", role)
    if on:
        for pred, word in RESTRICTIONS.items():
            for value in _objects(ds, node, pred, role):
                tokens = [views.term(ds, on[0], lang), word]
                qualified = _objects(ds, node, OWL + "onClass", role)
                if isinstance(value, Literal):
                    tokens.append(value.value)
                    value = qualified[0] if qualified else None
                if value is not None:
                    tokens += expression(ds, value, lang, role, depth + 1)
                return ["("] + tokens + [")"]
    for pred, word in BOOLEANS.items():
        for lst in _objects(ds, node, pred, role):
            tokens = []
            for i, item in enumerate(rdf_list(ds, lst, role)):
                tokens += ([word] if i else []) + expression(ds, item, lang, role, depth + 1)
            return ["("] + tokens + [")"]
    inverse = _objects(ds, node, OWL + "inverseOf", role)
    if inverse:
        return ["inverse", "("] + expression(ds, inverse[0], lang, role, depth + 1) + [")"]
    items = rdf_list(ds, node, role)
    if items:  # e.g. owl:propertyChainAxiom
        tokens = []
        for i, item in enumerate(items):
            tokens += ([sep] if i else []) + expression(ds, item, lang, role, depth + 1)
        return tokens
    return ["[…]"]


def _labels(ds, node) -> dict[str, str]:
    out = {}
    for p in (SKOS + "prefLabel", RDFS + "label"):
        for lit in _objects(ds, node, p):
            if isinstance(lit, Literal) and lit.language and lit.language not in out:
                out[lit.language] = lit.value
    return out


def _texts(ds, node, predicates, role="ontology") -> list[dict]:
    return [
        {"text": lit.value, "lang": lit.language}
        for p in predicates
        for lit in _objects(ds, node, p, role)
        if isinstance(lit, Literal)
    ]


def _entry(ds, node, lang, rows) -> dict:
    local = node.value.rsplit("#", 1)[1] if "#" in node.value else node.value.rstrip("/").rsplit("/", 1)[-1]
    entry = {
        "anchor": local,
        "iri": node.value,
        "curie": d.compact(node.value, ds.base),
        "labels": _labels(ds, node),
        "title": d.label(ds, node, lang) or local,
        "comments": _texts(
            ds,
            node,
            (
                RDFS + "comment",
                SKOS + "definition",
                d.DCTERMS + "description",
                SKOS + "scopeNote",
                SKOS + "example",
            ),
        ),
        "rows": [],
    }
    for key, pred, inverse in rows:
        values = _subjects(ds, pred, node) if inverse else _objects(ds, node, pred)
        if values:
            entry["rows"].append(
                {"key": key, "values": [expression(ds, v, lang) for v in sorted(values, key=str)]}
            )
    return entry


TERM_KINDS = (OWL + "Class", RDFS + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty",
              OWL + "AnnotationProperty", RDF + "Property")


def ontology_namespace(ds, onto: str) -> str:
    """The namespace of an ontology's terms: its vann:preferredNamespaceUri, else whichever of
    ``IRI#``, ``IRI/`` or the IRI itself holds the most declared classes and properties."""
    declared = [s.value for kind in TERM_KINDS for s in _subjects(ds, RDF + "type", NamedNode(kind))
                if isinstance(s, NamedNode)]
    vann = [v.value for v in _objects(ds, NamedNode(onto), "http://purl.org/vocab/vann/preferredNamespaceUri")]
    candidates = vann + [onto + "#", onto + "/", onto]
    return max(candidates, key=lambda ns: sum(t.startswith(ns) and t != onto for t in declared))


def ontology_model(ds, lang, onto_iri: str | None = None) -> dict:
    """The reference page of the bundled ontology, or of *onto_iri* (any owl:Ontology served)."""
    onto = NamedNode(onto_iri or ds.base + "ontology")
    ns = ontology_namespace(ds, onto.value) if onto_iri else ds.base + "ontology#"

    def typed(kind):
        own = {
            s
            for s in _subjects(ds, RDF + "type", NamedNode(kind))
            if isinstance(s, NamedNode) and s.value.startswith(ns)
        }
        return sorted(own, key=lambda n: n.value.lower())

    classes = []
    for c in typed(OWL + "Class") + [c for c in typed(RDFS + "Class") if c not in typed(OWL + "Class")]:
        entry = _entry(ds, c, lang, CLASS_ROWS)
        shapes = _subjects(ds, SH + "targetClass", c, role="shapes")
        if shapes:
            entry["rows"].append(
                {"key": "used_by_shapes", "values": [[views.term(ds, s, lang)] for s in shapes]}
            )
        classes.append(entry)
    sections, seen = [], set()
    for key, kind in PROPERTY_KINDS:
        entries = []
        for p in typed(kind):
            if p in seen:
                continue
            seen.add(p)
            entry = _entry(ds, p, lang, PROPERTY_ROWS)
            chains = _objects(ds, p, OWL + "propertyChainAxiom")
            if chains:
                entry["rows"].append(
                    {"key": "chain", "values": [expression(ds, c, lang, sep="∘") for c in chains]}
                )
            traits = [
                t.value.split("#")[1]
                for t in _objects(ds, p, RDF + "type")
                if t.value.startswith(OWL) and t.value not in (kind,)
            ]
            entry["traits"] = [
                t
                for t in traits
                if t.endswith("Property") and t != "ObjectProperty" and t != "DatatypeProperty"
            ]
            entries.append(entry)
        if entries:
            sections.append({"key": key, "entries": entries})
    header = []
    for q in d.outgoing(ds, onto, roles=("ontology",)):
        if q.predicate == d.RDF_TYPE:
            continue
        header.append(
            {"predicate": views.term(ds, q.predicate, lang), "value": views.term(ds, q.object, lang)}
        )
    header.sort(key=lambda r: (r["predicate"]["curie"], r["value"].get("lang") != lang))
    return {
        "iri": onto.value,
        "title": d.label(ds, onto, lang) or "Ontology",
        "header": header,
        "classes": classes,
        "property_sections": sections,
        "namespace": ns,
        "prefix": next((p for p, iri in d.prefixes(ds.base).items() if iri == ns), None),
    }


def ontology_page(lang: str, onto_iri: str | None = None, others=()) -> str:
    ds = current_app.extensions["admiukg"]
    links = _rdf_links("ontology")
    if onto_iri:
        from urllib.parse import quote

        links = [(name, f"{href}?iri={quote(onto_iri, safe='')}") for name, href in links]
    return render_template(
        "ontology.html",
        onto=ontology_model(ds, lang, onto_iri),
        others=[o for o in others if o != onto_iri],
        lang=lang,
        t=i18n.strings(lang),
        rdf_links=links,
    )


def ontology_triples(ds, onto_iri: str) -> list:
    """The triples of an ontology served from arbitrary files: about it and about every term in
    its namespace, with the blank nodes they use (restrictions, lists)."""
    ns = ontology_namespace(ds, onto_iri)
    out: set = set()
    subjects = {q.subject for q in ds.store.quads_for_pattern(None, None, None)
                if isinstance(q.subject, NamedNode) and (q.subject.value == onto_iri or q.subject.value.startswith(ns))}
    for s in subjects:
        own = d.outgoing(ds, s)
        out.update(q.triple for q in own)
        d.bnode_closure(ds, own, out)
    return sorted(out, key=str)


# --- shapes -------------------------------------------------------------------

SHAPE_SKIP = {
    SH + p for p in ("path", "message", "severity", "name", "description", "property", "order", "group")
}


def _constraints(ds, shape, lang):
    out = []
    for q in d.outgoing(ds, shape, roles=("shapes",)):
        p = q.predicate.value
        if p.startswith(SH) and p not in SHAPE_SKIP and not p.startswith(SH + "target"):
            value = (
                expression(ds, q.object, lang, role="shapes")
                if isinstance(q.object, BlankNode)
                else [views.term(ds, q.object, lang)]
            )
            out.append({"name": "sh:" + p[len(SH) :], "value": value})
    return sorted(out, key=lambda c: c["name"])


def _pick(ds, node, pred, lang):
    lits = _objects(ds, node, pred, role="shapes")
    picked = d.literal_by_lang(lits, lang)
    return picked.value if picked is not None else None


def shapes_model(ds, lang) -> dict:
    node_shapes = sorted(
        {
            s
            for s in _subjects(ds, RDF + "type", NamedNode(SH + "NodeShape"), role="shapes")
            if isinstance(s, NamedNode)
        },
        key=lambda n: n.value.lower(),
    )
    entries = []
    for shape in node_shapes:
        targets = []
        for kind in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
            targets += [
                (f"sh:{kind}", views.term(ds, t, lang)) for t in _objects(ds, shape, SH + kind, role="shapes")
            ]
        props = []
        for ps in _objects(ds, shape, SH + "property", role="shapes"):
            paths = _objects(ds, ps, SH + "path", role="shapes")
            severity = _objects(ds, ps, SH + "severity", role="shapes")
            props.append(
                {
                    "path": expression(ds, paths[0], lang, role="shapes", sep="/") if paths else [],
                    "constraints": _constraints(ds, ps, lang),
                    "severity": severity[0].value.rsplit("#", 1)[-1] if severity else "Violation",
                    "message": _pick(ds, ps, SH + "message", lang),
                    "name": _pick(ds, ps, SH + "name", lang),
                }
            )
        props.sort(key=lambda p: "".join(t["text"] if isinstance(t, dict) else t for t in p["path"]))
        local = shape.value.split("#", 1)[-1]
        entries.append(
            {
                "anchor": local,
                "iri": shape.value,
                "curie": d.compact(shape.value, ds.base),
                "title": d.label(ds, shape, lang) or local,
                "comments": _texts(ds, shape, (RDFS + "comment", SH + "description"), role="shapes"),
                "targets": targets,
                "constraints": _constraints(ds, shape, lang),
                "message": _pick(ds, shape, SH + "message", lang),
                "properties": props,
            }
        )
    return {"shapes": entries}


def shapes_page(lang: str) -> str:
    ds = current_app.extensions["admiukg"]
    return render_template(
        "shapes.html",
        model=shapes_model(ds, lang),
        lang=lang,
        t=i18n.strings(lang),
        rdf_links=_rdf_links("shapes"),
    )


def _rdf_links(name):

    return [(rdfdocs.FORMAT_NAMES[k], f"/{name}.{e}") for e, k in rdfdocs.EXTENSIONS.items()]
