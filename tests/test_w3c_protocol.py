"""The W3C SPARQL 1.1 Protocol and Service Description tests, replayed against a live server.

``shared/w3c/protocol/manifest.ttl`` is parsed with rdflib and every ``ht:Request`` is sent as
written (method, path, headers, body in its declared encoding) to ``python server.py
dataset.trig``. The endpoint is read-only: the update tests must be refused with a 4xx, and
the queries that would check their effect must find the graphs unchanged.
"""

from __future__ import annotations

import http.client
import json
import xml.etree.ElementTree as ET

import pytest
import rdflib
from conftest import sparql_shared_dir
from rdflib import RDF, Namespace
from rdflib.collection import Collection

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SRX = "{http://www.w3.org/2005/sparql-results#}"
RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml",
                "text/csv", "text/tab-separated-values"}
RDF_TYPES = {"text/turtle": "turtle", "application/rdf+xml": "xml",
             "application/n-triples": "nt", "application/ld+json": "json-ld",
             "application/n-quads": "nquads", "application/trig": "trig"}


def _manifest(kind: str):
    path = sparql_shared_dir() / "w3c" / kind / "manifest.ttl"
    g = rdflib.Graph()
    g.parse(path, format="turtle", publicID=f"http://www.w3.org/2009/sparql/docs/tests/{kind}/")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    entries = list(Collection(g, g.value(manifest, MF.entries)))
    return g, entries


def _protocol_cases():
    try:
        g, entries = _manifest("protocol")
    except FileNotFoundError as exc:
        return [pytest.param(None, str(exc), id="shared-folder-missing")]
    return [pytest.param(g, t, id=str(t).rsplit("#", 1)[-1]) for t in entries]


def _requests(g, test):
    action = g.value(test, MF.action)
    for req in Collection(g, g.value(action, HT.requests)):
        headers = {}
        hlist = g.value(req, HT.headers)
        if hlist is not None:
            for h in Collection(g, hlist):
                headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
        body = None
        b = g.value(req, HT.body)
        if b is not None:
            encoding = str(g.value(b, CNT.characterEncoding) or "UTF-8")
            body = str(g.value(b, CNT.chars)).encode(encoding)
        resp = g.value(req, HT.resp)
        yield {
            "method": str(g.value(req, HT.methodName)),
            "path": str(g.value(req, HT.absolutePath)),
            "headers": headers,
            "body": body,
            "status": {str(s).rsplit("#", 1)[-1] for s in g.objects(resp, MF.expectedStatus)},
            "format": str(g.value(resp, MF.expectedFormat) or "") or None,
            "boolean": g.value(resp, MF.expectedBoolean),
        }


def _send(server, req):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(req["method"], req["path"], body=req["body"], headers=req["headers"])
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type") or "", r.read()
    finally:
        conn.close()


def _boolean(ctype: str, body: bytes) -> bool:
    if ctype.startswith("application/sparql-results+json"):
        return json.loads(body)["boolean"]
    if ctype.startswith("application/sparql-results+xml"):
        return ET.fromstring(body).find(SRX + "boolean").text == "true"
    raise AssertionError(f"not a boolean result format: {ctype}")


def _is_update(req) -> bool:
    ctype = req["headers"].get("content-type", "")
    return "sparql-update" in ctype or (req["body"] or b"").startswith(b"update=") or \
        "update=" in req["path"]


@pytest.mark.parametrize(("g", "test"), _protocol_cases())
def test_w3c_protocol(sparql_w3c_server, g, test):
    if g is None:
        pytest.fail(test)  # the shared folder is missing: say so, do not skip
    requests_ = list(_requests(g, test))
    refused_update = False
    for req in requests_:
        status, ctype, body = _send(sparql_w3c_server, req)
        assert status < 500, (status, body)
        if _is_update(req):
            # read-only endpoint: every update is refused with a client error
            assert 400 <= status < 500, (req["path"], status, body)
            refused_update = True
            continue
        klass = f"StatusCode{status // 100}xx"
        assert klass in req["status"], (req["method"], req["path"], status, body[:300])
        mtype = ctype.split(";")[0].strip()
        if status < 300:
            assert "charset=utf-8" in ctype.lower()
        if req["format"] == "boolean":
            value = _boolean(mtype, body)
            expected = req["boolean"].toPython() if req["boolean"] is not None else value
            if refused_update:
                # the refused update changed nothing: the graph it would have filled is absent
                assert value is False
            else:
                assert value is expected
        elif req["format"] == "tabular":
            assert mtype in RESULT_TYPES
            assert "value" in json.loads(body)["head"]["vars"]
        elif req["format"] == "RDF":
            assert mtype in RDF_TYPES
            rdflib.Graph().parse(data=body, format=RDF_TYPES[mtype])


