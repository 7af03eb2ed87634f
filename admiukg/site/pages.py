"""Human pages: the landing page and the query page, plus the template
helpers (language switch links) every page of the site uses."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from admiukg.endpoint.protocol import QUERY_PAGE
from admiukg.site import i18n, querypage, relations, void

bp = Blueprint("web", __name__)


@bp.app_context_processor
def page_helpers():
    """``lang``/``t`` defaults (for templates rendered by other blueprints,
    e.g. query.html from /sparql) and links that keep or switch language."""
    try:
        lang = i18n.current_lang()
    except HTTPException:  # a bad ?lang= is reported by the view itself
        lang = i18n.DEFAULT

    def lang_url(code: str) -> str:
        args = request.args.to_dict()
        args["lang"] = code
        return request.path + "?" + urlencode(args)

    def lang_href(path: str) -> str:
        explicit = request.args.get("lang")
        return f"{path}?lang={explicit}" if explicit in i18n.LANGUAGES else path

    ds = current_app.extensions.get("admiukg")
    return {
        "lang": lang,
        "t": i18n.strings(lang),
        "lang_url": lang_url,
        "lang_href": lang_href,
        "kg_base": ds.base if ds is not None else "",
        # other files may hold no ontology or shapes: no link to a page that would be a 404
        "has_ontology": ds is None or "ontology" in ds.graphs or bool(getattr(ds.info, "ontologies", None)),
        "has_shapes": ds is None or "shapes" in ds.graphs,
    }


def _statistics(ds) -> dict:
    cache = current_app.extensions.setdefault("admiukg.site.pages", {})
    if "stats" not in cache:
        cache["stats"] = void.statistics(ds)
    return cache["stats"]


@bp.get("/")
def landing():
    ds = current_app.extensions["admiukg"]
    lang = i18n.current_lang()
    t = i18n.strings(lang)
    body = render_template(
        "index.html",
        lang=lang,
        t=t,
        stats=_statistics(ds),
        picture=relations.svg(ds, lang, t) if ds.graphs else None,  # ADMİU's picture: bundled graph only
        graphs=ds.graphs,
    )
    return current_app.response_class(body, content_type="text/html; charset=utf-8")


@bp.get("/query")
def query_page():
    """The query editor (also what GET /sparql shows to browsers); ``?query=`` restores a
    shared query and runs it."""
    query = request.args.get("query")
    return querypage.render(request.host_url.rstrip("/") + "/sparql", query,
                            autorun=query is not None)


@bp.record_once
def _offer_query_page(state) -> None:
    state.app.extensions[QUERY_PAGE] = querypage.render
