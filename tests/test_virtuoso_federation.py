"""Federation off in Virtuoso for ``--store`` mode, and the front's own refusal in front of it.

Two layers: the store's grants (``docs/virtuoso/no-federation.sql``) and the guard, which in
``--store`` mode decides on a parser's view of the query. Each is tested against a Virtuoso in
which the other is missing, with a 127.0.0.1 listener counting connections.
"""

from __future__ import annotations

import subprocess
import time

import pytest
import requests
from netprobe import Listener
from sparql_live import ROOT, LiveServer
from test_sandbox import service_spellings
from virtuoso import running

ENABLE = ('GRANT SELECT ON DB.DBA.SPARQL_SINV_2 TO "SPARQL"; '
          'GRANT EXECUTE ON DB.DBA.SPARQL_SINV_IMP TO "SPARQL";')  # a common "enable" recipe
HARDENING = ROOT / "docs" / "virtuoso" / "no-federation.sql"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with running(tmp_path_factory.mktemp("virtuoso-fed")) as server:
        yield server


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def harden(virtuoso) -> str:
    """Run the script as an operator would: isql-vt HOST:PORT dba PASSWORD FILE."""
    out = subprocess.run([virtuoso.isql_bin, f"127.0.0.1:{virtuoso.sql_port}", "dba", "dba",
                          str(HARDENING)], capture_output=True, text=True, timeout=60,
                         check=False)
    return out.stdout + out.stderr


def direct(virtuoso, query):
    return requests.get(virtuoso.sparql, params={"query": query}, timeout=30)


def outbound(url):
    return [f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
            f'DEFINE get:soft "soft" SELECT * FROM <{url}doc> WHERE {{ ?s ?p ?o }}',
            f"LOAD <{url}load>"]


def test_enabled_virtuoso_connects_and_the_hardening_script_stops_it(virtuoso, listener):
    virtuoso.isql(ENABLE)
    direct(virtuoso, outbound(listener.url)[0])
    assert listener.settle() >= 1  # control: this Virtuoso does federate
    out = harden(virtuoso)
    assert out.count("Done.") >= 2, out  # the two SERVICE grants were there and are gone
    before = listener.hits
    for query in outbound(listener.url):
        r = direct(virtuoso, query)
        assert r.status_code >= 400, (query, r.text[:300])
    assert listener.settle() == before


def test_the_front_refuses_service_even_when_the_store_would_run_it(virtuoso, listener,
                                                                    tmp_path_factory):
    virtuoso.isql(ENABLE)  # the worst case: a store that federates
    front = LiveServer(["--store", virtuoso.sparql, "--workers", "1", "--timeout", "5"],
                       cache_dir=tmp_path_factory.mktemp("front-fed"))
    front.start()
    try:
        for query in service_spellings(listener.url):
            r = requests.post(front.endpoint, data={"query": query}, timeout=30)
            assert r.status_code == 403, (query, r.status_code, r.text[:300])
        ok = requests.post(front.endpoint, data={"query": "ASK { ?s ?p ?o }"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert ok.status_code == 200, ok.text
    finally:
        front.stop()
        harden(virtuoso)
    time.sleep(0.3)
    assert listener.hits == 0
