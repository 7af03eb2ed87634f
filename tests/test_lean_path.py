"""The lean paths answer queries exactly as the Flask blueprint does.

Three ways into the query operation: the Flask blueprint, the lean WSGI middleware in front of it
(:class:`admiukg.endpoint.lean.LeanPath`) and the in-loop path of the HTTP front
(:class:`admiukg.front.BufferedWSGI`, no thread, no Flask). Each request below goes through all
three; status, headers and body must be the same, and each lean path must have answered without
Flask (a counter around the Flask app proves it did).
"""

from __future__ import annotations

import asyncio
from unittest.mock import patch
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app

from admiukg import guard, parseguard
from admiukg.app import create_app
from admiukg.endpoint import asyncpool
from admiukg.endpoint.pool import QueryTimeout, WorkerCrashed
from admiukg.front import BufferedWSGI

SPARQL = "application/sparql-query"
FORM = "application/x-www-form-urlencoded"
JSON = "application/sparql-results+json"

#: (method, query string, content type, body, accept[, host]): what clients send, good and bad
REQUESTS = [
    ("GET", {"query": "SELECT * { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3"}, None, b"", JSON),
    ("GET", {"query": "SELECT * { ?s ?p ?o } ORDER BY ?s ?p ?o"}, None, b"", "text/csv"),
    ("GET", {"query": "ASK { ?s ?p ?o }", "format": "xml"}, None, b"", None),
    ("GET", {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 4"}, None, b"", "text/turtle"),
    ("GET", {"query": "DESCRIBE <http://example.org/nothing>"}, None, b"", "application/n-triples"),
    ("POST", {}, SPARQL, b"SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", JSON),
    ("POST", {}, FORM, urlencode({"query": "SELECT ?s { ?s ?p ?o } LIMIT 2"}).encode(), "text/tab-separated-values"),
    ("POST", {}, SPARQL + "; charset=latin-1", b"ASK {}", JSON),
    ("POST", {}, "text/plain", b"ASK {}", JSON),
    ("POST", {}, "application/sparql-update", b"INSERT DATA {}", JSON),
    ("POST", {}, FORM, b"", JSON),
    ("POST", {}, SPARQL, b"\xff\xfe", JSON),
    ("POST", {"query": "ASK {}"}, SPARQL, b"ASK {}", JSON),
    ("GET", {"query": "   "}, None, b"", "text/plain"),
    ("GET", {"query": "SELECT * {"}, None, b"", JSON),
    ("GET", {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, None, b"", JSON),
    ("GET", {"query": "SELECT * { ?s ?p ?o }"}, None, b"", "image/png"),
    ("GET", {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, None, b"", "text/csv"),
    ("GET", {"update": "CLEAR ALL"}, None, b"", JSON),
    ("GET", {"query": "SELECT * { ?s ?p ?o } LIMIT 1", "default-graph-uri": "http://example.org/orgs"}, None, b"", JSON),
    ("GET", {"query": "ASK {}"}, None, b"", JSON, "xn--"),  # no host IDNA can decode
    ("POST", {}, SPARQL, b"ASK {}", JSON, "xn--zz:8080"),
]


@pytest.fixture(scope="module")
def app(sparql_sample_file, tmp_path_factory):
    app = create_app({"KG_FILES": [str(sparql_sample_file)], "QUERY_WORKERS": 1, "MAX_ROWS": 10,
                      "KG_CACHE_DIR": str(tmp_path_factory.mktemp("lean-store")),
                      "RESULT_CACHE_BYTES": 0})
    yield app
    app.extensions["admiukg.endpoint"].pool.close()


class Counting:
    def __init__(self, app):
        self.app, self.calls = app, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


def environ_of(method, params, ctype, body, accept, host="127.0.0.1:5000"):
    headers = {"Accept": accept} if accept else {}
    headers["Host"] = host
    return EnvironBuilder(path="/sparql", method=method, query_string=urlencode(params),
                          content_type=ctype, data=body, headers=headers,
                          base_url="http://127.0.0.1:5000/").get_environ()


def via_wsgi(wsgi, request) -> tuple[int, dict, bytes]:
    body, status, headers = run_wsgi_app(wsgi, environ_of(*request))
    return int(status.split()[0]), dict(headers), b"".join(body)


def via_asgi(app, request) -> tuple[int, dict, bytes]:
    method, params, ctype, body, accept, *host = request
    headers = [(b"host", (host or ["127.0.0.1:5000"])[0].encode())]
    headers += [(b"accept", accept.encode())] if accept else []
    headers += [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode())] \
        if method == "POST" else []
    scope = {"type": "http", "method": method, "path": "/sparql", "raw_path": b"/sparql",
             "root_path": "", "scheme": "http", "query_string": urlencode(params).encode(),
             "headers": headers, "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 5000),
             "http_version": "1.1", "asgi": {"version": "3.0"}}
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(BufferedWSGI(app, threads=2)(scope, receive, send))
    start = sent[0]
    return (start["status"], {k.decode().title(): v.decode() for k, v in start["headers"]},
            b"".join(m.get("body", b"") for m in sent[1:]))


def normalised(answer):
    status, headers, body = answer
    return status, {k.title(): v for k, v in headers.items()}, body


@pytest.mark.parametrize("request_", REQUESTS, ids=[f"{r[0]}-{i}" for i, r in enumerate(REQUESTS)])
def test_lean_paths_answer_as_flask_does(app, request_):
    lean = app.wsgi_app.wsgi_app  # FastPath -> LeanPath -> Flask
    flask_only = Counting(lean.wsgi_app)
    lean.wsgi_app = flask_only
    try:
        by_flask = normalised(via_wsgi(flask_only.app, request_))
        flask_only.calls = 0
        by_lean = normalised(via_wsgi(app.wsgi_app, request_))
        assert flask_only.calls == 0, "the lean WSGI path handed the request to Flask"
        wsgi = app.wsgi_app = Counting(app.wsgi_app)
        by_loop = normalised(via_asgi(app, request_))
        assert wsgi.calls == 0, "the in-loop path handed the request to a WSGI thread"
    finally:
        lean.wsgi_app = flask_only.app
        app.wsgi_app = getattr(app.wsgi_app, "app", app.wsgi_app)
    assert "Content-Type" in by_flask[1]
    assert by_flask[0] < 500, by_flask
    assert by_lean == by_flask
    assert by_loop == by_flask


def test_requests_the_lean_paths_leave_to_flask(app):
    """Service Description, query page, HEAD, over-long Accept and bodies over the limit."""
    lean = app.wsgi_app.wsgi_app
    flask_only = Counting(lean.wsgi_app)
    lean.wsgi_app = flask_only
    try:
        cases = [("GET", {}, None, b"", "text/turtle"),
                 ("GET", {"query": "ASK {}"}, None, b"", "text/html"),
                 ("GET", {"query": "ASK {}"}, None, b"", "x/y;q=0.1," * 500)]
        for case in cases:
            flask_only.calls = 0
            assert via_wsgi(app.wsgi_app, case)[0] in (200, 400)
            assert flask_only.calls == 1, case
            flask_only.calls = 0
            assert via_asgi(app, case)[0] in (200, 400)
            assert flask_only.calls == 1, case
    finally:
        lean.wsgi_app = flask_only.app


ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def job(query):
    return {"query": query, "default_graphs": None, "named_graphs": None, "has_dataset": False,
            "results_format": "json", "graph_format": None, "max_rows": 10}


def test_loop_runner_keeps_the_deadline_and_replaces_the_worker(app):
    pool = app.extensions["admiukg.endpoint"].pool
    replaced = pool.replaced
    with pytest.raises(QueryTimeout):
        asyncio.run(asyncpool.run(pool, job(ENDLESS), timeout=0.5))
    assert pool.replaced == replaced + 1
    reply, ran = asyncio.run(asyncpool.run(pool, job("ASK {}")))
    assert reply[0] == "ok" and b"true" in reply.body and 0 < ran < 5


def test_loop_runner_reports_a_crash_and_recovers(app):
    pool = app.extensions["admiukg.endpoint"].pool

    async def crash_mid_query():
        task = asyncio.ensure_future(asyncpool.run(pool, job(ENDLESS)))
        await asyncio.sleep(0.3)
        for worker in list(pool._busy):
            worker.process.kill()
        return await task

    with pytest.raises(WorkerCrashed):
        asyncio.run(crash_mid_query())
    assert asyncio.run(asyncpool.run(pool, job("ASK {}")))[0][0] == "ok"


def test_loop_runner_replaces_a_worker_whose_caller_is_cancelled(app):
    pool = app.extensions["admiukg.endpoint"].pool
    recycled = pool.recycled

    async def cancel_mid_query():
        task = asyncio.ensure_future(asyncpool.run(pool, job(ENDLESS)))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_mid_query())
    assert pool.recycled == recycled + 1  # its late answer cannot reach the next query
    assert asyncio.run(asyncpool.run(pool, job("ASK {}")))[0][0] == "ok"


TOKENS = ["SELECT", "*", "{", "}", "?s", "?p", "?o", ".", "SERVICE", "sErViCe", "<http://x/>",
          '"a"', "\\u0053", "\\U00000053", "ervice", "FILTER", "(", ")", "UNION", "#", "\n",
          "LOAD", "INSERT", "GRAPH", "x:y", ";", ","]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=30), st.booleans())
