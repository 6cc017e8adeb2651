"""The warehouse seam: what the gateway needs from whatever runs the rewritten SQL.

A :class:`Backend` is shared by the whole server; each client connection opens one
:class:`BackendConnection` from it, and each statement it runs gives a
:class:`Result` whose rows are fetched in batches. All three are *blocking*: the
session calls them in a worker thread, so one slow query never stalls the event loop.
:meth:`BackendConnection.interrupt` is the exception: it is called from the event loop
(CancelRequest, shutdown) while another thread waits in ``run`` or ``fetch``.

DuckDB (:mod:`masking.gateway.duckdb_backend`) executes statements and lets the gateway
encode rows itself. A PostgreSQL warehouse will instead relay protocol messages; it
plugs in at the session level, not here, because it never decodes rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from catalog.errors import VeilError
from masking.pgwire.types import ResultColumn

__all__ = ["Backend", "BackendConnection", "BackendError", "Result"]


class BackendError(VeilError):
    """The warehouse failed a statement; ``sqlstate`` is PostgreSQL's nearest code."""

    def __init__(self, message: str, *, sqlstate: str = "XX000") -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class Result(Protocol):
    """One running statement's result."""

    #: The result columns; None for a statement that returns no rows.
    columns: tuple[ResultColumn, ...] | None

    def fetch(self, size: int) -> list[tuple[Any, ...]]:
        """Up to ``size`` more rows; fewer (or none) at the end. Raises BackendError."""
        ...

    def close(self) -> None: ...


class BackendConnection(Protocol):
    def run(self, sql: str, params: Sequence[object] = ()) -> Result:
        """Start ``sql`` (already enforced) with ``$n`` parameters. Raises BackendError."""
        ...

    def describe(self, sql: str, param_count: int) -> tuple[ResultColumn, ...] | None:
        """The result columns ``sql`` would have, without running it for real."""
        ...

    def interrupt(self) -> None:
        """Stop whatever statement is running (from another thread)."""
        ...

    def close(self) -> None: ...


class Backend(Protocol):
    #: sqlglot dialect of the warehouse.
    dialect: str

    def connect(self) -> BackendConnection: ...

    def close(self) -> None: ...
