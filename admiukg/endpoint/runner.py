"""What the endpoint needs of whatever runs its queries: the interface that the local pool of
worker processes (:class:`admiukg.endpoint.pool.QueryPool`) and a remote SPARQL store
(:class:`admiukg.store.remote.RemotePool`) share, as RDFLib's ``Store`` and ``SPARQLStore`` do."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class QueryRunner(Protocol):
    """Runs one query job within a deadline, or raises an :class:`admiukg.errors.KGError`."""

    #: True once ``start`` ran (``/health`` reports workers only then).
    started: bool
    #: Workers replaced so far (after a timeout or a crash).
    replaced: int

    def start(self) -> None: ...

    def ensure_started(self) -> None:
        """Start if not yet started in this process (a forked web worker starts afresh)."""

    def close(self) -> None: ...

    def alive(self) -> int:
        """How many workers (or store connections) can take a query now; 0 turns /health 503."""

    def run(self, job: dict[str, Any], timeout: float | None = None) -> Any:
        """The worker's reply to ``job`` (see :func:`admiukg.endpoint.results.execute`)."""
