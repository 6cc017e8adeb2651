"""The audit log on SQLite and PostgreSQL: chaining, group commits, failures, tampering."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from catalog.store import Store, open_store
from catalog.store.models import AuditHeadRow, AuditLogRow
from policies.audit import (
    GENESIS,
    Appended,
    AuditDecision,
    AuditKind,
    AuditLog,
    AuditRecord,
    AuditUnavailable,
    audit_head,
    canonical_json,
    chain_hash,
    key_fingerprint,
    read_records,
    tail_records,
)
from policies.audit_verify import BreakKind, verify_chain

T0 = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def statement(i: int = 0, **changes: object) -> AuditRecord:
    values: dict[str, object] = {
        "kind": AuditKind.STATEMENT,
        "time": T0 + dt.timedelta(seconds=i),
        "user": "alice",
        "roles": ("analyst",),
        "channel": "gateway",
        "client_address": "10.0.0.5:50122",
        "session_id": "17",
        "warehouse": "dw",
        "sql": f"SELECT email, total FROM crm.customers WHERE id = {i}",
        "rewritten_sql": "SELECT … FROM (SELECT …) AS customers",
        "decision": AuditDecision.ALLOWED,
        "columns_read": ("crm.customers.total", "crm.customers.email"),
        "pii_columns": {"crm.customers.email": "email"},
        "policy_version": 3,
    }
    values.update(changes)
    return AuditRecord(**values)  # type: ignore[arg-type]


REFUSED = statement(
    decision=AuditDecision.REFUSED,
    reason="permission denied for column crm.customers.ssn",
    sqlstate="42501",
    rewritten_sql=None,
    rows=0,
    duration_ms=1.25,
)
LOGIN = AuditRecord(
    kind=AuditKind.LOGIN_FAILED,
    time=T0,
    user="mallory",
    channel="gateway",
    client_address="203.0.113.9:4410",
    reason="password authentication failed",
)


@pytest.fixture
def log(store: Store) -> Iterator[AuditLog]:
    with AuditLog(store) as audit_log:
        yield audit_log


def fill(log: AuditLog, count: int) -> list[Appended]:
    return [log.append(statement(i)) for i in range(count)]


def run_sql(store: Store, *statements: str) -> None:
    with store.engine.begin() as conn:
        for text in statements:
            conn.execute(sa.text(text))


# -- records ---------------------------------------------------------------------------


def test_records_are_chained_in_order_and_read_back(log, store):
    outcome = AuditRecord(
        kind=AuditKind.OUTCOME, user="alice", channel="gateway", ref_seq=1, rows=42, duration_ms=8
    )
    appended = [log.append(r) for r in (statement(), REFUSED, LOGIN, outcome)]
    assert [a.seq for a in appended] == [1, 2, 3, 4]
    stored = list(read_records(store))
    assert [s.record for s in stored] == [statement(), REFUSED, LOGIN, outcome]
    prev = GENESIS
    for s, a in zip(stored, appended, strict=True):
        assert s.prev_hash == prev and s.hash == a.hash
        assert s.hash == chain_hash(prev, canonical_json(s.record))
        prev = s.hash
    assert audit_head(store) == appended[-1]
    result = verify_chain(store)
    assert result.ok and result.records == 4 and result.head == appended[-1]
    assert [s.seq for s in tail_records(store, 2)] == [3, 4]
    assert len(tail_records(store, 10)) == 4


def test_a_failed_login_is_refused_with_28p01():
    assert LOGIN.decision is AuditDecision.REFUSED and LOGIN.sqlstate == "28P01"
    assert LOGIN.sql is None and LOGIN.pii_columns == {}


def test_every_field_is_in_the_json_and_lists_are_normalized():
    data = json.loads(canonical_json(statement(roles=("b", "a", "b"))))
    assert data["roles"] == ["a", "b"]
    assert data["columns_read"] == ["crm.customers.email", "crm.customers.total"]
    assert data["time"] == "2026-03-01T09:30:00.000000+00:00"
    assert set(data) == {
        "v", "kind", "time", "user", "roles", "channel", "client_address", "session_id",
        "warehouse", "sql", "rewritten_sql", "decision", "reason", "sqlstate",
        "columns_read", "filter_columns", "pii_columns", "policy_version", "rows",
        "duration_ms", "ref_seq",
    }  # fmt: skip
    same = statement(
        roles=("analyst",),
        pii_columns=dict(reversed(list({"b.t.c": "hash", "a.t.c": "redact"}.items()))),
    )
    other = statement(pii_columns={"a.t.c": "redact", "b.t.c": "hash"})
    assert canonical_json(same) == canonical_json(other)


def test_a_record_written_before_filter_columns_existed_still_reads() -> None:
    data = json.loads(canonical_json(statement()))
    del data["filter_columns"]
    assert AuditRecord.from_json(data) == statement()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"time": dt.datetime(2026, 1, 1)}, "timezone-aware"),
        ({"decision": None}, "needs its sql and a decision"),
        ({"sql": None}, "needs its sql and a decision"),
        ({"decision": AuditDecision.REFUSED, "reason": "no"}, "reason and a sqlstate"),
        ({"decision": AuditDecision.REFUSED, "sqlstate": "42501"}, "reason and a sqlstate"),
        ({"kind": AuditKind.OUTCOME, "decision": None}, "needs ref_seq"),
        ({"kind": AuditKind.OUTCOME, "ref_seq": 1}, "has no decision"),
        ({"kind": AuditKind.LOGIN_FAILED}, "needs a reason"),
        ({"rows": -1}, "rows must not be negative"),
        ({"duration_ms": float("nan")}, "finite"),
        ({"kind": "query"}, "'query' is not a valid AuditKind"),
    ],
)
def test_incomplete_records_are_refused_at_construction(changes, message):
    with pytest.raises(ValueError, match=message):
        statement(**changes)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'Zoë', '東京', '🙂' FROM t -- ünïcödé",
        "SELECT 'nul\x00byte', 'lone \ud800 surrogate', 'tab\tand\nnewline'",
        "SELECT " + ", ".join(f"'{i:08d}' AS c{i}" for i in range(200_000)),  # about 4 MB
    ],
    ids=["unicode", "nul-and-surrogate", "huge"],
)
def test_any_sql_text_is_stored_exactly(log, store, sql):
    record = statement(sql=sql, rewritten_sql=sql[::-1])
    log.append(record)
    (stored,) = read_records(store)
    assert stored.record == record and stored.record.sql == sql
    assert verify_chain(store).ok


# -- writing ---------------------------------------------------------------------------


def test_many_threads_make_one_linear_chain_in_group_commits(log, store):
    threads, each = 16, 25
    seqs: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def work(t: int) -> None:
        try:
            barrier.wait()
            for i in range(each):
                seqs.append(log.append(statement(i, user=f"user{t}")).seq)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors
    assert sorted(seqs) == list(range(1, threads * each + 1))
    assert log.records == threads * each and log.batches < log.records  # batches shared
    result = verify_chain(store)
    assert result.ok and result.records == threads * each


def test_logs_of_separate_processes_share_one_chain(store):
    """Each gateway process has its own engine and connections to the shared store."""
    url = store.engine.url.render_as_string(hide_password=False)
    others = [open_store(url) for _ in range(3)]
    logs = [AuditLog(s) for s in [store, *others]]
    try:
        seqs: list[int] = []

        def work(audit_log: AuditLog) -> None:
            seqs.extend(audit_log.append(statement(i)).seq for i in range(30))

        workers = [threading.Thread(target=work, args=(g,)) for g in logs]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert sorted(seqs) == list(range(1, 121))
        assert verify_chain(store).ok
    finally:
        for audit_log in logs:
            audit_log.close()
        for s in others:
            s.close()


def test_async_callers_await_without_blocking_the_loop(log, store):
    async def main() -> list[Appended]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        running = asyncio.create_task(ticker())
        done = await asyncio.gather(*(log.append_async(statement(i)) for i in range(50)))
        running.cancel()
        assert ticks > 1  # the loop ran while records were being written
        return list(done)

    done = asyncio.run(main())
    assert sorted(a.seq for a in done) == list(range(1, 51))
    assert verify_chain(store).records == 50


def test_close_writes_what_was_submitted_then_refuses(store):
    audit_log = AuditLog(store)
    futures = [audit_log.submit(statement(i)) for i in range(100)]
    audit_log.close()
    assert sorted(f.result(0).seq for f in futures) == list(range(1, 101))
    with pytest.raises(AuditUnavailable, match="closed"):
        audit_log.append(statement())


def test_a_lazy_record_waits_to_share_the_next_commit(store):
    with AuditLog(store, linger=30) as audit_log:
        outcome = audit_log.submit(statement(1), urgent=False)
        time.sleep(0.2)
        assert not outcome.done()  # lingering: nobody waits for it
        urgent = audit_log.append(statement(2))
        assert outcome.result(5).seq == 1 and urgent.seq == 2
        assert audit_log.batches == 1  # one commit for both
    assert verify_chain(store).ok


def test_a_lazy_record_is_written_alone_after_its_linger(store):
    with AuditLog(store, linger=0.05) as audit_log:
        assert audit_log.submit(statement(1), urgent=False).result(10).seq == 1


def test_close_writes_lingering_records(store):
    audit_log = AuditLog(store, linger=3600)
    lazy = [audit_log.submit(statement(i), urgent=False) for i in range(3)]
    audit_log.close()
    assert [f.result(0).seq for f in lazy] == [1, 2, 3]


def test_record_times_are_stored_as_sqlalchemy_stores_them(sqlite_store):
    """The writer goes through the DBAPI directly: its rows must look like the ORM's."""
    with AuditLog(sqlite_store) as audit_log:
        audit_log.append(statement(1))
    with sqlite_store.engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT time FROM audit_log").scalar()
        assert raw == "2026-03-01 09:30:01.000000"
        assert conn.execute(sa.select(AuditLogRow.time)).scalar() == T0 + dt.timedelta(seconds=1)


