"""Reflection: read a warehouse's schemas, tables, views and columns into TableInfo records.

One :class:`Reflector` per engine family, chosen by SQLAlchemy dialect name from a
registry. DuckDB and PostgreSQL read their own system catalogs in a few bulk queries
(fast on thousands of tables, and DuckDB's schema names come back without the
catalog prefix that duckdb-engine adds); every other engine goes through SQLAlchemy's
inspector. Row counts are a separate, per-table step so that a scan can show progress
and can decide per table whether an exact COUNT(*) is affordable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection
from sqlalchemy.engine.reflection import ObjectKind
from sqlglot import tokenize
from sqlglot.errors import TokenError
from sqlglot.tokens import TokenType

from catalog.model import ColumnInfo, TableInfo, TableKind

#: Longest a PostgreSQL COUNT(*) batch may run before the scan falls back to estimates.
_COUNT_TIMEOUT = "5s"

#: Schemas that hold the engine's own metadata, never catalogued.
_SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog", "pg_toast", "sys"})


class Reflector(Protocol):
    """Reads one warehouse's structure. Implementations must not modify the warehouse."""

    def schemas(self, conn: Connection) -> list[str]:
        """User schema names, sorted."""
        ...

    def tables(self, conn: Connection, schemas: Sequence[str]) -> list[TableInfo]:
        """Tables and views of ``schemas`` with their columns; row counts may be estimates."""
        ...

    def count_rows(
        self, conn: Connection, tables: Sequence[TableInfo], exact_below: int
    ) -> list[tuple[int | None, bool]]:
        """(row count, exact?) per table, counting exactly where that is cheap enough."""
        ...


def reflector_for(dialect_name: str) -> Reflector:
    """The reflector for a SQLAlchemy dialect name; the inspector-based one by default."""
    factory = _REFLECTORS.get(dialect_name, InspectorReflector)
    return factory()


def view_query(definition: str | None, dialect: str | None = None) -> str | None:
    """The query of a view definition: ``CREATE VIEW v (a, b) AS SELECT …`` → ``SELECT …``.

    Engines disagree on what they report (PostgreSQL gives the query, DuckDB and SQLite
    the whole statement); the catalog keeps the query, verbatim. Tokens, not a regex,
    find the ``AS``: names and column lists may themselves contain the word.
    """
    if definition is None:
        return None
    text = definition.strip()
    try:
        tokens = tokenize(text, read=dialect)
    except TokenError:
        return text.rstrip(";").strip()
    if not tokens or tokens[0].token_type is not TokenType.CREATE:
        return text.rstrip(";").strip()
    depth = 0
    for token in tokens:
        if token.token_type is TokenType.L_PAREN:
            depth += 1
        elif token.token_type is TokenType.R_PAREN:
            depth -= 1
        elif token.token_type is TokenType.ALIAS and depth == 0:
            return text[token.end + 1 :].strip().rstrip(";").strip()
    return text.rstrip(";").strip()


def _count(conn: Connection, tables: Sequence[TableInfo]) -> list[int]:
    """Exact row counts of several tables in one round trip (one UNION ALL query)."""
    if not tables:
        return []
    parts = [
        sa.select(sa.literal(i).label("i"), sa.func.count().label("n")).select_from(
            sa.table(t.name, schema=t.schema)
        )
        for i, t in enumerate(tables)
    ]
    query = parts[0] if len(parts) == 1 else sa.union_all(*parts)
    counts = dict(conn.execute(query).tuples().all())
    return [int(counts[i]) for i in range(len(tables))]


def _merge(
    tables: Sequence[TableInfo], counted: dict[int, int], fallback: dict[int, int | None]
) -> list[tuple[int | None, bool]]:
    return [
        (counted[i], True) if i in counted else (fallback.get(i), False) for i in range(len(tables))
    ]


