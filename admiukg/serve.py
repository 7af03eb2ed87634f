"""``python server.py``: build (or reopen) the store, then serve it under gunicorn.

The store is built once in the gunicorn master (``preload_app``); gunicorn forks ``--workers``
threaded web workers (``gthread``), and each starts its own small pool of query worker processes
(:mod:`admiukg.endpoint.pool`) that open the store read-only and can be killed at the query deadline.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import math
import multiprocessing
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

from admiukg import config, reloader
from admiukg.app import create_app
from admiukg.config import SERVER
from admiukg.endpoint import sandbox
from admiukg.endpoint.worker import _die_with_parent
from admiukg.endpoint.zygote import start_shared_zygote
from admiukg.graph import safeinput
from admiukg.queries.catalogue import QueryDefinitionError
from admiukg.store import local
from admiukg.store.base import Dataset
from admiukg.store.local import DatasetError, load_dataset

log = logging.getLogger("admiukg.serve")


class _Parser(argparse.ArgumentParser):
    """Bad values get one line (``server.py: --port: …``) and exit 2, no usage block."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message}\n")


def _ranged(kind, low, high=None, what=""):
    """An argparse type: *kind* within [low, high]; the message says what is allowed."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {'number' if kind is float else 'whole number'}") from None
        if math.isnan(value) or value < low or (high is not None and value > high):  # NaN too
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{text} is out of range: {what or 'the value'} must be {bound}")
        return value
    return parse


def _directory(text: str) -> str:
    if not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text}: no such directory")
    return text


def parse_args(argv=None) -> argparse.Namespace:
    p = _Parser(
        prog="server.py",
        description="Serve the ADMİU Knowledge Graph (or any RDF files) over the SPARQL 1.1 "
        "Protocol at http://HOST:PORT/sparql, read-only, under gunicorn.",
    )
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="RDF files to serve instead of the bundled graph "
                   "(.ttl .nt .rdf .owl .jsonld .trig .nq; named graphs kept)")
    p.add_argument("--host", default=SERVER.host, help="address to bind (default %(default)s)")
    p.add_argument("--port", type=_ranged(int, 1, 65535, "a TCP port"), default=SERVER.port, help="port (default %(default)s)")
    p.add_argument("--workers", type=_ranged(int, 1, 256, "the number of web workers"), default=SERVER.workers, help="web worker processes (default %(default)s)")
    p.add_argument("--threads", type=_ranged(int, 1, 1024, "the number of threads"), default=SERVER.threads, help="threads per web worker (default %(default)s)")
    p.add_argument("--query-workers", type=_ranged(int, 1, 256, "the number of query processes"),
                   default=SERVER.query_workers, help="query processes per web worker (default %(default)s)")
    p.add_argument("--disk", action="store_true",
                   help="query workers read the on-disk store instead of one shared in-memory "
                   "copy (graphs larger than memory; slower joins)")
    p.add_argument("--worker-copy-mb", type=_ranged(int, 16, None, "the copy limit in MiB"),
                   default=SERVER.worker_copy_mib,
                   help="a query worker that has copied this much of the shared in-memory store "
                   "is replaced by a fresh fork (higher: faster, more memory; default %(default)s)")
    p.add_argument("--queue-timeout", type=_ranged(float, 0, 3600, "the queue timeout in seconds"),
                   default=SERVER.queue_timeout,
                   help="seconds a query may wait for a free worker before 503 (default %(default)s)")
    p.add_argument("--client-queries", type=_ranged(int, 1, None, "the queries per client"),
                   default=SERVER.client_queries,
                   help="parallel queries per client address, 429 beyond (default %(default)s)")
    p.add_argument("--client-seconds", type=_ranged(float, 0.001, None, "the query seconds per client"),
                   default=SERVER.client_seconds,
                   help="query seconds per client address per minute, 429 beyond (default %(default)s)")
    p.add_argument("--fair-use-loopback", action="store_true",
                   help="apply the per-client limits to loopback clients too (by default "
                   "127.0.0.0/8 and ::1 are exempt: the operator, tests)")
    p.add_argument("--timeout", type=_ranged(float, 0.001, 86400, "the query deadline in seconds"), default=SERVER.timeout,
                   help="wall-clock limit per query in seconds (default %(default)s)")
    p.add_argument("--memory-limit", type=_ranged(int, 64, None, "the memory limit in MiB"), default=SERVER.memory_limit_mib,
                   help="address space a query process may use beyond what it starts with (the shared store) in MiB (default %(default)s)")
    p.add_argument("--max-rows", type=_ranged(int, 1, None, "the row limit"), default=SERVER.max_rows,
                   help="result rows/triples per response; more are cut and flagged "
                   "(default %(default)s)")
    p.add_argument("--max-response-mb", type=_ranged(float, 0.001, None, "the response limit in MiB"),
                   default=SERVER.max_response_mib,
                   help="result body limit in MiB; rows beyond it are cut and flagged "
                   "(X-SPARQL-Truncated-Reason: bytes; default %(default)s)")
    p.add_argument("--max-body", type=_ranged(int, 1, None, "the body limit in KiB"), default=SERVER.max_body_kib,
                   help="request body limit in KiB (default %(default)s)")
    p.add_argument("--max-depth", type=_ranged(int, 1, None, "the nesting depth"), default=SERVER.max_depth,
                   help="bracket nesting depth limit of a query (default %(default)s)")
    p.add_argument("--cache-mb", type=_ranged(int, 0, None, "the cache size in MiB"), default=SERVER.cache_mib,
                   help="response cache per web worker in MiB, 0 disables (default %(default)s)")
    p.add_argument("--cache-dir", default=None,
                   help="where built stores are kept for fast restarts "
                   "(default $XDG_CACHE_HOME/admiukg or ~/.cache/admiukg)")
    p.add_argument("--queries", metavar="DIR", type=_directory, default=None,
                   help="serve the saved queries (*.rq with #+ headers) of DIR in the query page "
                   "and at /api/queries (default: the bundled ones for the bundled graph, none "
                   "for other files)")
    p.add_argument("--base", default=None,
                   help="public base IRI replacing https://kg.admiu.example/ in every IRI")
    p.add_argument("--no-union", action="store_true",
                   help="FILE mode: default graph is the files' default graph, not the union")
    p.add_argument("--store", metavar="URL",
                   help="serve an existing SPARQL 1.1 store (its query URL) instead of files")
    p.add_argument("--reload", action="store_true",
                   help="watch the input files; swap in the new graph only if it loads and "
                   "validates (else keep serving the last good one; see /health)")
    p.add_argument("--front", choices=("event-loop", "gthread"), default="event-loop",
                   help="event-loop (default): uvicorn reads whole requests before a thread "
                   "runs them (admiukg.front); gthread: gunicorn's threads read them, with no "
                   "read timeout (slow clients can hold every thread)")
    p.add_argument("--header-timeout", type=_ranged(float, 0.1, 3600, "the header timeout in seconds"),
                   default=SERVER.header_timeout,
                   help="seconds a connection has to send complete request headers (default %(default)s)")
    p.add_argument("--body-timeout", type=_ranged(float, 0.1, 3600, "the body timeout in seconds"),
                   default=SERVER.body_timeout,
                   help="seconds a client has to send its request body (default %(default)s; 408 after)")
    p.add_argument("--log-level", default="info")
    return p.parse_args(argv)


def app_config(args) -> dict:
    """Command-line options as ``create_app`` configuration keys."""
    return {
        "KG_FILES": args.files or None,
        "SAVED_QUERIES_DIR": args.queries,
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
        "HEADER_TIMEOUT": args.header_timeout,
        "BODY_TIMEOUT": args.body_timeout,
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
    if child.exitcode and child.exitcode < 0:  # a parser crash: do not repeat it in here
        raise DatasetError(f"building the store crashed (signal {-child.exitcode})")
    return load_dataset(cfg["KG_FILES"], **kwargs)


def _serve_while_building(cfg: dict):
    """A cold start on FILEs: serve from the zygote's in-memory copy as soon as it is loaded,
    while the on-disk store (the restart cache and the pages' look-ups) is built beside it at
    low priority. Parsed twice, but not one after the other: ready in the time of the faster,
    in-memory load. On a restart the cached store is reopened and serves until the copy is
    loaded. None when the copy fails to load: then the on-disk build says why."""
    files, union = cfg["KG_FILES"], cfg["KG_UNION"]
    base = cfg["KG_BASE"] or config.CANONICAL_BASE
    t0 = time.perf_counter()
    zygote, proc, described = start_shared_zygote(_files_info(cfg), describe=True)
    cfg["QUERY_ZYGOTE"] = zygote  # on a restart too: it loads while the cached store serves
    final = local.files_store_dir(files, cfg["KG_CACHE_DIR"], union, base)
    if (final / "meta.json").exists():  # a restart: the cached store serves while the copy loads
        return local.reopen_cached(final)
    build = _build_in_background(cfg, final)
    while not os.path.exists(zygote):
        if proc.poll() is not None:  # bad input: the on-disk build says why, by file and line
            build.join()
            final.with_name(final.name + ".failed").unlink(missing_ok=True)
            return None
        time.sleep(0.02)
    log.info("in-memory copy loaded in %.2f s; building the on-disk store in the background",
             time.perf_counter() - t0)
    return local.described_dataset(files, final, json.loads(Path(described).read_text()),
                                   union, base, time.perf_counter() - t0)


def _build_in_background(cfg: dict, final: Path) -> multiprocessing.process.BaseProcess:
    """Build the on-disk store in a niced child that dies with the server; a failure is left
    next to it as ``<store>.failed`` for the pages that wait for it."""
    kwargs = {"base": cfg["KG_BASE"], "cache_dir": cfg["KG_CACHE_DIR"], "union": cfg["KG_UNION"]}

    def build():
        _die_with_parent(0)
        os.nice(10)  # the queries come first
        try:
            load_dataset(cfg["KG_FILES"], **kwargs)
        except Exception as exc:  # noqa: BLE001 - reported to the pages and the log
            final.with_name(final.name + ".failed").write_text(str(exc)[:500])
            log.error("building the on-disk store failed: %s", exc)
            os._exit(1)
        os._exit(0)

    child = multiprocessing.get_context("fork").Process(target=build, name="store-build",
                                                        daemon=True)  # ends with the server
    child.start()
    return child


def check_listen(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (None: it can), tried before the slow
    build so that a busy port is one line, not gunicorn's retries."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"cannot listen on {host}:{port}: unknown host ({exc.strerror})"
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(addr)
        except OSError as exc:
            reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            return f"cannot listen on {host}:{port}: {reason}"
    return None


def _check_inputs(files, cache_dir) -> None:
    """Refuse, in one line, what would otherwise crash the store build: FIFOs, devices, files
    over the size limit, XML entity bombs (pyoxigraph expands them until it aborts), and a
    cache directory that cannot be created or written."""
    for name in files or ():
        try:
            safeinput.check_input(name)
        except safeinput.InputError as exc:
            where = f"{name}:{exc.line}" if exc.line else str(name)
            raise DatasetError(f"{where}: {exc.message}") from None
    folder = Path(cache_dir or config.CACHE_DIR)
    try:
        (folder / "stores").mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder / "stores").close()
    except OSError as exc:
        raise DatasetError(f"--cache-dir {folder}: cannot use it for stores: "
                           f"{exc.strerror or exc}") from None


def _files_info(cfg) -> dict:
    """What the zygote needs to parse ``server.py FILE...`` itself (no on-disk store yet)."""
    from pathlib import Path

    from admiukg import config

    return {"sources": [str(Path(f)) for f in cfg["KG_FILES"]], "graphs": {}, "path": None,
            "base": cfg["KG_BASE"] or config.CANONICAL_BASE, "union": cfg["KG_UNION"]}


LOG_FORMAT = "%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"


class SecondCachingFormatter(logging.Formatter):
    """:class:`logging.Formatter`'s lines, with the date and time of a second formatted once
    (every query logs a line, and ``strftime`` was half of formatting it)."""

    _second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None or self.default_msec_format is None:
            return super().formatTime(record, datefmt)
        second = math.floor(record.created)  # the second localtime() gives it, 1970 and before too
        cached, stamp = self._second
        if cached != second:
            stamp = time.strftime(self.default_time_format, self.converter(second))
            self._second = (second, stamp)  # one assignment: threads read a matching pair
        return self.default_msec_format % (stamp, record.msecs)


def main(argv=None) -> int:
    args = parse_args(argv)
    handler = logging.StreamHandler()  # to stderr, as basicConfig's own
    handler.setFormatter(SecondCachingFormatter(LOG_FORMAT))
    logging.basicConfig(level=args.log_level.upper(), handlers=[handler])
    # every query logs a line: skip what no format here prints (the caller's file and line,
    # the thread, the multiprocessing name), as the logging HOWTO's "Optimization" advises
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    problem = check_listen(args.host, args.port)
    if problem:
        print(f"server.py: {problem}", file=sys.stderr)
        return 2
    cfg = app_config(args)
    dataset: Dataset | None = None
    try:
        if args.store:  # an existing SPARQL store instead of local files
            from admiukg.store import remote  # requests: only for a remote store

            dataset = remote.connect_for_server(args, cfg)
        else:
            _check_inputs(args.files, args.cache_dir)
            if problem := sandbox.probe():  # query workers would refuse to start
                raise DatasetError(problem)
            if cfg["KG_FILES"] and cfg["QUERY_IN_MEMORY"]:
                dataset = _serve_while_building(cfg)
            if dataset is None:
                dataset = _load_built_in_child(cfg)
    except DatasetError as exc:
        print(f"server.py: cannot serve: {exc}", file=sys.stderr)
        return 2
    assert dataset is not None
    info = dataset.info
    log.info("serving %d triples in %d graphs (store %s, %s in %.2f s)", info.triples,
             len([g for g in info.graph_sizes if g]), info.path,
             "reopened" if info.cached else "built", info.load_seconds)
    if not args.store and cfg["QUERY_IN_MEMORY"] and not cfg.get("QUERY_ZYGOTE"):
        cfg["QUERY_ZYGOTE"] = start_shared_zygote(info)
    try:
        app = create_app(cfg, dataset=dataset)
    except QueryDefinitionError as exc:  # a malformed --queries file: FILE:LINE: message
        print(f"server.py: cannot serve the saved queries: {exc}", file=sys.stderr)
        return 2
    options = {
        "bind": f"{args.host}:{args.port}",
        "workers": args.workers,
        # requests read by an event loop, not by threads (admiukg.front)
        "worker_class": "admiukg.front.Worker" if args.front == "event-loop" else "gthread",
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
        reloader.install(app, options, cfg)
    print(f"SPARQL endpoint: http://{args.host}:{args.port}/sparql  (health: /health)",
          file=sys.stderr, flush=True)
    _gunicorn_app(app, options).run()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
