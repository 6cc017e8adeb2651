"""Warehouse connection errors: each a clear sentence, no password ever shown."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from catalog.connect import create_warehouse_engine, redact_url, warehouse_connection
from catalog.errors import UsageError, WarehouseError
from tests.pg import libpq


@pytest.mark.parametrize(
    "url, shown",
    [
        ("postgresql://ann:s3cret@db:5432/sales", "postgresql://ann:***@db:5432/sales"),
        ("postgresql+psycopg://ann:p%40ss@db/sales", "postgresql+psycopg://ann:***@db/sales"),
        ("postgresql://ann@db/sales", "postgresql://ann@db/sales"),
        (
            "snowflake://u:pw@acct/db/schema?warehouse=wh",
            "snowflake://u:***@acct/db/schema?warehouse=wh",
        ),
        ("duckdb:///data/x.duckdb", "duckdb:///data/x.duckdb"),
        ("garbage u:pw@x", "garbage u:pw@x"),
    ],
)
def test_redact_url(url, shown):
    assert redact_url(url) == shown


def _connect(url: str) -> None:
    engine = create_warehouse_engine(url)
    try:
        with warehouse_connection(engine) as conn:
            conn.exec_driver_sql("SELECT 1")
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "url, error, message",
    [
        ("not a url", UsageError, "is not a database URL"),
        ("duckdb:///does/not/exist.duckdb", WarehouseError, "no DuckDB database at does/not/exist"),
        ("sqlite:///nope.db", WarehouseError, "no SQLite database at nope.db"),
        ("snowflake://u:Sekr3t@acct/db", WarehouseError, "no installed driver for 'snowflake'"),
        (
            "postgresql+psycopg2://u:Sekr3t@h/db",
            WarehouseError,
            "no installed driver for 'postgresql'",
        ),
        (
            "postgresql+psycopg://u:Sekr3t@127.0.0.1:1/db",
            WarehouseError,
            "cannot reach postgresql server 127.0.0.1:1",
        ),
        ("postgresql+psycopg://u:Sekr3t@no-such-host.invalid/db", WarehouseError, "cannot reach"),
    ],
)
def test_connection_errors_say_what_went_wrong(url, error, message):
    with pytest.raises(error, match=message) as info:
        _connect(url)
    assert "Sekr3t" not in str(info.value)  # message and hint never show the password


def test_missing_driver_says_what_to_install():
    with pytest.raises(WarehouseError) as info:
        _connect("snowflake://u:pw@acct/db")
    assert "pip install snowflake-sqlalchemy" in info.value.hint


def test_directory_is_not_a_database(tmp_path):
    with pytest.raises(WarehouseError, match="is a directory"):
        _connect(f"duckdb:///{tmp_path}")


def test_garbage_file_is_not_a_database(tmp_path):
    path = tmp_path / "junk.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(WarehouseError, match=r"junk\.duckdb"):
        _connect(f"duckdb:///{path}")


def test_unknown_role_is_a_refused_login(pg_server):
    url = pg_server.replace("postgres@", "no_such_role_veil:pw@", 1)
    with pytest.raises(WarehouseError, match="refused the login for user 'no_such_role_veil'"):
        _connect(url)


def test_missing_database(pg_server):
    url = pg_server.rpartition("/")[0] + "/no_such_database_veil"
    with pytest.raises(WarehouseError, match="database 'no_such_database_veil' does not exist"):
        _connect(url)


def test_permission_denied_names_the_privilege(pg_database, pg_server):
    role = "veil_test_noconnect"
    with psycopg.connect(libpq(pg_server), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    db = pg_database.rpartition("/")[2]
    with psycopg.connect(libpq(pg_database), autocommit=True) as conn:
        conn.execute(
            sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(sql.Identifier(db))
        )
    try:
        url = pg_database.replace("postgres@", f"{role}@", 1)
        with pytest.raises(WarehouseError, match="lacks a privilege") as info:
            _connect(url)
        assert "GRANT" in info.value.hint.upper() or "Grant" in info.value.hint
    finally:
        with psycopg.connect(libpq(pg_server), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db))
            )
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_duckdb_files_are_opened_read_only(tmp_path):
    import duckdb

    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    engine = create_warehouse_engine(f"duckdb:///{path}")
    with warehouse_connection(engine) as conn, pytest.raises(Exception, match="read-only"):
        conn.exec_driver_sql("CREATE TABLE t (a INTEGER)")
    engine.dispose()
