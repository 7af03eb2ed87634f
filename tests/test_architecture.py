"""The package's structure: imports go one way, no module is part of an import cycle, and the
interchangeable parts implement the interfaces they are used through."""

from __future__ import annotations

import grimp
import pyoxigraph as ox
import pytest
from importlinter.cli import lint_imports

from admiukg.endpoint.pool import QueryPool
from admiukg.endpoint.runner import QueryRunner
from admiukg.store import remote
from admiukg.store.base import Dataset, QuadStore
from admiukg.store.local import DatasetInfo, ServedDataset


def test_layers_contract_holds():
    assert lint_imports(config_filename="pyproject.toml", no_cache=True) == 0


def import_cycles(package: str) -> list[set[str]]:
    """Strongly connected groups of more than one module (Tarjan), function-level imports included."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True)  # annotations only
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(group)

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycles():
    assert import_cycles("admiukg") == []


def test_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    pkg = tmp_path / "ringpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from ringpkg import b\n")
    (pkg / "b.py").write_text("def f():\n    from ringpkg import a\n")
    (pkg / "c.py").write_text("from ringpkg import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("ringpkg") == [{"ringpkg.a", "ringpkg.b"}]


@pytest.mark.parametrize("cls", [QueryPool, remote.RemotePool])
def test_query_runners_implement_the_interface(cls):
    missing = [name for name in ("start", "ensure_started", "close", "alive", "run")
               if not callable(getattr(cls, name, None))]
    assert missing == []


def test_local_dataset_is_a_dataset(tmp_path):
    ox.Store(str(tmp_path / "store")).flush()
    served = ServedDataset(DatasetInfo(path=str(tmp_path / "store")))
    assert isinstance(served, Dataset)
    assert isinstance(served.store, QuadStore)


def test_remote_dataset_is_a_dataset():
    served = remote.RemoteDataset("http://127.0.0.1:9/sparql")
    assert isinstance(served, Dataset)
    assert isinstance(served.store, QuadStore)
    assert isinstance(remote.RemotePool(served), QueryRunner)


def test_an_object_missing_a_method_is_not_a_dataset():
    class Incomplete:
        info, graphs, base, store, path = None, {}, "", None, ""

    assert not isinstance(Incomplete(), Dataset)
