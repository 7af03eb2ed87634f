"""Serve the front over an existing SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB, QLever).

``python server.py --store URL`` builds a :class:`RemoteDataset` instead of a local pyoxigraph
store. Three pieces keep the rest of the application unchanged:

HTTP and the stores' quirks live in :mod:`admiukg.store.client`.

* :class:`RemotePool` stands in for :class:`admiukg.endpoint.pool.QueryPool`: same job dict and
  reply tuple, so :func:`admiukg.endpoint.protocol.respond` works as is. The query (already through the
  guard) goes to the store with a timeout in a format every store speaks (SPARQL JSON for
  SELECT/ASK, N-Triples for graphs); the answer is parsed by pyoxigraph, which also absorbs
  the stores' quirks (Virtuoso's ``typed-literal`` bindings, ``head.link`` in ASK, XML when it
  ignores Accept), and re-written in the client's format with the row cap.
* :class:`RemoteStore` offers the part of ``pyoxigraph.Store`` the pages use
  (``quads_for_pattern``, ``query``, ``len``) over HTTP, with a short-lived cache: a page does
  hundreds of look-ups around a few nodes, so all quads of a node are fetched at once.
* An unreachable store (refused, timeout, 5xx) raises :class:`StoreUnavailable`, answered as
  503 with a clear message; nothing is latched, so the next request after the store is back
  simply works.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict

import pyoxigraph as ox
import requests

from admiukg import config, guard
from admiukg.endpoint import results
from admiukg.endpoint.pool import PoolBusy, PoolError, QueryTimeout
from admiukg.store.client import (
    ASK_GRAPH,
    ASK_RESULTS,
    StoreClient,
    StoreRejected,
    StoreUnavailable,
    addressable,
    parse_answer,
    term_sparql,
)
from admiukg.store.local import DatasetInfo

log = logging.getLogger("admiukg.store.remote")

#: Role graphs in the order the bundled dataset uses them (shapes stay out of the union).
ROLES = {"ontology": config.GRAPH_ONTOLOGY, "data": config.GRAPH_DATA,
         "inferred": config.GRAPH_INFERRED, "shapes": config.GRAPH_SHAPES}
UNION_ROLES = ("ontology", "data", "inferred")


# --- the query pool stand-in --------------------------------------------------------------


class RemotePool:
    """QueryPool's interface over a remote store (``size`` bounds concurrent store requests)."""

    def __init__(self, dataset: RemoteDataset, size: int = 8, timeout: float = 10.0):
        self.dataset = dataset
        self.client = dataset.client
        self.size = size
        self.timeout = timeout
        self.started = True  # nothing to start: /health asks alive() right away
        self.replaced = 0
        self._slots = threading.BoundedSemaphore(size)

    def start(self) -> None:
        pass

    def ensure_started(self) -> None:
        pass

    def close(self) -> None:
        pass

    def alive(self) -> int:
        """1 when the store answers a trivial query, else 0 (health turns 503)."""
        return 1 if self.dataset.reachable() else 0

    def run(self, job, timeout: float | None = None):
        timeout = self.timeout if timeout is None else timeout
        if not self._slots.acquire(timeout=timeout):
            raise PoolBusy(f"all {self.size} store connections busy for {timeout:g} s; "
                           "try again later")
        try:
            return self._run(job, timeout)
        finally:
            self._slots.release()

    def _run(self, job, timeout: float):
        try:
            form = guard.check(job["query"]).form
        except guard.GuardError:
            form = None
        accept = ASK_GRAPH if form in ("CONSTRUCT", "DESCRIBE") else ASK_RESULTS
        try:
            resp = self.client.post(job["query"], accept, timeout=timeout,
                                    **self.dataset.job_dataset(job))
            answer = parse_answer(resp, self.client.url)
        except StoreRejected as exc:
            kind = "syntax" if "syntax" in exc.message.lower() else "store-rejected"
            return ("error", 400, kind, f"the SPARQL store refused the query: {exc.message}")
        except StoreUnavailable as exc:
            self.dataset.mark_down(exc.message)
            raise
        self.dataset.mark_up()
        return _reply(answer, job)


