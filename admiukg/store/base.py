"""The interface every served dataset offers to the app, the pages and the downloads: the local
pyoxigraph store (:class:`admiukg.store.local.ServedDataset`) and an existing SPARQL store over
HTTP (:class:`admiukg.store.remote.RemoteDataset`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pyoxigraph as ox

if TYPE_CHECKING:
    from flask import Flask

    from admiukg.store.local import DatasetInfo


@runtime_checkable
class QuadStore(Protocol):
    """The read-only part of ``pyoxigraph.Store`` that pages and downloads use."""

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any,
                          graph_name: Any = None, /) -> Iterable[ox.Quad]: ...

    def query(self, query: str, /, *, use_default_graph_as_union: bool = False,
              default_graph: Any = None, named_graphs: Any = None) -> Any: ...


@runtime_checkable
class Dataset(Protocol):
    """``app.extensions["admiukg"]``: what is served, and where to look it up."""

    @property
    def info(self) -> DatasetInfo: ...

    #: role ("data", "ontology", "inferred", "shapes") -> named graph IRI; empty for other files.
    graphs: dict[str, str]
    #: the base IRI the data is published under.
    base: str

    @property
    def store(self) -> QuadStore: ...

    @property
    def path(self) -> str: ...

    def init_app(self, app: Flask) -> None:
        """Hook the dataset into the app (a remote store brings its own query runner)."""
