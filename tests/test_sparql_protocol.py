"""The endpoint over HTTP with real clients: requests, SPARQLWrapper, rdflib's SPARQLStore.

Server: ``python server.py sample.trig`` under gunicorn (fixture ``sparql_server``), with
``--max-rows 100 --max-body 64 --timeout 3`` so the limits are reachable.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
import rdflib
import requests
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

EX = "http://example.org/"
PREFIX = f"PREFIX ex: <{EX}> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
SELECT_ORGS = PREFIX + "SELECT ?o ?name WHERE { ?o a foaf:Organization ; foaf:name ?name } ORDER BY ?o"
CONSTRUCT_ORGS = PREFIX + "CONSTRUCT { ?o foaf:name ?n } WHERE { ?o a foaf:Organization ; foaf:name ?n }"
SRX = "{http://www.w3.org/2005/sparql-results#}"


def get(server, query=None, accept=None, **params):
    if query is not None:
        params["query"] = query
    headers = {"Accept": accept} if accept else {}
    return requests.get(server.endpoint, params=params, headers=headers, timeout=30)


def post_form(server, query, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return requests.post(server.endpoint, data={"query": query, **params}, headers=headers,
                         timeout=30)


def post_direct(server, query, accept=None, params=None, ctype="application/sparql-query"):
    headers = {"Content-Type": ctype}
    if accept:
        headers["Accept"] = accept
    body = query.encode("utf-8") if isinstance(query, str) else query
    return requests.post(server.endpoint, data=body, params=params, headers=headers, timeout=30)


def error_of(resp):
    assert resp.headers["Content-Type"].startswith("application/json")
    body = resp.json()
    assert body["status"] == resp.status_code
    assert "Traceback" not in resp.text
    return body


# --- query forms, methods, formats -----------------------------------------------------------


@pytest.mark.parametrize("send", [get, post_form, post_direct])
def test_select_by_every_method(sparql_server, send):
    r = send(sparql_server, SELECT_ORGS)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    assert r.headers["Vary"] == "Accept"
    rows = r.json()["results"]["bindings"]
    assert [b["name"]["value"] for b in rows] == [f"Org {i}" for i in range(5)]


@pytest.mark.parametrize(
    ("accept", "ctype"),
    [("application/sparql-results+json", "application/sparql-results+json"),
     ("application/sparql-results+xml", "application/sparql-results+xml"),
     ("text/csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values")],
)
def test_select_formats_parse_back(sparql_server, accept, ctype):
    r = get(sparql_server, SELECT_ORGS, accept)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"{ctype}; charset=utf-8"
    if "json" in ctype:
        names = [b["name"]["value"] for b in r.json()["results"]["bindings"]]
    elif "xml" in ctype:
        root = ET.fromstring(r.content)
        names = [b.find(SRX + "literal").text for b in root.iter(SRX + "binding")
                 if b.get("name") == "name"]
    elif ctype == "text/csv":
        rows = list(csv.reader(io.StringIO(r.content.decode())))
        assert rows[0] == ["o", "name"]
        names = [row[1] for row in rows[1:]]
    else:
        lines = r.content.decode().splitlines()
        assert lines[0] == "?o\t?name"
        names = [line.split("\t")[1].strip('"') for line in lines[1:]]
    assert names == [f"Org {i}" for i in range(5)]


def test_literals_and_unicode_in_every_results_format(sparql_server):
    q = PREFIX + "SELECT ?t ?n WHERE { ex:dataset ex:title ?t ; ex:note ?n }"
    j = get(sparql_server, q, "application/sparql-results+json").json()["results"]["bindings"][0]
    assert j["t"] == {"type": "literal", "value": "Azərbaycan Dövlət Mədəniyyət və İncəsənət "
                      "Universiteti", "xml:lang": "az"}
    assert j["n"]["value"] == 'tab\there, quote " and, comma'
    rows = list(csv.reader(io.StringIO(get(sparql_server, q, "text/csv").content.decode())))
    assert rows[1][1] == 'tab\there, quote " and, comma'
    tsv = get(sparql_server, q, "text/tab-separated-values").content.decode().splitlines()[1]
    assert tsv.split("\t")[0] == '"Azərbaycan Dövlət Mədəniyyət və İncəsənət Universiteti"@az'
    assert len(tsv.split("\t")) == 2  # the tab inside the literal is escaped
    xml = ET.fromstring(get(sparql_server, q, "application/sparql-results+xml").content)
    lit = next(xml.iter(SRX + "literal"))
    assert lit.get("{http://www.w3.org/XML/1998/namespace}lang") == "az"


def test_typed_literals_and_unbound(sparql_server):
    q = PREFIX + ("SELECT ?age ?missing WHERE { ex:p1 ex:age ?age OPTIONAL { ex:p1 ex:nope ?missing } }")
    b = get(sparql_server, q).json()["results"]["bindings"][0]
    assert b == {"age": {"type": "literal", "value": "21",
                         "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}


@pytest.mark.parametrize(
    ("accept", "ctype", "value"),
    [("application/sparql-results+json", "application/sparql-results+json", None),
     ("application/sparql-results+xml", "application/sparql-results+xml", None),
     ("text/csv", "text/csv", None)],
)
def test_ask(sparql_server, accept, ctype, value):
    r = get(sparql_server, PREFIX + "ASK { ex:p1 a foaf:Person }", accept)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith(ctype)
    if "json" in ctype:
        assert r.json() == {"head": {}, "boolean": True}
    elif "xml" in ctype:
        assert ET.fromstring(r.content).find(SRX + "boolean").text == "true"
    else:
        assert r.content.decode().split() == ["_askResult", "true"]
    assert get(sparql_server, PREFIX + "ASK { ex:p1 a foaf:Organization }").json()["boolean"] is False


@pytest.mark.parametrize(
    ("accept", "ctype", "rdflib_format"),
    [("text/turtle", "text/turtle", "turtle"),
     ("application/n-triples", "application/n-triples", "nt"),
     ("application/n-quads", "application/n-quads", "nquads"),
     ("application/trig", "application/trig", "trig"),
     ("application/ld+json", "application/ld+json", "json-ld"),
     ("application/rdf+xml", "application/rdf+xml", "xml"),
     (None, "text/turtle", "turtle")],
)
@pytest.mark.parametrize("form", ["construct", "describe"])
def test_graph_formats_parse_back(sparql_server, accept, ctype, rdflib_format, form):
    query = CONSTRUCT_ORGS if form == "construct" else PREFIX + "DESCRIBE ex:org1"
    r = get(sparql_server, query, accept)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"{ctype}; charset=utf-8"
    if rdflib_format in ("nquads", "trig"):
        g = rdflib.Dataset()
        g.parse(data=r.content, format=rdflib_format)
        triples = {(s, p, o) for s, p, o, _ in g.quads()}
    else:
        triples = set(rdflib.Graph().parse(data=r.content, format=rdflib_format))
    name = (rdflib.URIRef(EX + "org1"), rdflib.FOAF.name, rdflib.Literal("Org 1"))
    assert name in triples
    assert len(triples) == (5 if form == "construct" else 4)


def test_format_parameter_overrides_accept(sparql_server):
    r = get(sparql_server, SELECT_ORGS, "application/sparql-results+json", format="csv")
    assert r.headers["Content-Type"].startswith("text/csv")
    r = get(sparql_server, CONSTRUCT_ORGS, "text/turtle", format="application/n-triples")
    assert r.headers["Content-Type"].startswith("application/n-triples")
    r = get(sparql_server, SELECT_ORGS, format="image/png")
    assert r.status_code == 406
    assert "available" in error_of(r)["message"]


@pytest.mark.parametrize(
    ("query", "accept"),
    [(SELECT_ORGS, "text/turtle"), (SELECT_ORGS, "image/png"), (CONSTRUCT_ORGS, "text/csv"),
     (CONSTRUCT_ORGS, "application/sparql-results+json"),
     (SELECT_ORGS, "application/sparql-results+json;q=0, text/csv;q=0")],
)
def test_406_when_nothing_fits(sparql_server, query, accept):
    r = get(sparql_server, query, accept)
    assert r.status_code == 406
    assert error_of(r)["error"] == "not-acceptable"


def test_accept_q_values_over_http(sparql_server):
    r = get(sparql_server, SELECT_ORGS, "text/csv;q=0.5, application/sparql-results+xml;q=0.8, */*;q=0.1")
    assert r.headers["Content-Type"].startswith("application/sparql-results+xml")


# --- dataset selection -------------------------------------------------------------------


def test_default_graph_is_the_union_and_graphs_can_be_chosen(sparql_server):
    count = PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }"

    def n(resp):
        return int(resp.json()["results"]["bindings"][0]["n"]["value"])

    assert n(get(sparql_server, count)) == 255
    assert n(get(sparql_server, count, **{"default-graph-uri": EX + "orgs"})) == 5
    assert n(post_direct(sparql_server, count,
                         params=[("default-graph-uri", EX + "orgs"),
                                 ("default-graph-uri", EX + "people")])) == 255
    assert n(get(sparql_server, count.replace("WHERE", f"FROM <{EX}people> WHERE"))) == 250
    # a graph that is not in the store is an empty graph, never fetched
    assert n(get(sparql_server, count, **{"default-graph-uri": "http://nowhere.example/g"})) == 0
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    graphs = [b["g"]["value"] for b in get(sparql_server, q).json()["results"]["bindings"]]
    assert graphs == [EX + "orgs", EX + "people"]
    only = get(sparql_server, q, **{"named-graph-uri": EX + "orgs"}).json()["results"]["bindings"]
    assert [b["g"]["value"] for b in only] == [EX + "orgs"]


# --- limits ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_rows_capped_and_flagged(sparql_server, fmt):
    r = get(sparql_server, "SELECT * WHERE { ?s ?p ?o }", format=fmt)
    assert r.status_code == 200
    assert r.headers["X-SPARQL-Truncated"] == "true"
    assert r.headers["X-SPARQL-Max-Rows"] == "100"
    assert r.headers["X-SPARQL-Rows"] == "100"
    if fmt == "json":
        assert len(r.json()["results"]["bindings"]) == 100
    elif fmt == "csv":
        assert len(r.content.decode().strip().split("\r\n")) == 101


def test_graph_results_capped_too(sparql_server):
    r = get(sparql_server, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert r.headers["X-SPARQL-Truncated"] == "true"
    assert len(r.content.decode().strip().splitlines()) == 100


def test_small_results_not_flagged(sparql_server):
    r = get(sparql_server, SELECT_ORGS)
    assert "X-SPARQL-Truncated" not in r.headers
    assert r.headers["X-SPARQL-Rows"] == "5"


def test_body_too_large_413(sparql_server):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70_000
    r = post_direct(sparql_server, big)
    assert r.status_code == 413
    assert "too large" in error_of(r)["message"]
    r = post_form(sparql_server, big)
    assert r.status_code == 413


def test_deep_nesting_400(sparql_server):
    r = post_direct(sparql_server, "SELECT * WHERE " + "{" * 3000 + "}" * 3000)
    assert r.status_code == 400
    assert "nested too deeply" in error_of(r)["message"]


# --- errors ----------------------------------------------------------------------------------


def test_syntax_error_names_problem_and_position(sparql_server):
    r = get(sparql_server, "SELECT * WHERE {\n  ?s ?p ?o \n  FILTER( }")
    assert r.status_code == 400
    body = error_of(r)
    assert body["error"] == "syntax"
    assert "line 3" in body["message"] and "column" in body["message"]


def test_errors_in_plain_text_when_asked(sparql_server):
    r = get(sparql_server, "SELECT * WHERE {", "application/sparql-results+json;q=0.9, text/plain")
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert r.text.startswith("400 syntax: SPARQL syntax error at line 1")


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "kind"),
    [
        ("POST", {"data": "query=ASK{}"}, 415, "unsupported-media-type"),  # no Content-Type
        ("POST", {"data": "ASK {}", "headers": {"Content-Type": "text/plain"}}, 415,
         "unsupported-media-type"),
        ("POST", {"data": "ASK {}".encode("utf-16"),
                  "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415,
         "unsupported-media-type"),
        ("POST", {"data": b"ASK { ?s ?p '\xff\xfe' }",
                  "headers": {"Content-Type": "application/sparql-query"}}, 400, "bad-encoding"),
        ("POST", {"data": b"query=ASK%7B%7D%FF",
                  "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400,
         "bad-encoding"),
        ("GET", {"params": b"query=ASK%7B%7D%C3%28"}, 400, "bad-encoding"),
        ("GET", {"params": "query=ASK{}&query=ASK{}"}, 400, "bad-request"),
        ("POST", {"data": {"format": "json"}}, 400, "bad-request"),  # POST without query
        ("GET", {"params": {"query": "   "}}, 400, "bad-request"),
        ("PUT", {"data": "ASK {}"}, 405, "method-not-allowed"),
        ("DELETE", {}, 405, "method-not-allowed"),
        ("PATCH", {}, 405, "method-not-allowed"),
    ],
)
def test_protocol_errors(sparql_server, method, kwargs, status, kind):
    r = requests.request(method, sparql_server.endpoint, timeout=30, **kwargs)
    assert r.status_code == status, r.text
    body = error_of(r)
    assert body["error"] == kind
    if status == 405:
        assert "GET" in r.headers["Allow"]


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "GET", "params": {"update": "CLEAR ALL"}},
        {"method": "POST", "data": {"update": "INSERT DATA { <a:a> <a:b> <a:c> }"}},
        {"method": "POST", "data": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
        {"method": "POST", "data": "INSERT DATA { <a:a> <a:b> <a:c> }",
         "headers": {"Content-Type": "application/sparql-query"}},
        {"method": "GET", "params": {"query": "DELETE WHERE { ?s ?p ?o }"}},
    ],
)
def test_updates_refused(sparql_server, request_kwargs):
    kwargs = dict(request_kwargs)
    r = requests.request(kwargs.pop("method"), sparql_server.endpoint, timeout=30, **kwargs)
    assert r.status_code == 403
    assert "read-only" in error_of(r)["message"]
    assert get(sparql_server, "ASK { <a:a> <a:b> <a:c> }").json()["boolean"] is False
    assert get(sparql_server, "ASK { ?s ?p ?o }").json()["boolean"] is True


def test_unknown_path_404_json(sparql_server):
    r = requests.get(sparql_server.url + "/nope-nothing-here", timeout=30)
    assert r.status_code == 404
    assert "Traceback" not in r.text


# --- CORS, OPTIONS, HEAD ---------------------------------------------------------------------


def test_cors_on_reads_without_credentials(sparql_server):
    r = get(sparql_server, SELECT_ORGS)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers
    assert "X-SPARQL-Truncated" in r.headers["Access-Control-Expose-Headers"]


def test_options_preflight(sparql_server):
    r = requests.options(sparql_server.endpoint, timeout=30, headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "content-type" in r.headers["Access-Control-Allow-Headers"].lower()


def test_head(sparql_server):
    r = requests.head(sparql_server.endpoint, params={"query": SELECT_ORGS}, timeout=30)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert r.content == b""
    r = requests.head(sparql_server.endpoint, headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")


# --- service description and page ------------------------------------------------------------


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json",
                                    "application/n-triples", "application/trig"])
def test_service_description_formats(sparql_server, accept):
    r = get(sparql_server, accept=accept)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"{accept}; charset=utf-8"
    assert r.headers["Vary"] == "Accept"
    fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
           "application/n-triples": "nt", "application/trig": "trig"}[accept]
    g = rdflib.Dataset() if fmt == "trig" else rdflib.Graph()
    g.parse(data=r.content, format=fmt)
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef(sparql_server.endpoint)) in g
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert sorted(int(o) for o in g.objects(None, void.triples)) == [20, 1000, 1022]  # named graphs, union
    see_also = set(g.objects(None, rdflib.RDFS.seeAlso))
    assert rdflib.URIRef(sparql_server.url + "/.well-known/void") in see_also  # where the VoID is served


def test_service_description_links_a_void_that_resolves(sparql_server):
    g = rdflib.Graph().parse(data=get(sparql_server, accept="text/turtle").content, format="turtle")
    (void_url,) = set(g.objects(None, rdflib.RDFS.seeAlso))
    r = requests.get(void_url, headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200
    void = rdflib.Graph().parse(data=r.content, format="turtle")
    assert (None, rdflib.URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), None) in void


def test_browser_gets_html_page(sparql_server):
    r = get(sparql_server, accept="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<textarea" in r.text  # a query editor (the web template or the built-in form)
    assert "/sparql" in r.text


def test_health(sparql_server):
    h = requests.get(sparql_server.url + "/health", timeout=30).json()
    assert h["status"] == "ok"
    assert h["triples"] == 1022
    assert h["graphs"][EX + "people"] == 1000
    assert h["workers"]["alive"] == 2
    assert h["limits"]["max_rows"] == 100


def test_request_log_line(sparql_server):
    q = "SELECT ?marker WHERE { BIND('log-line-check' AS ?marker) }"
    get(sparql_server, q)
    import hashlib

    qhash = hashlib.sha256(q.encode()).hexdigest()[:12]
    lines = [line for line in sparql_server.log_text().splitlines() if f"hash={qhash}" in line]
    assert lines, "no log line for the query"
    assert "status=200" in lines[-1] and "rows=1" in lines[-1] and "ms=" in lines[-1]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ admiukg\.endpoint\.protocol INFO "
                    f"query hash={qhash} form=SELECT fmt=json ", lines[-1]), lines[-1]


def test_repeated_query_served_from_cache_identically(sparql_server):
    q = PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?p ex:memberOf ex:org2 }"
    first = get(sparql_server, q)
    second = get(sparql_server, q)
    assert first.content == second.content
    for header in ("Content-Type", "Vary", "Access-Control-Allow-Origin", "X-SPARQL-Rows"):
        assert first.headers[header] == second.headers[header]
    import hashlib

    qhash = hashlib.sha256(q.encode()).hexdigest()[:12]
    lines = [x for x in sparql_server.log_text().splitlines() if f"hash={qhash}" in x]
    assert "cache=miss" in lines[0] and "cache=hit" in lines[-1]
    assert second.json()["results"]["bindings"][0]["n"]["value"] == "50"
    other_format = get(sparql_server, q, "text/csv")
    assert other_format.content.decode().split() == ["n", "50"]


# --- real clients ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(sparql_server, fmt):
    sw = SPARQLWrapper(sparql_server.endpoint)
    sw.setQuery(SELECT_ORGS)
    sw.setReturnFormat(fmt)
    result = sw.query()
    converted = result.convert()
    if fmt == JSON:
        assert len(converted["results"]["bindings"]) == 5
    elif fmt == XML:
        assert len(converted.getElementsByTagName("result")) == 5
    else:
        text = converted.decode() if isinstance(converted, bytes) else converted
        assert "Org 4" in text


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_ask_and_methods(sparql_server, method):
    sw = SPARQLWrapper(sparql_server.endpoint)
    sw.setMethod(method)
    sw.setQuery(PREFIX + "ASK { ex:p3 foaf:name 'Person 3' }")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_sparqlwrapper_construct(sparql_server, fmt):
    sw = SPARQLWrapper(sparql_server.endpoint)
    sw.setQuery(CONSTRUCT_ORGS)
    sw.setReturnFormat(fmt)
    g = sw.query().convert()
    if not isinstance(g, rdflib.Graph):
        g = rdflib.Graph().parse(data=g, format={TURTLE: "turtle", N3: "turtle",
                                                 JSONLD: "json-ld"}.get(fmt, "xml"))
    assert len(g) == 5


def test_sparqlwrapper_reports_bad_query(sparql_server):
    sw = SPARQLWrapper(sparql_server.endpoint)
    sw.setQuery("SELECT * WHERE {")
    sw.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed) as err:
        sw.query()
    assert "syntax" in str(err.value)


def test_rdflib_sparqlstore(sparql_server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(sparql_server.endpoint)
    g = rdflib.Graph(store=store)
    rows = list(g.query(SELECT_ORGS))
    assert [str(r.name) for r in rows] == [f"Org {i}" for i in range(5)]
    assert g.query(PREFIX + "ASK { ex:org1 a foaf:Organization }").askAnswer is True
    constructed = g.query(CONSTRUCT_ORGS).graph
    assert len(constructed) == 5
    assert (rdflib.URIRef(EX + "org1"), rdflib.FOAF.name, rdflib.Literal("Org 1")) in g
