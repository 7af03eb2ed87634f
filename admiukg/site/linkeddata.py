"""Dereferencing: every IRI the graph mints answers over HTTP.

Things (``/id/<slug>``) are real-world organisations, projects, people, not
web documents, so - as in the W3C "Cool URIs" note and Wikidata/Pubby - the
thing's IRI answers ``303 See Other`` pointing at a document about it:
``/doc/<slug>`` (HTML page) or ``/doc/<slug>.ttl|.jsonld|.nt|.rdf``. Each
document thus has its own stable URL (bookmarkable, cacheable without Vary,
linkable from a page), and the thing/document distinction stays clean.

Ontology terms and shapes are hash IRIs (``/ontology#member``): the client
strips the fragment, so ``/ontology`` and ``/shapes`` negotiate directly
(``Vary: Accept`` + ``Content-Location`` of the chosen ``.ttl``/``.html``
variant) and serve the whole ontology / shapes graph.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request
from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from admiukg.endpoint import negotiation
from admiukg.site import (
    describe,
    docs,
    documents,
    dumps,
    explain,
    explainview,
    i18n,
    links,
    rdfdocs,
    views,
)

bp = Blueprint("linkeddata", __name__)

DOC_EXTENSIONS = {ext: key for ext, key in rdfdocs.EXTENSIONS.items() if key in rdfdocs.DOCUMENT_FORMATS}
GRAPH_DOC_OFFERS = rdfdocs.RESOURCE_OFFERS


def dataset():
    return current_app.extensions["admiukg"]


def negotiate(offers=rdfdocs.RESOURCE_OFFERS) -> str:
    """Format key for this request: ``?format=`` wins, else ``Accept``.

    An unknown ``format`` is a 400, an Accept nothing can satisfy a 406.
    """
    asked = request.args.get("format")
    if asked is not None:
        fmt = negotiation.format_from_param(asked, offers)
        if fmt is None:
            names = sorted({k for _, k in offers})
            abort(400, description=f"Unknown format={asked!r}; use one of: {', '.join(names)}.")
        return fmt
    fmt = negotiation.choose(request.headers.get("Accept"), offers)
    if fmt is None:
        types = ", ".join(m for m, _ in offers)
        abort(406, description=f"None of the requested media types is available; offered: {types}.")
    return fmt


def _vary(response):
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


#: How much of an unknown IRI a 404 repeats (the rest is cut, control characters escaped).
SHOWN_IRI = 300


def _shown(iri: str) -> str:
    cut = iri if len(iri) <= SHOWN_IRI else iri[:SHOWN_IRI] + "…"
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in cut)


def not_found(fmt: str, iri: str):
    iri = _shown(iri)
    if fmt == "html":
        lang = i18n.current_lang()
        body = render_template("not_found.html", iri=iri, lang=lang, t=i18n.strings(lang))
        return _vary(current_app.response_class(body, status=404, content_type="text/html; charset=utf-8"))
    text = f"Not found: the knowledge graph has no triples about <{iri}>.\n"
    return _vary(current_app.response_class(text, status=404, content_type="text/plain; charset=utf-8"))


def rdf_response(data: bytes, fmt: str, content_location: str | None = None):
    response = current_app.response_class(data, content_type=rdfdocs.content_type(fmt))
    if content_location:
        response.headers["Content-Location"] = content_location
    return _vary(response)


def _keep_lang(url: str) -> str:
    lang = request.args.get("lang")
    return f"{url}?lang={lang}" if lang in i18n.LANGUAGES else url


@bp.get("/id/<path:slug>")
def thing(slug: str):
    ds = dataset()
    iri = ds.base + "id/" + slug
    fmt = negotiate()
    i18n.current_lang()  # a bad ?lang= is a 400 here, not after the redirect
    if not describe.exists(ds, iri):
        return not_found(fmt, iri)
    target = f"/doc/{slug}" if fmt == "html" else f"/doc/{slug}.{rdfdocs.EXTENSION_OF[fmt]}"
    return _vary(redirect(_keep_lang(target), code=303))


@bp.get("/doc/<path:docpath>")
def document(docpath: str):
    ds = dataset()
    slug, fmt = docpath, "html"
    stem, dot, ext = docpath.rpartition(".")
    if dot and "/" not in ext and ext in DOC_EXTENSIONS:
        slug, fmt = stem, DOC_EXTENSIONS[ext]
    iri = ds.base + "id/" + slug
    if not describe.exists(ds, iri):
        return not_found(fmt, iri)
    if fmt == "html":
        lang = i18n.current_lang()
        page = views.entity(ds, iri, lang)
        page["inferred_facts"] = explainview.inferred_facts(ds, NamedNode(iri), lang)
        body = render_template(
            "entity.html",
            page=page,
            lang=lang,
            t=i18n.strings(lang),
            slug=slug,
            rdf_links=[(rdfdocs.FORMAT_NAMES[k], f"/doc/{slug}.{e}") for e, k in DOC_EXTENSIONS.items()],
        )
        response = current_app.response_class(body, content_type="text/html; charset=utf-8")
    else:
        data = documents.serialise(ds, iri, fmt, links.path("explain"))
        response = current_app.response_class(data, content_type=rdfdocs.content_type(fmt))
    response.headers["Link"] = f'<{iri}>; rel="describes"'
    if fmt in rdfdocs.TRIPLE_FORMATS and "inferred" in ds.graphs:
        response.headers["Link"] += f', </doc/{slug}.trig>; rel="alternate"; type="application/trig"'
    return _vary(response) if fmt == "html" else response


def _graph_document(role: str, path: str, html_view):
    """Serve a whole graph at a hash-IRI namespace document (``/ontology``,
    ``/shapes``), negotiated directly or picked by extension."""
    stem, dot, ext = path.rpartition(".")
    ds = dataset()
    if role not in ds.graphs:  # a dataset served from arbitrary files has no such graph
        return not_found(negotiate(GRAPH_DOC_OFFERS), ds.base + stem)
    fmt = _document_format(ext if dot else None, stem)
    location = f"/{path if dot else path + '.' + ('html' if fmt == 'html' else rdfdocs.EXTENSION_OF[fmt])}"
    if fmt == "html":
        lang = i18n.current_lang()
        response = current_app.response_class(html_view(lang), content_type="text/html; charset=utf-8")
        if not dot:
            response.headers["Content-Location"] = location
        return _vary(response)
    data = dumps.dump(role, fmt).raw
    return rdf_response(data, fmt, None if dot else location)


def _document_format(ext: str | None, stem: str) -> str:
    """The format of a graph document: named by its extension (404 for an unknown one), else
    negotiated."""
    if ext == "html":
        return "html"
    if ext:
        fmt = rdfdocs.EXTENSIONS.get(ext)
        if fmt is None:
            abort(404, description=f"No {ext!r} form of /{stem}.")
        return fmt
    return negotiate(GRAPH_DOC_OFFERS)


@bp.get("/ontology")
@bp.get("/ontology.<ext>")
def ontology(ext: str | None = None):
    ds = dataset()
    found = getattr(ds.info, "ontologies", None) or []
    if "ontology" not in ds.graphs and found:
        return _files_ontology(ds, found, ext)
    return _graph_document("ontology", "ontology" + (f".{ext}" if ext else ""), docs.ontology_page)


def _files_ontology(ds, found: list[str], ext: str | None):
    """Over arbitrary files: a reference page (and RDF) for any owl:Ontology they hold;
    ``?iri=`` picks one when there are several."""
    iri = request.args.get("iri") or found[0]
    if iri not in found:
        abort(404, description=f"No owl:Ontology <{iri}> in the served files; they hold: "
                               + ", ".join(f"<{o}>" for o in found) + ".")
    fmt = _document_format(ext, "ontology")
    if fmt == "html":
        lang = i18n.current_lang()
        body = docs.ontology_page(lang, iri, found)
        return _vary(current_app.response_class(body, content_type="text/html; charset=utf-8"))
    data = rdfdocs.serialise(docs.ontology_triples(ds, iri), fmt, describe.prefixes(ds.base))
    return rdf_response(data, fmt)


@bp.get("/ontology/<path:rest>")
def ontology_related(rest: str):
    """Other IRIs in the ontology namespace (version IRI, imports module) are
    parts of the same ontology graph; answer them with it."""
    ds = dataset()
    iri = ds.base + "ontology/" + rest
    fmt = negotiate(GRAPH_DOC_OFFERS)
    if not describe.exists(ds, iri):
        return not_found(fmt, iri)
    return _vary(redirect(_keep_lang("/ontology"), code=303))


@bp.get("/shapes")
@bp.get("/shapes.<ext>")
def shapes(ext: str | None = None):
    return _graph_document("shapes", "shapes" + (f".{ext}" if ext else ""), docs.shapes_page)


@bp.get("/graph/<name>")
def named_graph(name: str):
    """A named graph's IRI: its triples for RDF clients, the downloads list for browsers."""
    ds = dataset()
    iri = ds.base + "graph/" + name
    roles = {g: r for r, g in ds.graphs.items()}
    fmt = negotiate(GRAPH_DOC_OFFERS)
    if iri not in roles:
        return not_found(fmt, iri)
    role = roles[iri]
    if fmt == "html":
        return _vary(redirect(_keep_lang("/downloads/") + f"#graph-{role}", code=303))
    dump = dumps.dump(role, fmt)
    return rdf_response(dump.raw, fmt, f"/downloads/{dump.filename}")


