"""The part of ``pyoxigraph.Store`` the pages use (``quads_for_pattern``, ``query``), answered by
an existing SPARQL store over HTTP, with a short-lived cache: a page does hundreds of look-ups
around a few nodes, so all quads of a node are fetched at once."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING

import pyoxigraph as ox

from admiukg import guard
from admiukg.store.client import (
    ASK_GRAPH,
    ASK_RESULTS,
    StoreRejected,
    StoreUnavailable,
    addressable,
    parse_answer,
    term_sparql,
)

if TYPE_CHECKING:
    from admiukg.store.remote import RemoteDataset


class _TTLCache:
    """A small LRU whose entries expire: the remote store may change under us."""

    def __init__(self, entries: int = 4096, ttl: float = 10.0):
        self.entries, self.ttl = entries, ttl
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            hit = self._data.get(key)
            if hit is None or hit[0] < time.monotonic():
                return None
            self._data.move_to_end(key)
            return hit[1]

    def put(self, key, value) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + self.ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.entries:
                self._data.popitem(last=False)


class RemoteStore:
    """The read-only subset of ``pyoxigraph.Store`` that the pages use, over HTTP.

    Only quads in named graphs are seen (``GRAPH ?g``): stores disagree on what their default
    graph is (Virtuoso: everything), and the pushed dataset lives in named graphs.
    """

    def __init__(self, dataset: RemoteDataset, cache_seconds: float = 10.0):
        self.dataset = dataset
        self.client = dataset.client
        self._cache = _TTLCache(ttl=cache_seconds)

    def _ask(self, query: str, accept: str, **dataset):
        """Send a query of ours; track whether the store is up."""
        try:
            answer = parse_answer(self.client.post(query, accept, **dataset), self.client.url)
        except StoreRejected as exc:  # our own queries: a store limitation, not the user's
            raise StoreUnavailable(f"the SPARQL store refused a page query: {exc.message}") \
                from None
        except StoreUnavailable as exc:
            self.dataset.mark_down(exc.message)
            raise
        self.dataset.mark_up()
        return answer

    def _select(self, query: str) -> ox.QuerySolutions:
        """A query of ours over the role graphs only (a store has system graphs too)."""
        return self._ask(query, ASK_RESULTS, **self.dataset.role_graph_filter())

    def _quads_around(self, position: str, node) -> list[ox.Quad]:
        """All quads with ``node`` as subject or object (one request, cached)."""
        key = (position, node)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        term = term_sparql(node)
        if position == "s":
            q = f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {term} ?p ?o }} }}"
            quads = [ox.Quad(node, r["p"], r["o"], r["g"]) for r in self._select(q)]
        else:
            q = f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {term} }} }}"
            quads = [ox.Quad(r["s"], r["p"], node, r["g"]) for r in self._select(q)]
        self._cache.put(key, quads)
        return quads

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None):
        def fits(q):
            return ((subject is None or q.subject == subject)
                    and (predicate is None or q.predicate == predicate)
                    and (object is None or q.object == object)
                    and (graph_name is None or q.graph_name == graph_name))

        if subject is not None and addressable(subject):
            return iter([q for q in self._quads_around("s", subject) if fits(q)])
        if object is not None and addressable(object):
            return iter([q for q in self._quads_around("o", object) if fits(q)])
        if subject is not None or object is not None:
            return iter(())  # a blank node the store cannot be asked about again
        return iter(self._scan(predicate, graph_name))

    def _scan(self, predicate, graph_name) -> list[ox.Quad]:
        """Quads by predicate and/or graph (downloads: a whole graph; one request, cached)."""
        key = ("scan", predicate, graph_name)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        p = term_sparql(predicate) if predicate is not None else "?p"
        g = term_sparql(graph_name) if graph_name is not None else "?g"
        rows = self._select(f"SELECT * WHERE {{ GRAPH {g} {{ ?s {p} ?o }} }}")
        quads = [ox.Quad(r["s"], r["p"] if predicate is None else predicate, r["o"],
                         r["g"] if graph_name is None else graph_name) for r in rows]
        self._cache.put(key, quads)
        return quads

    def query(self, query: str, *, default_graph=None, named_graphs=None,
              use_default_graph_as_union: bool = False, base_iri=None):
        """Like ``Store.query`` (the keyword arguments pages use), answered by the store."""
        kw = self.dataset.protocol_dataset(default_graph, named_graphs,
                                           use_default_graph_as_union)
        key = ("query", query, json.dumps(kw, sort_keys=True))
        hit = self._cache.get(key)
        if hit is not None:
            return _replay(hit)
        try:
            form = guard.check(query).form
        except guard.GuardError:
            form = None
        accept = ASK_GRAPH if form in ("CONSTRUCT", "DESCRIBE") else ASK_RESULTS
        frozen = _freeze(self._ask(query, accept, **kw))
        self._cache.put(key, frozen)
        return _replay(frozen)

    def __len__(self) -> int:
        rows = self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(rows))["n"].value)


def _freeze(answer):
    """A re-iterable copy of an answer (solutions are a one-shot iterator)."""
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        return ("solutions", variables, [[s[i] for i in range(len(variables))] for s in answer])
    if isinstance(answer, ox.QueryBoolean):
        return ("boolean", bool(answer))
    return ("triples", list(answer))


def _replay(frozen):
    kind = frozen[0]
    if kind == "boolean":
        return frozen[1]
    if kind == "triples":
        return iter(frozen[1])
    return Solutions(frozen[1], frozen[2])


class Solution:
    """One row: ``row["var"]``, ``row[i]`` (None when unbound), like pyoxigraph's."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: dict, values: list):
        self._names, self._values = names, values

    def __getitem__(self, key):
        if isinstance(key, ox.Variable):
            key = key.value
        if isinstance(key, str):
            index = self._names.get(key)
            return None if index is None else self._values[index]
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class Solutions:
    """A replayable ``QuerySolutions`` look-alike (``variables``, iteration of rows)."""

    def __init__(self, names: list[str], rows: list[list]):
        self.variables = [ox.Variable(n) for n in names]
        self._index = {n: i for i, n in enumerate(names)}
        self._rows = rows

    def __iter__(self):
        return (Solution(self._index, r) for r in self._rows)


