"""Statement timeouts: the gateway's limit, a client's own SET statement_timeout, and
what a cancelled statement leaves behind (57014, an audited outcome, a usable session).

Over DuckDB the gateway interrupts the warehouse itself; over PostgreSQL the warehouse
enforces the bounded value the relay passed at startup.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psycopg
import pytest
from psycopg.pq import DiagnosticField

from masking.errors import Refused
from masking.gateway import GatewayConfig
from masking.gateway.timeouts import bounded, bounded_set, format_timeout, parse_timeout
from policies.audit import AuditKind
from tests import warehouses
from tests.masking.gateway.conftest import (
    PASSWORDS,
    Running,
    build_catalog,
    start_gateway,
    wait_for_record,
)

#: Billions of rows from three: runs until cancelled (on DuckDB and PostgreSQL).
SLOW = "SELECT count(*) FROM " + ", ".join(f"crm.customers c{i}" for i in range(24))
#: The same rows streamed: the warehouse starts at once, the time goes by in fetches.
STREAMED = "SELECT c0.id FROM " + ", ".join(f"crm.customers c{i}" for i in range(24))
LIMIT = 0.5


def _stop(running: Running) -> None:
    running.stop()
    running.gateway.audit.close()
    running.store.close()


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("limited")
    running = start_gateway(
        folder, build_catalog(folder), GatewayConfig(port=0, statement_timeout=LIMIT)
    )
    yield running
    _stop(running)


def _simple(conn: psycopg.Connection, sql: str) -> tuple[str | None, str | None]:
    """Run ``sql`` with the simple protocol: (SQLSTATE, message) of its error, if any."""
    result = conn.pgconn.exec_(sql.encode())
    state = result.error_field(DiagnosticField.SQLSTATE)
    message = result.error_field(DiagnosticField.MESSAGE_PRIMARY)
    return (
        state.decode() if state else None,
        message.decode() if message else None,
    )


# -- DuckDB: the gateway interrupts the warehouse ------------------------------------------


def test_a_slow_query_times_out_with_57014_and_the_session_goes_on(limited: Running) -> None:
    with psycopg.connect(limited.dsn(), autocommit=True) as conn:
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled) as caught:
            conn.execute(SLOW)  # extended protocol
        assert time.monotonic() - started < 10
        assert caught.value.sqlstate == "57014"
        assert str(caught.value) == "canceling statement due to statement timeout"
        assert _simple(conn, SLOW) == ("57014", "canceling statement due to statement timeout")
        assert conn.execute("SELECT count(*) FROM crm.customers").fetchone() == (3,)


def test_a_timeout_while_rows_stream_stops_the_stream(limited: Running) -> None:
    with psycopg.connect(limited.dsn(), autocommit=True) as conn:
        streamed = 0
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            for _ in conn.cursor().stream(STREAMED):
                streamed += 1
        assert streamed > 0  # rows had been sent before the time was up
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_the_timed_out_statement_is_audited_with_its_sqlstate(limited: Running) -> None:
    sql = SLOW + " WHERE c0.id > 0"
    with (
        psycopg.connect(limited.dsn(), autocommit=True) as conn,
        pytest.raises(psycopg.errors.QueryCanceled),
    ):
        conn.execute(sql)
    statement = wait_for_record(
        limited, lambda r: r.record.kind is AuditKind.STATEMENT and r.record.sql == sql
    )
    outcome = wait_for_record(limited, lambda r: r.record.ref_seq == statement.seq).record
    assert outcome.sqlstate == "57014"
    assert outcome.reason == "canceling statement due to statement timeout"


def test_a_client_may_lower_the_timeout_not_raise_it(limited: Running) -> None:
    with psycopg.connect(limited.dsn(), autocommit=True) as conn:
        notices: list[str] = []
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        assert conn.execute("SHOW statement_timeout").fetchone() == ("500ms",)
        conn.execute("SET statement_timeout = '100ms'")
        assert conn.execute("SHOW statement_timeout").fetchone() == ("100ms",)
        assert notices == []
        for too_long in ("SET statement_timeout = 0", "SET statement_timeout TO '1h'"):
            conn.execute(too_long)
            assert conn.execute("SHOW statement_timeout").fetchone() == ("500ms",)
        assert notices == ["statement_timeout is capped at the gateway limit of 500ms"] * 2
        conn.execute("SET statement_timeout = 200")
        conn.execute("RESET statement_timeout")
        assert conn.execute("SHOW statement_timeout").fetchone() == ("500ms",)
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="statement_timeout"):
            conn.execute("SET statement_timeout = 'soon'")


def test_without_a_gateway_limit_the_clients_own_timeout_applies(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        assert conn.execute("SHOW statement_timeout").fetchone() == ("0",)
        conn.execute("SET statement_timeout = '300ms'")
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            conn.execute(SLOW)
        assert time.monotonic() - started < 10
        conn.execute("SET statement_timeout = 0")
        assert conn.execute("SELECT count(*) FROM crm.customers").fetchone() == (3,)


def test_a_lowered_timeout_stops_a_query_well_before_the_gateway_limit(tmp_path: Path) -> None:
    running = start_gateway(
        tmp_path, build_catalog(tmp_path), GatewayConfig(port=0, statement_timeout=60)
    )
    try:
        with psycopg.connect(running.dsn(), autocommit=True) as conn:
            conn.execute("SET statement_timeout = '200ms'")
            started = time.monotonic()
            with pytest.raises(psycopg.errors.QueryCanceled):
                conn.execute(SLOW)
            assert time.monotonic() - started < 10
        started = time.monotonic()  # lowered in the StartupMessage
        assert _startup_timeout(running, "200", SLOW) == "57014"
        assert time.monotonic() - started < 10
    finally:
        _stop(running)


def _startup_timeout(running: Running, value: str, sql: str) -> str | None:
    """Run ``sql`` in a session that set statement_timeout ``value`` in its
    StartupMessage: its first column, or the SQLSTATE it failed with."""

    async def run() -> str | None:
        conn = await asyncpg.connect(
            host="127.0.0.1",
            port=running.port,
            user="alice",
            password=PASSWORDS["alice"],
            database="wh",
            ssl=False,
            server_settings={"statement_timeout": value},
        )
        try:
            return str(await conn.fetchval(sql))
        except asyncpg.PostgresError as e:
            return str(e.sqlstate)
        finally:
            await conn.close()

    return asyncio.run(run())


@pytest.mark.parametrize("value", ["0", "1h", "soon"])
def test_a_startup_statement_timeout_is_bounded_too(limited: Running, value: str) -> None:
    assert _startup_timeout(limited, value, SLOW) == "57014"


# -- values, as PostgreSQL reads and shows them --------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0.0),
        ("1500", 1.5),
        ("'250ms'", 0.25),
        ("2s", 2.0),
        ("1.5 s", 1.5),
        ("3min", 180.0),
        ("1h", 3600.0),
        ("1d", 86400.0),
        ("1500us", 0.002),
    ],
)
def test_timeout_values_are_read_as_postgresql_reads_them(text: str, seconds: float) -> None:
    assert parse_timeout(text) == seconds


@pytest.mark.parametrize("text", ["soon", "5 sec", "-1", "1e12", "''"])
def test_values_that_are_not_timeouts_are_refused(text: str) -> None:
    with pytest.raises(Refused) as caught:
        parse_timeout(text)
    assert caught.value.sqlstate == "22023"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "0"), (0.25, "250ms"), (30, "30s"), (90, "90s"), (120, "2min"), (7200, "2h")],
)
def test_timeouts_are_shown_in_their_largest_exact_unit(seconds: float, shown: str) -> None:
    assert format_timeout(seconds) == shown


@pytest.mark.parametrize(
    ("value", "limit", "allowed"),
    [(0, 0, 0), (5, 0, 5), (0, 30, 30), (5, 30, 5), (60, 30, 30)],
)
def test_the_gateway_limit_bounds_what_a_client_sets(
    value: float, limit: float, allowed: float
) -> None:
    assert bounded(value, limit) == allowed


@pytest.mark.parametrize(
    ("sql", "instead"),
    [
        ("SET statement_timeout = 0", "SET statement_timeout = 30000"),
        ("set local statement_timeout to '1h';", "SET LOCAL statement_timeout = 30000"),
        ("SET SESSION statement_timeout 60000", "SET SESSION statement_timeout = 30000"),
        ("SET statement_timeout = '10s'", None),
        ("SET statement_timeout TO DEFAULT", None),
        ("SET lock_timeout = 0", None),
        ("SET statement_timeout_x = 0", None),
    ],
)
def test_sets_above_the_limit_are_capped(sql: str, instead: str | None) -> None:
    capped = bounded_set(sql, limit=30)
    assert (capped[0] if capped else None) == instead


# -- PostgreSQL: the warehouse enforces the bounded value ----------------------------------


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[Running]:
    from tests import pg

    folder = tmp_path_factory.mktemp("relay-timeout")
    url = warehouses.postgres_warehouse(pg.create_database(pg_server))
    store = build_catalog(folder, url)
    running = start_gateway(folder, store, GatewayConfig(port=0, statement_timeout=LIMIT))
    yield running
    _stop(running)
    pg.drop_database(pg_server, url)


@pytest.mark.postgres
def test_the_warehouse_cancels_a_slow_relayed_query(relay: Running) -> None:
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        assert conn.execute("SHOW statement_timeout").fetchone() == ("500ms",)
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled) as caught:
            conn.execute(SLOW)
        assert time.monotonic() - started < 10
        assert caught.value.sqlstate == "57014"
        assert "statement timeout" in str(caught.value)
        assert _simple(conn, SLOW)[0] == "57014"
        assert conn.execute("SELECT count(*) FROM crm.customers").fetchone() == (3,)
    statement = wait_for_record(
        relay, lambda r: r.record.kind is AuditKind.STATEMENT and r.record.sql == SLOW
    )
    outcome = wait_for_record(relay, lambda r: r.record.ref_seq == statement.seq).record
    assert outcome.sqlstate == "57014"


@pytest.mark.postgres
def test_a_relayed_client_may_lower_the_timeout_not_raise_it(relay: Running) -> None:
    with psycopg.connect(relay.dsn(), autocommit=True) as conn:
        notices: list[str] = []
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        conn.execute("SET statement_timeout = '100ms'")
        assert conn.execute("SHOW statement_timeout").fetchone() == ("100ms",)
        conn.execute("SET statement_timeout = 0")
        assert conn.execute("SHOW statement_timeout").fetchone() == ("500ms",)
        assert notices == ["statement_timeout is capped at the gateway limit of 500ms"]
        conn.execute("SET statement_timeout = '100ms'")
        conn.execute("RESET statement_timeout")  # back to the startup value: the limit
        assert conn.execute("SHOW statement_timeout").fetchone() == ("500ms",)
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            conn.execute("SET statement_timeout = 'soon'")


@pytest.mark.postgres
def test_a_relayed_startup_statement_timeout_reaches_the_warehouse_bounded(
    relay: Running,
) -> None:
    assert _startup_timeout(relay, "100", "SHOW statement_timeout") == "100ms"
    assert _startup_timeout(relay, "0", "SHOW statement_timeout") == "500ms"
