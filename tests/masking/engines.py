"""Real DuckDB and PostgreSQL sessions holding the sample table ``people``.

Both run in UTC. Values come back normalised so one Python reference fits both:
timestamps with a time zone as naive UTC datetimes (DuckDB would need pytz to
return them aware), floats as floats, everything else as the driver gives it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb
import psycopg

from tests import pg
from tests.masking.cases import ROWS, Col, columns_for


class _Session(Protocol):
    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]: ...
    def run(self, sql: str, params: Sequence[object] = ()) -> None: ...


class _DuckSession:
    placeholder = "?"

    def __init__(self) -> None:
        self.conn = duckdb.connect()
        self.conn.execute("SET TimeZone = 'UTC'")

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, list(params)).fetchall()

    def run(self, sql: str, params: Sequence[object] = ()) -> None:
        self.conn.execute(sql, list(params))

    def close(self) -> None:
        self.conn.close()


class _PgSession:
    placeholder = "%s"

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(pg.libpq(url), autocommit=True)
        self.conn.execute("SET TIME ZONE 'UTC'")

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params or None).fetchall()

    def run(self, sql: str, params: Sequence[object] = ()) -> None:
        self.conn.execute(sql, params or None)

    def close(self) -> None:
        self.conn.close()


@dataclass
class Engine:
    """A real database with ``people`` loaded; ``name`` is also the sqlglot dialect."""

    name: str
    session: _DuckSession | _PgSession
    #: column name → type string as the catalog stores it (the engine's own spelling)
    catalog_types: dict[str, str]

    @property
    def typeof(self) -> str:
        return "typeof" if self.name == "duckdb" else "pg_typeof"

    def type_of_sql(self, sql: str) -> str:
        """SQL giving the type name of ``sql`` as text."""
        return f"CAST({self.typeof}({sql}) AS VARCHAR)"

    def fetchable(self, sql: str, col: Col) -> str:
        """``sql`` wrapped so the driver can return it (see module docstring)."""
        if self.name == "duckdb" and "TIME ZONE" in col.ddl["duckdb"]:
            return f"timezone('UTC', {sql})"
        return sql

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return [tuple(normalise(v) for v in row) for row in self.session.rows(sql, params)]

    def run(self, sql: str) -> None:
        self.session.run(sql)

    @property
    def columns(self) -> tuple[Col, ...]:
        return columns_for(self.name)


def normalise(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _insertable(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat()
    return value


def load_people(session: _DuckSession | _PgSession, engine: str) -> dict[str, str]:
    """Create and fill ``people``; returns the catalog type of each column."""
    cols = columns_for(engine)
    ddl = ", ".join(f"{c.name} {c.ddl[engine]}" for c in cols)
    session.run(f"CREATE TABLE people (r INTEGER, {ddl})")
    ph = session.placeholder
    casts = ", ".join(f"CAST({ph} AS {c.ddl[engine]})" for c in cols)
    for r in range(ROWS):
        values = [_insertable(c.values[r]) for c in cols]
        session.run(f"INSERT INTO people VALUES ({ph}, {casts})", [r + 1, *values])
    if engine == "duckdb":
        found = session.rows(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'people'"
        )
    else:
        found = session.rows(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'people'::regclass AND attnum > 0 AND NOT attisdropped"
        )
    types = {str(name): str(type_) for name, type_ in found}
    for c in cols:
        types[c.name] = c.catalog_type.get(engine, types[c.name])
    return types


@contextmanager
def duckdb_engine() -> Iterator[Engine]:
    session = _DuckSession()
    try:
        yield Engine("duckdb", session, load_people(session, "duckdb"))
    finally:
        session.close()


@contextmanager
def postgres_engine(url: str) -> Iterator[Engine]:
    session = _PgSession(url)
    try:
        yield Engine("postgres", session, load_people(session, "postgres"))
    finally:
        session.close()
