"""``python server.py --reload``: swap in a new graph when the input files change, if it is good.

A thread in the gunicorn master polls the inputs' (path, mtime, size) once a second. When
they change and then stay unchanged for one more poll (an editor may write in steps), a child
process builds the new store (parse, validate for the bundled graph, entailments), so the
master never runs owlrl/pyshacl itself and their memory goes away with the child. Only if
that succeeds does the master build a new app over the new store and send itself SIGHUP:
gunicorn starts fresh web workers (empty caches) and retires the old ones gracefully.
On failure the last good graph keeps being served; the error goes to the log and to
``/health`` (``"reload"``), through a small status file shared with the workers.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from admiukg import config
from admiukg.app import create_app
from admiukg.endpoint.zygote import start_shared_zygote
from admiukg.store.local import DatasetError, load_dataset

log = logging.getLogger("admiukg.reload")

BUILD_TIMEOUT = 600  # seconds; a build that takes longer is abandoned


class Reloader:
    def __init__(self, cfg: dict, interval: float = 1.0):
        self.cfg = cfg
        self.interval = interval
        self.status_file = Path(tempfile.mkdtemp(prefix="admiukg-reload-")) / "status.json"
        self.generation = 0
        self._write({"watching": True, "generation": 0, "error": None,
                     "loaded_at": _now(), "files": len(self.inputs())})

    # what is watched ----------------------------------------------------------------------
    def inputs(self) -> list[Path]:
        if self.cfg.get("KG_FILES"):
            return [Path(p) for p in self.cfg["KG_FILES"]]
        return [*config.ontology_files(), *config.data_files(), config.shapes_file()]

    def signature(self) -> tuple:
        sig: list[tuple[str, int | None, int | None]] = []
        for p in self.inputs():
            try:
                st = p.stat()
                sig.append((str(p), st.st_mtime_ns, st.st_size))
            except OSError:
                sig.append((str(p), None, None))
        return tuple(sig)

    # status shared with the web workers ---------------------------------------------------
    def _write(self, status: dict) -> None:
        tmp = self.status_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(status))
        os.replace(tmp, self.status_file)  # workers never read a half-written file

    def health(self) -> dict:
        try:
            return {"reload": json.loads(self.status_file.read_text())}
        except (OSError, ValueError):
            return {"reload": {"watching": True, "error": "reload status unavailable"}}

    # the watcher --------------------------------------------------------------------------
    def when_ready(self, server) -> None:
        """gunicorn ``when_ready`` hook: start watching in the master."""
        threading.Thread(target=self._watch, args=(server,), daemon=True,
                         name="admiukg-reload").start()

    def _watch(self, server) -> None:
        last = self.signature()
        while True:
            time.sleep(self.interval)
            current = self.signature()
            if current == last:
                continue
            time.sleep(self.interval)
            if self.signature() != current:
                continue  # still being written; look again next round
            last = current
            try:
                self.rebuild(server)
            except Exception:  # the watcher must survive anything
                log.exception("reload failed unexpectedly; still serving the last good graph")

    def rebuild(self, server) -> None:
        log.info("input files changed: rebuilding the dataset")
        error = build_in_child(self.cfg)
        status = json.loads(self.status_file.read_text())
        if error:
            log.error("reload refused, still serving the last good graph: %s", error)
            status.update(error=error, failed_at=_now())
            self._write(status)
            return

        try:  # the child left the built store in the cache: this only reopens it
            dataset = load_dataset(self.cfg["KG_FILES"], base=self.cfg["KG_BASE"],
                                   cache_dir=self.cfg["KG_CACHE_DIR"], union=self.cfg["KG_UNION"])
        except DatasetError as exc:
            status.update(error=str(exc), failed_at=_now())
            self._write(status)
            return
        cfg = dict(self.cfg)
        old_zygote = cfg.get("QUERY_ZYGOTE")
        if old_zygote:  # a new in-memory copy; the old one ends with its last web process
            self.cfg["QUERY_ZYGOTE"] = cfg["QUERY_ZYGOTE"] = start_shared_zygote(dataset.info)
            try:
                os.unlink(old_zygote)
            except OSError:
                pass
        app = create_app(cfg, dataset=dataset)
        self.attach(app)
        server.app.application = app
        server.app.callable = app  # what new workers get from app.wsgi()
        self.generation += 1
        self._write({"watching": True, "generation": self.generation, "error": None,
                     "loaded_at": _now(), "triples": dataset.info.triples,
                     "files": len(self.inputs())})
        log.info("reloaded: %d triples; restarting web workers", dataset.info.triples)
        os.kill(os.getpid(), signal.SIGHUP)

    def attach(self, app) -> None:
        app.extensions.setdefault("admiukg.health", []).append(self.health)


def build_in_child(cfg: dict) -> str | None:
    """Build (and for the bundled graph validate) the store in a child process.

    :return: None on success, else the error message (FILE:LINE where known).
    """
    args = json.dumps({k: cfg.get(k) for k in ("KG_FILES", "KG_BASE", "KG_CACHE_DIR",
                                               "KG_UNION")}, default=str)
    try:
        proc = subprocess.run([sys.executable, "-m", "admiukg.reloader", args],
                              check=False, capture_output=True, text=True,
                              timeout=BUILD_TIMEOUT,
                              cwd=config.ROOT)
    except subprocess.TimeoutExpired:
        return f"rebuilding took longer than {BUILD_TIMEOUT} s"
    if proc.returncode == 0:
        return None
    return (proc.stderr.strip() or f"build exited with {proc.returncode}")[-2000:]


def install(app, options: dict, cfg: dict) -> Reloader:
    """Wire ``--reload`` into the app and the gunicorn options of :mod:`admiukg.serve`."""
    reloader = Reloader(cfg)
    reloader.attach(app)
    options["when_ready"] = reloader.when_ready
    return reloader


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _child_main(argv) -> int:

    cfg = json.loads(argv[0])
    try:
        load_dataset(cfg["KG_FILES"], base=cfg["KG_BASE"], cache_dir=cfg["KG_CACHE_DIR"],
                     union=cfg["KG_UNION"] if cfg["KG_UNION"] is not None else True)
    except DatasetError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover - the child of build_in_child
    sys.exit(_child_main(sys.argv[1:]))
