"""Fail closed: when the audit log cannot be written, no statement runs unrecorded.

The chain's head row is deleted (the writer then refuses every batch with 58000, as
tests/policies/test_audit.py shows), statements are tried through real clients, and the
head is put back so the shared gateway goes on.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa

from catalog.store.models import AuditHeadRow
from policies.audit import GENESIS, read_records
from policies.audit_verify import verify_chain
from tests.masking.gateway.conftest import Running

BACKENDS = [
    pytest.param("gateway", id="duckdb"),
    pytest.param("relay", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def broken(request: pytest.FixtureRequest) -> Iterator[Running]:
    """A running gateway whose audit log cannot be written, until the test ends."""
    running: Running = request.getfixturevalue(request.param)
    running.gateway.audit.close(timeout=30)  # writes lingering outcomes; a fresh log follows
    running.gateway.audit = type(running.gateway.audit)(running.store)
    with running.store.engine.begin() as conn:
        conn.execute(sa.delete(AuditHeadRow))
    try:
        yield running
    finally:
        restore_head(running)
        assert verify_chain(running.store).ok


def restore_head(running: Running) -> None:
    records = list(read_records(running.store))
    seq, digest = (records[-1].seq, records[-1].hash) if records else (0, GENESIS)
    with running.store.engine.begin() as conn:
        conn.execute(sa.insert(AuditHeadRow).values(id=1, seq=seq, hash=digest))


def test_a_query_is_refused_with_58000_and_no_row_arrives(broken: Running) -> None:
    before = len(list(read_records(broken.store)))
    with psycopg.connect(broken.dsn()) as conn:
        with pytest.raises(psycopg.Error) as info:
            conn.execute("SELECT id, email FROM crm.customers").fetchall()
        assert info.value.sqlstate == "58000"
        assert "audit" in str(info.value)
    assert len(list(read_records(broken.store))) == before  # nothing was written


def test_a_prepared_query_is_refused_with_58000(broken: Running) -> None:
    with psycopg.connect(broken.dsn()) as conn:
        with pytest.raises(psycopg.Error) as info:
            conn.execute("SELECT id FROM crm.customers WHERE id = %s", (1,), prepare=True)
        assert info.value.sqlstate == "58000"


def test_the_gateway_serves_again_once_the_log_can_be_written(broken: Running) -> None:
    with psycopg.connect(broken.dsn()) as conn, pytest.raises(psycopg.Error):
        conn.execute("SELECT id FROM crm.customers").fetchall()
    restore_head(broken)
    with psycopg.connect(broken.dsn()) as conn:
        assert len(conn.execute("SELECT id FROM crm.customers").fetchall()) == 3
    with broken.store.engine.begin() as conn:  # broken again, for the fixture's repair
        conn.execute(sa.delete(AuditHeadRow))
