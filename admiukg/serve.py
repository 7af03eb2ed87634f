"""``python server.py``: build (or reopen) the store, then serve it under gunicorn.

The store is built once in the gunicorn master (``preload_app``); gunicorn forks ``--workers``
threaded web workers (``gthread``), and each starts its own small pool of query worker processes
(:mod:`admiukg.endpoint.pool`) that open the store read-only and can be killed at the query deadline.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys

from admiukg import guard
from admiukg.app import create_app
from admiukg.store.local import DatasetError, load_dataset

log = logging.getLogger("admiukg.serve")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="server.py",
        description="Serve the ADMİU Knowledge Graph (or any RDF files) over the SPARQL 1.1 "
        "Protocol at http://HOST:PORT/sparql, read-only, under gunicorn.",
    )
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="RDF files to serve instead of the bundled graph "
                   "(.ttl .nt .rdf .owl .jsonld .trig .nq; named graphs kept)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn web workers (default 2)")
    p.add_argument("--threads", type=int, default=8, help="threads per web worker (default 8)")
    p.add_argument("--query-workers", type=int, default=2,
                   help="query processes per web worker (default 2)")
    p.add_argument("--disk", action="store_true",
                   help="query workers read the on-disk store instead of one shared in-memory "
                   "copy (graphs larger than memory; slower joins)")
    p.add_argument("--worker-copy-mb", type=int, default=1024,
                   help="a query worker that has copied this much of the shared in-memory store "
                   "is replaced by a fresh fork (higher: faster, more memory; default 1024)")
    p.add_argument("--queue-timeout", type=float, default=2.0,
                   help="seconds a query may wait for a free worker before 503 (default 2)")
    p.add_argument("--client-queries", type=int, default=4,
                   help="parallel queries per client address, 429 beyond (default 4)")
    p.add_argument("--client-seconds", type=float, default=60.0,
                   help="query seconds per client address per minute, 429 beyond (default 60)")
    p.add_argument("--fair-use-loopback", action="store_true",
                   help="apply the per-client limits to loopback clients too (by default "
                   "127.0.0.0/8 and ::1 are exempt: the operator, tests)")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="wall-clock limit per query in seconds (default 10)")
    p.add_argument("--memory-limit", type=int, default=2048,
                   help="address-space limit of a query process in MiB (default 2048)")
    p.add_argument("--max-rows", type=int, default=10_000,
                   help="result rows/triples per response; more are cut and flagged "
                   "(default 10000)")
    p.add_argument("--max-response-mb", type=float, default=16,
                   help="result body limit in MiB; rows beyond it are cut and flagged "
                   "(X-SPARQL-Truncated-Reason: bytes; default 16)")
    p.add_argument("--max-body", type=int, default=1024,
                   help="request body limit in KiB (default 1024)")
    p.add_argument("--max-depth", type=int, default=guard.Limits.max_depth,
                   help="bracket nesting depth limit of a query")
    p.add_argument("--cache-mb", type=int, default=64,
                   help="response cache per web worker in MiB, 0 disables (default 64)")
    p.add_argument("--cache-dir", default=None,
                   help="where built stores are kept for fast restarts (default .cache/)")
    p.add_argument("--base", default=None,
                   help="public base IRI replacing https://kg.admiu.example/ in every IRI")
    p.add_argument("--no-union", action="store_true",
                   help="FILE mode: default graph is the files' default graph, not the union")
    p.add_argument("--store", metavar="URL",
                   help="serve an existing SPARQL 1.1 store (its query URL) instead of files")
    p.add_argument("--reload", action="store_true",
                   help="watch the input files; swap in the new graph only if it loads and "
                   "validates (else keep serving the last good one; see /health)")
    p.add_argument("--log-level", default="info")
    return p.parse_args(argv)


def app_config(args) -> dict:
    """Command-line options as ``create_app`` configuration keys."""
    return {
        "KG_FILES": args.files or None,
        "KG_BASE": args.base,
        "KG_CACHE_DIR": args.cache_dir,
        "KG_UNION": not args.no_union,
        "QUERY_TIMEOUT": args.timeout,
        "QUERY_MEMORY_LIMIT": args.memory_limit * 2**20,
        "MAX_ROWS": args.max_rows,
        "MAX_RESPONSE_BYTES": int(args.max_response_mb * 2**20),
        "MAX_REQUEST_BYTES": args.max_body * 1024,
        "QUERY_WORKERS": args.query_workers,
        "QUERY_MAX_DEPTH": args.max_depth,
        "RESULT_CACHE_BYTES": args.cache_mb * 2**20,
        "QUERY_IN_MEMORY": not args.disk,
        "QUERY_QUEUE_TIMEOUT": args.queue_timeout,
        "QUERY_WORKER_COPY_BYTES": args.worker_copy_mb * 2**20,
        "CLIENT_QUERIES": args.client_queries,
        "CLIENT_QUERY_SECONDS": args.client_seconds,
        "FAIR_USE_LOOPBACK": args.fair_use_loopback,
    }


def _gunicorn_app(app, options):
    from gunicorn.app.base import BaseApplication

    class EndpointApplication(BaseApplication):
        def __init__(self, application, opts):
            self.application = application
            self.options = opts
            super().__init__()

        def load_config(self):
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self):
            return self.application

    return EndpointApplication(app, options)


def _post_worker_init(worker):
    """Start the query pool in each web worker, before it takes requests."""
    try:
        worker.wsgi.extensions["admiukg.endpoint"].pool.start()
    except Exception:  # pragma: no cover - the pool retries lazily on first query
        log.exception("could not start the query pool")


def _worker_exit(server, worker):
    try:
        worker.wsgi.extensions["admiukg.endpoint"].pool.close()
    except Exception:  # pragma: no cover
        pass


def _load_built_in_child(cfg: dict):
    """Build the on-disk store in a child process, then reopen it here.

    Parsing leaves ~250 MB of heap per million triples that the allocator keeps; built in the
    gunicorn master it would stay there and in every forked worker. A failed build is simply
    repeated here, which raises the DatasetError with its message.
    """
    kwargs = {"base": cfg["KG_BASE"], "cache_dir": cfg["KG_CACHE_DIR"], "union": cfg["KG_UNION"]}

    def build():
        try:
            load_dataset(cfg["KG_FILES"], **kwargs)
        except DatasetError:
            os._exit(1)  # the parent reports it

    child = multiprocessing.get_context("fork").Process(target=build, name="store-build")
    child.start()
    child.join()
    return load_dataset(cfg["KG_FILES"], **kwargs)


def _files_info(cfg) -> dict:
    """What the zygote needs to parse ``server.py FILE...`` itself (no on-disk store yet)."""
    from pathlib import Path

    from admiukg import config

    return {"sources": [str(Path(f)) for f in cfg["KG_FILES"]], "graphs": {}, "path": None,
            "base": cfg["KG_BASE"] or config.CANONICAL_BASE, "union": cfg["KG_UNION"]}


def start_shared_zygote(info) -> str:
    """Start the one in-memory copy of the dataset that every web process's query workers are
    forked from (:mod:`admiukg.endpoint.zygote`); returns its socket path. Started from the
    gunicorn master's main thread, before any web worker, so it dies with the master."""
    import tempfile

    from admiukg.endpoint.pool import start_zygote

    path = os.path.join(tempfile.mkdtemp(prefix="admiukg-zygote-"), "socket")
    start_zygote(path, info if isinstance(info, dict) else info.to_json())
    return path


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    cfg = app_config(args)
    try:
        if args.store:  # an existing SPARQL store instead of local files (admiukg.store.remote)
            from admiukg.store import remote

            dataset = remote.connect_for_server(args, cfg)
        else:
            if cfg["KG_FILES"] and cfg["QUERY_IN_MEMORY"]:  # parses while the disk store builds
                cfg["QUERY_ZYGOTE"] = start_shared_zygote(_files_info(cfg))
            dataset = _load_built_in_child(cfg)
    except DatasetError as exc:
        print(f"server.py: cannot serve: {exc}", file=sys.stderr)
        return 2
    info = dataset.info
    log.info("serving %d triples in %d graphs (store %s, %s in %.2f s)", info.triples,
             len([g for g in info.graph_sizes if g]), info.path,
             "reopened" if info.cached else "built", info.load_seconds)
    if not args.store and cfg["QUERY_IN_MEMORY"] and not cfg.get("QUERY_ZYGOTE"):
        cfg["QUERY_ZYGOTE"] = start_shared_zygote(info)
    app = create_app(cfg, dataset=dataset)
    options = {
        "bind": f"{args.host}:{args.port}",
        "workers": args.workers,
        "worker_class": "gthread",
        "threads": args.threads,
        "timeout": int(args.timeout) + 30,  # the query pool enforces the real deadline
        "graceful_timeout": 5,
        "keepalive": 5,
        "limit_request_line": 8190,
        "preload_app": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": args.log_level,
        "post_worker_init": _post_worker_init,
        "worker_exit": _worker_exit,
        "proc_name": "admiukg-sparql",
    }
    if args.reload:  # rebuild on input changes, swap only a good graph (admiukg.reloader)
        from admiukg import reloader

        reloader.install(app, options, cfg)
    print(f"SPARQL endpoint: http://{args.host}:{args.port}/sparql  (health: /health)",
          file=sys.stderr, flush=True)
    _gunicorn_app(app, options).run()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
