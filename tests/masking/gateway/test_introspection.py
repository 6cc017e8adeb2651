"""Catalog introspection through the gateway over DuckDB: psql ``\\d``, SQLAlchemy's
inspector and psycopg's TypeInfo see only what the user may read (the shadow catalog of
masking.gateway.introspection)."""

from __future__ import annotations

import asyncio

import asyncpg
import psycopg
import pytest
import sqlalchemy as sa
from psycopg.types import TypeInfo

from masking.gateway.introspection import is_catalog_query, translate
from tests.masking.gateway.conftest import PASSWORDS, Running, wait_for_record
from tests.masking.gateway.test_clients import psql


def _engine(gateway: Running, user: str = "alice") -> sa.Engine:
    url = sa.URL.create(
        "postgresql+psycopg",
        username=user,
        password=PASSWORDS[user],
        host="127.0.0.1",
        port=gateway.port,
        database="wh",
        query={"sslmode": "disable"},
    )
    return sa.create_engine(url)  # use_native_hstore=True: psycopg looks hstore up


def _rows(out: str) -> list[list[str]]:
    return [line.split("|") for line in out.splitlines() if line]


def test_psql_dt_lists_only_readable_tables(gateway: Running) -> None:
    done = psql(gateway, "-c", r"\dt")
    assert done.returncode == 0, done.stderr
    listed = {(r[0], r[1]) for r in _rows(done.stdout)}
    assert ("crm", "customers") in listed and ("sales", "orders") in listed
    assert all(schema in ("crm", "sales") for schema, _ in listed)


def test_psql_d_table_omits_denied_columns(gateway: Running) -> None:
    done = psql(gateway, "-c", r"\d crm.customers")
    assert done.returncode == 0, done.stderr
    columns = [r[0] for r in _rows(done.stdout)]
    assert columns == ["id", "email", "full_name", "balance"]  # born is denied to alice
    assert "ann@example.com" not in done.stdout


def test_psql_d_lists_relations_and_schemas(gateway: Running) -> None:
    done = psql(gateway, "-c", r"\d crm.*")
    assert done.returncode == 0, done.stderr
    assert "born" not in done.stdout
    schemas = psql(gateway, "-c", r"\dn")
    assert schemas.returncode == 0, schemas.stderr
    assert {r[0] for r in _rows(schemas.stdout)} == {"crm", "sales"}  # no empty "main"


def test_a_table_without_grant_is_absent(gateway: Running) -> None:
    # carol-less fixture: bob (privacy_officer) sees everything; alice has no grant on
    # anything outside crm and sales, and a user with no grant sees no table at all.
    done = psql(
        gateway,
        "-c",
        "SELECT table_schema, table_name FROM information_schema.tables ORDER BY 1, 2",
    )
    assert done.returncode == 0, done.stderr
    assert {r[0] for r in _rows(done.stdout)} <= {"crm", "sales"}


def test_catalog_queries_are_audited(gateway: Running) -> None:
    sql = "SELECT relname FROM pg_catalog.pg_class WHERE relname = 'orders'"
    done = psql(gateway, "-c", sql)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["orders"]
    stored = wait_for_record(gateway, lambda r: r.record.sql == sql)
    assert stored.record.user == "alice" and stored.record.decision == "allowed"


def test_sqlalchemy_inspector_with_native_hstore(gateway: Running) -> None:
    engine = _engine(gateway)
    try:
        inspector = sa.inspect(engine)
        assert sorted(inspector.get_table_names(schema="crm")) == ["customers"]
        assert inspector.has_table("orders", schema="sales")
        columns = inspector.get_columns("customers", schema="crm")
    finally:
        engine.dispose()
    assert [c["name"] for c in columns] == ["id", "email", "full_name", "balance"]
    assert isinstance(columns[0]["type"], sa.Integer)


def test_psycopg_typeinfo_of_a_missing_type_is_none(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn()) as conn:
        assert TypeInfo.fetch(conn, "hstore") is None
        info = TypeInfo.fetch(conn, "int4")
        assert info is not None and info.oid == 23


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM crm.customers",
        "SELECT * FROM pg_catalog.pg_class, crm.customers",
        "SELECT * FROM pg_catalog.pg_stats",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM pg_class, read_csv('/etc/passwd')",
        "CREATE TABLE pg_x (a int)",
    ],
)
def test_only_system_relations_go_to_the_shadow(sql: str) -> None:
    assert not is_catalog_query(sql)


def test_translate_rewrites_what_duckdb_lacks() -> None:
    out = translate(
        "SELECT c.oid::pg_catalog.regclass::pg_catalog.text FROM pg_catalog.pg_class c "
        "WHERE c.relname OPERATOR(pg_catalog.~) '^(x)$' COLLATE pg_catalog.default"
    )
    assert "as regclass" not in out.lower() and "operator" not in out.lower()
    assert "veil_regclass_name(c.oid)" in out.lower()


def test_each_user_has_their_own_shadow(gateway: Running) -> None:
    alice = psql(gateway, "-c", r"\d crm.customers")
    bob = psql(gateway, "-c", r"\d crm.customers", user="bob")
    assert alice.returncode == 0 and bob.returncode == 0, alice.stderr + bob.stderr
    assert "born" in bob.stdout and "born" not in alice.stdout


def test_psql_l_shows_the_warehouse(gateway: Running) -> None:
    done = psql(gateway, "-c", r"\l")
    assert done.returncode == 0, done.stderr
    assert [r[0] for r in _rows(done.stdout)] == ["wh"]


def test_asyncpg_prepares_a_catalog_query(gateway: Running) -> None:
    # asyncpg describes the prepared statement (Describe S) before it binds.
    async def run() -> list[str]:
        conn = await asyncpg.connect(
            host="127.0.0.1",
            port=gateway.port,
            user="alice",
            password=PASSWORDS["alice"],
            database="wh",
            ssl=False,
        )
        try:
            rows = await conn.fetch(
                "SELECT c.relname FROM pg_catalog.pg_class c "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = $1 ORDER BY 1",
                "sales",
            )
        finally:
            await conn.close()
        return [r[0] for r in rows]

    assert asyncio.run(run()) == ["big_customers", "orders"]
