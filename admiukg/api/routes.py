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

from flask import Blueprint, Response, current_app, jsonify, render_template_string, request, url_for

from admiukg import config
from admiukg.endpoint import negotiation
from admiukg.api import openapi
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
    directory = Path(app.config.get(DIR_KEY) or config.QUERIES_DIR)
    queries = savedqueries.catalogue(directory)
    # A server publishing under another base rebases every IRI at load; the saved
    # queries are written with the canonical one, so they follow.
    dataset = app.extensions.get("admiukg")
    base = getattr(dataset, "base", None) or config.CANONICAL_BASE
    if base != config.CANONICAL_BASE:
        queries = {name: q.rebased(base) for name, q in queries.items()}
    app.extensions[_EXT_KEY] = queries


def _catalogue() -> dict[str, savedqueries.SavedQuery]:
    return current_app.extensions[_EXT_KEY]


def _error(status: int, message: str, kind: str) -> Response:
    # Same body as the endpoint's errors: {"status", "error": kind, "message"} (or text/plain).
    from admiukg.endpoint.protocol import error_response

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
    return render_template_string(_PAGE, queries=list(_catalogue().values()),
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
    from admiukg.endpoint.protocol import respond  # the endpoint's runner: limits, guard, negotiation

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


# Self-written on purpose: the server has no internet, so no swagger-ui from a CDN.
# Plain GET forms need no JavaScript; each opens the operation's URL with its parameters.
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>ADMİU KG: saved queries API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{{ url_for('static', filename='api.css') }}"></head><body>
<h1>Saved queries API</h1>
<p>Each saved query is an operation <code>GET /api/queries/NAME</code>. Parameters go in the query
string; the result format follows the <code>Accept</code> header or <code>format=</code>.
Machine-readable description: <a href="{{ openapi_url }}">OpenAPI 3 document</a>;
catalogue as JSON: <a href="{{ url_for('api.list_queries') }}">/api/queries</a>.</p>
{% for q in queries %}
<section id="{{ q.name }}">
 <h2><code>GET {{ url_for('api.run_query', name=q.name) }}</code></h2>
 <p><strong>{{ q.summary }}</strong></p>
 {% if q.description %}<p>{{ q.description }}</p>{% endif %}
 <p class="tags">{% for t in q.tags %}<span>{{ t }}</span>{% endfor %}
   {% if q.inference %}<span>needs OWL RL inference</span>{% endif %}</p>
 <form method="get" action="{{ url_for('api.run_query', name=q.name) }}" target="_blank">
 {% for p in q.parameters %}
  <label>{{ p.name }} <small>({{ p.type }}{% if p.lang %}, @{{ p.lang }}{% endif %})</small>
   <input type="text" name="{{ p.name }}" value="{{ p.default or '' }}" title="{{ p.description }}"></label>
 {% endfor %}
  <label>format
   <select name="format">
   {% if q.is_graph %}{% for f in ['turtle','ntriples','jsonld','rdfxml'] %}<option>{{ f }}</option>{% endfor %}
   {% else %}{% for f in ['json','csv','tsv','xml'] %}<option>{{ f }}</option>{% endfor %}{% endif %}
   </select></label>
  <button type="submit">Run</button>
 </form>
 <details><summary>SPARQL</summary><pre>{{ q.text }}</pre></details>
</section>
{% endfor %}
</body></html>
"""