class DuckDBReflector:
    """DuckDB: reads duckdb_schemas(), duckdb_tables(), duckdb_views(), duckdb_columns()."""

    dialect = "duckdb"

    def schemas(self, conn: Connection) -> list[str]:
        rows = conn.exec_driver_sql(
            "SELECT schema_name FROM duckdb_schemas() "
            "WHERE database_name = current_database() ORDER BY schema_name"
        ).all()
        return [r[0] for r in rows if r[0] not in _SYSTEM_SCHEMAS]

    def tables(self, conn: Connection, schemas: Sequence[str]) -> list[TableInfo]:
        wanted = set(schemas)
        columns: dict[tuple[str, str], list[ColumnInfo]] = defaultdict(list)
        for schema, table, name, index, dtype, nullable, default, comment in conn.exec_driver_sql(
            "SELECT schema_name, table_name, column_name, column_index, data_type, is_nullable, "
            "column_default, comment FROM duckdb_columns() "
            "WHERE database_name = current_database() AND NOT internal "
            "ORDER BY schema_name, table_name, column_index"
        ):
            if schema in wanted:
                columns[(schema, table)].append(
                    ColumnInfo(name, dtype, int(index), bool(nullable), default, comment or None)
                )
        result: list[TableInfo] = []
        for schema, name, estimate, comment in conn.exec_driver_sql(
            "SELECT schema_name, table_name, estimated_size, comment FROM duckdb_tables() "
            "WHERE database_name = current_database() AND NOT temporary"
        ):
            if schema in wanted:
                result.append(
                    TableInfo(
                        schema,
                        name,
                        TableKind.TABLE,
                        tuple(columns[(schema, name)]),
                        row_count=estimate,
                        comment=comment or None,
                    )
                )
        for schema, name, sql, comment in conn.exec_driver_sql(
            "SELECT schema_name, view_name, sql, comment FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal AND NOT temporary"
        ):
            if schema in wanted:
                result.append(
                    TableInfo(
                        schema,
                        name,
                        TableKind.VIEW,
                        tuple(columns[(schema, name)]),
                        view_sql=view_query(sql, "duckdb"),
                        comment=comment or None,
                    )
                )
        return sorted(result, key=lambda t: (t.schema, t.name))

    def count_rows(
        self, conn: Connection, tables: Sequence[TableInfo], exact_below: int
    ) -> list[tuple[int | None, bool]]:
        # DuckDB answers COUNT(*) from its row-group metadata: always cheap.
        wanted = [i for i, t in enumerate(tables) if t.kind is TableKind.TABLE]
        counts = _count(conn, [tables[i] for i in wanted])
        return _merge(tables, dict(zip(wanted, counts, strict=True)), {})


class PostgresReflector:
    """PostgreSQL: pg_catalog in three queries; pg_class.reltuples for estimates."""

    dialect = "postgresql"

    _SCHEMAS = sa.text(
        "SELECT nspname FROM pg_namespace "
        "WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\\_%' ORDER BY nspname"
    )
    _RELATIONS = sa.text(
        "SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples::bigint, "
        "obj_description(c.oid, 'pg_class'), "
        "CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END, "
        "has_table_privilege(c.oid, 'SELECT') "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition "
        "AND n.nspname = ANY(:schemas)"
    )
    _COLUMNS = sa.text(
        "SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, "
        "pg_get_expr(d.adbin, d.adrelid), col_description(a.attrelid, a.attnum) "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attnum > 0 AND NOT a.attisdropped "
        "AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition "
        "AND n.nspname = ANY(:schemas) ORDER BY a.attrelid, a.attnum"
    )
    _KINDS = {
        "r": TableKind.TABLE,
        "p": TableKind.TABLE,
        "f": TableKind.TABLE,
        "v": TableKind.VIEW,
        "m": TableKind.MATERIALIZED_VIEW,
    }

    def __init__(self) -> None:
        self._readable: dict[tuple[str, str], bool] = {}

    def schemas(self, conn: Connection) -> list[str]:
        return [r[0] for r in conn.execute(self._SCHEMAS)]

    def tables(self, conn: Connection, schemas: Sequence[str]) -> list[TableInfo]:
        columns: dict[int, list[ColumnInfo]] = defaultdict(list)
        for oid, name, dtype, nullable, default, comment in conn.execute(
            self._COLUMNS, {"schemas": list(schemas)}
        ):
            cols = columns[oid]
            cols.append(ColumnInfo(name, dtype, len(cols) + 1, bool(nullable), default, comment))
        result: list[TableInfo] = []
        for oid, schema, name, relkind, reltuples, comment, viewdef, readable in conn.execute(
            self._RELATIONS, {"schemas": list(schemas)}
        ):
            kind = self._KINDS[relkind]
            # reltuples is -1 for a table never vacuumed or analyzed: unknown, not empty.
            estimate = int(reltuples) if kind is not TableKind.VIEW and reltuples >= 0 else None
            self._readable[(schema, name)] = bool(readable)
            result.append(
                TableInfo(
                    schema,
                    name,
                    kind,
                    tuple(columns[oid]),
                    view_sql=view_query(viewdef, "postgres"),
                    row_count=estimate,
                    comment=comment,
                )
            )
        return sorted(result, key=lambda t: (t.schema, t.name))

    def count_rows(
        self, conn: Connection, tables: Sequence[TableInfo], exact_below: int
    ) -> list[tuple[int | None, bool]]:
        estimates = {i: t.row_count for i, t in enumerate(tables)}
        wanted = [
            i
            for i, t in enumerate(tables)
            if t.kind is not TableKind.VIEW
            and exact_below > 0
            and (t.row_count is None or t.row_count < exact_below)
            and self._readable.get((t.schema, t.name), True)
        ]
        counted = self._bounded_count(conn, [tables[i] for i in wanted])
        if counted is None:  # the batch was too slow: count one by one, skipping slow ones
            pairs = [(i, self._bounded_count(conn, [tables[i]])) for i in wanted]
            found = {i: c[0] for i, c in pairs if c is not None}
        else:
            found = dict(zip(wanted, counted, strict=True))
        return _merge(tables, found, estimates)

    @staticmethod
    def _bounded_count(conn: Connection, tables: Sequence[TableInfo]) -> list[int] | None:
        """Exact counts, or None when they take longer than the time limit.

        A stale estimate may hide a huge table; the limit keeps a scan from stalling.
        """
        if not tables:
            return []
        try:
            with conn.begin_nested():
                conn.execute(sa.text(f"SET LOCAL statement_timeout = '{_COUNT_TIMEOUT}'"))
                return _count(conn, tables)
        except sa_exc.OperationalError:
            return None


