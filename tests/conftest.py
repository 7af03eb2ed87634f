"""Shared pytest fixtures, and the test tiers.

Keep each project area's fixtures in its own section with a common name prefix.

Every test belongs to one tier (a marker): ``unit`` (in process, the default run), ``slow``
(in process, seconds each), ``live`` (real gunicorn servers and command lines as subprocesses),
``browser`` (headless Chromium), ``store`` (a real Virtuoso) and ``load``. ``python -m pytest``
runs the unit tier; ``--tier all`` (what CI runs) or ``--tier live,browser`` choose; naming test
files or nodes on the command line runs them whatever their tier.
"""

from __future__ import annotations

import pytest
import rdflib

from admiukg import config

TIERS = ("unit", "slow", "live", "browser", "store", "load")
#: Whole modules of one tier.
MODULE_TIERS = {
    "test_browser": "browser",
    "test_remote_store": "store",
    "test_load": "load",
    "test_faults": "live",
    "test_progress": "live",
    "test_validate_ci": "live",
    "test_w3c_protocol": "live",
}
#: Fixtures that start a real server: a test using one is live.
LIVE_FIXTURES = {"sparql_server", "sparql_w3c_server", "files_server", "bundled_server",
                 "unguarded_server", "server"}


def pytest_addoption(parser):
    parser.addoption("--tier", default=None, metavar="TIERS",
                     help=f"comma-separated tiers to run, or 'all' ({', '.join(TIERS)}); "
                     "default: unit, or every tier of the tests named on the command line")


def pytest_configure(config):
    for tier in TIERS:
        config.addinivalue_line("markers", f"{tier}: test tier (see tests/conftest.py)")


def tier_of(item) -> str:
    explicit = [m.name for m in item.iter_markers() if m.name in TIERS]
    if explicit:
        return explicit[0]
    module = item.module.__name__.rpartition(".")[2] if item.module else ""
    if module in MODULE_TIERS:
        return MODULE_TIERS[module]
    if LIVE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return "live"
    return "unit"


