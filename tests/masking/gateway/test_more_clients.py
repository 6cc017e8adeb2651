"""asyncpg (extended protocol, binary formats), the SQLAlchemy ORM and pgbench against the
gateway over DuckDB.

asyncpg sends no pg_catalog introspection for the built-in types used here (it only
introspects types it does not know). The gateway describes every parameter it cannot
type as text (PostgreSQL would infer int4 for ``id = $1``), so asyncpg wants ``str``
arguments for them; the warehouse casts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from policies.audit import AuditDecision, AuditKind, read_records
from tests.masking.gateway.conftest import MASKED_EMAILS, PASSWORDS, Running, wait_for_record

# -- asyncpg ---------------------------------------------------------------------------------


def _asyncpg(gateway: Running, work):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        conn = await asyncpg.connect(
            host="127.0.0.1",
            port=gateway.port,
            user="alice",
            password=PASSWORDS["alice"],
            database="wh",
            ssl=False,
            timeout=30,
        )
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(run())


def test_asyncpg_reads_masked_text_ints_numeric_and_timestamps(gateway: Running) -> None:
    async def work(conn: asyncpg.Connection) -> tuple[list[asyncpg.Record], ...]:
        customers = await conn.fetch("SELECT id, email, balance FROM crm.customers ORDER BY id")
        orders = await conn.fetch("SELECT id, total, placed_at FROM sales.orders ORDER BY id")
        return customers, orders

    customers, orders = _asyncpg(gateway, work)
    assert [tuple(r) for r in customers] == [
        (1, MASKED_EMAILS[0], Decimal("10.50")),
        (2, MASKED_EMAILS[1], Decimal("0.00")),
        (3, MASKED_EMAILS[2], Decimal("7.00")),
    ]
    # Nothing asyncpg sent needed pg_catalog (no type introspection for built-in types).
    assert not [r for r in read_records(gateway.store) if "pg_" in (r.record.sql or "")]
    # The analyst's row filter (total < 50) hides order 3.
    assert [tuple(r) for r in orders] == [
        (1, Decimal("20.00"), dt.datetime(2025, 1, 1, 10, 0)),
        (2, Decimal("5.50"), dt.datetime(2025, 1, 2, 11, 0)),
        (4, Decimal("1.00"), dt.datetime(2025, 3, 1, 9, 30)),
        (5, Decimal("2.00"), dt.datetime(2025, 3, 2, 9, 30)),
    ]


def test_asyncpg_decodes_the_other_binary_types(gateway: Running) -> None:
    sql = (
        "SELECT id::bigint AS b, balance::double precision AS f, true AS t, "
        "DATE '2025-01-01' AS d, TIMESTAMPTZ '2025-01-01 10:00:00+00' AS z, "
        "INTERVAL '1 day' AS i, '00000000-0000-0000-0000-000000000001'::uuid AS u, "
        "'x'::bytea AS y FROM crm.customers WHERE id = 1"
    )
    row = _asyncpg(gateway, lambda conn: conn.fetchrow(sql))
    assert tuple(row) == (
        1,
        10.5,
        True,
        dt.date(2025, 1, 1),
        dt.datetime(2025, 1, 1, 10, 0, tzinfo=dt.UTC),
        dt.timedelta(days=1),
        uuid.UUID(int=1),
        b"x",
    )


def test_asyncpg_parameterised_query_is_masked_and_audited(gateway: Running) -> None:
    sql = "SELECT id, email FROM crm.customers WHERE id = $1 OR email = $2"
    rows = _asyncpg(gateway, lambda conn: conn.fetch(sql, "2", "cy@example.net"))
    # A predicate on the masked column sees masked values: the raw email matches nothing.
    assert [tuple(r) for r in rows] == [(2, MASKED_EMAILS[1])]
    record = wait_for_record(
        gateway, lambda r: r.record.kind is AuditKind.STATEMENT and r.record.sql == sql
    ).record
    assert record.pii_columns == {"crm.customers.email": "email"}


def test_asyncpg_refusal_carries_its_sqlstate(gateway: Running) -> None:
    async def work(conn: asyncpg.Connection) -> str:
        with pytest.raises(asyncpg.PostgresError) as caught:
            await conn.fetch("SELECT born FROM crm.customers")
        assert await conn.fetchval("SELECT count(*) FROM sales.orders") == 4
        return str(caught.value.sqlstate)

    assert _asyncpg(gateway, work) == "42501"
    wait_for_record(
        gateway,
        lambda r: r.record.sql == "SELECT born FROM crm.customers" and r.record.sqlstate == "42501",
    )


def test_asyncpg_prepared_session_statements_are_described_with_their_columns(
    gateway: Running,
) -> None:
    """asyncpg prepares everything: Describe of SHOW and version() must announce the
    row they return, or the driver fails on the unexpected DataRow."""

    async def work(conn: asyncpg.Connection) -> tuple[object, ...]:
        return (
            await conn.fetchval("SHOW search_path"),
            await conn.fetchval("select version()"),
            len(await conn.fetch("SHOW ALL")) > 5,
        )

    shown, version, listed = _asyncpg(gateway, work)
    assert isinstance(shown, str) and "Veil" in str(version) and listed


# -- SQLAlchemy ORM --------------------------------------------------------------------------


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = {"schema": "crm"}

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str]
    full_name: Mapped[str | None]
    balance: Mapped[Decimal]


def test_sqlalchemy_orm_returns_masked_values(gateway: Running) -> None:
    url = sa.URL.create(
        "postgresql+psycopg",
        username="alice",
        password=PASSWORDS["alice"],
        host="127.0.0.1",
        port=gateway.port,
        database="wh",
        query={"sslmode": "disable"},
    )
    engine = sa.create_engine(url, use_native_hstore=False)  # see test_clients.py
    try:
        with Session(engine) as session:
            people = session.scalars(
                sa.select(Customer).where(Customer.id >= 1).order_by(Customer.id)
            ).all()
            emails = [p.email for p in people]
            balances = [p.balance for p in people]
            one = session.get(Customer, 2)
            assert one is not None and one.email == MASKED_EMAILS[1]
    finally:
        engine.dispose()
    assert emails == MASKED_EMAILS
    assert balances == [Decimal("10.50"), Decimal("0.00"), Decimal("7.00")]


# -- pgbench ---------------------------------------------------------------------------------


def _pgbench() -> str:
    found = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    assert Path(found).exists(), "pgbench not found"
    return found


@pytest.mark.parametrize("mode", ["simple", "extended", "prepared"])
def test_pgbench_custom_script(gateway: Running, tmp_path: Path, mode: str) -> None:
    column = f"email_{mode}"  # one statement text per mode, to count its records
    script = tmp_path / "select.sql"
    script.write_text(
        f"\\set id random(1, 3)\nSELECT id, email AS {column} FROM crm.customers WHERE id = :id;\n"
    )
    done = subprocess.run(
        [
            *(_pgbench(), "-n", "-f", str(script), "-t", "20", "-c", "2", "-M", mode),
            *("-h", "127.0.0.1", "-p", str(gateway.port), "-U", "alice", "wh"),
        ],
        env={**os.environ, "PGPASSWORD": PASSWORDS["alice"], "PGSSLMODE": "disable"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "number of transactions actually processed: 40/40" in done.stdout

    # 2 clients x 20 transactions: one allowed statement record each, masked.
    records = [
        r.record
        for r in read_records(gateway.store)
        if r.record.kind is AuditKind.STATEMENT and column in (r.record.sql or "")
    ]
    assert len(records) == 40
    assert all(r.decision is AuditDecision.ALLOWED for r in records)
    assert all(r.pii_columns == {"crm.customers.email": "email"} for r in records)
    texts = {r.sql or "" for r in records}
    if mode == "simple":  # pgbench interpolates the value into the text
        assert {t.rsplit("= ", 1)[1] for t in texts} <= {"1", "2", "3"}
    else:
        assert texts == {f"SELECT id, email AS {column} FROM crm.customers WHERE id = $1;"}
