"""`veil audit verify` and `veil audit tail`, driven like an auditor."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from catalog.store import Store, open_store
from policies.audit import GENESIS, Appended, AuditKind, AuditLog, AuditRecord
from tests.policies.test_audit import LOGIN, REFUSED, statement


@pytest.fixture
def catalog(run, tmp_path) -> Iterator[Store]:
    """The store `run` uses (SQLite under its home)."""
    run("config", "show")  # the home exists
    store = open_store(f"sqlite:///{tmp_path / '.veil' / 'catalog.db'}")
    yield store
    store.close()


def append(store: Store, *records: AuditRecord, key: str | None = None) -> list[Appended]:
    with AuditLog(store, key=key) as log:
        return [log.append(r) for r in records]


def test_an_empty_log_is_intact(run, catalog):
    assert run("audit", "verify").output == f"audit log intact: 0 records, head {GENESIS}\n"
    assert run("audit", "tail").output == "The audit log is empty.\n"


def test_an_intact_log_prints_its_head(run, catalog):
    done = append(catalog, statement(1), REFUSED, LOGIN)
    out = run("audit", "verify").output
    assert out == f"audit log intact: 3 records, head {done[-1].hash}\n"
    data = json.loads(run("audit", "verify", "--format", "json").output)
    assert data == {
        "ok": True,
        "records": 3,
        "keyed": 0,
        "head": {"seq": 3, "hash": done[-1].hash},
        "problem": None,
    }
    assert run("audit", "verify", "--anchor", f"2:{done[1].hash}").output.startswith(
        "audit log intact: 3 records"
    )


def test_a_tampered_log_exits_1_naming_the_record(run, catalog):
    append(catalog, *(statement(i) for i in range(5)))
    with catalog.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log WHERE seq = 4"))
    result = run("audit", "verify", code=1)
    assert result.output == (
        "audit log broken at record 4 (deleted): record 4 is missing (record 5 comes next)\n"
        "The 3 records before it are intact.\n"
    )
    data = json.loads(run("audit", "verify", "--format", "json", code=1).output)
    assert data["ok"] is False and data["records"] == 3
    assert data["problem"] == {
        "kind": "deleted",
        "seq": 4,
        "message": "record 4 is missing (record 5 comes next)",
    }


def test_an_anchor_catches_a_rewritten_chain(run, catalog):
    done = append(catalog, statement(1), statement(2))
    result = run("audit", "verify", "--anchor", f"2:{'0' * 63}1", code=1)
    assert "audit log broken at record 2 (anchor)" in result.output
    assert "intact" in run("audit", "verify", "--anchor", f"2:{done[1].hash}").output


@pytest.mark.parametrize("anchor", ["2", "x:abc", f"2:{'g' * 64}", "2:abc"])
def test_a_malformed_anchor_is_a_usage_error(run, catalog, anchor):
    result = run("audit", "verify", "--anchor", anchor, code=2)
    assert "expected SEQ:HASH" in result.output and "Traceback" not in result.output


def test_keyed_records_need_audit_key(run, catalog, monkeypatch):
    append(catalog, statement(1), key="k3y")
    result = run("audit", "verify", code=1)
    assert "(key): record 1 is hashed with audit key" in result.output
    assert "no audit_key is configured" in result.output
    monkeypatch.setenv("VEIL_AUDIT_KEY", "k3y")
    assert "intact: 1 records" in run("audit", "verify").output


def test_records_before_the_key_are_noted(run, catalog, monkeypatch):
    append(catalog, statement(1))
    append(catalog, statement(2), key="k3y")
    monkeypatch.setenv("VEIL_AUDIT_KEY", "k3y")
    out = run("audit", "verify").output
    assert "intact: 2 records" in out
    assert "note: the first 1 records were written before audit_key was set" in out


def test_tail_shows_the_newest_records(run, catalog):
    outcome = AuditRecord(
        kind=AuditKind.OUTCOME,
        user="alice",
        channel="gateway",
        ref_seq=1,
        rows=42,
        duration_ms=8.5,
        time=statement(1).time,
    )
    append(catalog, statement(1, sql="SELECT email\n  FROM crm.customers"), outcome, REFUSED, LOGIN)
    lines = run("audit", "tail", "-n", "3").output.splitlines()
    assert len(lines) == 3
    assert lines[0].split() == [
        "2", "2026-03-01", "09:30:01", "outcome", "alice", "-", "of", "1:", "42", "rows", "8.5", "ms"
    ]  # fmt: skip
    assert "refused" in lines[1] and "42501 SELECT email, total FROM crm.customers" in lines[1]
    assert "login_failed" in lines[2] and "mallory" in lines[2]
    assert "203.0.113.9:4410 password authentication failed" in lines[2]
    first = run("audit", "tail", "-n", "4").output.splitlines()[0]
    assert "SELECT email FROM crm.customers" in first  # one line per record
    data = json.loads(run("audit", "tail", "--format", "json").output)
    assert [d["seq"] for d in data] == [1, 2, 3, 4]
    assert data[2]["record"]["sqlstate"] == "42501" and data[3]["record"]["user"] == "mallory"
    assert set(data[0]) == {"seq", "hash", "prev_hash", "record"}