def test_a_quick_query_is_never_parsed(tokens, spaced):
    """What the event loop runs itself must not reach rdflib's parser (milliseconds or more)."""
    query = (" " if spaced else "").join(tokens)
    limits = guard.Limits()
    quick = guard.is_quick(query, limits)
    with patch.object(parseguard, "_parse", side_effect=AssertionError("parsed")) as parse:
        try:
            guard.check(query, limits)
        except (guard.GuardError, AssertionError):
            pass
    if quick:
        assert not parse.called, query
    assert not guard.is_quick(query, guard.Limits(strict=True))


def test_the_loop_does_not_overtake_queries_waiting_for_a_worker(app):
    """A worker checked in while a query waits in a thread goes to that query (the queue's
    waiter), not to a newer one arriving on the loop."""
    pool = app.extensions["admiukg.endpoint"].pool
    assert asyncio.run(asyncpool.run(pool, job("ASK {}")))[0][0] == "ok"  # a worker is idle now
    with pool._lock:
        pool._waiting += 1  # as run() counts a query waiting in _acquire
    try:
        assert pool.checkout_nowait() is None
    finally:
        with pool._lock:
            pool._waiting -= 1
    worker = pool.checkout_nowait()
    assert worker is not None
    pool.checkin(worker)


def test_a_timed_out_query_is_charged_its_time_while_others_answer(app, monkeypatch):
    """Every coroutine of the loop shares one thread: a query's run time must be its own."""
    from admiukg.endpoint import queryrun
    from admiukg.endpoint.sparqlrequest import QueryRequest

    st = app.extensions["admiukg.endpoint"]
    monkeypatch.setattr(st.settings, "fair_use_loopback", True)
    monkeypatch.setattr(st.pool, "timeout", 1.0)

    def request(query, client):
        return QueryRequest("GET", urlencode({"query": query}).encode(), "", {}, b"", JSON,
                            client, "http://127.0.0.1:5000/sparql")

    async def both():
        slow = asyncio.ensure_future(queryrun.answer_request_async(
            st, request(ENDLESS, "127.0.3.1")))
        for i in range(20):  # cheap answers while the slow one runs
            await queryrun.answer_request_async(st, request(f"ASK {{}} # {i}", "127.0.3.2"))
        return await slow

    reply = asyncio.run(both())
    assert reply.status == 503
    spent = st.fairness._clients["127.0.3.1"].spent
    assert spent >= 0.9, f"the timed-out query was charged {spent:.3f} s"