def test_sqlite_commits_are_synchronous(sqlite_store):
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


# -- failing stores --------------------------------------------------------------------


def test_a_store_that_cannot_be_written_refuses_with_58000(log, store):
    fill(log, 2)
    run_sql(store, "DROP TABLE audit_log")
    with pytest.raises(AuditUnavailable, match="the audit log could not be written") as info:
        log.append(statement())
    assert info.value.sqlstate == "58000" and info.value.http_status == 503
    assert "SELECT email" not in str(info.value)  # the record's SQL is never quoted


def test_a_missing_head_row_refuses_until_it_is_back(log, store):
    fill(log, 2)
    run_sql(store, "DELETE FROM audit_head")
    with pytest.raises(AuditUnavailable, match="head row is missing"):
        log.append(statement())
    assert verify_chain(store).problem.kind is BreakKind.HEAD
    head = list(read_records(store))[-1]
    with store.engine.begin() as conn:
        conn.execute(sa.insert(AuditHeadRow).values(id=1, seq=head.seq, hash=head.hash))
    assert log.append(statement()).seq == 3  # the writer survived the failure
    assert verify_chain(store).ok


def test_a_write_that_waits_too_long_is_refused(log, store):
    """Another writer holds the chain head: the append gives up after its timeout."""
    fill(log, 1)
    with store.engine.connect() as holder:
        _hold_head(store, holder)
        started = time.monotonic()
        with pytest.raises(AuditUnavailable, match=r"not written within 0\.3 s"):
            log.append(statement(), timeout=0.3)
        assert time.monotonic() - started < 5
        holder.rollback()
    assert log.append(statement()).seq == 3  # the late one was still written, as 2
    assert verify_chain(store).ok