# --- service description -------------------------------------------------------------------


def _sd_graph(server, accept: str, path: str = "/sparql"):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", path, headers={"Accept": accept})
    r = conn.getresponse()
    body = r.read()
    assert r.status == 200, body
    mtype = r.getheader("Content-Type").split(";")[0]
    assert mtype in RDF_TYPES
    g = rdflib.Graph()
    g.parse(data=body, format=RDF_TYPES[mtype])
    return g


def test_sd_manifest_lists_the_three_tests():
    _, entries = _manifest("service-description")
    assert {str(e).rsplit("#", 1)[-1] for e in entries} == {
        "has-endpoint-triple", "returns-rdf", "conforms-to-schema"}


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json",
                                    "application/n-triples", "*/*", None])
def test_sd_returns_rdf(sparql_w3c_server, accept):
    g = _sd_graph(sparql_w3c_server, accept or "")
    assert (None, RDF.type, SD.Service) in g


@pytest.mark.parametrize("path", ["/sparql", "/sparql/"])
def test_sd_has_endpoint_triple(sparql_w3c_server, path):
    g = _sd_graph(sparql_w3c_server, "text/turtle", path)
    endpoint = rdflib.URIRef(f"http://127.0.0.1:{sparql_w3c_server.port}/sparql")
    services = list(g.subjects(SD.endpoint, endpoint))
    assert len(services) == 1
    assert (services[0], RDF.type, SD.Service) in g


def test_sd_endpoint_follows_the_host_header(sparql_w3c_server):
    conn = http.client.HTTPConnection("127.0.0.1", sparql_w3c_server.port, timeout=30)
    conn.request("GET", "/sparql", headers={"Accept": "text/turtle", "Host": "kg.example:8080"})
    g = rdflib.Graph().parse(data=conn.getresponse().read(), format="turtle")
    assert list(g.subjects(SD.endpoint, rdflib.URIRef("http://kg.example:8080/sparql")))


def test_sd_conforms_to_schema(sparql_w3c_server):
    """Every sd: term used is declared in the vocabulary, with the right kinds of values."""
    g = _sd_graph(sparql_w3c_server, "text/turtle")
    service = next(g.subjects(RDF.type, SD.Service))
    assert isinstance(g.value(service, SD.endpoint), rdflib.URIRef)
    langs = set(g.objects(service, SD.supportedLanguage))
    assert langs == {SD.SPARQL11Query}  # read-only: no SPARQL11Update
    formats = set(g.objects(service, SD.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert all(str(f).startswith("http://www.w3.org/ns/formats/") for f in formats)
    for feature in g.objects(service, SD.feature):
        assert feature in {SD.UnionDefaultGraph, SD.RequiresDataset, SD.EmptyGraphs,
                           SD.DereferencesURIs, SD.BasicFederatedQuery}
    dataset = g.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g
    default = g.value(dataset, SD.defaultGraph)
    assert (default, RDF.type, SD.Graph) in g
    void = Namespace("http://rdfs.org/ns/void#")
    assert g.value(default, void.triples).toPython() == 3
    names = set()
    for ng in g.objects(dataset, SD.namedGraph):
        assert (ng, RDF.type, SD.NamedGraph) in g
        name = g.value(ng, SD.name)
        assert isinstance(name, rdflib.URIRef)
        names.add(str(name))
        assert (g.value(ng, SD.graph), RDF.type, SD.Graph) in g
    assert names == {f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3)}
    used = {p for p in g.predicates() if str(p).startswith(str(SD))} | {
        o for o in g.objects(None, RDF.type) if str(o).startswith(str(SD))}
    declared = {SD[t] for t in ("Service", "Dataset", "Graph", "NamedGraph", "endpoint",
                                "supportedLanguage", "resultFormat", "feature", "defaultDataset",
                                "defaultGraph", "namedGraph", "name", "graph")}
    assert used <= declared