_URL_PART = st.text(st.sampled_from("aZ09.-_~!$&'()*+,/:;=@%é ?#[]"), max_size=12)


@settings(max_examples=400, deadline=None)
@given(scheme=st.sampled_from(["http", "https"]),
       host=st.one_of(st.none(), _URL_PART, st.sampled_from(
           ["127.0.0.1", "127.0.0.1:80", "kg.example:443", "kg.example:8080", "[::1]:5000", "A.B:0080", "x:80:80", "a:99999",
            "xn--bcher-kva.example", "a.xn--ls8h:8080", "xn--", "xn--zz"])),
       root=_URL_PART, path=_URL_PART)
def test_the_request_url_is_werkzeugs(scheme, host, root, path):
    """The base IRI of a query: the direct join of plain parts must be what werkzeug builds."""
    from werkzeug.wsgi import get_current_url

    from admiukg.endpoint.sparqlrequest import ProtocolError, request_url

    environ = {"wsgi.url_scheme": scheme, "SCRIPT_NAME": root, "PATH_INFO": path,
               "SERVER_NAME": "server.example", "SERVER_PORT": "8000"}
    if host is not None:
        environ["HTTP_HOST"] = host

    def outcome(build):
        try:
            return build()
        except (ValueError, ProtocolError):  # werkzeug refuses some hosts: then so must we
            return "refused"

    assert outcome(lambda: request_url(environ)) == \
        outcome(lambda: get_current_url(environ, strip_querystring=True))