def test_a_full_queue_refuses_instead_of_growing(store):
    with AuditLog(store, max_queue=1) as audit_log, store.engine.connect() as holder:
        _hold_head(store, holder)
        first = audit_log.submit(statement(1))
        while not first.running():  # the writer took it and waits for the lock
            time.sleep(0.01)
        second = audit_log.submit(statement(2))
        with pytest.raises(AuditUnavailable, match="1 records waiting"):
            audit_log.submit(statement(3))
        holder.rollback()
        assert [first.result(10).seq, second.result(10).seq] == [1, 2]


@pytest.mark.postgres
def test_a_vanished_postgresql_catalog_refuses(pg_server):
    from tests import pg

    url = pg.create_database(pg_server)
    store = open_store(url)
    try:
        with AuditLog(store) as audit_log:
            fill(audit_log, 1)
            pg.drop_database(pg_server, url)  # terminates the pooled connections too
            with pytest.raises(AuditUnavailable, match="could not be written"):
                audit_log.append(statement())
    finally:
        store.close()
        pg.drop_database(pg_server, url)


def _hold_head(store: Store, conn: sa.Connection) -> None:
    """Lock the chain head as another appender would, until ``conn`` rolls back."""
    if store.engine.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    conn.execute(sa.update(AuditHeadRow).values(seq=AuditHeadRow.seq))