def _reply(answer, job):
    """The worker reply tuple for a parsed answer, written in the negotiated format."""
    max_rows = job["max_rows"]
    if isinstance(answer, ox.QueryBoolean):
        fmt = job.get("results_format")
        if fmt is None:
            return ("error", 406, "not-acceptable", "no acceptable format for ASK results")
        return ("ok", fmt, results.write_boolean(bool(answer), fmt), 1, False)
    if isinstance(answer, ox.QuerySolutions):
        fmt = job.get("results_format")
        if fmt is None:
            return ("error", 406, "not-acceptable", "no acceptable format for SELECT results")
        return ("ok", fmt, *results.write_solutions(answer, fmt, max_rows,
                                                    job.get("max_bytes") or 0))
    fmt = job.get("graph_format")
    if fmt is None:
        return ("error", 406, "not-acceptable", "no acceptable RDF format for a graph result")
    return ("ok", fmt, *results.write_triples(iter(answer), fmt, max_rows,
                                              max_bytes=job.get("max_bytes") or 0))


# --- the store stand-in for pages ---------------------------------------------------------


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


# --- the dataset --------------------------------------------------------------------------


class RemoteDataset:
    """What ``app.extensions["admiukg"]`` holds in ``--store`` mode (ServedDataset's shape).

    The graphs of the store are discovered on first contact (and again while the store is
    unreachable at start): if the project's role graphs (config.GRAPH_*) are there, queries
    see the union of ontology, data and inferred as their default graph, as in local mode.
    """

    def __init__(self, url: str, *, timeout: float = 10.0, auth=None,
                 base: str | None = None, cache_seconds: float = 10.0):
        self.client = StoreClient(url, timeout=timeout, auth=auth)
        self.base = base or config.CANONICAL_BASE
        self.info = DatasetInfo(path=url, title="ADMİU Knowledge Graph (store " + url + ")",
                                base=self.base, sources=[url])
        self.graphs: dict[str, str] = {}
        self.triple_count = 0
        self.load_seconds = 0.0
        self.store = RemoteStore(self, cache_seconds=cache_seconds)
        self._state_lock = threading.Lock()
        self._up: bool | None = None
        self._checked = 0.0
        self.last_error: str | None = None
        self.discovered = False

    @property
    def path(self) -> str:
        return self.client.url

    # reachability ----------------------------------------------------------------------
    def mark_down(self, error: str | None = None) -> None:
        with self._state_lock:
            if self._up is not False:
                log.warning("SPARQL store %s is down%s", self.client.url,
                            f": {error}" if error else "")
            self._up, self._checked = False, time.monotonic()
            if error:
                self.last_error = error

    def mark_up(self) -> None:
        with self._state_lock:
            if self._up is False:
                log.info("SPARQL store %s is back", self.client.url)
            self._up, self._checked = True, time.monotonic()
            self.last_error = None
        if not self.discovered:
            self.discover(quiet=True)

    def reachable(self, max_age: float = 1.0) -> bool:
        """Whether the store answers (a trivial ASK at most once per ``max_age`` seconds)."""
        if self._up is not None and time.monotonic() - self._checked < max_age:
            return self._up
        try:
            self.client.post("ASK {}", ASK_RESULTS, timeout=min(self.client.timeout, 3.0)).close()
        except (PoolError, StoreRejected) as exc:
            self.mark_down(getattr(exc, "message", str(exc)))
            return False
        self.mark_up()
        return True

    def health(self) -> dict:
        up = self.reachable()
        return {"store": {"url": self.client.url, "reachable": up,
                          "error": None if up else self.last_error,
                          "graphs_discovered": self.discovered}}

    # graphs ----------------------------------------------------------------------------
    def discover(self, quiet: bool = False) -> bool:
        """Find the store's graphs, the role graphs among them and their sizes."""
        t0 = time.perf_counter()
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        try:
            answer = parse_answer(self.client.post(query, ASK_RESULTS), self.client.url)
            sizes = {r["g"].value: int(r["n"].value) for r in answer}
        except (PoolError, StoreRejected) as exc:
            if not quiet:
                log.warning("could not list the graphs of %s: %s", self.client.url,
                            getattr(exc, "message", exc))
            self.last_error = getattr(exc, "message", str(exc))
            return False
        graphs = {role: iri for role, iri in ROLES.items() if iri in sizes}
        info = self.info
        info.graphs = graphs
        if graphs:
            info.graph_sizes = {iri: sizes[iri] for iri in graphs.values()}
            info.union = [graphs[r] for r in UNION_ROLES if r in graphs]
        else:  # a foreign store: its own default graph, all its graphs
            info.graph_sizes = sizes
            info.union = True
        info.triples = sum(info.graph_sizes.values())
        info.load_seconds = round(time.perf_counter() - t0, 3)
        self.graphs = graphs  # same dict shape as ServedDataset.graphs
        self.triple_count = info.triples
        self.load_seconds = info.load_seconds
        self.discovered = True
        log.info("store %s: %d triples in %d graphs (roles: %s)", self.client.url, info.triples,
                 len(info.graph_sizes), ", ".join(graphs) or "none")
        return True

    def role_graph_filter(self) -> dict:
        if self.graphs:
            return {"named_graphs": list(self.graphs.values())}
        return {}

    def protocol_dataset(self, default_graph, named_graphs, union: bool) -> dict:
        """SPARQL Protocol dataset parameters equivalent to ``Store.query`` keywords."""
        def iris(value):
            if value is None:
                return None
            items = value if isinstance(value, (list, tuple)) else [value]
            return [t.value for t in items if isinstance(t, ox.NamedNode)]

        named = iris(named_graphs)
        if named is None and self.graphs:  # pyoxigraph keeps every named graph visible
            named = list(self.graphs.values())
        if default_graph is not None:
            return {"default_graphs": iris(default_graph), "named_graphs": named}
        if union and self.graphs:
            return {"default_graphs": list(self.graphs.values()), "named_graphs": named}
        return {"named_graphs": iris(named_graphs)} if named_graphs is not None else {}

    def job_dataset(self, job) -> dict:
        """Dataset parameters for a user job, mirroring :func:`admiukg.endpoint.results.dataset_kwargs`."""
        dg, ng = job.get("default_graphs"), job.get("named_graphs")
        if dg is not None or ng is not None:
            return {"default_graphs": dg or [], "named_graphs": ng or []}
        if job.get("has_dataset") or not self.graphs:
            return {}
        return {"default_graphs": list(self.info.union), "named_graphs": list(self.graphs.values())}

    # Flask wiring ----------------------------------------------------------------------
    def init_app(self, app) -> None:
        """Swap the endpoint's query pool for the store, answer 503 when the store is down."""
        from admiukg.endpoint.protocol import error_response

        endpoint = app.extensions["admiukg.endpoint"]
        endpoint.pool = RemotePool(self, size=max(4, 4 * int(app.config["QUERY_WORKERS"])),
                                   timeout=endpoint.settings.timeout)
        app.extensions.setdefault("admiukg.health", []).append(self.health)

        @app.errorhandler(StoreUnavailable)
        @app.errorhandler(QueryTimeout)
        def store_down(exc: PoolError):
            return error_response(503, exc.message, "unavailable", {"Retry-After": "5"})


def connect(url: str, *, timeout: float = 10.0, user: str | None = None,
            password: str | None = None, base: str | None = None) -> RemoteDataset:
    """A :class:`RemoteDataset` for the store's query URL; graphs discovered if it is up."""
    auth = requests.auth.HTTPBasicAuth(user, password) if user else None
    dataset = RemoteDataset(url, timeout=timeout, auth=auth, base=base)
    if not dataset.discover():
        log.warning("starting anyway: %s will be retried on every request", url)
    return dataset


def connect_for_server(args, cfg: dict) -> RemoteDataset:
    """``server.py --store URL``: check the options that make no sense with a store."""
    from admiukg.store.local import DatasetError

    if args.files:
        raise DatasetError("give either RDF files or --store URL, not both")
    if args.base:
        raise DatasetError("--base rewrites IRIs at load time; with --store, push the data "
                           "under the public base instead")
    if getattr(args, "reload", False):
        raise DatasetError("--reload watches local files; with --store, push new data to the "
                           "store (python -m admiukg.store.push) instead")
    cfg["RESULT_CACHE_BYTES"] = 0  # the store can change under us: no response cache
    return connect(args.store, timeout=args.timeout)
