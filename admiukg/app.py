"""Flask app factory: dataset, settings, query pool, CORS, errors, /health, blueprints.

``app.extensions["admiukg"]`` is the served :class:`~admiukg.store.base.Dataset`;
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

from admiukg import guard, vocab
from admiukg.api import routes
from admiukg.config import SERVER
from admiukg.endpoint import bodydrain, negotiation
from admiukg.endpoint.cache import FastPath, ResponseCache
from admiukg.endpoint.fairness import Fairness
from admiukg.endpoint.lean import LeanPath
from admiukg.endpoint.pool import QueryPool
from admiukg.endpoint.protocol import bp
from admiukg.endpoint.responses import common_headers, error_response, for_error
from admiukg.endpoint.runner import QueryRunner
from admiukg.errors import KGError
from admiukg.site import downloads, linkeddata, pages
from admiukg.store.base import Dataset
from admiukg.store.local import load_dataset

log = logging.getLogger("admiukg.app")

#: Defaults of the configuration keys ``create_app`` understands.
DEFAULTS = {
    "KG_FILES": None,  # RDF files to serve instead of the bundled graph
    "KG_BASE": None,  # public base IRI replacing config.CANONICAL_BASE
    "KG_CACHE_DIR": None,  # where built stores are kept (default config.CACHE_DIR)
    "KG_UNION": True,  # FILE mode: default graph = union of all graphs
    "QUERY_TIMEOUT": SERVER.timeout,
    "QUERY_MEMORY_LIMIT": SERVER.memory_limit_mib * 2**20,  # bytes
    "MAX_ROWS": SERVER.max_rows,
    "MAX_RESPONSE_BYTES": int(SERVER.max_response_mib * 2**20),
    "MAX_REQUEST_BYTES": SERVER.max_body_kib * 2**10,
    "QUERY_WORKERS": SERVER.query_workers,
    "QUERY_IN_MEMORY": True,  # workers forked from an in-memory copy, else on the on-disk store
    "QUERY_WORKER_COPY_BYTES": SERVER.worker_copy_mib * 2**20,
    "QUERY_QUEUE_TIMEOUT": SERVER.queue_timeout,
    "QUERY_SPARE_WORKERS": None,  # extra forks while all are slow (default: 8 × QUERY_WORKERS)
    "CLIENT_QUERIES": SERVER.client_queries,
    "CLIENT_QUERY_SECONDS": SERVER.client_seconds,
    "FAIR_USE_LOOPBACK": False,  # apply the per-client limits to 127.0.0.0/8 and ::1 too
    "QUERY_ZYGOTE": None,  # socket of the shared in-memory copy (admiukg.serve starts it)
    "QUERY_MAX_DEPTH": SERVER.max_depth,
    "RESULT_CACHE_BYTES": SERVER.cache_mib * 2**20,
    "TESTING": False,
}


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
    dataset: Dataset
    settings: Settings
    pool: QueryRunner
    cache: ResponseCache
    fairness: Fairness | None = None
    prefixes: dict = field(default_factory=dict)  # for Turtle, TriG, RDF/XML, JSON-LD results
    started: float = field(default_factory=time.time)


def create_app(config: dict | None = None, *, dataset: Dataset | None = None) -> Flask:
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

    pool: QueryRunner = QueryPool(info.path, size=int(cfg["QUERY_WORKERS"]), timeout=settings.timeout,
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
        prefixes=vocab.prefixes(dataset.base),
    )
    dataset.init_app(app)
    app.register_blueprint(bp)
    endpoint = app.extensions["admiukg.endpoint"]
    app.wsgi_app = FastPath(LeanPath(app.wsgi_app, endpoint, settings.max_content_length),  # type: ignore[method-assign]
                            endpoint.cache)
    for blueprint in (linkeddata.bp, downloads.bp, pages.bp, routes.bp):
        app.register_blueprint(blueprint)

    @app.before_request
    def bounded_negotiation():  # a 745 KiB Accept would cost seconds of CPU to negotiate
        for name in negotiation.NEGOTIATION_HEADERS:
            value = request.headers.get(name)
            if value is not None and len(value) > negotiation.MAX_HEADER:
                return error_response(400, f"{name} header too long: {len(value)} characters "
                                      f"(limit {negotiation.MAX_HEADER})", "header-too-long")
        return None

    @app.after_request
    def cors(resp: Response) -> Response:
        for k, v in common_headers(resp.mimetype or ""):
            resp.headers[k] = v
        if request.method == "OPTIONS":
            resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
            resp.headers["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "Accept, Content-Type")
            resp.headers["Access-Control-Max-Age"] = "86400"
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
        status = exc.code or 500
        resp = error_response(status, messages.get(status, exc.description or ""),
                              (exc.name or "error").lower().replace(" ", "-"), headers)
        return resp

    app.register_error_handler(KGError, for_error)

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