def _term(name: str, value: str | None, literal_ok: bool):
    """A query parameter as an RDF term: an IRI, or (for ``o``) a literal in N-Triples form."""
    if not value:
        abort(400, description=f"/explain needs the parameter {name}= (an IRI"
                               + (" or an N-Triples literal" if literal_ok else "") + ").")
    try:
        if literal_ok and value.startswith('"'):
            quad = next(iter(parse(f"<urn:x:s> <urn:x:p> {value} .".encode(), format=RdfFormat.N_TRIPLES)))
            return quad.object
        return NamedNode(value)
    except (ValueError, SyntaxError, StopIteration):
        abort(400, description=f"{name}={value!r} is not an absolute IRI"
                               + (' or an N-Triples literal such as "text"@en' if literal_ok else "") + ".")


@bp.get("/explain")
def explain_fact():
    """Why a triple of the store holds: asserted (graph, source excerpts) or the OWL 2 RL
    derivation (rule, axioms, premises, each explained in turn)."""
    ds = dataset()
    fmt = negotiate()
    lang = i18n.current_lang() if fmt == "html" else None
    fact = Triple(_term("s", request.args.get("s"), False), _term("p", request.args.get("p"), False),
                  _term("o", request.args.get("o"), True))
    proof, cut = explain.explain(ds, fact)
    if proof is None:
        if cut:
            abort(503, description="no derivation found within the search bounds; try a more specific fact.")
        return not_found(fmt, fact.subject.value)
    if fmt == "html":
        body = render_template("explain.html", proof=explainview.view(ds, proof, lang), lang=lang,
                               t=i18n.strings(lang), rdf_links=[
                                   (rdfdocs.FORMAT_NAMES[k], f"/explain?{explain.query_string(fact)}&format={k}")
                                   for k in rdfdocs.TRIPLE_FORMATS + ("jsonld",)])
        return _vary(current_app.response_class(body, content_type="text/html; charset=utf-8"))
    prefixes = describe.prefixes(ds.base)
    data = rdfdocs.serialise(explainview.triples(ds, proof), fmt, prefixes)
    return rdf_response(data, fmt)
