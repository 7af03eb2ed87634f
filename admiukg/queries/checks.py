"""Run the must-be-empty quality checks (``queries/checks/*.rq``): their rows are violations."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from admiukg import config
from admiukg.queries.catalogue import CHECKS_DIR, SavedQuery, checks


def store_from_graph(graph: Any) -> ox.Store:
    """A pyoxigraph store holding an rdflib Graph/Dataset (or the store itself if given one)."""
    if isinstance(graph, ox.Store):
        return graph
    store = ox.Store()
    if hasattr(graph, "contexts") and len(list(graph.contexts())) > 1:
        store.load(graph.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    else:
        store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def execute(store: ox.Store, query: SavedQuery, values: dict[str, str] | None = None):
    """Run a saved query on a store, union default graph, as the server does."""
    return store.query(query.bind(values), use_default_graph_as_union=True)


# -- checks ---------------------------------------------------------------------


@dataclass(frozen=True)
class CheckViolation:
    """One row returned by a ``queries/checks`` query; rows are violations."""

    check: str  # file stem, e.g. "membership-without-start-year"
    summary: str
    severity: str  # Violation | Warning | Info
    bindings: dict[str, str]  # variable -> term in N-Triples syntax
    focus_node: str | None  # the ?entity binding (N-Triples syntax) when the check selects one
    file: str  # path of the .rq file, relative to the checkout

    @property
    def message(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.bindings.items())
        return f"{self.summary} ({shown})" if shown else self.summary


def run_checks(graph: Any, directory: Path = CHECKS_DIR) -> list[CheckViolation]:
    """Run every quality-check query on ``graph`` (rdflib Graph/Dataset or pyoxigraph Store).

    Pass the data with ontology and OWL RL entailments merged, as validate.py does.
    """
    store = store_from_graph(graph)

    def rows(item: tuple[str, SavedQuery]) -> list[CheckViolation]:
        name, query = item  # read to the end in this thread: pyoxigraph's results stay in theirs
        found = []
        for row in execute(store, query):
            bindings = {v.value: str(row[v]) for v in _variables(query) if row[v] is not None}
            found.append(CheckViolation(check=name, summary=query.summary, severity=query.severity,
                                        bindings=bindings, focus_node=bindings.get("entity"),
                                        file=_relative(query.path)))
        return found

    # pyoxigraph releases the GIL while it evaluates: the checks run side by side, in file order
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return [v for found in pool.map(rows, checks(directory).items()) for v in found]


def _variables(query: SavedQuery) -> list[ox.Variable]:
    return [ox.Variable(c) for c in query.columns]


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(config.ROOT))
    except ValueError:
        return str(path)
