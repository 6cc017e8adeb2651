"""psycopg 3 against the gateway: masking, refusals, audit, simple and extended protocol."""

from __future__ import annotations

import psycopg
import pytest

from policies.audit import AuditDecision, AuditKind, read_records
from policies.audit_verify import verify_chain
from tests.masking.gateway.conftest import MASKED_EMAILS, RAW_EMAILS, Running, wait_for_record


def test_simple_query_returns_masked_emails(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        rows = conn.execute("SELECT id, email FROM crm.customers ORDER BY id").fetchall()
    assert rows == list(zip([1, 2, 3], MASKED_EMAILS, strict=True))


def test_exempt_role_reads_raw_values(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn("bob"), autocommit=True) as conn:
        rows = conn.execute("SELECT email FROM crm.customers ORDER BY id").fetchall()
    assert [r[0] for r in rows] == RAW_EMAILS


def test_refused_column_carries_its_sqlstate(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as caught:
            conn.execute("SELECT born FROM crm.customers")
        assert caught.value.sqlstate == "42501"
        assert "born" in str(caught.value)
        # the connection is still usable
        assert conn.execute("SELECT count(*) FROM sales.orders").fetchone() == (4,)  # row filter


def test_wrong_password_is_28P01_and_audited(gateway: Running) -> None:
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(gateway.dsn(password="nope"))
    assert 'password authentication failed for user "alice"' in str(caught.value)
    failed = [
        r.record
        for r in read_records(gateway.store)
        if r.record.kind is AuditKind.LOGIN_FAILED and r.record.user == "alice"
    ]
    assert failed and failed[-1].sqlstate == "28P01"


def test_unknown_user_fails_like_a_wrong_password(gateway: Running) -> None:
    dsn = gateway.dsn().replace("user=alice", "user=mallory")
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(dsn)
    assert 'password authentication failed for user "mallory"' in str(caught.value)


def test_several_statements_stop_at_the_first_error(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        cur = conn.cursor()
        with pytest.raises(psycopg.Error) as caught:
            cur.execute("SELECT 1; SELECT born FROM crm.customers; SELECT 2")
        assert caught.value.sqlstate == "42501"
        cur.execute("SELECT 1 AS a; SELECT 2 AS b")
        assert cur.fetchall() == [(1,)]
        assert cur.nextset() and cur.fetchall() == [(2,)]


def test_copy_is_refused_cleanly(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        with (
            pytest.raises(psycopg.Error) as caught,
            conn.cursor().copy("COPY crm.customers TO STDOUT"),
        ):
            pass
        assert caught.value.sqlstate == "42501"
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_audit_records_statement_then_outcome(gateway: Running) -> None:
    marker = "SELECT email, 4242 AS marker FROM crm.customers"
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        assert len(conn.execute(marker).fetchall()) == 3
    records = list(read_records(gateway.store))
    statement = next(r for r in records if r.record.sql == marker)
    assert statement.record.decision is AuditDecision.ALLOWED
    assert statement.record.user == "alice" and statement.record.roles == ("analyst",)
    assert statement.record.pii_columns == {"crm.customers.email": "email"}
    outcome = wait_for_record(gateway, lambda r: r.record.ref_seq == statement.seq)
    assert outcome.record.kind is AuditKind.OUTCOME and outcome.record.rows == 3


def test_refusals_are_audited_and_the_chain_verifies(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn, pytest.raises(psycopg.Error):
        conn.execute("SELECT born, 77 FROM crm.customers")
    records = [r.record for r in read_records(gateway.store)]
    refused = next(r for r in records if r.sql == "SELECT born, 77 FROM crm.customers")
    assert refused.decision is AuditDecision.REFUSED and refused.sqlstate == "42501"
    assert verify_chain(gateway.store).ok


def test_a_statement_in_an_aborted_transaction_is_refused_and_audited(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn()) as conn:
        with pytest.raises(psycopg.Error):
            conn.execute("SELECT born FROM crm.customers")
        with pytest.raises(psycopg.Error) as info:
            conn.execute("SELECT id FROM crm.customers -- after the error")
        assert info.value.sqlstate == "25P02"
        conn.rollback()
    record = wait_for_record(
        gateway, lambda r: r.record.sql == "SELECT id FROM crm.customers -- after the error"
    ).record
    assert record.decision is AuditDecision.REFUSED and record.sqlstate == "25P02"


@pytest.mark.parametrize(
    ("user", "sql", "read", "pii"),
    [
        (
            "bob",
            "SELECT email FROM crm.customers -- raw",
            ("crm.customers.email",),
            {"crm.customers.email": "none"},  # exempt: read raw, and the log says so
        ),
        (
            "alice",
            "SELECT id, full_name FROM crm.customers -- no pii",
            ("crm.customers.full_name", "crm.customers.id"),
            {},
        ),
    ],
)
def test_the_audit_names_the_columns_read_and_how_pii_was_served(
    gateway: Running, user: str, sql: str, read: tuple[str, ...], pii: dict[str, str]
) -> None:
    with psycopg.connect(gateway.dsn(user)) as conn:
        conn.execute(sql).fetchall()
    record = wait_for_record(gateway, lambda r: r.record.sql == sql).record
    assert (record.columns_read, record.pii_columns) == (read, pii)
