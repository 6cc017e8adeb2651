"""The gateway over a real PostgreSQL warehouse: the protocol is relayed.

The warehouse is tests/warehouses.py's sample plus a table of typed values, scanned into
a SQLite catalog with its email column confirmed as PII; the policy and logins are the
DuckDB gateway's (the ``relay`` fixture is in conftest.py, shared with test_jdbc.py).
Values come back masked with the warehouse's own types.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import shutil
import socket
import subprocess
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from catalog.config import load_settings
from catalog.errors import UsageError
from catalog.scan import scan_warehouse
from catalog.store import open_store
from masking.gateway import Gateway, GatewayConfig, open_gateway
from masking.gateway.upstream import PostgresWarehouse
from masking.pgwire import backend as be
from masking.pgwire import frontend as fe
from policies.audit import AuditDecision, AuditKind, read_records
from policies.audit_verify import verify_chain
from tests import warehouses
from tests.masking.gateway.conftest import (
    MASKED_EMAILS,
    PASSWORDS,
    RAW_EMAILS,
    Running,
    wait_for_record,
)
from tests.masking.gateway.test_extended import RawClient
from tests.pg import libpq

pytestmark = pytest.mark.postgres


def test_simple_query_masks_through_the_relay(relay: Running) -> None:
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        rows = conn.execute("SELECT id, email FROM crm.customers ORDER BY id").fetchall()
        version = conn.info.parameter_status("server_version") or ""
        authorization = conn.info.parameter_status("session_authorization")
        superuser = conn.info.parameter_status("is_superuser")
    assert rows == list(zip([1, 2, 3], MASKED_EMAILS, strict=True))
    assert version[:2].isdigit()  # the warehouse's own, relayed
    assert (authorization, superuser) == ("alice", "off")  # not the service account's


def test_exempt_role_reads_raw_values(relay: Running) -> None:
    with psycopg.connect(relay.dsn("bob"), autocommit=True) as conn:
        rows = conn.execute("SELECT email FROM crm.customers ORDER BY id").fetchall()
    assert [r[0] for r in rows] == RAW_EMAILS


@pytest.mark.parametrize("binary", [False, True])
def test_extended_protocol_keeps_the_warehouse_types(relay: Running, binary: bool) -> None:
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        cur = conn.cursor(binary=binary)
        cur.execute(
            "SELECT id, amount, paid_at, ref, email FROM sales.payments WHERE id = %s", (2,)
        )
        row = cur.fetchone()
        assert cur.description is not None
        oids = [d.type_code for d in cur.description]
    assert oids == [23, 1700, 1184, 2950, 25]  # int4, numeric, timestamptz, uuid, text
    assert row is not None
    assert row[0] == 2 and row[1] == decimal.Decimal("99.99")
    assert row[2] == dt.datetime(2024, 3, 2, 11, 30, tzinfo=dt.UTC)
    assert row[3] == uuid.UUID("6f1c1e1a-0000-4000-8000-000000000002")
    assert row[4] == "***@example.org"


def test_prepared_statement_runs_again(relay: Running) -> None:
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        for id_ in (1, 2, 3, 1):
            row = conn.execute(
                "SELECT email FROM crm.customers WHERE id = %s", (id_,), prepare=True
            ).fetchone()
            assert row == (MASKED_EMAILS[id_ - 1],)


def test_refusals_carry_sqlstates_and_the_connection_survives(relay: Running) -> None:
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as caught:
            conn.execute("SELECT born FROM crm.customers")
        assert caught.value.sqlstate == "42501"
        with pytest.raises(psycopg.Error) as caught:
            conn.execute("SELECT * FROM crm.nope")
        assert caught.value.sqlstate == "42P01"
        with pytest.raises(psycopg.Error) as caught:
            conn.execute("SELECT 1/0")  # refused by the warehouse itself, relayed
        assert caught.value.sqlstate == "22012"
        assert conn.execute("SELECT count(*) FROM sales.orders").fetchone() == (4,)  # filter


def test_several_statements_in_one_query(relay: Running) -> None:
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("SELECT 1 AS a; SELECT 2 AS b")
        assert cur.fetchall() == [(1,)]
        assert cur.nextset() and cur.fetchall() == [(2,)]
        with pytest.raises(psycopg.Error) as caught:
            cur.execute("SELECT 1; SELECT born FROM crm.customers; SELECT 2")
        assert caught.value.sqlstate == "42501"


@pytest.mark.parametrize(
    "failing",
    ["SELECT born FROM crm.customers", "SELECT 1 / 0"],
    ids=["refused_by_veil", "failed_on_the_warehouse"],
)
def test_several_statements_are_one_implicit_transaction(relay: Running, failing: str) -> None:
    """As on PostgreSQL, an error in one statement of a Query undoes the ones before."""
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        before = conn.execute("SHOW application_name").fetchone()
        with pytest.raises(psycopg.Error):
            conn.execute(f"SET application_name = 'changed'; {failing}")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert conn.execute("SHOW application_name").fetchone() == before
        conn.execute("SET application_name = 'kept'; SELECT 1")
        assert conn.execute("SHOW application_name").fetchone() == ("kept",)


def test_transactions_run_on_the_warehouse(relay: Running) -> None:
    with psycopg.connect(relay.dsn()) as conn:  # psycopg sends BEGIN itself
        assert conn.execute("SELECT email FROM crm.customers WHERE id = 1").fetchone() == (
            MASKED_EMAILS[0],
        )
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        with pytest.raises(psycopg.Error):
            conn.execute("SELECT born FROM crm.customers")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        conn.rollback()
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        conn.execute("SET TimeZone TO 'Europe/Paris'")
        assert conn.info.parameter_status("TimeZone") == "Europe/Paris"
        conn.commit()
        assert conn.execute("SELECT count(*) FROM crm.customers").fetchone() == (3,)


def test_audit_counts_rows_from_command_complete(relay: Running) -> None:
    marker = "SELECT email, 5151 AS marker FROM crm.customers"
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        assert len(conn.execute(marker).fetchall()) == 3
        with pytest.raises(psycopg.Error):
            conn.execute("SELECT born, 5252 FROM crm.customers")
    records = list(read_records(relay.store))
    statement = next(r for r in records if r.record.sql == marker)
    assert statement.record.decision is AuditDecision.ALLOWED
    assert statement.record.pii_columns == {"crm.customers.email": "email"}
    outcome = wait_for_record(relay, lambda r: r.record.ref_seq == statement.seq)
    assert outcome.record.kind is AuditKind.OUTCOME and outcome.record.rows == 3
    refused = next(
        r.record for r in records if r.record.sql == "SELECT born, 5252 FROM crm.customers"
    )
    assert refused.decision is AuditDecision.REFUSED and refused.sqlstate == "42501"
    assert verify_chain(relay.store).ok


@pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed")
def test_psql_query(relay: Running) -> None:
    done = subprocess.run(
        [
            "psql",
            f"host=127.0.0.1 port={relay.port} user=alice dbname=wh sslmode=disable",
            "-X",
            "-A",
            "-t",
            "-c",
            "SELECT email FROM crm.customers ORDER BY id",
        ],
        env={"PGPASSWORD": PASSWORDS["alice"], "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == MASKED_EMAILS


def test_proxy_picks_the_relay_for_a_postgres_url(relay: Running) -> None:
    assert isinstance(relay.gateway.backend, PostgresWarehouse)


def test_row_limits_are_relayed_and_audited(relay: Running) -> None:
    raw = RawClient(relay)
    try:
        sql = "SELECT id, 6161 AS marker FROM sales.orders ORDER BY id"
        raw.send(
            fe.Parse("", sql).encode()
            + fe.Bind("", "").encode()
            + fe.Describe("P", "").encode()
            + fe.Execute("", 3).encode()
            + fe.Execute("", 3).encode()
            + fe.Sync().encode()
        )
        got = raw.until(be.ReadyForQuery)
    finally:
        raw.close()
    kinds = [type(m).__name__ for m in got]
    assert kinds == ["ParseComplete", "BindComplete", "RowDescription"] + ["DataRow"] * 3 + [
        "PortalSuspended",
        "DataRow",
        "CommandComplete",
        "ReadyForQuery",
    ]
    statement = next(r for r in read_records(relay.store) if r.record.sql == sql)
    outcome = wait_for_record(relay, lambda r: r.record.ref_seq == statement.seq)
    assert outcome.record.rows == 4


def test_pipelined_statements_on_one_portal_each_get_their_outcome(relay: Running) -> None:
    """Bind of the second statement arrives before the first's answer: the first's
    outcome still counts its rows (what JDBC does with BEGIN and the next statement)."""
    first, second = "SELECT id FROM crm.customers -- p1", "SELECT id FROM sales.orders -- p2"
    raw = RawClient(relay)
    try:
        raw.send(
            fe.Parse("", first).encode()
            + fe.Bind("", "").encode()
            + fe.Execute("", 0).encode()
            + fe.Parse("", second).encode()
            + fe.Bind("", "").encode()
            + fe.Execute("", 0).encode()
            + fe.Sync().encode()
        )
        got = raw.until(be.ReadyForQuery)
    finally:
        raw.close()
    tags = [m.tag for m in got if isinstance(m, be.CommandComplete)]
    assert tags == ["SELECT 3", "SELECT 4"]
    for sql, rows in ((first, 3), (second, 4)):
        statement = next(r for r in read_records(relay.store) if r.record.sql == sql)
        outcome = wait_for_record(relay, lambda r, s=statement: r.record.ref_seq == s.seq)
        assert (outcome.record.rows, outcome.record.reason) == (rows, None)


def test_an_error_skips_messages_until_sync(relay: Running) -> None:
    raw = RawClient(relay)
    try:
        raw.send(
            fe.Parse("s1", "SELECT born FROM crm.customers").encode()
            + fe.Bind("", "s1").encode()
            + fe.Execute("", 0).encode()
            + fe.Sync().encode()
            + fe.Parse("s2", "SELECT $1::INTEGER AS n", (23,)).encode()
            + fe.Describe("S", "s2").encode()
            + fe.Bind("p", "s2", (0,), (b"7",)).encode()
            + fe.Execute("p", 0).encode()
            + fe.Close("P", "p").encode()
            + fe.Close("S", "s2").encode()
            + fe.Sync().encode()
        )
        first = raw.until(be.ReadyForQuery)
        second = raw.until(be.ReadyForQuery)
    finally:
        raw.close()
    assert [type(m).__name__ for m in first] == ["ErrorResponse", "ReadyForQuery"]
    assert isinstance(first[0], be.ErrorResponse) and first[0].code == "42501"
    assert [type(m).__name__ for m in second] == [
        "ParseComplete",
        "ParameterDescription",
        "RowDescription",
        "BindComplete",
        "DataRow",
        "CommandComplete",
        "CloseComplete",
        "CloseComplete",
        "ReadyForQuery",
    ]
    assert second[4] == be.DataRow((b"7",))


def test_server_side_cursor(relay: Running) -> None:
    with psycopg.connect(relay.dsn()) as conn, conn.cursor(name="c1") as cur:
        cur.execute("SELECT id, email FROM crm.customers ORDER BY id")
        assert cur.fetchmany(2) == list(zip([1, 2], MASKED_EMAILS[:2], strict=True))
        assert cur.fetchall() == [(3, MASKED_EMAILS[2])]


def test_cancel_request_cancels_the_warehouse_query(relay: Running) -> None:
    slow = "SELECT count(*) FROM " + ", ".join(f"crm.customers c{i}" for i in range(24))
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        stop = threading.Event()

        def cancel() -> None:  # until the query has surely started
            while not stop.wait(0.3):
                conn.cancel_safe()

        canceller = threading.Thread(target=cancel)
        canceller.start()
        try:
            with pytest.raises(psycopg.errors.QueryCanceled) as caught:
                conn.execute(slow)
        finally:
            stop.set()
            canceller.join()
        assert caught.value.sqlstate == "57014"
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_warehouse_going_away_is_a_clear_error_and_the_next_session_reconnects(
    relay: Running,
) -> None:
    target = relay.gateway.backend
    assert isinstance(target, PostgresWarehouse)
    direct = f"postgresql://{target.user}@{target.host}:{target.port}/{target.database}"
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        with psycopg.connect(libpq(direct), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        with pytest.raises(psycopg.OperationalError) as caught:
            conn.execute("SELECT 2")
        assert caught.value.sqlstate in ("57P01", "08006")
    with psycopg.connect(relay.dsn(), autocommit=True) as again:
        assert again.execute("SELECT 3").fetchone() == (3,)


def test_search_path_and_identity_settings(relay: Running) -> None:
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        conn.execute("SET search_path TO crm")
        rows = conn.execute("SELECT email FROM customers ORDER BY id").fetchall()
        assert [r[0] for r in rows] == MASKED_EMAILS
        for statement in ("SET ROLE postgres", "SET SESSION AUTHORIZATION postgres"):
            with pytest.raises(psycopg.Error) as caught:
                conn.execute(statement)
            assert caught.value.sqlstate == "42501"


def test_commit_after_a_refusal_in_a_transaction_rolls_back(relay: Running) -> None:
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("BEGIN")
        cur.execute("SELECT 1")
        with pytest.raises(psycopg.Error):
            cur.execute("SELECT born FROM crm.customers")
        cur.execute("COMMIT")
        assert cur.statusmessage == "ROLLBACK"
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def test_a_warehouse_neither_duckdb_nor_postgres_is_refused(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'catalog.db'}")
    try:
        scan_warehouse(store, warehouses.sqlite_warehouse(tmp_path / "wh.db"), "lite")
        settings = load_settings(None, overrides={"home": str(tmp_path / ".veil")})
        with pytest.raises(UsageError, match="neither a DuckDB file nor PostgreSQL"):
            open_gateway(store, settings, "lite", GatewayConfig(port=0))
    finally:
        store.close()


def test_a_warehouse_error_skips_only_until_sync(relay: Running) -> None:
    raw = RawClient(relay)
    try:
        raw.send(
            fe.Parse("", "SELECT 1 / (id - id) FROM sales.orders").encode()
            + fe.Bind("", "").encode()
            + fe.Execute("", 0).encode()
            + fe.Parse("", "SELECT 3").encode()  # skipped by the warehouse and the relay
            + fe.Sync().encode()
            + fe.Parse("", "SELECT 2").encode()
            + fe.Bind("", "").encode()
            + fe.Execute("", 0).encode()
            + fe.Sync().encode()
        )
        first = raw.until(be.ReadyForQuery)
        second = raw.until(be.ReadyForQuery)
    finally:
        raw.close()
    assert [type(m).__name__ for m in first] == [
        "ParseComplete",
        "BindComplete",
        "ErrorResponse",
        "ReadyForQuery",
    ]
    assert isinstance(first[2], be.ErrorResponse) and first[2].code == "22012"
    assert [type(m).__name__ for m in second] == [
        "ParseComplete",
        "BindComplete",
        "DataRow",
        "CommandComplete",
        "ReadyForQuery",
    ]


def test_a_refusal_in_the_extended_protocol_aborts_the_clients_transaction(
    relay: Running,
) -> None:
    raw = RawClient(relay)
    try:
        raw.send(fe.Query("BEGIN").encode())
        assert raw.until(be.ReadyForQuery)[-1] == be.ReadyForQuery("T")
        raw.send(
            fe.Parse("", "SELECT born FROM crm.customers").encode()
            + fe.Bind("", "").encode()
            + fe.Execute("", 0).encode()
            + fe.Sync().encode()
        )
        refused = raw.until(be.ReadyForQuery)
        assert [type(m).__name__ for m in refused] == ["ErrorResponse", "ReadyForQuery"]
        assert refused[-1] == be.ReadyForQuery("E")  # though the warehouse's is still open
        raw.send(fe.Query("SELECT 1").encode())
        ignored = raw.until(be.ReadyForQuery)
        assert isinstance(ignored[0], be.ErrorResponse) and ignored[0].code == "25P02"
        raw.send(fe.Query("COMMIT").encode())
        ended = raw.until(be.ReadyForQuery)
        assert ended[-2:] == [be.CommandComplete("ROLLBACK"), be.ReadyForQuery("I")]
    finally:
        raw.close()


def test_asyncpg_binary_protocol(relay: Running) -> None:
    asyncpg = pytest.importorskip("asyncpg")

    async def scenario() -> list[tuple[object, ...]]:
        conn = await asyncpg.connect(
            host="127.0.0.1",
            port=relay.port,
            user="alice",
            password=PASSWORDS["alice"],
            database="wh",
            ssl=False,
        )
        try:
            rows = await conn.fetch(
                "SELECT id, amount, paid_at, ref, email FROM sales.payments "
                "WHERE id = $1 OR amount > $2 ORDER BY id",
                1,
                decimal.Decimal("50"),
            )
            with pytest.raises(asyncpg.PostgresError) as caught:
                await conn.fetch("SELECT born FROM crm.customers")
            assert caught.value.sqlstate == "42501"
            return [tuple(r) for r in rows]
        finally:
            await conn.close()

    rows = asyncio.run(scenario())
    assert rows == [
        (
            1,
            decimal.Decimal("12.50"),
            dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC),
            uuid.UUID("6f1c1e1a-0000-4000-8000-000000000001"),
            "***@example.com",
        ),
        (
            2,
            decimal.Decimal("99.99"),
            dt.datetime(2024, 3, 2, 11, 30, tzinfo=dt.UTC),
            uuid.UUID("6f1c1e1a-0000-4000-8000-000000000002"),
            "***@example.org",
        ),
    ]


def test_sqlalchemy_core(relay: Running) -> None:
    url = sa.URL.create(
        "postgresql+psycopg",
        username="alice",
        password=PASSWORDS["alice"],
        host="127.0.0.1",
        port=relay.port,
        database="wh",
        query={"sslmode": "disable"},
    )
    # pg_catalog is not catalogued, so psycopg's hstore lookup (pg_type) would be refused.
    engine = sa.create_engine(url, use_native_hstore=False)
    customers = sa.table("customers", sa.column("id"), sa.column("email"), schema="crm")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(customers.c.email).where(customers.c.id >= 2).order_by(customers.c.id)
            ).all()
    finally:
        engine.dispose()
    assert [r[0] for r in rows] == MASKED_EMAILS[1:]


def test_an_unreachable_warehouse_fails_the_login_clearly(relay: Running) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    live = relay.gateway
    dead = Gateway(
        GatewayConfig(port=0),
        store=live.store,
        warehouse=live.warehouse,
        backend=PostgresWarehouse("127.0.0.1", dead_port, "svc", None, "wh"),
        enforcement=live.enforcement,
        audit=live.audit,
    )
    asyncio.run_coroutine_threadsafe(dead.start(), relay.loop).result(30)
    try:
        dsn = relay.dsn().replace(f"port={relay.port}", f"port={dead.port}")
        with pytest.raises(psycopg.OperationalError) as caught:
            psycopg.connect(dsn)
        assert "FATAL:  cannot reach the PostgreSQL warehouse" in str(caught.value)
    finally:
        asyncio.run_coroutine_threadsafe(dead.shutdown(), relay.loop).result(30)
