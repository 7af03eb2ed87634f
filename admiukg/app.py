"""Flask app factory: dataset, settings, query pool, CORS, errors, /health, blueprints.

``app.extensions["admiukg"]`` is the :class:`~admiukg.store.local.ServedDataset`;
``app.extensions["admiukg.endpoint"]`` is the endpoint's :class:`Endpoint` state (settings,
query pool, response cache).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from admiukg import guard
from admiukg.api import routes
from admiukg.endpoint import bodydrain
from admiukg.endpoint.fairness import Fairness
from admiukg.endpoint.pool import QueryPool
from admiukg.endpoint.results import DEFAULT_PREFIXES
from admiukg.site import downloads, linkeddata, pages
from admiukg.store.local import ServedDataset, load_dataset

log = logging.getLogger("admiukg.app")

#: Defaults of the configuration keys ``create_app`` understands.
DEFAULTS = {
    "KG_FILES": None,  # RDF files to serve instead of the bundled graph
    "KG_BASE": None,  # public base IRI replacing config.CANONICAL_BASE
    "KG_CACHE_DIR": None,  # where built stores are kept (default config.CACHE_DIR)
    "KG_UNION": True,  # FILE mode: default graph = union of all graphs
    "QUERY_TIMEOUT": 10.0,  # wall-clock seconds per query
    "QUERY_MEMORY_LIMIT": 2 * 2**30,  # RLIMIT_AS of a query worker, bytes
    "MAX_ROWS": 10_000,  # rows / triples per response, more are cut and flagged
    "MAX_RESPONSE_BYTES": 16 * 2**20,  # body of a query result, more rows are cut and flagged
    "MAX_REQUEST_BYTES": 2**20,  # request body limit (413 above)
    "QUERY_WORKERS": 2,  # query processes per web process
    "QUERY_IN_MEMORY": True,  # workers forked from an in-memory copy, else on the on-disk store
    "QUERY_WORKER_COPY_BYTES": 1024 * 2**20,  # a fork that copied this much is replaced
    "QUERY_QUEUE_TIMEOUT": 2.0,  # seconds a query may wait for a worker before 503
    "QUERY_SPARE_WORKERS": None,  # extra forks while all are slow (default: 8 × QUERY_WORKERS)
    "CLIENT_QUERIES": 4,  # parallel queries per client address (429 beyond)
    "CLIENT_QUERY_SECONDS": 60.0,  # query time per client per minute (429 beyond)
    "FAIR_USE_LOOPBACK": False,  # apply the per-client limits to 127.0.0.0/8 and ::1 too
    "QUERY_ZYGOTE": None,  # socket of the shared in-memory copy (admiukg.serve starts it)
    "QUERY_MAX_DEPTH": guard.Limits.max_depth,
    "RESULT_CACHE_BYTES": 64 * 2**20,  # response cache per web process; 0 disables
    "TESTING": False,
}
#: Feature blueprints, registered when their module is present.
EXPOSE = ("X-SPARQL-Truncated, X-SPARQL-Truncated-Reason, X-SPARQL-Max-Rows, "
          "X-SPARQL-Max-Bytes, X-SPARQL-Rows, Retry-After")


@dataclass
class Settings:
    timeout: float
    memory_limit: int
    max_rows: int
    max_content_length: int
    limits: guard.Limits
    max_bytes: int = 0
    fair_use_loopback: bool = False


@dataclass
class Endpoint:
    dataset: ServedDataset
    settings: Settings
    pool: QueryPool
    cache: object
    fairness: Fairness | None = None
    prefixes: dict = field(default_factory=dict)  # for Turtle, TriG, RDF/XML, JSON-LD results
    started: float = field(default_factory=time.time)


def create_app(config: dict | None = None, *, dataset: ServedDataset | None = None) -> Flask:
    """Build the app. The dataset is loaded here unless a built one is passed in.

    Query workers start lazily in the serving process (after gunicorn forks) or eagerly via
    ``app.extensions["admiukg.endpoint"].pool.start()``.
    """
    cfg = {**DEFAULTS, **(config or {})}
    if dataset is None:
        dataset = load_dataset(cfg["KG_FILES"] or None, base=cfg["KG_BASE"],
                               cache_dir=cfg["KG_CACHE_DIR"], union=cfg["KG_UNION"])
    info = dataset.info
    settings = Settings(
        timeout=float(cfg["QUERY_TIMEOUT"]),
        memory_limit=int(cfg["QUERY_MEMORY_LIMIT"]),
        max_rows=int(cfg["MAX_ROWS"]),
        max_bytes=int(cfg["MAX_RESPONSE_BYTES"]),
        fair_use_loopback=bool(cfg["FAIR_USE_LOOPBACK"]),
        max_content_length=int(cfg["MAX_REQUEST_BYTES"]),
        limits=guard.Limits(max_depth=int(cfg["QUERY_MAX_DEPTH"]),
                            max_length=min(guard.Limits.max_length, int(cfg["MAX_REQUEST_BYTES"]))),
    )
    app = Flask(__name__, template_folder="site/templates", static_folder="site/static")
    app.config.update(cfg)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_content_length
    from admiukg.endpoint.protocol import FastPath, ResponseCache, bp, error_response

    pool = QueryPool(info.path, size=int(cfg["QUERY_WORKERS"]), timeout=settings.timeout,
                     memory_limit=settings.memory_limit, union=info.union,
                     zygote=cfg["QUERY_ZYGOTE"], info=info.to_json(),
                     in_memory=bool(cfg["QUERY_IN_MEMORY"]),
                     queue_timeout=float(cfg["QUERY_QUEUE_TIMEOUT"]),
                     recycle_bytes=int(cfg["QUERY_WORKER_COPY_BYTES"]),
                     spare=int(cfg["QUERY_SPARE_WORKERS"] if cfg["QUERY_SPARE_WORKERS"]
                               is not None else 8 * int(cfg["QUERY_WORKERS"])))
    workers = int(cfg["QUERY_WORKERS"])
    fairness = Fairness(slow_slots=max(1, workers - 1), concurrent=int(cfg["CLIENT_QUERIES"]),
                        quota_seconds=float(cfg["CLIENT_QUERY_SECONDS"]))
    cache_bytes = int(cfg["RESULT_CACHE_BYTES"])
    app.extensions["admiukg"] = dataset
    app.extensions["admiukg.endpoint"] = Endpoint(
        dataset=dataset, settings=settings, pool=pool, fairness=fairness,
        cache=ResponseCache(4096 if cache_bytes > 0 else 0, cache_bytes),
        prefixes={**DEFAULT_PREFIXES, "au": dataset.base + "ontology#", "id": dataset.base + "id/"},
    )
    if hasattr(dataset, "init_app"):  # a remote store (admiukg.store.remote) brings its own pool
        dataset.init_app(app)
    app.register_blueprint(bp)
    app.wsgi_app = FastPath(app.wsgi_app, app.extensions["admiukg.endpoint"].cache)
    for blueprint in (linkeddata.bp, downloads.bp, pages.bp, routes.bp):
        app.register_blueprint(blueprint)

    @app.after_request
    def cors(resp: Response) -> Response:
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Expose-Headers"] = EXPOSE
        if request.method == "OPTIONS":
            resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
            resp.headers["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "Accept, Content-Type")
            resp.headers["Access-Control-Max-Age"] = "86400"
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        headers = {}
        if exc.code == 413:  # keep the keep-alive connection usable (admiukg.endpoint.bodydrain)
            bodydrain.drain(request.environ)
        if exc.code == 405:
            headers["Allow"] = ", ".join(getattr(exc, "valid_methods", None) or
                                         ["GET", "HEAD", "POST", "OPTIONS"])
        messages = {
            413: f"request body too large (limit {settings.max_content_length} bytes)",
            405: f"method {request.method} not allowed here",
            404: f"no such resource: {request.path}",
        }
        resp = error_response(exc.code or 500, messages.get(exc.code, exc.description or ""),
                              (exc.name or "error").lower().replace(" ", "-"), headers)
        return resp

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # never a stack trace to the client
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal error", "internal-error")

    @app.route("/health")
    def health():
        ep = app.extensions["admiukg.endpoint"]
        alive = ep.pool.alive() if ep.pool.started else None
        ok = alive != 0
        body = {
            "status": "ok" if ok else "degraded",
            "pid": os.getpid(),
            "triples": info.triples,
            "graphs": info.graph_sizes,
            "graph_roles": info.graphs,
            "default_graph": "union" if info.union is True else info.union,
            "base": info.base,
            "load_seconds": info.load_seconds,
            "build_seconds": info.built_seconds,
            "store_reopened": info.cached,
            "sources": info.sources,
            "uptime_seconds": round(time.time() - ep.started, 1),
            "workers": {"alive": alive, "size": ep.pool.size, "replaced": ep.pool.replaced,
                        "recycled": getattr(ep.pool, "recycled", 0),
                        "in_memory": getattr(ep.pool, "zygote_ready", False)},
            "limits": {"timeout_s": settings.timeout, "max_rows": settings.max_rows,
                       "max_response_bytes": settings.max_bytes,
                       "memory_limit": settings.memory_limit,
                       "max_request_bytes": settings.max_content_length},
            "cache": ep.cache.stats(),
            "fair_use": ep.fairness.stats() if ep.fairness else None,
        }
        for extra in app.extensions.get("admiukg.health", ()):  # store and reload status
            body.update(extra())
        return Response(json.dumps(body, ensure_ascii=False, indent=1) + "\n",
                        status=200 if ok else 503,
                        content_type="application/json; charset=utf-8")

    return app
