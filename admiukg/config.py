"""Paths, namespaces and defaults shared by the validator and the server."""

from __future__ import annotations

import os
import sys
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


def ontology_files() -> list[Path]:
    """The ontology proper (OWL), without shapes."""
    return sorted(p for p in ONTOLOGY_DIR.glob("*.ttl") if p.name != "shapes.ttl")


def shapes_file() -> Path:
    return ONTOLOGY_DIR / "shapes.ttl"


def data_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.ttl"))
