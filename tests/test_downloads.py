"""Whole-graph downloads: every graph in every syntax round-trips, gzip is the
same bytes, checksums are right, and conditional requests answer 304."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from admiukg.site import dumps, rdfdocs

GRAPH_FILES = {
    "ontology": "ontology.ttl",
    "data": "data.ttl",
    "shapes": "shapes.ttl",
    "inferred": "inferred.ttl",
}
PARSERS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
ALL_FILES = [(role, ext) for role in GRAPH_FILES for ext in PARSERS] + [
    ("all", ext) for ext in ("nq", "trig", "jsonld")
]


def fixture_quads(app, role):
    """The source file's triples, read independently of the server."""
    files = {p.name: p for p in map(Path, app.config["KG_FILES"])}
    return list(ox.parse(path=str(files[GRAPH_FILES[role]]), format=ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("role,ext", ALL_FILES)
def test_each_download_parses_back_to_the_graph(ld_client, ld_app, role, ext):
    r = ld_client.get(f"/downloads/admiukg-{role}.{ext}")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == f'attachment; filename="admiukg-{role}.{ext}"'
    quads = list(ox.parse(r.data, format=PARSERS[ext]))
    if role == "all":
        expected = sum(len(fixture_quads(ld_app, g)) for g in GRAPH_FILES)
        assert len(quads) == expected
        assert {q.graph_name.value for q in quads} == set(ld_app.extensions["admiukg"].graphs.values())
    else:
        assert len({q.triple for q in quads}) == len({q.triple for q in fixture_quads(ld_app, role)})
    if ext in ("nq", "trig") and role != "all":  # graph names survive in quad syntaxes
        assert {q.graph_name.value for q in quads} == {ld_app.extensions["admiukg"].graphs[role]}


@pytest.mark.parametrize("name", ["admiukg-data.ttl", "admiukg-all.nq"])
def test_gzip_variant_is_the_same_bytes_compressed(ld_client, name):
    plain = ld_client.get(f"/downloads/{name}")
    packed = ld_client.get(f"/downloads/{name}.gz")
    assert packed.mimetype == "application/gzip"
    assert packed.headers["Content-Disposition"].endswith(f'filename="{name}.gz"')
    assert gzip.decompress(packed.data) == plain.data


def test_sha256sums_match_every_file(ld_client):
    r = ld_client.get("/downloads/SHA256SUMS")
    lines = r.get_data(as_text=True).splitlines()
    assert len(lines) == 2 * len(ALL_FILES)
    for line in lines:
        digest, name = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line).groups()
        assert hashlib.sha256(ld_client.get(f"/downloads/{name}").data).hexdigest() == digest, name


def test_etag_is_the_checksum_and_if_none_match_gives_304(ld_client):
    r = ld_client.get("/downloads/admiukg-data.ttl")
    assert r.headers["ETag"] == f'"{hashlib.sha256(r.data).hexdigest()}"'
    again = ld_client.get("/downloads/admiukg-data.ttl", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    other = ld_client.get("/downloads/admiukg-data.ttl", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_last_modified_and_if_modified_since(ld_client):
    r = ld_client.get("/downloads/admiukg-ontology.nt")
    assert r.headers["Last-Modified"]
    same = ld_client.get(
        "/downloads/admiukg-ontology.nt", headers={"If-Modified-Since": r.headers["Last-Modified"]}
    )
    assert same.status_code == 304
    older = ld_client.get(
        "/downloads/admiukg-ontology.nt", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert older.status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "admiukg-nope.ttl",
        "admiukg-data.pdf",
        "admiukg-all.ttl",
        "data.ttl",
        "admiukg-data",
        "admiukg-data.ttl.zip",
    ],
)
def test_unknown_downloads_are_404(ld_client, name):
    assert ld_client.get(f"/downloads/{name}").status_code == 404


def test_index_lists_and_links_every_file(ld_client):
    html = ld_client.get("/downloads/").get_data(as_text=True)
    for role, ext in ALL_FILES:
        assert f'href="/downloads/admiukg-{role}.{ext}"' in html
        assert f'href="/downloads/admiukg-{role}.{ext}.gz"' in html
    assert 'href="/downloads/SHA256SUMS"' in html


def test_dumps_are_built_once(ld_app):
    with ld_app.app_context():
        first = dumps.dump("data", "turtle")
        assert dumps.dump("data", "turtle") is first
        assert first.fmt in rdfdocs.SERIALIZERS


SUMS_IN_ANOTHER_PROCESS = """
import json, sys
from admiukg.app import create_app
from admiukg.store.local import DatasetInfo, ServedDataset
dataset = ServedDataset(DatasetInfo(**json.loads(sys.argv[1])))
app = create_app({"TESTING": True}, dataset=dataset)
sys.stdout.write(app.test_client().get("/downloads/SHA256SUMS").get_data(as_text=True))
"""


@pytest.mark.live
def test_checksums_are_the_same_in_another_worker(ld_app, ld_client):
    """Each gunicorn worker opens the same store and builds its own dumps;
    their ETags and SHA256SUMS must agree."""
    import json
    import subprocess
    import sys

    from admiukg.config import ROOT

    info = json.dumps(ld_app.extensions["admiukg"].info.to_json())
    other = subprocess.run(
        [sys.executable, "-c", SUMS_IN_ANOTHER_PROCESS, info],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert other == ld_client.get("/downloads/SHA256SUMS").get_data(as_text=True)
