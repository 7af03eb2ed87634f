"""Paths, namespaces and defaults shared by the validator and the server."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

#: Checkout root: ontology/, data/, queries/ live beside the package in a checkout or an
#: editable install; a wheel install puts them under <prefix>/share/admiukg instead.
ROOT = Path(__file__).resolve().parent.parent
if not (ROOT / "ontology").is_dir():
    ROOT = Path(sys.prefix) / "share" / "admiukg"
ONTOLOGY_DIR = ROOT / "ontology"
DATA_DIR = ROOT / "data"
QUERIES_DIR = ROOT / "queries"
SOURCE_FILE = DATA_DIR / "source" / "000_28832fee742d80e8.txt"


def user_cache_dir() -> Path:
    """Where entailments and built stores are cached: ``$ADMIUKG_CACHE_DIR``, else the XDG user
    cache (``$XDG_CACHE_HOME/admiukg``, default ``~/.cache/admiukg``). Never inside the
    installation, which a non-root user cannot (and should not) write to."""
    explicit = os.environ.get("ADMIUKG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"  # relative: ignored (XDG)
    return root / "admiukg"


#: Entailment and store cache (content-hash keyed); safe to delete.
CACHE_DIR = user_cache_dir()

#: Canonical base under which the bundled files mint every IRI. The server can
#: publish the same data under another base (see ``--base``).
CANONICAL_BASE = "https://kg.admiu.example/"
ONTOLOGY_IRI = CANONICAL_BASE + "ontology"
AU = ONTOLOGY_IRI + "#"  # ontology terms, prefix au:
ID = CANONICAL_BASE + "id/"  # things, prefix id:
SHAPES = CANONICAL_BASE + "shapes#"  # SHACL shapes, prefix aush:
GRAPH = CANONICAL_BASE + "graph/"  # named graphs of the served dataset

GRAPH_ONTOLOGY = GRAPH + "ontology"
GRAPH_DATA = GRAPH + "data"
GRAPH_INFERRED = GRAPH + "inferred"
GRAPH_SHAPES = GRAPH + "shapes"


@dataclass(frozen=True)
class ServerDefaults:
    """The endpoint's defaults, in one place: ``server.py --help``, the app and the pool read them."""

    host: str = "127.0.0.1"
    port: int = 5000
    #: One web process: it answers queries on its event loop (bench: 0.93x Oxigraph's throughput
    #: at 4 clients, where 2 web processes x 2 query workers gave 0.62x: connections piled up
    #: on one of them, whose workers then queued), and fair use and the cache see every request.
    workers: int = 1  # web processes
    threads: int = 8  # per web process: pages, and queries that wait for a worker
    query_workers: int = 4  # query processes per web process
    timeout: float = 10.0  # wall-clock seconds per query
    memory_limit_mib: int = 2048  # address space a query process may add to what it inherits
    max_rows: int = 10_000  # rows/triples per response; more are cut and flagged
    max_body_kib: int = 1024  # request body (413 above)
    max_query_length: int = 100_000  # characters
    max_depth: int = 48  # bracket nesting of a query
    max_values: int = 10_000  # rows of a VALUES block
    max_path: int = 32  # steps of a property path
    cache_mib: int = 64  # response cache per web process; 0 disables
    max_response_mib: float = 16  # body of a query result; more rows are cut and flagged
    queue_timeout: float = 2.0  # seconds a query may wait for a worker before 503
    worker_copy_mib: int = 1024  # a forked worker that copied this much is replaced
    client_queries: int = 4  # parallel queries per client address (429 beyond)
    client_seconds: float = 60.0  # query seconds per client address per minute (429 beyond)
    header_timeout: float = 10.0  # seconds a connection has to send complete request headers
    body_timeout: float = 30.0  # seconds a client has to send its request body (408 after)


SERVER = ServerDefaults()


def ontology_files() -> list[Path]:
    """The ontology proper (OWL), without shapes."""
    return sorted(p for p in ONTOLOGY_DIR.glob("*.ttl") if p.name != "shapes.ttl")


def shapes_file() -> Path:
    return ONTOLOGY_DIR / "shapes.ttl"


def data_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.ttl"))