def pytest_collection_modifyitems(config, items):
    option = config.getoption("--tier")
    named = config.args_source == pytest.Config.ArgsSource.ARGS
    if option is None:
        wanted = set(TIERS) if named else {"unit"}
    elif option == "all":
        wanted = set(TIERS)
    else:
        wanted = {t.strip() for t in option.split(",")}
        unknown = wanted - set(TIERS)
        if unknown:
            raise pytest.UsageError(f"unknown tier(s) {', '.join(sorted(unknown))}; known: {', '.join(TIERS)}")
    keep, drop = [], []
    for item in items:
        tier = tier_of(item)
        item.add_marker(tier)
        (keep if tier in wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep

# -- Ontology, data and shapes (prefix ``au_``) ------------------------------------------


def au_load(paths) -> rdflib.Graph:
    """Parse Turtle files into one graph (no inference)."""
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def au_owlrl_closure(graph: rdflib.Graph) -> rdflib.Graph:
    """Return a copy of ``graph`` expanded with the OWL RL closure (owlrl)."""
    import owlrl

    closed = rdflib.Graph()
    for triple in graph:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    return closed


@pytest.fixture(scope="session")
def au_ontology_graph() -> rdflib.Graph:
    """The ontology files (own ontology + curated imports), as asserted."""
    return au_load(config.ontology_files())


@pytest.fixture(scope="session")
def au_data_graph() -> rdflib.Graph:
    """The instance data files, as asserted."""
    return au_load(config.data_files())


@pytest.fixture(scope="session")
def au_graph(au_ontology_graph, au_data_graph) -> rdflib.Graph:
    """Ontology + data, as asserted. Do not modify."""
    return au_ontology_graph + au_data_graph


@pytest.fixture(scope="session")
def au_closure(au_graph) -> rdflib.Graph:
    """Ontology + data + OWL RL closure. Do not modify."""
    return au_owlrl_closure(au_graph)


@pytest.fixture(scope="session")
def au_shapes_graph() -> rdflib.Graph:
    return au_load([config.shapes_file()])


# -- SPARQL endpoint (owner: endpoint; prefix ``sparql_``) ---------------------------------
# Real servers (`python server.py FILE --port FREEPORT`, gunicorn) on 127.0.0.1; see
# tests/sparql_live.py.


@pytest.fixture(scope="session")
def sparql_sample_file(tmp_path_factory):
    from sparql_live import write_sample_dataset

    return write_sample_dataset(tmp_path_factory.mktemp("sparql") / "sample.trig")


@pytest.fixture(scope="session")
def sparql_server(sparql_sample_file, tmp_path_factory):
    """The endpoint over the sample dataset, with small limits so that tests can reach them."""
    from sparql_live import LiveServer

    server = LiveServer(
        [sparql_sample_file, "--timeout", "3", "--max-rows", "100", "--max-body", "64",
         "--memory-limit", "1024", "--workers", "1", "--query-workers", "2"],
        cache_dir=tmp_path_factory.mktemp("sparql-store"),
    )
    server.start()
    yield server
    server.stop()


def sparql_shared_dir():
    """The shared folder (W3C tests): beside the repo in CI (``<repo>/../shared``)."""
    for candidate in (config.ROOT.parent / "shared", config.ROOT / "shared"):
        if (candidate / "w3c" / "protocol" / "manifest.ttl").exists():
            return candidate
    raise FileNotFoundError(
        f"the shared folder with w3c/protocol/manifest.ttl was not found at "
        f"{config.ROOT.parent / 'shared'}; the W3C protocol tests need it")


@pytest.fixture(scope="session")
def sparql_w3c_server(tmp_path_factory):
    """The endpoint over the W3C protocol test dataset (dataset.trig)."""
    from sparql_live import LiveServer

    trig = sparql_shared_dir() / "w3c" / "protocol" / "dataset.trig"
    server = LiveServer([trig, "--workers", "1"], cache_dir=tmp_path_factory.mktemp("w3c-store"))
    server.start()
    yield server
    server.stop()


# -- Linked data, downloads and web pages (prefix ``ld_``; owner: web) -------------------
# A four-graph dataset built from tests/ld_fixtures/*.ttl (a small slice of the real model),
# so that these tests do not depend on the bundled data being complete or valid.

LD_FIXTURES = config.ROOT / "tests" / "ld_fixtures"
LD_ROLES = ("ontology", "data", "shapes", "inferred")


def ld_build_dataset(directory, base: str = config.CANONICAL_BASE):
    """An on-disk store with the fixture graphs under ``base``, as a ServedDataset."""
    import pyoxigraph as ox

    from admiukg.store.local import DatasetInfo, ServedDataset

    store_path = directory / "store"
    store = ox.Store(str(store_path))
    graphs = {}
    for role in LD_ROLES:
        graphs[role] = base + "graph/" + role
        text = (LD_FIXTURES / f"{role}.ttl").read_text(encoding="utf-8")
        store.load(text.replace(config.CANONICAL_BASE, base).encode(), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode(graphs[role]))
    total = len(store)
    store.flush()
    del store  # release the lock: the app reopens it read-only
    info = DatasetInfo(path=str(store_path), graphs=graphs, triples=total, base=base,
                       union=[graphs["ontology"], graphs["data"], graphs["inferred"]],
                       sources=[str(LD_FIXTURES / f"{r}.ttl") for r in LD_ROLES])
    return ServedDataset(info)


@pytest.fixture(scope="session")
def ld_app(tmp_path_factory):
    from admiukg.app import create_app

    dataset = ld_build_dataset(tmp_path_factory.mktemp("ld-store"))
    files = [LD_FIXTURES / f"{r}.ttl" for r in LD_ROLES]
    return create_app({"TESTING": True, "KG_FILES": files}, dataset=dataset)


@pytest.fixture
def ld_client(ld_app):
    return ld_app.test_client()


@pytest.fixture(scope="session")
def ld_local_app(tmp_path_factory):
    """The same fixture published under another base (IRIs rewritten at load)."""
    from admiukg.app import create_app

    dataset = ld_build_dataset(tmp_path_factory.mktemp("ld-local"), base="http://localhost:8080/")
    return create_app({"TESTING": True}, dataset=dataset)