# -- tampering -------------------------------------------------------------------------


def _swap(a: int, b: int) -> Callable[[Store], None]:
    def swap(store: Store) -> None:
        run_sql(
            store,
            f"UPDATE audit_log SET seq = -1 WHERE seq = {a}",
            f"UPDATE audit_log SET seq = {a} WHERE seq = {b}",
            f"UPDATE audit_log SET seq = {b} WHERE seq = -1",
        )

    return swap


def _sql(*statements: str) -> Callable[[Store], None]:
    return lambda store: run_sql(store, *statements)


TAMPERING = [
    (
        "edited-field",
        _sql("UPDATE audit_log SET record = replace(record, 'alice', 'alicf') WHERE seq = 3"),
        BreakKind.EDITED,
        3,
        "record 3 was edited: its hash does not match it",
    ),
    (
        "edited-column",
        _sql("UPDATE audit_log SET user_name = 'bob' WHERE seq = 4"),
        BreakKind.EDITED,
        4,
        "its user_name column disagrees",
    ),
    (
        "edited-time-column",
        _sql(
            "UPDATE audit_log SET time = (SELECT time FROM audit_log WHERE seq = 1) WHERE seq = 2"
        ),
        BreakKind.EDITED,
        2,
        "its time column disagrees",
    ),
    (
        "deleted",
        _sql("DELETE FROM audit_log WHERE seq = 3"),
        BreakKind.DELETED,
        3,
        "record 3 is missing",
    ),
    (
        "deleted-two",
        _sql("DELETE FROM audit_log WHERE seq IN (2, 3)"),
        BreakKind.DELETED,
        2,
        "records 2 to 3 are missing",
    ),
    (
        "deleted-and-renumbered",
        _sql(
            "DELETE FROM audit_log WHERE seq = 3",
            "UPDATE audit_log SET seq = seq - 1 WHERE seq = 4",
            "UPDATE audit_log SET seq = seq - 1 WHERE seq = 5",
            "UPDATE audit_log SET seq = seq - 1 WHERE seq = 6",
        ),
        BreakKind.DELETED,
        3,
        "the record it was written after is gone",
    ),
    (
        "deleted-first-and-renumbered",
        _sql(
            "DELETE FROM audit_log WHERE seq = 1",
            *(f"UPDATE audit_log SET seq = {n - 1} WHERE seq = {n}" for n in range(2, 7)),
        ),
        BreakKind.DELETED,
        1,
        "record 1 is not the start of the chain",
    ),
    ("swapped", _swap(3, 4), BreakKind.REORDERED, 3, "written after record 4, not after record 2"),
    ("swapped-far", _swap(2, 5), BreakKind.REORDERED, 2, "written after record 4"),
    (
        "truncated",
        _sql("DELETE FROM audit_log WHERE seq >= 5"),
        BreakKind.TRUNCATED,
        5,
        "records 5 to 6 are missing from the end",
    ),
    (
        "emptied",
        _sql("DELETE FROM audit_log"),
        BreakKind.TRUNCATED,
        1,
        "the head says the log reaches record 6",
    ),
    (
        "tail-replaced",
        _sql(
            "UPDATE audit_log SET seq = 7 WHERE seq = 6",
            "UPDATE audit_head SET seq = 7",
        ),
        BreakKind.DELETED,
        6,
        "record 6 is missing",
    ),
    (
        "appended-behind-the-head",
        _sql(
            "INSERT INTO audit_log (seq, time, kind, user_name, decision, record, prev_hash, "
            "hash, key_id) SELECT 7, time, kind, user_name, decision, record, hash, hash, '' "
            "FROM audit_log WHERE seq = 6"
        ),
        BreakKind.UNCHAINED,
        7,
        "records after the head (from 7)",
    ),
    (
        "head-missing",
        _sql("DELETE FROM audit_head"),
        BreakKind.HEAD,
        None,
        "head row",
    ),
]


