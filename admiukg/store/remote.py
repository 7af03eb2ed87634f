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

import dataclasses
import logging
import threading
import time

import pyoxigraph as ox
import requests

from admiukg import config, guard
from admiukg.endpoint import results
from admiukg.endpoint.pool import PoolBusy, PoolError
from admiukg.endpoint.replies import Reply, answer, failure
from admiukg.store.client import (
    ASK_GRAPH,
    ASK_RESULTS,
    StoreClient,
    StoreRejected,
    StoreUnavailable,
    parse_answer,
)
from admiukg.store.local import DatasetError, DatasetInfo
from admiukg.store.remote_store import RemoteStore

log = logging.getLogger("admiukg.store.remote")

#: Role graphs in the order the bundled dataset uses them (shapes stay out of the union).
ROLES = {"ontology": config.GRAPH_ONTOLOGY, "data": config.GRAPH_DATA,
         "inferred": config.GRAPH_INFERRED, "shapes": config.GRAPH_SHAPES}
UNION_ROLES = ("ontology", "data", "inferred")
#: The store runs whatever it is sent: only queries a real parser has read go there.
STRICT = guard.Limits(strict=True)


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
        try:  # the store boundary: checked again, by the parser too (cached, so cheap)
            form = guard.check(job["query"], STRICT).form
        except guard.GuardError as exc:
            return failure(exc.status, exc.kind, exc.message)
        accept = ASK_GRAPH if form in ("CONSTRUCT", "DESCRIBE") else ASK_RESULTS
        try:
            resp = self.client.post(job["query"], accept, timeout=timeout,
                                    **self.dataset.job_dataset(job))
            parsed = parse_answer(resp, self.client.url)
        except StoreRejected as exc:
            kind = "syntax" if "syntax" in exc.message.lower() else "store-rejected"
            return failure(400, kind, f"the SPARQL store refused the query: {exc.message}")
        except StoreUnavailable as exc:
            self.dataset.mark_down(exc.message)
            raise
        self.dataset.mark_up()
        return _reply(parsed, job)


def _reply(parsed, job) -> Reply:
    """The worker reply for a parsed answer of the store, written in the negotiated format."""
    max_rows = job["max_rows"]
    if isinstance(parsed, ox.QueryBoolean):
        fmt = job.get("results_format")
        if fmt is None:
            return failure(406, "not-acceptable", "no acceptable format for ASK results")
        return answer(fmt, results.write_boolean(bool(parsed), fmt), 1, False)
    if isinstance(parsed, ox.QuerySolutions):
        fmt = job.get("results_format")
        if fmt is None:
            return failure(406, "not-acceptable", "no acceptable format for SELECT results")
        return answer(fmt, *results.write_solutions(parsed, fmt, max_rows,
                                                    job.get("max_bytes") or 0))
    fmt = job.get("graph_format")
    if fmt is None:
        return failure(406, "not-acceptable", "no acceptable RDF format for a graph result")
    return answer(fmt, *results.write_triples(iter(parsed), fmt, max_rows,
                                              max_bytes=job.get("max_bytes") or 0))


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

        endpoint = app.extensions["admiukg.endpoint"]
        endpoint.settings.limits = dataclasses.replace(endpoint.settings.limits, strict=True)
        endpoint.pool = RemotePool(self, size=max(4, 4 * int(app.config["QUERY_WORKERS"])),
                                   timeout=endpoint.settings.timeout)
        app.extensions.setdefault("admiukg.health", []).append(self.health)


def connect(url: str, *, timeout: float = 10.0, user: str | None = None,
            password: str | None = None, base: str | None = None) -> RemoteDataset:
    """A :class:`RemoteDataset` for the store's query URL; graphs discovered if it is up."""
    auth = requests.auth.HTTPBasicAuth(user, password or "") if user else None
    dataset = RemoteDataset(url, timeout=timeout, auth=auth, base=base)
    if not dataset.discover():
        log.warning("starting anyway: %s will be retried on every request", url)
    return dataset


def connect_for_server(args, cfg: dict) -> RemoteDataset:
    """``server.py --store URL``: check the options that make no sense with a store."""

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
