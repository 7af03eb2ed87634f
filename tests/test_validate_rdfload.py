"""admiukg.graph.rdfload: safe parsing, and errors that name file and line."""

from __future__ import annotations

import http.server
import threading
import urllib.request
from pathlib import Path

import pytest
import rdflib

from admiukg.graph.rdfload import (
    RDFLoadError,
    SourceIndex,
    load_graph,
    load_graph_stable,
)

FIX = Path(__file__).parent / "validate_fixtures"


@pytest.fixture
def listener():
    """A local HTTP server that records every request it gets."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            body = b'{"@context": {"name": "https://kg.admiu.example/ontology#name"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_listener_does_record_requests(listener):
    """The no-request assertions below would fail if anything fetched."""
    url, seen = listener
    urllib.request.urlopen(url + "/probe.jsonld", timeout=5).read()
    assert seen == ["/probe.jsonld"]


@pytest.mark.parametrize(
    "context",
    [
        '"{url}/ctx.jsonld"',
        '["{url}/ctx.jsonld", {{"x": "https://example.org/x"}}]',
        '{{"@import": "{url}/ctx.jsonld"}}',
    ],
)
def test_remote_jsonld_context_is_refused_without_fetching(tmp_path, listener, context):
    url, seen = listener
    doc = tmp_path / "remote.jsonld"
    doc.write_text(
        '{\n  "@id": "https://kg.admiu.example/id/x",\n'
        f'  "@context": {context.format(url=url)},\n'
        '  "name": "X"\n}\n',
        "utf-8",
    )
    with pytest.raises(RDFLoadError) as caught:
        load_graph(doc)
    assert str(caught.value).startswith(f"{doc}:3: external JSON-LD context")
    assert seen == []


def test_nested_file_context_is_refused(tmp_path):
    doc = tmp_path / "nested.jsonld"
    doc.write_text(
        '{"@id": "https://kg.admiu.example/id/x",\n "https://kg.admiu.example/ontology#part": {\n'
        '   "@context": "file:///etc/passwd", "@id": "https://kg.admiu.example/id/y"}}\n',
        "utf-8",
    )
    with pytest.raises(RDFLoadError, match=r":3: external JSON-LD context 'file:///etc/passwd'"):
        load_graph(doc)


def test_inline_jsonld_context_loads(tmp_path):
    doc = tmp_path / "inline.jsonld"
    doc.write_text(
        '{"@context": {"name": "https://kg.admiu.example/ontology#name"},\n'
        ' "@id": "https://kg.admiu.example/id/x", "name": "X"}\n',
        "utf-8",
    )
    graph = load_graph(doc)
    assert (rdflib.URIRef("https://kg.admiu.example/id/x"), rdflib.URIRef("https://kg.admiu.example/ontology#name"),
            rdflib.Literal("X")) in graph  # fmt: skip


def test_rdfxml_external_entity_is_not_fetched(tmp_path, listener):
    url, seen = listener
    doc = tmp_path / "entity.rdf"
    doc.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM "{url}/entity.txt">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '         xmlns:au="https://kg.admiu.example/ontology#">\n'
        '  <rdf:Description rdf:about="https://kg.admiu.example/id/x"><au:name>&ext;</au:name></rdf:Description>\n'
        "</rdf:RDF>\n",
        "utf-8",
    )
    try:
        load_graph(doc)
    except RDFLoadError:
        pass  # refusing is fine too; fetching is not
    assert seen == []


def test_turtle_typo_reports_file_and_line():
    with pytest.raises(RDFLoadError) as caught:
        load_graph(FIX / "syntax_error.ttl")
    error = caught.value
    assert error.line == 6 and error.path == str(FIX / "syntax_error.ttl")
    assert str(error) == f"{FIX / 'syntax_error.ttl'}:6: syntax error: expected '.' or '}}' or ']' at end of statement"


def test_ntriples_error_line_is_found(tmp_path):
    doc = tmp_path / "bad.nt"
    doc.write_text("<http://a.example/s> <http://a.example/p> <http://a.example/o> .\n# comment\n"
                   '<http://a.example/s> <http://a.example/p> "open .\n', "utf-8")  # fmt: skip
    with pytest.raises(RDFLoadError, match=r"bad\.nt:3: syntax error"):
        load_graph(doc)


def test_rdfxml_error_line(tmp_path):
    doc = tmp_path / "bad.rdf"
    doc.write_text('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                   '  <rdf:Description rdf:about="http://a.example/s">\n    <foo:bar/>\n'
                   "  </rdf:Description>\n</rdf:RDF>\n", "utf-8")  # fmt: skip
    with pytest.raises(RDFLoadError, match=r"bad\.rdf:4: XML error: unbound prefix"):
        load_graph(doc)


def test_invalid_json_line(tmp_path):
    doc = tmp_path / "bad.jsonld"
    doc.write_text('{"@id": "http://a.example/s",\n "http://a.example/p": [1,\n }\n', "utf-8")
    with pytest.raises(RDFLoadError, match=r"bad\.jsonld:3: invalid JSON"):
        load_graph(doc)


def test_invalid_utf8_line(tmp_path):
    doc = tmp_path / "latin1.ttl"
    doc.write_bytes(b'@prefix au: <https://kg.admiu.example/ontology#> .\n\nau:x au:name "caf\xe9" .\n')
    with pytest.raises(RDFLoadError, match=r"latin1\.ttl:3: not valid UTF-8"):
        load_graph(doc)


def test_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(RDFLoadError, match=r"nope\.ttl: no such file$"):
        load_graph(tmp_path / "nope.ttl")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(RDFLoadError, match=r"notes\.txt: unknown RDF file extension '\.txt'"):
        load_graph(tmp_path / "notes.txt")


def test_content_is_never_taken_for_a_path(tmp_path):
    """rdflib's Graph.parse(str) opens a path or URL; load_graph must only parse the file's bytes."""
    (tmp_path / "target.ttl").write_text("<http://a.example/s> <http://a.example/p> <http://a.example/o> .\n")
    doc = tmp_path / "points.ttl"
    doc.write_text(str(tmp_path / "target.ttl"), "utf-8")
    with pytest.raises(RDFLoadError, match=r"points\.ttl:1: syntax error"):
        load_graph(doc)


def test_quads_are_flattened(tmp_path):
    doc = tmp_path / "two.trig"
    doc.write_text("@prefix : <http://a.example/> .\n:g1 { :a :p :b . }\n:g2 { :c :p :d . }\n", "utf-8")
    graph = load_graph(doc)
    assert len(graph) == 2 and isinstance(graph, rdflib.Graph)


def test_owl_imports_are_not_followed(tmp_path, listener):
    url, seen = listener
    doc = tmp_path / "imports.ttl"
    doc.write_text(f"<http://a.example/o> <http://www.w3.org/2002/07/owl#imports> <{url}/other.ttl> .\n")
    assert len(load_graph(doc)) == 1
    assert seen == []


def test_stable_blank_node_labels_survive_a_reparse():
    first, _, stable1 = load_graph_stable(FIX / "blank_nodes.ttl")
    second, _, stable2 = load_graph_stable(FIX / "blank_nodes.ttl")
    assert stable1 and stable2
    assert set(first) == set(second)  # same labels, not merely isomorphic
    assert any(isinstance(s, rdflib.BNode) for s, _, _ in first)


def test_source_index_lines():
    index = SourceIndex([FIX / "invalid.ttl"])
    assert index.subject_line("https://kg.admiu.example/id/uni-b") == (str(FIX / "invalid.ttl"), 10)
    assert index.mention_line("https://kg.admiu.example/ontology#website") == (str(FIX / "invalid.ttl"), 11)
    assert index.locate("https://kg.admiu.example/id/nowhere") is None
