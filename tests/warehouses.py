"""Small, known warehouses built on real engines, and changes to apply to them.

The same shape on every engine: a customers table (with PII), an orders table and a
view joining them, in schemas ``crm`` and ``sales`` (SQLite has only ``main``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import psycopg

from tests.pg import libpq

_SCHEMAS = ["CREATE SCHEMA crm", "CREATE SCHEMA sales"]
_TABLES = [
    "CREATE TABLE crm.customers (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL, "
    "full_name VARCHAR(100), born DATE, balance DECIMAL(12,2) DEFAULT 0)",
    "CREATE TABLE sales.orders (id INTEGER PRIMARY KEY, customer_id INTEGER, "
    "total DECIMAL(12,2), placed_at TIMESTAMP)",
    "INSERT INTO crm.customers VALUES (1, 'ann@example.com', 'Ann Lee', '1980-02-03', 10.5), "
    "(2, 'bo@example.org', 'Bo Ek', '1975-11-30', 0), (3, 'cy@example.net', NULL, NULL, 7)",
    "INSERT INTO sales.orders VALUES (1, 1, 20.00, '2025-01-01 10:00:00'), "
    "(2, 1, 5.50, '2025-01-02 11:00:00'), (3, 2, 99.99, '2025-02-01 12:00:00'), "
    "(4, 3, 1.00, '2025-03-01 09:30:00'), (5, 3, 2.00, '2025-03-02 09:30:00')",
    "CREATE VIEW sales.big_customers AS SELECT c.id, c.email, sum(o.total) AS spent "
    "FROM crm.customers c JOIN sales.orders o ON o.customer_id = c.id GROUP BY c.id, c.email",
]
#: Drift applied between two scans (DuckDB and PostgreSQL).
DRIFT = [
    "ALTER TABLE crm.customers ADD COLUMN phone VARCHAR(30)",
    "ALTER TABLE crm.customers DROP COLUMN born",
    "CREATE TABLE sales.refunds (id INTEGER, order_id INTEGER, amount DECIMAL(12,2))",
    "DROP VIEW sales.big_customers",
    "ALTER TABLE sales.orders ALTER COLUMN total TYPE DOUBLE PRECISION",
    "CREATE VIEW sales.big_customers AS SELECT c.id, c.email FROM crm.customers c",
]
#: The same drift as far as SQLite can express it (no ALTER COLUMN TYPE).
SQLITE_DRIFT = [
    "ALTER TABLE customers ADD COLUMN phone VARCHAR(30)",
    "ALTER TABLE customers DROP COLUMN born",
    "CREATE TABLE refunds (id INTEGER, order_id INTEGER, amount DECIMAL(12,2))",
    "DROP VIEW big_customers",
    "CREATE VIEW big_customers AS SELECT c.id, c.email FROM customers c",
]


def duckdb_warehouse(path: Path) -> str:
    """Build the sample in a DuckDB file; returns its SQLAlchemy URL."""
    with duckdb.connect(str(path)) as conn:
        for stmt in _SCHEMAS + _TABLES:
            conn.execute(stmt)
        conn.execute("COMMENT ON TABLE crm.customers IS 'People who bought something'")
    return f"duckdb:///{path}"


def sqlite_warehouse(path: Path) -> str:
    conn = sqlite3.connect(path)
    with conn:
        for stmt in _TABLES:
            conn.execute(stmt.replace("crm.", "").replace("sales.", ""))
    conn.close()
    return f"sqlite:///{path}"


def postgres_warehouse(url: str) -> str:
    """Build the sample in an (empty) PostgreSQL database at ``url``; returns the URL."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        for stmt in _SCHEMAS + _TABLES:
            conn.execute(stmt)  # type: ignore[arg-type]
        conn.execute("COMMENT ON TABLE crm.customers IS 'People who bought something'")
        conn.execute("ANALYZE")
    return url


def apply(url: str, statements: list[str]) -> None:
    """Run DDL on the warehouse at a SQLAlchemy URL (DuckDB, SQLite or PostgreSQL)."""
    if url.startswith("duckdb:///"):
        with duckdb.connect(url.removeprefix("duckdb:///")) as conn:
            for stmt in statements:
                conn.execute(stmt)
    elif url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        with conn:
            for stmt in statements:
                conn.execute(stmt)
        conn.close()
    else:
        with psycopg.connect(libpq(url), autocommit=True) as pg_conn:
            for stmt in statements:
                pg_conn.execute(stmt)  # type: ignore[arg-type]
            pg_conn.execute("ANALYZE")
