"""Running enforced statements on a DuckDB warehouse file.

One DuckDB connection to the file is shared by the server (opened read-only when the
file allows it, so analysts cannot change the warehouse and other processes may still
open it); each client connection gets cursors of it, which DuckDB runs independently.
Each statement gets its own cursor, so a declared cursor (``DECLARE … CURSOR``) and a
suspended portal keep their pending result while other statements run. Rows are
fetched with ``fetchmany`` in batches: a result is never materialised whole.

DuckDB's errors become :class:`~masking.gateway.backend.BackendError` with the nearest
PostgreSQL SQLSTATE. Messages of errors that can quote a value (conversion, out of
range, invalid input) are replaced by their class: a value in a filter may be raw.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from masking.gateway.backend import BackendError
from masking.pgwire.types import ResultColumn

__all__ = ["DuckDBBackend", "DuckDBConnection", "DuckDBResult", "translate"]

#: DuckDB exception class → SQLSTATE; the first match in the MRO wins.
_SQLSTATES: tuple[tuple[type[BaseException], str], ...] = (
    (duckdb.InterruptException, "57014"),  # query_canceled
    (duckdb.CatalogException, "42P01"),
    (duckdb.BinderException, "42703"),
    (duckdb.ParserException, "42601"),
    (duckdb.ConversionException, "22P02"),
    (duckdb.OutOfRangeException, "22003"),
    (duckdb.InvalidInputException, "22023"),
    (duckdb.PermissionException, "42501"),
    (duckdb.NotImplementedException, "0A000"),
    (duckdb.TransactionException, "25000"),
    (duckdb.ConstraintException, "23000"),
)
#: Errors whose text may quote a data value: only their kind reaches the client.
_MAY_QUOTE_DATA = (
    duckdb.ConversionException,
    duckdb.OutOfRangeException,
    duckdb.InvalidInputException,
    duckdb.ConstraintException,
)


def translate(error: duckdb.Error) -> BackendError:
    """A DuckDB error as the client sees it: a SQLSTATE and a message without data."""
    sqlstate = next((code for cls, code in _SQLSTATES if isinstance(error, cls)), "XX000")
    if isinstance(error, duckdb.InterruptException):
        message = "canceling statement due to user request"
    elif isinstance(error, _MAY_QUOTE_DATA):
        message = f"the warehouse refused a value ({type(error).__name__})"
    else:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return BackendError(message, sqlstate=sqlstate)


class DuckDBBackend:
    """The server's one connection to a DuckDB file; ``connect()`` per client."""

    dialect = "duckdb"

    def __init__(self, path: str | Path, *, read_only: bool = True) -> None:
        self.path = str(path)
        try:
            self._con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as e:
            raise BackendError(f"cannot open the DuckDB warehouse: {e}", sqlstate="08006") from e

    def connect(self) -> DuckDBConnection:
        return DuckDBConnection(self._con)

    def close(self) -> None:
        self._con.close()


class DuckDBResult:
    def __init__(self, cursor: duckdb.DuckDBPyConnection, owner: DuckDBConnection) -> None:
        self._cursor = cursor
        self._owner = owner
        description = cursor.description
        self.columns: tuple[ResultColumn, ...] | None = (
            tuple(ResultColumn.from_duckdb(d[0], str(d[1])) for d in description)
            if description
            else None
        )

    def fetch(self, size: int) -> list[tuple[Any, ...]]:
        try:
            return self._cursor.fetchmany(size)
        except duckdb.Error as e:
            raise translate(e) from e

    def close(self) -> None:
        self._owner._release(self._cursor)


class DuckDBConnection:
    """One client's statements: a fresh cursor of the shared connection per result."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._open: set[duckdb.DuckDBPyConnection] = set()
        self._lock = threading.Lock()

    def run(self, sql: str, params: Sequence[object] = ()) -> DuckDBResult:
        cursor = self._con.cursor()
        with self._lock:
            self._open.add(cursor)
        try:
            cursor.execute(sql, list(params) if params else None)
        except duckdb.Error as e:
            self._release(cursor)
            raise translate(e) from e
        return DuckDBResult(cursor, self)

    def describe(self, sql: str, param_count: int) -> tuple[ResultColumn, ...] | None:
        wrapped = f"SELECT * FROM ({sql}) AS _veil_describe LIMIT 0"
        result = self.run(wrapped, [None] * param_count)
        try:
            return result.columns
        finally:
            result.close()

    def interrupt(self) -> None:
        with self._lock:
            cursors = list(self._open)
        for cursor in cursors:
            with contextlib.suppress(duckdb.Error):  # already finished or closed
                cursor.interrupt()

    def close(self) -> None:
        with self._lock:
            cursors, self._open = list(self._open), set()
        for cursor in cursors:
            cursor.close()

    def _release(self, cursor: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            self._open.discard(cursor)
        cursor.close()
