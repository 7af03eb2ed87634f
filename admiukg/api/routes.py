"""The saved-query API (grlc style): one HTTP operation per ``queries/*.rq`` file.

    GET /api/                    a small self-contained page with a form per query
    GET /api/queries             the catalogue as JSON (stable shape, see queries/README.md)
    GET /api/queries/NAME        run a query; ?param=value binds its parameters, results are
                                 negotiated like /sparql (Accept or ?format=)
    GET /api/queries/NAME/sparql the query text with the given parameters bound
    GET /api/openapi.json        OpenAPI 3 document generated from the headers

Running goes through :func:`admiukg.endpoint.protocol.respond`, so the endpoint's limits
(timeouts, row cap, guard) and formats apply unchanged.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)

from admiukg import config
from admiukg.api import openapi
from admiukg.endpoint import negotiation
from admiukg.endpoint.protocol import respond
from admiukg.endpoint.responses import error_response
from admiukg.queries import catalogue as savedqueries

bp = Blueprint("api", __name__, url_prefix="/api")

#: app.config key: folder of saved queries (tests point it elsewhere).
DIR_KEY = "SAVED_QUERIES_DIR"
_EXT_KEY = "admiukg.queries.catalogue"


@bp.record_once
def _load_catalogue(state) -> None:
    # Read once at start-up: a malformed query file stops the server loudly
    # instead of surfacing later as a 500 on one route.
    app = state.app
    dataset = app.extensions.get("admiukg")
    chosen = app.config.get(DIR_KEY)
    if chosen is None and dataset is not None and not getattr(dataset, "graphs", True):
        app.extensions[_EXT_KEY] = {}  # other files: ADMİU's questions do not apply
        return
    directory = Path(chosen or config.QUERIES_DIR)
    queries = savedqueries.catalogue(directory)
    # A server publishing under another base rebases every IRI at load; the saved
    # queries are written with the canonical one, so they follow.
    base = getattr(dataset, "base", None) or config.CANONICAL_BASE
    if base != config.CANONICAL_BASE:
        queries = {name: q.rebased(base) for name, q in queries.items()}
    app.extensions[_EXT_KEY] = queries


def _catalogue() -> dict[str, savedqueries.SavedQuery]:
    return current_app.extensions[_EXT_KEY]


def _error(status: int, message: str, kind: str) -> Response:
    # Same body as the endpoint's errors: {"status", "error": kind, "message"} (or text/plain).

    return error_response(status, message, kind)


def _lookup(name: str) -> savedqueries.SavedQuery | None:
    return _catalogue().get(name)


def _bound_text(query: savedqueries.SavedQuery) -> str:
    """The query text with the request's parameters bound; raises ParameterError."""
    values = {}
    for key in request.args:
        if key in savedqueries.RESERVED_NAMES:
            continue
        given = request.args.getlist(key)
        if len(given) != 1:
            raise savedqueries.ParameterError(f"parameter {key!r} given {len(given)} times; give it once")
        values[key] = given[0]
    return query.bind(values)


@bp.get("/")
def index():
    # Plain GET forms need no JavaScript (and no swagger-ui from a CDN: the server may be offline).
    return render_template("api.html", queries=list(_catalogue().values()),
                           openapi_url=url_for("api.openapi_json"))


@bp.get("/queries")
def list_queries():
    queries = [q.as_json() for q in _catalogue().values()]
    for item in queries:
        item["url"] = url_for("api.run_query", name=item["name"])
    return jsonify({"count": len(queries), "queries": queries})


@bp.get("/queries/<name>")
def run_query(name: str):
    query = _lookup(name)
    if query is None:
        return _error(404, f"no saved query named {name!r}; see {url_for('api.list_queries')}", "unknown-query")
    if "query" in request.args:
        return _error(400, "saved queries take parameters, not a 'query'; use /sparql for your own queries",
                      "bad-parameter")
    try:
        text = _bound_text(query)
    except savedqueries.ParameterError as exc:
        return _error(400, str(exc), "bad-parameter")
    fmt = request.args.get("format")
    offers = negotiation.GRAPH_OFFERS if query.is_graph else negotiation.RESULT_OFFERS
    if fmt and negotiation.format_from_param(fmt, offers) is None:
        # a query-string value outside the documented enum is a bad parameter, not a 406
        allowed = ", ".join(openapi.GRAPH_FORMATS if query.is_graph else openapi.RESULT_FORMATS)
        return _error(400, f"format {fmt!r} is not available for this {query.kind.upper()} query; "
                           f"use one of {allowed}", "bad-parameter")
    return respond(text, accept=request.headers.get("Accept"), fmt=fmt)


@bp.get("/queries/<name>/sparql")
def query_text(name: str):
    query = _lookup(name)
    if query is None:
        return _error(404, f"no saved query named {name!r}", "unknown-query")
    try:
        text = _bound_text(query)
    except savedqueries.ParameterError as exc:
        return _error(400, str(exc), "bad-parameter")
    return Response(text, mimetype="application/sparql-query")


@bp.get("/openapi.json")
def openapi_json():
    server = request.script_root or "/"
    return jsonify(openapi.build(_catalogue().values(), server_url=server))