class InspectorReflector:
    """Any other SQLAlchemy engine, through the inspector. Counts rows only on SQLite."""

    def schemas(self, conn: Connection) -> list[str]:
        names = sa.inspect(conn).get_schema_names()
        return sorted(n for n in names if n.lower() not in _SYSTEM_SCHEMAS)

    def tables(self, conn: Connection, schemas: Sequence[str]) -> list[TableInfo]:
        inspector = sa.inspect(conn)
        dialect = conn.dialect.name
        result: list[TableInfo] = []
        for schema in schemas:
            views = set(inspector.get_view_names(schema=schema))
            multi = inspector.get_multi_columns(schema=schema, kind=ObjectKind.ANY)
            comments = _table_comments(inspector, schema)
            for (_, name), cols in sorted(multi.items()):
                is_view = name in views
                view_sql = None
                if is_view:
                    view_sql = view_query(
                        inspector.get_view_definition(name, schema=schema), dialect
                    )
                result.append(
                    TableInfo(
                        schema,
                        name,
                        TableKind.VIEW if is_view else TableKind.TABLE,
                        tuple(
                            ColumnInfo(
                                c["name"],
                                _type_name(c["type"], dialect),
                                i,
                                bool(c.get("nullable", True)),
                                _text(c.get("default")),
                                c.get("comment"),
                            )
                            for i, c in enumerate(cols, start=1)
                        ),
                        view_sql=view_sql,
                        comment=comments.get(name),
                    )
                )
        return result

    def count_rows(
        self, conn: Connection, tables: Sequence[TableInfo], exact_below: int
    ) -> list[tuple[int | None, bool]]:
        # Only SQLite is known to count cheaply; elsewhere there is no estimate we can read.
        if conn.dialect.name != "sqlite" or exact_below <= 0:
            return _merge(tables, {}, {})
        wanted = [i for i, t in enumerate(tables) if t.kind is TableKind.TABLE]
        counts = _count(conn, [tables[i] for i in wanted])
        return _merge(tables, dict(zip(wanted, counts, strict=True)), {})


def _table_comments(inspector: sa.Inspector, schema: str) -> dict[str, str]:
    try:
        comments = inspector.get_multi_table_comment(schema=schema, kind=ObjectKind.ANY)
    except NotImplementedError:
        return {}
    result: dict[str, str] = {}
    for (_, name), comment in comments.items():
        text = comment.get("text")
        if text:
            result[name] = text
    return result


def _type_name(type_: object, dialect: str) -> str:
    try:
        return str(type_)
    except sa_exc.CompileError:
        return type(type_).__name__.upper()


def _text(value: object) -> str | None:
    return None if value is None else str(value)


_REFLECTORS: dict[str, Callable[[], Reflector]] = {
    "duckdb": DuckDBReflector,
    "postgresql": PostgresReflector,
}
