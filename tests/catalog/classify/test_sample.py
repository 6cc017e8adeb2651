"""Sampling SQL runs on the real engines and returns a bounded, repeatable sample."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.classify.sample import sample_sql
from catalog.connect import create_warehouse_engine, warehouse_connection
from tests import warehouses


def _rows(url: str, schema: str, table: str, n: int, row_count: int | None, view: bool = False):
    engine = create_warehouse_engine(url)
    try:
        with warehouse_connection(engine) as conn:
            sql = sample_sql(
                conn.dialect,
                schema,
                table,
                ["id", "email"] if not view else ["id"],
                n,
                row_count=row_count,
                is_view=view,
            )
            return sql, [tuple(r) for r in conn.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def test_sample_on_each_engine(warehouse_url):
    schema = "main" if warehouse_url.startswith("sqlite") else "crm"
    _, rows = _rows(warehouse_url, schema, "customers", 2, row_count=3)
    assert len(rows) == 2
    assert {r[1] for r in rows} <= {"ann@example.com", "bo@example.org", "cy@example.net"}


def test_views_are_read_with_a_plain_limit(warehouse_url):
    schema = "main" if warehouse_url.startswith("sqlite") else "sales"
    sql, rows = _rows(warehouse_url, schema, "big_customers", 2, row_count=None, view=True)
    assert sql.endswith("LIMIT 2") and len(rows) == 2


def test_postgres_tablesample_on_a_large_table(pg_database):
    url = warehouses.postgres_warehouse(pg_database)
    warehouses.apply(
        url,
        [
            "CREATE TABLE crm.big AS SELECT g AS id, 'u' || g || '@example.com' AS email "
            "FROM generate_series(1, 20000) g",
        ],
    )
    sql, rows = _rows(url, "crm", "big", 50, row_count=20000)
    assert "TABLESAMPLE BERNOULLI" in sql and "REPEATABLE" in sql
    assert 0 < len(rows) <= 50
    again = _rows(url, "crm", "big", 50, row_count=20000)[1]
    assert rows == again  # repeatable: the same data gives the same sample


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql", "sqlite", "mysql"])
def test_identifiers_are_quoted_by_the_engine(dialect):
    from duckdb_engine import Dialect as DuckDialect
    from sqlalchemy.dialects import mysql, postgresql, sqlite

    d = {
        "duckdb": DuckDialect(),
        "postgresql": postgresql.dialect(),
        "sqlite": sqlite.dialect(),
        "mysql": mysql.dialect(),
    }[dialect]
    sql = sample_sql(d, 'we"ird', "select", ["from", "ok"], 10, row_count=5, is_view=False)
    quote = d.identifier_preparer.quote_identifier
    for name in ("select", "from", 'we"ird', "ok"):
        assert quote(name) != name and quote(name) in sql


def test_sample_size_must_be_positive():
    with pytest.raises(ValueError):
        sample_sql(
            sa.create_engine("sqlite://").dialect, "s", "t", ["a"], 0, row_count=1, is_view=False
        )
