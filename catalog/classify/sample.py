"""Sampling: a bounded, random-where-possible sample of a table's rows, per engine.

DuckDB samples with ``USING SAMPLE reservoir(n ROWS)``, PostgreSQL with ``TABLESAMPLE
BERNOULLI`` (``SYSTEM``, page-level, for very large tables), both ``REPEATABLE`` so the
same data gives the same sample and re-classification is stable. Engines without a
sampling clause get a bounded scan (``LIMIT n``), shuffled on SQLite when the table is
small enough for that to be cheap. Views are read with ``LIMIT`` only. Identifiers are
always quoted, by the engine's own SQLAlchemy dialect; the only other inputs are integers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.engine import Dialect

_SEED = 42
_SYSTEM_ABOVE_ROWS = 10_000_000
_SHUFFLE_BELOW_ROWS = 200_000

#: (quoted table, n, row count) → the clause that follows the select list.
SampleClause = Callable[[str, int, int | None], str]


def _duckdb(table: str, n: int, rows: int | None) -> str:
    return f"FROM {table} USING SAMPLE reservoir({n} ROWS) REPEATABLE ({_SEED})"


def _postgres(table: str, n: int, rows: int | None) -> str:
    if rows is None or rows <= 5 * n:
        return f"FROM {table} LIMIT {n}"
    percent = min(100.0, 300.0 * n / rows)
    method = "SYSTEM" if rows > _SYSTEM_ABOVE_ROWS else "BERNOULLI"
    return f"FROM {table} TABLESAMPLE {method} ({percent:.6f}) REPEATABLE ({_SEED}) LIMIT {n}"


def _sqlite(table: str, n: int, rows: int | None) -> str:
    if rows is not None and rows <= _SHUFFLE_BELOW_ROWS:
        return f"FROM {table} ORDER BY random() LIMIT {n}"
    return f"FROM {table} LIMIT {n}"


def _bounded(table: str, n: int, rows: int | None) -> str:
    return f"FROM {table} LIMIT {n}"


SAMPLERS: dict[str, SampleClause] = {
    "duckdb": _duckdb,
    "postgresql": _postgres,
    "sqlite": _sqlite,
}


def sample_sql(
    dialect: Dialect,
    schema: str,
    table: str,
    columns: Sequence[str],
    n: int,
    *,
    row_count: int | None,
    is_view: bool,
) -> str:
    """SELECT of ``columns`` from a sample of about ``n`` rows of ``schema.table``."""
    if n <= 0:
        raise ValueError("sample size must be positive")
    # Always quoted: the catalog keeps names exactly as the engine reported them, and a
    # name that is a keyword in one engine only ("at" in DuckDB) must not break the query.
    quote = dialect.identifier_preparer.quote_identifier
    qualified = f"{quote(schema)}.{quote(table)}"
    select = ", ".join(quote(c) for c in columns)
    clause = _bounded if is_view else SAMPLERS.get(dialect.name, _bounded)
    return f"SELECT {select} {clause(qualified, n, row_count)}"
