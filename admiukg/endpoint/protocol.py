"""The SPARQL 1.1 Protocol (query operation) as a Flask blueprint, read-only and safe.

Request → parse parameters (strict UTF-8) → refuse updates → static guard → negotiate the
format → response cache → query worker pool (hard timeout) → response with CORS, ``Vary``,
truncation headers. The query operation itself is framework-free
(:mod:`admiukg.endpoint.queryrun`; the lean WSGI path in :mod:`admiukg.endpoint.lean` answers most
queries before Flask sees them); this module adds what needs Flask: with no query, GET answers the
Service Description (RDF) or the query page (HTML), by content negotiation.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from admiukg.endpoint import negotiation, queryrun, results, service_description, sparqlrequest
from admiukg.endpoint.cache import FastPath
from admiukg.endpoint.negotiation import GRAPH_OFFERS, RESULT_OFFERS, content_type
from admiukg.endpoint.responses import error_response, flask_response
from admiukg.endpoint.sparqlrequest import QueryRequest

bp = Blueprint("sparql", __name__)

SD_OFFERS = GRAPH_OFFERS[:6] + (("text/html", "html"), ("application/xhtml+xml", "html")) \
    + GRAPH_OFFERS[6:]


def state():
    return current_app.extensions["admiukg.endpoint"]


def current_request() -> QueryRequest:
    """This Flask request as the framework-free query operation sees it."""
    body = request.get_data() if request.method == "POST" else b""
    return sparqlrequest.from_environ(request.environ, body)


def _response(reply) -> Response:
    if reply.cacheable is not None:
        request.environ[FastPath.FLAG] = reply.cacheable
    return flask_response(reply)


def respond(query: str, *, default_graph_uris=(), named_graph_uris=(), accept: str | None = None,
            fmt: str | None = None) -> Response:
    """Run a user query with every safety limit and content negotiation (used by the saved
    query API too). Empty graph lists mean "not given": the default dataset applies.
    """
    if fmt:
        results_fmt = negotiation.format_from_param(fmt, RESULT_OFFERS)
        graph_fmt = negotiation.format_from_param(fmt, GRAPH_OFFERS)
    else:
        results_fmt = negotiation.choose(accept, RESULT_OFFERS)
        graph_fmt = negotiation.choose(accept, GRAPH_OFFERS)
    return _response(queryrun.run_query(state(), current_request(), query,
                                        list(default_graph_uris) or None,
                                        list(named_graph_uris) or None, results_fmt, graph_fmt))


def endpoint_url() -> str:
    return request.base_url.rstrip("/") if request.path.endswith("/") else request.base_url


def describe_service(params) -> Response:
    st = state()
    fmt = sparqlrequest.pick_format(params, SD_OFFERS, request.headers.get("Accept"))
    if fmt is None:
        return error_response(406, "no acceptable format for the service description; available: "
                              + ", ".join(m for m, _ in SD_OFFERS[:8]), "not-acceptable")
    endpoint = endpoint_url()
    if fmt == "html":
        return query_page(endpoint)
    key = ("sd", endpoint, fmt)
    body = st.cache.get(key)
    if body is None:
        triples = service_description.description_triples(endpoint, st.dataset.info)
        body, _, _ = results.write_triples(triples, fmt, 10**9)
        st.cache.put(key, body, len(body))
    resp = Response(body, status=200, content_type=content_type(fmt))
    resp.headers["Vary"] = "Accept"
    return resp


#: ``app.extensions`` key of the HTML query page's renderer; the site registers it, since
#: the endpoint itself renders no HTML.
QUERY_PAGE = "admiukg.query_page"


def query_page(endpoint: str, query: str | None = None) -> Response:
    """What a browser gets from ``GET /sparql``: the site's query page, with ``query`` in the
    editor (run on load) when a link to a query was opened."""
    render = current_app.extensions.get(QUERY_PAGE)
    if render is None:
        return error_response(406, "no HTML query page here; ask for a Service Description "
                              "(Accept: text/turtle) or send a query", "not-acceptable")
    resp = current_app.make_response(render(endpoint, query, autorun=query is not None))
    resp.headers["Vary"] = "Accept"
    return resp


# --- the endpoint -----------------------------------------------------------------------------


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/sparql/", methods=["GET", "POST"])
def sparql():
    req = current_request()
    reply = queryrun.answer_request(state(), req)
    if reply is not None:
        return _response(reply)
    query, params = sparqlrequest.read(req)
    if query is not None:  # a link to a query, opened in a browser
        return query_page(req.endpoint, query)
    return describe_service(params)
