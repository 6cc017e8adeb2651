"""The extended protocol: psycopg with parameters, prepared statements, binary results and
server-side cursors; and raw messages for row limits and error recovery."""

from __future__ import annotations

import datetime as dt
import socket
from decimal import Decimal

import psycopg
import pytest

from masking.pgwire import backend as be
from masking.pgwire import frontend as fe
from masking.pgwire.scram import SCRAM_SHA_256
from tests.masking.gateway.conftest import MASKED_EMAILS, PASSWORDS, Running
from tests.masking.pgwire.test_scram import Client


def test_parameters_are_bound_and_masking_still_applies(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT id, email FROM crm.customers WHERE id >= %s AND full_name IS DISTINCT FROM %s "
            "ORDER BY id",
            (2, "nobody"),
        ).fetchall()
    assert rows == [(2, MASKED_EMAILS[1]), (3, MASKED_EMAILS[2])]


def test_a_predicate_on_a_masked_column_sees_masked_values(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        raw = conn.execute(
            "SELECT count(*) FROM crm.customers WHERE email = %s", ("ann@example.com",)
        ).fetchone()
        masked = conn.execute(
            "SELECT count(*) FROM crm.customers WHERE email = %s", ("***@example.com",)
        ).fetchone()
    assert raw == (0,) and masked == (1,)


def test_prepared_statements_run_many_times(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        got = [
            conn.execute(
                "SELECT total FROM sales.orders WHERE id = %s", (i,), prepare=True
            ).fetchone()
            for i in (1, 2, 4, 1)
        ]
    assert got == [(Decimal("20.00"),), (Decimal("5.50"),), (Decimal("1.00"),), (Decimal("20.00"),)]


def test_binary_results_decode(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        cur = conn.cursor(binary=True)
        row = cur.execute(
            "SELECT id, total, placed_at FROM sales.orders WHERE id = %s", (1,)
        ).fetchone()
    assert row == (1, Decimal("20.00"), dt.datetime(2025, 1, 1, 10, 0))


def test_refusal_at_parse_recovers_at_sync(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as caught:
            conn.execute("SELECT born FROM crm.customers WHERE id = %s", (1,))
        assert caught.value.sqlstate == "42501"
        assert conn.execute("SELECT %s::INTEGER + 1", (41,)).fetchone() == (42,)


def test_server_side_cursor_fetches_in_batches(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn()) as conn:
        with conn.cursor(name="emails") as cur:
            cur.itersize = 2
            cur.execute("SELECT email FROM crm.customers WHERE id > %s ORDER BY id", (0,))
            first = cur.fetchone()
            rest = cur.fetchall()
        conn.commit()
    assert [first[0], *(r[0] for r in rest)] == MASKED_EMAILS


def test_transactions_report_their_status(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn()) as conn:
        conn.execute("SELECT 1")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        with pytest.raises(psycopg.Error):
            conn.execute("SELECT born FROM crm.customers")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        with pytest.raises(psycopg.Error) as caught:
            conn.execute("SELECT 1")
        assert caught.value.sqlstate == "25P02"
        conn.rollback()
        assert conn.execute("SELECT 2").fetchone() == (2,)


def test_set_and_show(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        conn.execute("SET search_path TO crm")
        assert conn.execute("SHOW search_path").fetchone() == ("crm",)
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (3,)
        conn.execute("SET TimeZone TO 'Europe/Paris'")
        assert conn.info.parameter_status("TimeZone") == "Europe/Paris"
        with pytest.raises(psycopg.Error) as caught:
            conn.execute("SET role TO admin")
        assert caught.value.sqlstate == "42501"


# -- raw protocol ---------------------------------------------------------------------------


class RawClient:
    """A minimal client speaking pgwire messages (SCRAM via a real client's maths)."""

    def __init__(self, gateway: Running, user: str = "alice") -> None:
        self.sock = socket.create_connection(("127.0.0.1", gateway.port), timeout=30)
        self.reader = be.BackendReader()
        self.pending: list[be.BackendMessage] = []
        self.send(fe.StartupMessage({"user": user, "database": "wh"}).encode())
        assert isinstance(self.next(), be.AuthenticationSASL)
        scram = Client(PASSWORDS[user], nonce="gatewaytestnonce")
        self.send(fe.SASLInitialResponse(SCRAM_SHA_256, scram.first()).encode())
        cont = self.next()
        assert isinstance(cont, be.AuthenticationSASLContinue)
        self.send(fe.AuthResponse(scram.final(cont.data)).encode())
        self.until(be.ReadyForQuery)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def next(self) -> be.BackendMessage:
        while not self.pending:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.pending.extend(self.reader.feed(data))
        return self.pending.pop(0)

    def until(self, kind: type) -> list[be.BackendMessage]:
        got = []
        while True:
            message = self.next()
            got.append(message)
            if isinstance(message, kind):
                return got

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw(gateway: Running):
    client = RawClient(gateway)
    yield client
    client.close()


def test_row_limits_suspend_the_portal_and_resume(raw: RawClient) -> None:
    raw.send(
        fe.Parse("", "SELECT id FROM sales.orders ORDER BY id").encode()
        + fe.Bind("", "").encode()
        + fe.Describe("P", "").encode()
        + fe.Execute("", 3).encode()
        + fe.Execute("", 3).encode()
        + fe.Sync().encode()
    )
    got = raw.until(be.ReadyForQuery)
    kinds = [type(m).__name__ for m in got]
    assert kinds == [
        "ParseComplete",
        "BindComplete",
        "RowDescription",
        "DataRow",
        "DataRow",
        "DataRow",
        "PortalSuspended",
        "DataRow",
        "CommandComplete",
        "ReadyForQuery",
    ]
    assert got[-2] == be.CommandComplete("SELECT 4")


def test_an_error_skips_messages_until_sync(raw: RawClient) -> None:
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
    assert [type(m).__name__ for m in first] == ["ErrorResponse", "ReadyForQuery"]
    assert first[0].code == "42501"
    second = raw.until(be.ReadyForQuery)
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
    assert second[1] == be.ParameterDescription((23,))
    assert second[4] == be.DataRow((b"7",))


def test_a_malformed_message_closes_only_that_connection(gateway: Running, raw: RawClient) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as healthy:
        raw.send(b"Q\x00\x00\x00\x02")  # a length shorter than the length field
        error = raw.next()
        assert isinstance(error, be.ErrorResponse)
        assert (error.code, error.severity) == ("08P01", "FATAL")
        with pytest.raises(EOFError):
            raw.next()
        assert healthy.execute("SELECT 1").fetchone() == (1,)
    with psycopg.connect(gateway.dsn(), autocommit=True) as fresh:
        assert fresh.execute("SELECT 2").fetchone() == (2,)