@pytest.mark.parametrize(
    "tamper, kind, seq, message", [t[1:] for t in TAMPERING], ids=[t[0] for t in TAMPERING]
)
def test_verify_finds_the_first_break(log, store, tamper, kind, seq, message):
    fill(log, 6)
    assert verify_chain(store).ok
    tamper(store)
    result = verify_chain(store)
    assert not result.ok
    assert (result.problem.kind, result.problem.seq) == (kind, seq), result.problem
    assert message in result.problem.message
    assert result.records == (seq - 1 if seq is not None else 6)


def test_verify_streams_in_batches(log, store):
    fill(log, 25)
    run_sql(store, "DELETE FROM audit_log WHERE seq = 23")
    result = verify_chain(store, batch=4)
    assert (result.problem.kind, result.problem.seq, result.records) == (BreakKind.DELETED, 23, 22)


def _rewrite_from(store: Store, first: int, key: str | None = None, key_id: str = "") -> None:
    """What an attacker with write access can do: change record `first` and re-hash
    every record from there on, and the head."""
    records = list(read_records(store))
    prev = records[first - 2].hash if first > 1 else GENESIS
    with store.engine.begin() as conn:
        for stored in records[first - 1 :]:
            data = stored.record.to_json()
            if stored.seq == first:
                data["sql"] = "SELECT 1"
            text = canonical_json(AuditRecord.from_json(data))
            digest = chain_hash(prev, text, key)
            conn.execute(
                sa.update(AuditLogRow)
                .where(AuditLogRow.seq == stored.seq)
                .values(record=text, prev_hash=prev, hash=digest, key_id=key_id)
            )
            prev = digest
        conn.execute(sa.update(AuditHeadRow).values(hash=prev))


def test_an_unkeyed_chain_rewritten_to_the_end_is_caught_only_by_an_anchor(log, store):
    kept = fill(log, 5)[3]  # an auditor wrote down record 4's hash
    _rewrite_from(store, 2)
    assert verify_chain(store).ok  # the documented limit of an unkeyed chain
    result = verify_chain(store, anchor=kept)
    assert (result.problem.kind, result.problem.seq) == (BreakKind.ANCHOR, 4)
    beyond = verify_chain(store, anchor=Appended(9, kept.hash))
    assert beyond.problem.kind is BreakKind.ANCHOR and "ends at 5" in beyond.problem.message


def test_keyed_records_need_the_key_and_cannot_be_forged_without_it(store):
    with AuditLog(store) as plain:
        fill(plain, 2)  # before the key was set
    with AuditLog(store, key="s3cret") as keyed:
        fill(keyed, 3)
    rows = list(read_records(store))
    assert [r.key_id for r in rows] == ["", "", *[key_fingerprint("s3cret")] * 3]
    result = verify_chain(store, key="s3cret")
    assert result.ok and (result.keyed, result.unkeyed) == (3, 2)

    missing = verify_chain(store)
    assert (missing.problem.kind, missing.problem.seq) == (BreakKind.KEY, 3)
    assert "no audit_key is configured" in missing.problem.message
    wrong = verify_chain(store, key="guess")
    assert wrong.problem.kind is BreakKind.KEY and "not the configured key" in wrong.problem.message

    _rewrite_from(store, 4, key=None, key_id="")  # forged without the key: a downgrade
    forged = verify_chain(store, key="s3cret")
    assert (forged.problem.kind, forged.problem.seq) == (BreakKind.KEY, 4)
    _rewrite_from(store, 4, key="guess", key_id=key_fingerprint("s3cret"))  # a wrong key
    guessed = verify_chain(store, key="s3cret")
    assert (guessed.problem.kind, guessed.problem.seq) == (BreakKind.EDITED, 4)


def test_an_older_store_is_upgraded_with_an_empty_chain(tmp_path):
    from alembic import command

    from catalog.store.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    engine.dispose()
    store = open_store(url)
    try:
        assert audit_head(store) == Appended(0, GENESIS)
        with AuditLog(store) as audit_log:
            assert audit_log.append(statement()).seq == 1
        assert verify_chain(store).ok
    finally:
        store.close()
