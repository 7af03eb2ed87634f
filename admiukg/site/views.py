"""View models for the HTML pages: an RDF term as a labelled link, and the
whole entity page (types, properties, inbound links, source excerpts)."""

from __future__ import annotations

from collections import OrderedDict

from flask import request
from pyoxigraph import BlankNode, Literal, NamedNode

from admiukg.site import describe as d
from admiukg.site import explain, i18n

#: Shown first on an entity page, in this order; the rest sorts by label.
LEADING_PREDICATES = (
    d.SKOS + "prefLabel",
    d.SKOS + "altLabel",
    d.RDFS + "label",
    d.DCTERMS + "title",
    d.RDFS + "comment",
    d.DCTERMS + "description",
)
TRANSLATION_HINT = "translation"
#: Entailed facts explained on one page; more are listed in the RDF documents.
MAX_EXPLAINED = 200
#: Datatypes whose values read fine without a tag.
QUIET_DATATYPES = {
    d.XSD + t for t in ("string", "integer", "decimal", "boolean", "nonNegativeInteger", "gYear")
}


#: Foreign IRIs become links only with these schemes: javascript:, data:, file:, … stay text.
LINK_SCHEMES = ("http://", "https://")


def safe_href(iri: str, base: str) -> str | None:
    """A link for *iri*: this server's path for its own IRIs, the IRI itself if it is
    http(s), else None, and the page shows the IRI as text."""
    local = local_href(iri, base)
    if local is not None:
        return local
    return iri if iri.lower().startswith(LINK_SCHEMES) else None


def local_href(iri: str, base: str) -> str | None:
    """The path under which this server answers for *iri*, or None if foreign."""
    if not iri.startswith(base):
        return None
    href = "/" + iri[len(base) :]
    if href.startswith("//"):  # would read as another host ("//evil.example/")
        href = "/." + href
    explicit = request.args.get("lang")
    if explicit not in i18n.LANGUAGES:
        explicit = None
    if explicit and "#" not in href:
        href += ("&" if "?" in href else "?") + "lang=" + explicit
    elif explicit:
        path, frag = href.split("#", 1)
        href = f"{path}?lang={explicit}#{frag}"
    return href


def term(ds, node, lang: str) -> dict:
    """A term ready for a template: text to show, link, and kind."""
    if isinstance(node, Literal):
        dt = node.datatype.value if node.datatype else None
        show_dt = None if node.language or dt in QUIET_DATATYPES or dt is None else d.compact(dt, ds.base)
        return {"kind": "literal", "text": node.value, "lang": node.language, "datatype": show_dt}
    if isinstance(node, BlankNode):
        return {"kind": "bnode", "text": "[…]", "href": None, "iri": None}
    iri = node.value
    curie = d.compact(iri, ds.base)
    lbl = d.label(ds, node, lang) or i18n.term_label(iri, lang)
    return {
        "kind": "iri",
        "iri": iri,
        "curie": curie,
        "text": lbl or curie,
        "href": safe_href(iri, ds.base),
        "local": iri.startswith(ds.base),
    }


def excerpt_of(ds, node: NamedNode, lang: str) -> dict | None:
    """The verbatim text (prov:value) and its translation (another-language
    literal whose predicate names a translation, else any @en literal)."""
    quads = d.outgoing(ds, node)
    original = [q.object for q in quads if q.predicate == d.PROV_VALUE and isinstance(q.object, Literal)]
    if not original:
        return None
    others = [
        q
        for q in quads
        if isinstance(q.object, Literal)
        and q.predicate != d.PROV_VALUE
        and q.object.language == "en"
        and q.predicate not in d.LABEL_PREDICATES
    ]
    preferred = [q for q in others if TRANSLATION_HINT in q.predicate.value.lower()]
    translation = (preferred or others or [None])[0]
    return {
        "ref": term(ds, node, lang),
        "original": original[0].value,
        "original_lang": original[0].language,
        "translation": translation.object.value if translation else None,
    }


def entity(ds, iri: str, lang: str) -> dict:
    node = NamedNode(iri)
    own = d.outgoing(ds, node)
    inferred = d.outgoing(ds, node, roles=("inferred",))
    types = [q.object for q in own if q.predicate == d.RDF_TYPE]
    inferred_types = sorted(
        {q.object for q in inferred if q.predicate == d.RDF_TYPE and q.object not in types}, key=str
    )
    grouped: OrderedDict[NamedNode, list] = OrderedDict()
    for q in own:
        if q.predicate != d.RDF_TYPE:
            grouped.setdefault(q.predicate, []).append(q.object)
    entailed = {}  # (predicate, object) -> the fact, for values shown as inferred
    for q in inferred:
        if q.predicate != d.RDF_TYPE and q.object not in grouped.get(q.predicate, ()):
            grouped.setdefault(q.predicate, []).append(q.object)
            entailed[(q.predicate, q.object)] = q.triple

    def order(pred):
        v = pred.value
        if v in LEADING_PREDICATES:
            return (0, LEADING_PREDICATES.index(v), "")
        return (1, 0, (d.label(ds, pred, lang) or v).lower())

    def value(p, o):
        shown = term(ds, o, lang)
        fact = entailed.get((p, o))
        if fact is not None:
            shown = {**shown, "inferred": True, "why": "/explain?" + explain.query_string(fact)}
        return shown

    properties = [
        {"predicate": term(ds, p, lang), "values": [value(p, o) for o in _sort_values(objs, lang)]}
        for p, objs in sorted(grouped.items(), key=lambda kv: order(kv[0]))
    ]
    inbound_grouped: OrderedDict[NamedNode, list] = OrderedDict()
    for q in d.incoming(ds, node, d.ASSERTED_ROLES):
        inbound_grouped.setdefault(q.predicate, []).append(q.subject)
    inbound = [
        {
            "predicate": term(ds, p, lang),
            "subjects": sorted((term(ds, s, lang) for s in subs), key=lambda t: t["text"]),
        }
        for p, subs in sorted(inbound_grouped.items(), key=lambda kv: order(kv[0]))
    ]
    # Excerpts: the entity's own sources, then those of the facts pointing at it.
    sources: list = []
    for src in d.derived_from(ds, node):
        sources.append(src)
    for q in d.incoming(ds, node):
        if isinstance(q.subject, NamedNode):
            sources.extend(s for s in d.derived_from(ds, q.subject) if s not in sources)
    self_excerpt = excerpt_of(ds, node, lang)
    # An excerpt's page shows its own text; the facts citing it are its inbound links.
    excerpts = [] if self_excerpt else [e for e in (excerpt_of(ds, s, lang) for s in sources) if e]
    return {
        "iri": iri,
        "curie": d.compact(iri, ds.base),
        "title": d.label(ds, node, lang) or d.compact(iri, ds.base),
        "types": [term(ds, t, lang) for t in types],
        "inferred_types": [term(ds, t, lang) for t in inferred_types if isinstance(t, NamedNode)],
        "properties": properties,
        "inbound": inbound,
        "self_excerpt": self_excerpt,
        "excerpts": excerpts,
    }


def _sort_values(objs, lang):
    """Literals in the reader's language first, then the rest."""

    def key(o):
        if isinstance(o, Literal):
            return (0 if o.language == lang else 1, o.language or "", o.value)
        return (2, "", str(o))

    return sorted(objs, key=key)
