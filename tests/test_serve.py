"""``python server.py``: files of every RDF syntax, clear refusals, fast restarts, gunicorn,
the bundled graph with its named graphs, ``--base``; and the dataset module behind it."""

from __future__ import annotations

import importlib
import logging
import subprocess
import sys
import time

import pytest
import requests
from sparql_live import ROOT, LiveServer, free_port

from admiukg import config
from admiukg.store import local as dataset

EX = "http://example.org/"


def run_server(*args, timeout=60):
    return subprocess.run([sys.executable, "server.py", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def select(server, query, **params):
    r = requests.get(server.endpoint, params={"query": query, **params}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


@pytest.mark.live
def test_help_lists_the_options():
    r = run_server("--help")
    assert r.returncode == 0
    for option in ("--host", "--port", "--timeout", "--max-rows", "--memory-limit", "--base"):
        assert option in r.stdout


@pytest.mark.live
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, "missing.ttl", "missing.ttl: no such file"),
        ("@prefix ex: <http://x/> .\nex:a ex:b ex:c .\nex:d ex:e \"open .\n", "bad.ttl",
         "bad.ttl: not valid Turtle"),
        ("<a> <b> <c> .", "data.xyz", "unknown RDF file extension '.xyz'"),
        ("<http://x/a> <http://x/b> .\n", "bad.nt", "bad.nt: not valid N-Triples"),
    ],
)
def test_refuses_bad_files_with_a_clear_message(tmp_path, content, name, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    r = run_server(path, "--port", free_port(), "--cache-dir", tmp_path / "cache")
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    if name == "bad.ttl":
        assert "line 3" in r.stderr


ALL_FORMATS = {
    "a.ttl": f"@prefix ex: <{EX}> . ex:t ex:from \"turtle\" .",
    "b.nt": f"<{EX}n> <{EX}from> \"ntriples\" .\n",
    "c.rdf": f"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}x"><ex:from>rdfxml</ex:from></rdf:Description></rdf:RDF>""",
    "d.jsonld": f'{{"@id": "{EX}j", "{EX}from": "jsonld"}}',
    "e.trig": f"@prefix ex: <{EX}> . ex:g1 {{ ex:tg ex:from \"trig\" }}",
    "f.nq": f"<{EX}q> <{EX}from> \"nquads\" <{EX}g2> .\n",
}


@pytest.fixture(scope="module")
def files_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats")
    paths = []
    for name, text in ALL_FORMATS.items():
        (folder / name).write_text(text)
        paths.append(folder / name)
    cache = tmp_path_factory.mktemp("formats-store")
    server = LiveServer([*paths, "--workers", "1"], cache_dir=cache).start()
    yield server, paths, cache
    server.stop()


def test_serves_every_rdf_syntax_and_keeps_named_graphs(files_server):
    server, _, _ = files_server
    rows = select(server, f"SELECT ?v WHERE {{ ?s <{EX}from> ?v }} ORDER BY ?v")
    assert [r["v"]["value"] for r in rows] == sorted(
        ["turtle", "ntriples", "rdfxml", "jsonld", "trig", "nquads"])
    rows = select(server, f"SELECT ?g ?v WHERE {{ GRAPH ?g {{ ?s <{EX}from> ?v }} }} ORDER BY ?g")
    assert [(r["g"]["value"], r["v"]["value"]) for r in rows] == [
        (EX + "g1", "trig"), (EX + "g2", "nquads")]


def test_runs_under_gunicorn_not_the_dev_server(files_server):
    server, _, _ = files_server
    r = requests.get(server.url + "/health", timeout=30)
    assert r.headers["Server"] == "uvicorn"  # uvicorn workers (admiukg.front) under gunicorn
    assert "Starting gunicorn" in server.log_text()
    assert "development server" not in server.log_text()


def wait_on_disk(server, seconds=60):
    deadline = time.monotonic() + seconds
    while not requests.get(server.url + "/health", timeout=30).json()["store_on_disk"]:
        assert time.monotonic() < deadline, "the on-disk store was never built"
        time.sleep(0.1)


def test_cold_start_serves_the_in_memory_copy_while_the_disk_store_builds(tmp_path):
    """On a cold start the zygote's copy answers first; the on-disk store (the restart cache,
    the pages' look-ups) is built beside it, and the VoID counts arrive with it."""
    ttl = tmp_path / "kg.ttl"
    ttl.write_text(f"@prefix ex: <{EX}> . ex:a a ex:C ; ex:p ex:b , ex:c .")
    server = LiveServer([ttl, "--workers", "1"], cache_dir=tmp_path / "cache").start()
    try:
        assert "building the on-disk store in the background" in server.log_text()
        h = requests.get(server.url + "/health", timeout=30).json()
        assert h["workers"]["in_memory"] is True and h["triples"] == 3
        assert h["store_reopened"] is False
        wait_on_disk(server)
        described = requests.get(server.endpoint, headers={"Accept": "text/turtle"}, timeout=30)
        assert "void:distinctSubjects 1" in described.text and "void:classes 1" in described.text
        assert requests.get(server.url + "/.well-known/void", timeout=30).status_code == 200
    finally:
        server.stop()
    assert list((tmp_path / "cache" / "stores").glob("files-*/meta.json"))


def test_restart_reopens_the_built_store(files_server):
    server, paths, cache = files_server
    wait_on_disk(server)
    second = LiveServer([*paths, "--workers", "1"], cache_dir=cache).start()
    try:
        h = requests.get(second.url + "/health", timeout=30).json()
        assert h["store_reopened"] is True
        assert h["triples"] == 6
    finally:
        second.stop()


def test_base_option_rebases_canonical_iris(tmp_path):
    ttl = tmp_path / "kg.ttl"
    ttl.write_text(f"<{config.ID}admiu> <{config.AU}name> \"ADMİU\" .\n")
    server = LiveServer([ttl, "--base", "http://localhost:8000/", "--workers", "1"],
                        cache_dir=tmp_path / "c").start()
    try:
        rows = select(server, "SELECT ?s ?p WHERE { ?s ?p ?o }")
        assert rows[0]["s"]["value"] == "http://localhost:8000/id/admiu"
        assert rows[0]["p"]["value"] == "http://localhost:8000/ontology#name"
    finally:
        server.stop()


# --- the bundled graph ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_server(tmp_path_factory):
    server = LiveServer(["--workers", "1"], cache_dir=tmp_path_factory.mktemp("bundled")).start(
        timeout=300)
    yield server
    server.stop()


def test_bundled_graph_has_its_named_graphs(bundled_server):
    h = requests.get(bundled_server.url + "/health", timeout=30).json()
    assert h["graph_roles"] == {"ontology": config.GRAPH_ONTOLOGY, "data": config.GRAPH_DATA,
                                "inferred": config.GRAPH_INFERRED, "shapes": config.GRAPH_SHAPES}
    for iri in (config.GRAPH_ONTOLOGY, config.GRAPH_DATA, config.GRAPH_INFERRED):
        assert h["graphs"][iri] > 0


def test_bundled_default_graph_is_union_without_shapes_and_inferred_can_be_left_out(bundled_server):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(**params):
        return int(select(bundled_server, count, **params)[0]["n"]["value"])

    h = requests.get(bundled_server.url + "/health", timeout=30).json()
    sizes = h["graphs"]
    union = n()
    asserted = n(**{"default-graph-uri": [config.GRAPH_ONTOLOGY, config.GRAPH_DATA]})
    assert asserted < union <= sizes[config.GRAPH_ONTOLOGY] + sizes[config.GRAPH_DATA] + \
        sizes[config.GRAPH_INFERRED]
    assert n(**{"default-graph-uri": config.GRAPH_INFERRED}) == sizes[config.GRAPH_INFERRED]
    shapes_in_union = select(bundled_server, "ASK { ?s a <http://www.w3.org/ns/shacl#NodeShape> }"
                             .replace("ASK", "SELECT (COUNT(*) AS ?n) WHERE"))
    assert shapes_in_union[0]["n"]["value"] == "0"


# --- refusing an invalid bundled graph (in process) -----------------------------------------


class _Finding:
    message = "Less than 1 values on id:admiu->au:name"
    focus_node = "https://kg.admiu.example/id/admiu"
    file = "data/memberships.ttl"
    line = 12


class _BadReport:
    conforms = False
    exit_code = 1
    results = [_Finding()]


def test_invalid_bundled_graph_is_refused(monkeypatch, tmp_path):
    validation = importlib.import_module("admiukg.validation.validate")  # imported when needed
    monkeypatch.setattr(validation, "validate", lambda *a, **k: _BadReport())
    with pytest.raises(dataset.DatasetError) as err:
        dataset.load_dataset(cache_dir=tmp_path)
    text = str(err.value)
    assert "does not pass validation" in text
    assert "data/memberships.ttl:12" in text and "Less than 1 values" in text
    assert not list((tmp_path / "stores").glob("bundled-*/meta.json"))


def test_server_exits_2_with_the_message(monkeypatch, capsys):
    from admiukg import serve

    def refuse(*a, **k):
        raise dataset.DatasetError("the bundled graph does not pass validation; refusing")

    monkeypatch.setattr(serve, "load_dataset", refuse)
    assert serve.main(["--port", "1"]) == 2
    assert "cannot serve: the bundled graph does not pass validation" in capsys.readouterr().err


def test_pages_wait_for_the_store_being_built_and_then_get_its_counts(tmp_path):
    ttl = tmp_path / "kg.ttl"
    ttl.write_text(f"@prefix ex: <{EX}> . ex:a a ex:C ; ex:p ex:b .")
    built = dataset.build_from_files([ttl], cache_dir=tmp_path / "cache")
    final = dataset.files_store_dir([ttl], tmp_path / "cache")
    hidden = final.with_name("elsewhere")
    final.rename(hidden)  # as if its build had not finished yet
    served = dataset.described_dataset([ttl], final, {"triples": 2, "graph_sizes": {"": 2}},
                                       True, config.CANONICAL_BASE, 0.5)
    served.build_wait = 0.2
    assert not served.on_disk and served.info.stats == {}
    with pytest.raises(dataset.KGError) as waited:
        served.store  # noqa: B018
    assert waited.value.status == 503 and "building" in waited.value.message
    final.with_name(final.name + ".failed").write_text("No space left on device")
    with pytest.raises(dataset.KGError, match="No space left on device"):
        served.store  # noqa: B018
    hidden.rename(final)
    assert served.on_disk and len(served.store) == 2
    assert served.info.stats == built.stats and served.info.stats["distinctSubjects"] == 1


@pytest.mark.parametrize("created", [
    [1_700_000_000.0, 1_700_000_000.0004, 1_700_000_000.001, 1_700_000_000.5, 1_700_000_000.9999],
    [1_700_000_000.999, 1_700_000_001.0, 1_700_000_000.25, 1_700_000_059.9, 1_700_003_600.05],
    [0.0, 86_399.999, 1_000_000_000.123, 1_000_000_000.123, 2_000_000_000.0],
])
def test_the_log_lines_are_the_standard_formatters(created, monkeypatch):
    from admiukg.serve import LOG_FORMAT, SecondCachingFormatter

    monkeypatch.setenv("TZ", "Europe/Paris")  # a zone with summer time, not UTC
    time.tzset()
    try:
        ours, standard = SecondCachingFormatter(LOG_FORMAT), logging.Formatter(LOG_FORMAT)
        for when in created:
            monkeypatch.setattr(time, "time", lambda when=when: when)  # the record's clock
            record = logging.LogRecord("admiukg.endpoint.protocol", logging.INFO, __file__, 1,
                                       "query hash=%s ms=%.1f", ("0123abcd", 1.25), None)
            assert record.created == when
            assert ours.format(record) == standard.format(record)
    finally:
        monkeypatch.undo()
        time.tzset()
