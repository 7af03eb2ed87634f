"""The key of a cached, validated store: a hash of everything that decides its verdict."""

from __future__ import annotations

import hashlib
from pathlib import Path

from admiukg import config

#: Packages whose behaviour decides whether a graph validates and what inference adds.
VERDICT_PACKAGES = ("pyshacl", "owlrl", "rdflib", "pyoxigraph")


def validity_key(inputs, extra: str = "", store_version: str = "2") -> str:
    """Key of a validated store: everything that decides its verdict and contents - the inputs,
    every saved and check query, every source file of this package, and the versions of the
    validating and reasoning packages. Any change there rebuilds and re-validates."""
    from importlib.metadata import PackageNotFoundError, version

    package = Path(__file__).resolve().parents[1]
    code = sorted(package.rglob("*.py"))
    queries = sorted(p for p in config.QUERIES_DIR.rglob("*") if p.is_file()) if config.QUERIES_DIR.is_dir() else []
    versions = []
    for name in VERDICT_PACKAGES:
        try:
            versions.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name}=absent")
    h = hashlib.sha256(f"admiukg-store-{store_version}\n{extra}\n{' '.join(versions)}\n".encode())
    for group in (list(inputs), queries, code):
        for p in group:
            h.update(str(Path(p).relative_to(package) if Path(p).is_relative_to(package) else Path(p).name).encode())
            h.update(b"\0" + Path(p).read_bytes() + b"\0")
    return h.hexdigest()[:24]
