"""Build the served dataset once, as an on-disk pyoxigraph store that workers open read-only.

Two sources:

* the bundled graph (:func:`build_bundled`): ontology, data, OWL RL entailments and shapes in
  their own named graphs (IRIs from :mod:`admiukg.config`); served only if it validates;
* arbitrary RDF files (:func:`build_from_files`), like ``fuseki-server --file``: triples of
  triple formats go to the default graph, quad formats keep their named graphs.

Queries see the union of all graphs as their default graph unless the request or the query
names a dataset (``default-graph-uri`` / ``FROM``). A store is cached under
``config.CACHE_DIR/stores/<content hash>``, so a restart on unchanged inputs reopens it in
well under a second; ``meta.json`` next to it keeps the statistics.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from admiukg import config, formats, progress
from admiukg.errors import KGError
from admiukg.graph.rebase import load_into
from admiukg.graph.storestats import identity, statistics
from admiukg.store.cachekey import validity_key

log = logging.getLogger("admiukg.store.local")

#: Bump when the store layout changes, to invalidate cached stores.
STORE_VERSION = "2"



class DatasetError(KGError):
    """The dataset cannot be served (unreadable file, parse error, failed validation)."""

    kind = "dataset"


@dataclass
class DatasetInfo:
    """What is served; cheap to pickle and to show on /health."""

    path: str
    graphs: dict[str, str] = field(default_factory=dict)  # role -> graph IRI
    graph_sizes: dict[str, int] = field(default_factory=dict)  # graph IRI ("" = default) -> triples
    triples: int = 0
    union: bool | list = True  # default graph: True = all graphs, list = these graphs
    sources: list[str] = field(default_factory=list)
    load_seconds: float = 0.0
    built_seconds: float = 0.0
    cached: bool = False
    title: str = "ADMİU Knowledge Graph"
    base: str = config.CANONICAL_BASE
    stats: dict = field(default_factory=dict)  # VoID statistics of the default (union) graph
    description: str = ""  # FILE mode: from the files' own VoID/DCAT or owl:Ontology
    ontologies: list = field(default_factory=list)  # FILE mode: IRIs of the owl:Ontology in the files

    def to_json(self) -> dict:
        return asdict(self)


class ServedDataset:
    """The served dataset (``app.extensions["admiukg"]``): metadata and a read-only store.

    ``store`` opens the on-disk store read-only in the calling process (reopened after a
    fork) for cheap quad-pattern look-ups by pages and downloads; SPARQL queries go through
    the query worker pool, which opens the same store in separate processes.
    """

    #: how long a request that needs the on-disk store waits for its build to finish
    build_wait: float = 60.0

    def __init__(self, info: DatasetInfo, building: Path | None = None):
        self._info = info
        self.building = building  # the cache directory the on-disk store will appear in
        self.graphs: dict[str, str] = dict(info.graphs)  # role -> graph IRI
        self.triple_count: int = info.triples
        self.load_seconds: float = info.load_seconds
        self.base: str = info.base
        self._store = None
        self._pid = None

    @property
    def info(self) -> DatasetInfo:
        """What is served; while the on-disk store is being built, without the VoID counts,
        which its build adds as soon as it is done."""
        self._built()
        return self._info

    def _adopt_build(self) -> None:
        try:
            built = json.loads((self.building / "meta.json").read_text())
        except (OSError, ValueError):  # pragma: no cover - published atomically with the store
            return
        self._info.stats = built.get("stats", {})
        self._info.built_seconds = built.get("built_seconds", 0.0)
        self.building = None

    @property
    def path(self) -> str:
        return self._info.path

    @property
    def store(self) -> ox.Store:
        if self._store is None or self._pid != os.getpid():
            self._wait_for_build()
            self._store = ox.Store.read_only(self.path)
            self._pid = os.getpid()
        return self._store

    @property
    def on_disk(self) -> bool:
        """Whether the on-disk store is built (queries never need it: the workers hold a copy)."""
        return self._built()

    def _built(self) -> bool:
        if self.building is not None and (self.building / "meta.json").exists():
            self._adopt_build()
        return self.building is None

    def _wait_for_build(self) -> None:
        deadline = time.monotonic() + self.build_wait
        while not self.on_disk:
            failed = build_failure(self.building)
            if failed or time.monotonic() > deadline:
                raise KGError(f"the on-disk store is not available yet ({failed or 'building'}); "
                              "SPARQL queries are answered meanwhile", status=503,
                              kind="store-building", headers={"Retry-After": "5"})
            time.sleep(0.05)

    def init_app(self, app) -> None:
        """/health says whether the on-disk store is built; the query pool opens it itself."""
        app.extensions.setdefault("admiukg.health", []).append(
            lambda: {"store_on_disk": self.on_disk})


def build_failure(final: Path | None) -> str:
    """Why the background build of the store at ``final`` failed ('' while it has not)."""
    marker = final and final.with_name(final.name + ".failed")
    try:
        return marker.read_text() if marker else ""
    except OSError:
        return ""


def load_dataset(paths=None, *, base: str | None = None, cache_dir=None,
                 union: bool = True, validate: bool = True) -> ServedDataset:
    """Build or reopen the store: the bundled graph (``paths`` None) or the given RDF files.

    :param base: public base IRI replacing ``config.CANONICAL_BASE`` in every IRI at load time.
    :raises DatasetError: unreadable or invalid input, or a bundled graph that fails validation.
    """
    base = base or config.CANONICAL_BASE
    if paths:
        info = build_from_files(paths, cache_dir=cache_dir, union=union, base=base)
    else:
        info = build_bundled(cache_dir=cache_dir, validate=validate, base=base)
    return ServedDataset(info)


# --- helpers ---------------------------------------------------------------------------------


def rdf_format(path: Path) -> ox.RdfFormat:
    fmt = formats.input_format(path)
    if fmt is None:
        raise DatasetError(
            f"{path}: unknown RDF file extension {path.suffix!r} "
            f"(known: {', '.join('.' + e for e in sorted(formats.INPUTS))})"
        )
    return fmt


def _rebase_iri(iri: str, base: str) -> str:
    old = config.CANONICAL_BASE
    return base + iri[len(old):] if iri.startswith(old) else iri


def _hash_files(paths, extra: str = "") -> str:
    h = hashlib.sha256(f"admiukg-store-{STORE_VERSION}\n{extra}\n".encode())
    for p in paths:
        p = Path(p)
        h.update(str(p.name).encode() + b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:24]


def _finish(tmp: Path, final: Path, info: DatasetInfo) -> DatasetInfo:
    (tmp / "meta.json").write_text(json.dumps(info.to_json(), indent=1))
    if final.exists():
        shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    info.path = str(final / "store")
    return info


def _open_cached(final: Path) -> DatasetInfo | None:
    meta = final / "meta.json"
    if not meta.exists() or not (final / "store").is_dir():
        return None
    try:
        data = json.loads(meta.read_text())
        info = DatasetInfo(**data)
    except (ValueError, TypeError):
        return None
    info.path = str(final / "store")
    info.cached = True
    return info


def _build_store(final: Path, load, union: bool, named=None, **info_kw) -> DatasetInfo:
    """Create the store in a temporary sibling directory via ``load(store)``, then publish it."""
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=final.name + ".tmp-", dir=final.parent))
    except OSError as exc:  # an unwritable cache costs the fast restart, not the server
        log.warning("cannot write the store cache %s (%s); building in a temporary directory",
                    final.parent, exc)
        final = Path(tempfile.mkdtemp(prefix="admiukg-store-")) / final.name
        tmp = Path(tempfile.mkdtemp(prefix=final.name + ".tmp-", dir=final.parent))
    t0 = time.perf_counter()
    try:
        store = ox.Store(str(tmp / "store"))
        graphs = load(store)
        with progress.step("indexing the store"):
            store.flush()
            store.optimize()
            sizes, total, stats = statistics(store, union)
            if named is not None:
                info_kw.update(identity(store, named))
        del store
    except DatasetError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except (SyntaxError, OSError, ValueError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DatasetError(str(exc)) from exc
    info = DatasetInfo(
        path="", graphs=graphs, graph_sizes=sizes, triples=total, union=union,
        built_seconds=round(time.perf_counter() - t0, 3), stats=stats, **info_kw,
    )
    return _finish(tmp, final, info)


# --- arbitrary files ---------------------------------------------------------------------------


def files_store_dir(files, cache_dir: Path | None = None, union: bool = True,
                    base: str = config.CANONICAL_BASE) -> Path:
    """Where the on-disk store of ``files`` is (or will be) cached: keyed on their content."""
    paths = [Path(f) for f in files]
    for p in paths:
        if not p.is_file():
            raise DatasetError(f"{p}: no such file")
        rdf_format(p)
    key = _hash_files(paths, f"files union={union} base={base}")
    return Path(cache_dir or config.CACHE_DIR) / "stores" / f"files-{key}"


def build_from_files(files, cache_dir: Path | None = None, union: bool = True,
                     base: str = config.CANONICAL_BASE) -> DatasetInfo:
    """Serve RDF ``files`` (formats by extension; named graphs kept)."""
    t0 = time.perf_counter()
    paths = [Path(f) for f in files]
    final = files_store_dir(paths, cache_dir, union, base)
    info = _open_cached(final)
    if info is None:
        def load(store):
            for p in paths:
                try:
                    with progress.step(f"loading {p.name}"):
                        load_into(store, p, rdf_format(p), base, base_iri=p.resolve().as_uri())
                except SyntaxError as exc:
                    raise DatasetError(f"{p}: not valid {rdf_format(p).name}: {exc}") from exc
            return {}

        info = _build_store(final, load, union, named=paths, sources=[str(p) for p in paths], base=base)
    info.load_seconds = round(time.perf_counter() - t0, 3)
    return info


def reopen_cached(final: Path) -> ServedDataset | None:
    """The store cached at ``final`` (:func:`files_store_dir`) if it is built, else None."""
    t0 = time.perf_counter()
    info = _open_cached(final)
    if info is None:
        return None
    info.load_seconds = round(time.perf_counter() - t0, 3)
    return ServedDataset(info)


def described_dataset(files, final: Path, described: dict, union: bool, base: str,
                      seconds: float) -> ServedDataset:
    """The files as the zygote's in-memory copy described them, while their on-disk store is
    still being built at ``final`` (its pages wait for it; see :class:`ServedDataset`)."""
    info = DatasetInfo(path=str(final / "store"), union=union, base=base,
                       sources=[str(Path(f)) for f in files], load_seconds=round(seconds, 3),
                       **described)
    return ServedDataset(info, building=final)


# --- the bundled graph -------------------------------------------------------------------------


def _validate() -> None:
    """Refuse to serve a graph that does not pass ``admiukg.validation.validate.validate()``."""
    from admiukg.validation.validate import validate  # rdflib: only for the bundled graph

    report = validate()
    if getattr(report, "conforms", False):
        return
    # load errors (FILE:LINE syntax errors) first: they are why nothing else was checked
    findings = list(getattr(report, "errors", []) or []) + list(getattr(report, "results", []) or [])
    lines = []
    for f in findings[:10]:
        where = ":".join(str(x) for x in (getattr(f, "file", None), getattr(f, "line", None)) if x)
        lines.append(f"  - {where + ': ' if where else ''}{getattr(f, 'message', f)}"
                     f"{' (' + str(f.focus_node) + ')' if getattr(f, 'focus_node', None) else ''}")
    more = f"\n  … and {len(findings) - 10} more" if len(findings) > 10 else ""
    raise DatasetError(
        "the bundled graph does not pass validation; refusing to serve it "
        f"({len(findings)} finding(s); run `python validate.py` for the full report)\n"
        + "\n".join(lines) + more
    )


def _entailments(paths, cache_dir=None):
    """The OWL RL entailments as an rdflib Graph (content-hash cached by the inference module,
    in ``cache_dir`` when the server was given one)."""
    from admiukg.graph import inference  # rdflib: only for the bundled graph

    return inference.cached_entailments(paths, cache_dir=cache_dir)


def build_bundled(cache_dir: Path | None = None, validate: bool = True,
                  base: str = config.CANONICAL_BASE) -> DatasetInfo:
    """The ADMİU graph: ontology, data, entailments, shapes as named graphs; union default."""
    t0 = time.perf_counter()
    onto, data = config.ontology_files(), config.data_files()
    shapes = config.shapes_file()
    inputs = onto + data + ([shapes] if shapes.exists() else [])
    if not data and not onto:
        raise DatasetError(
            f"no bundled graph found: {config.ONTOLOGY_DIR} and {config.DATA_DIR} hold no .ttl files"
        )
    key = validity_key(inputs, f"bundled base={base}", STORE_VERSION)
    final = Path(cache_dir or config.CACHE_DIR) / "stores" / f"bundled-{key}"
    info = _open_cached(final)
    if info is not None:  # the same content, perhaps first built from another checkout
        info.sources = [str(p) for p in inputs]
    if info is None:
        if validate:
            _validate()
        graphs = {
            "ontology": _rebase_iri(config.GRAPH_ONTOLOGY, base),
            "data": _rebase_iri(config.GRAPH_DATA, base),
            "inferred": _rebase_iri(config.GRAPH_INFERRED, base),
        }
        if shapes.exists():
            graphs["shapes"] = _rebase_iri(config.GRAPH_SHAPES, base)

        def load(store):
            for role, files in (("ontology", onto), ("data", data),
                                ("shapes", [shapes] if shapes.exists() else [])):
                for p in files:
                    try:
                        load_into(store, p, rdf_format(p), base, to_graph=graphs[role])
                    except SyntaxError as exc:
                        raise DatasetError(f"{p}: not valid Turtle: {exc}") from exc
            with progress.step("inference"):
                inferred = _entailments(onto + data, cache_dir)
            nt = inferred.serialize(format="nt", encoding="utf-8")
            load_into(store, nt, ox.RdfFormat.N_TRIPLES, base, to_graph=graphs["inferred"])
            return graphs

        union = [graphs["ontology"], graphs["data"], graphs["inferred"]]
        info = _build_store(final, load, union, sources=[str(p) for p in inputs], base=base)
    info.load_seconds = round(time.perf_counter() - t0, 3)
    return info
