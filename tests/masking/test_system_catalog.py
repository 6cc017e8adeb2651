"""The filtered system catalog: which relations are narrowed, and that every filter runs.

Each filter is SQL over PostgreSQL's own catalog, so each one is run on a real server
(for a user who sees a table partly, and for one who sees none) and compared with what
the user may see. The end-to-end behaviour through psql, psycopg and JDBC's queries is
in tests/masking/gateway/test_relay_catalog.py.
"""

from __future__ import annotations

import doctest

import psycopg
import pytest

import masking.system_catalog as system_catalog
from masking.system_catalog import CATALOG_DIALECTS, Visibility, filtered_relation, is_filtered
from tests.masking.world import enforcer
from tests.pg import libpq

FILTERED = sorted(CATALOG_DIALECTS["postgres"])


def test_docstring_examples_run() -> None:
    assert doctest.testmod(system_catalog).failed == 0


@pytest.mark.parametrize(
    ("dialect", "schema", "name", "expected"),
    [
        ("postgres", "pg_catalog", "pg_class", True),
        ("postgres", "PG_CATALOG", "PG_ATTRIBUTE", True),
        ("postgres", "information_schema", "columns", True),
        ("postgres", "pg_catalog", "pg_proc", False),  # lists no relation or column
        ("postgres", "pg_catalog", "pg_statistic", False),  # data values: refused instead
        ("redshift", "pg_catalog", "pg_class", False),  # only PostgreSQL is filtered
        ("duckdb", "pg_catalog", "pg_class", False),  # the gateway's shadow catalog answers
    ],
)
def test_which_relations_are_filtered(dialect: str, schema: str, name: str, expected: bool) -> None:
    assert is_filtered(dialect, schema, name) is expected


def test_visibility_of_a_user() -> None:
    visibility = enforcer().visibility("alice")
    assert ("hr", "employees", False) in visibility.relations  # salary is denied
    assert ("sales", "customers", True) in visibility.relations  # masked columns still show
    assert ("hr", "employees", "name") in visibility.columns
    assert ("hr", "employees", "salary") not in visibility.columns
    assert enforcer().visibility("mallory") == Visibility()  # no grant: nothing


def test_a_statement_reads_catalog_and_tables_each_narrowed() -> None:
    rewritten = enforcer().rewrite(
        "SELECT c.relname, o.id FROM pg_catalog.pg_class AS c, sales.orders AS o "
        "WHERE c.oid = 'sales.orders'::regclass",
        "alice",
    )
    assert "FROM (WITH _veil_relations(s, t, whole) AS (VALUES" in rewritten.sql
    assert ") AS c" in rewritten.sql and ") AS o" in rewritten.sql


def test_a_cte_named_like_a_catalog_relation_is_left_alone() -> None:
    sql = "WITH pg_class AS (SELECT 1 AS oid) SELECT oid FROM pg_class"
    assert enforcer().rewrite(sql, "alice").sql == sql


#: A warehouse where alice reads sales.orders whole, hr.employees without its column
#: wage_zq, and nothing of vault_zq.plans_zq (names no system relation has).
_WAREHOUSE = [
    "CREATE SCHEMA sales",
    "CREATE SCHEMA hr",
    "CREATE SCHEMA vault_zq",
    "CREATE TABLE sales.orders (id integer PRIMARY KEY, amount numeric)",
    "CREATE TABLE hr.employees (id integer PRIMARY KEY, name text, wage_zq integer)",
    "CREATE INDEX employees_wage_zq ON hr.employees (wage_zq)",
    "CREATE TABLE vault_zq.plans_zq (id integer, body text)",
    # Views alice reads whole; only the first one's definition names nothing hidden.
    "CREATE VIEW sales.open_view AS SELECT id FROM sales.orders",
    "CREATE VIEW sales.joined AS SELECT o.id FROM sales.orders o JOIN vault_zq.plans_zq p USING (id)",
    "CREATE VIEW sales.names AS SELECT name FROM hr.employees",
]
_ALICE = Visibility(
    relations=(
        ("sales", "orders", True),
        ("hr", "employees", False),
        ("sales", "open_view", True),
        ("sales", "joined", True),
        ("sales", "names", True),
    ),
    columns=(
        ("sales", "orders", "id"),
        ("sales", "orders", "amount"),
        ("hr", "employees", "id"),
        ("hr", "employees", "name"),
        ("sales", "open_view", "id"),
        ("sales", "joined", "id"),
        ("sales", "names", "name"),
    ),
)
#: Names no filtered relation may show alice, in any column.
_HIDDEN = ("wage_zq", "employees_pkey", "plans_zq", "vault_zq")


@pytest.mark.postgres
@pytest.mark.parametrize("visibility", [_ALICE, Visibility()], ids=["alice", "nobody"])
def test_every_filter_runs_and_shows_no_hidden_name(
    pg_database: str, visibility: Visibility
) -> None:
    with psycopg.connect(libpq(pg_database), autocommit=True) as conn:
        for statement in _WAREHOUSE:
            conn.execute(statement)  # type: ignore[arg-type]
        for schema, name in FILTERED:
            select = filtered_relation("postgres", schema, name, visibility).sql("postgres")
            rows = conn.execute(f"SELECT CAST(x AS text) FROM ({select}) AS x").fetchall()  # type: ignore[arg-type]
            shown = "\n".join(r[0] for r in rows)
            for hidden in _HIDDEN:
                assert hidden not in shown, f"{schema}.{name} shows {hidden!r}"


@pytest.mark.postgres
def test_the_filters_show_what_the_user_reads(pg_database: str) -> None:
    def names(
        conn: psycopg.Connection[tuple[str, ...]], schema: str, name: str, cols: str
    ) -> set[str]:
        select = filtered_relation("postgres", schema, name, _ALICE).sql("postgres")
        rows = conn.execute(f"SELECT {cols} FROM ({select}) AS x").fetchall()  # type: ignore[arg-type]
        return {
            ".".join(map(str, r)) for r in rows if r[0] not in ("pg_catalog", "information_schema")
        }

    with psycopg.connect(libpq(pg_database), autocommit=True) as conn:
        for statement in _WAREHOUSE:
            conn.execute(statement)  # type: ignore[arg-type]
        assert names(conn, "pg_catalog", "pg_views", "schemaname, viewname") == {
            "sales.open_view"  # the others' definitions read hidden tables or columns
        }
        assert names(conn, "information_schema", "tables", "table_schema, table_name") == {
            "sales.orders",
            "hr.employees",
            "sales.open_view",
            "sales.joined",
            "sales.names",
        }
        assert names(conn, "pg_catalog", "pg_tables", "schemaname, tablename") == {
            "sales.orders",
            "hr.employees",
        }
        assert names(conn, "pg_catalog", "pg_indexes", "schemaname, indexname") == {
            "sales.orders_pkey"  # hr.employees has a hidden column: no index shown
        }
        assert names(
            conn, "information_schema", "columns", "table_schema, table_name, column_name"
        ) == {".".join(c) for c in _ALICE.columns}
        assert names(conn, "information_schema", "schemata", "schema_name") == {"sales", "hr"}
