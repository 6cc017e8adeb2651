"""The audit log: one hash-chained record per statement attempt, outcome and failed login.

Every statement a user tries, allowed or refused, gets an :class:`AuditRecord`; so does
every failed login. Records are stored in the catalog store in one chain: record *n*
keeps the hash of record *n-1* (``prev_hash``) and its own ``hash`` is SHA-256 of that
and its canonical JSON (:func:`canonical_json`), or HMAC-SHA-256 under the
``audit_key`` setting. Editing, deleting or reordering stored records therefore breaks
the chain where it happened, and :func:`policies.audit_verify.verify_chain` (``veil
audit verify``) finds the first such place. What the chain cannot show is said there.

How the gateway uses it::

    log = AuditLog(store, key=settings.audit_key or None)   # one per process, shared
    try:
        done = log.append(record)          # or: await log.append_async(record)
    except AuditUnavailable as e:          # SQLSTATE 58000: refuse the statement
        ...
    # only now may the first row go to the client; when the statement has finished:
    log.submit(AuditRecord(kind=AuditKind.OUTCOME, ref_seq=done.seq, rows=n, ...))

A streaming statement's row count and duration are known only after its rows have
gone out, so it gets two records: the *statement* record (decision, SQL, columns,
masks), written before any row is sent, and an *outcome* record naming it by
``ref_seq`` (rows, duration, and the warehouse's error if it failed). A statement
record without an outcome means the result was never (fully) delivered. A caller that
holds the whole result before replying (a refusal, the HTTP API) may instead put
``rows`` and ``duration_ms`` in the one statement record.

Durability: :meth:`AuditLog.append` returns only after the transaction holding the
record has committed: on PostgreSQL with ``synchronous_commit`` forced on for it, on
SQLite in WAL mode with ``synchronous=FULL`` (the catalog store's setting). Records
from many threads or tasks are written by one writer thread in batches (group commit):
whatever queued while one batch was committing goes into the next transaction, so
under load one commit serves many statements. The writer keeps one connection to the
store and runs three precompiled statements per batch (lock the head, insert the
records, move the head), so a batch costs little more than its commit. Records nobody
waits for (outcomes, submitted with ``urgent=False``) linger in the writer for up to
``linger`` seconds so they ride along with the next statement's commit instead of
taking one of their own. Anything that goes wrong, including a record not committed
within ``timeout`` seconds, raises :class:`AuditUnavailable`, and the caller refuses
the statement: fail closed.

Several gateway processes may share one PostgreSQL catalog: each append locks the one
row of ``audit_head`` (an ``UPDATE … RETURNING``, which waits on the row lock on
PostgreSQL and takes the write lock on SQLite), so batches from all processes form one
linear chain. Create the :class:`AuditLog` in the process that uses it (after a fork).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import math
import queue
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from catalog.errors import CatalogStoreError
from catalog.store import Store
from catalog.store.models import AuditHeadRow, AuditLogRow, utcnow

__all__ = [
    "GENESIS",
    "Appended",
    "AuditDecision",
    "AuditKind",
    "AuditLog",
    "AuditRecord",
    "AuditUnavailable",
    "StoredRecord",
    "audit_head",
    "canonical_json",
    "chain_hash",
    "key_fingerprint",
    "read_records",
    "tail_records",
]

#: ``prev_hash`` of the first record, and the head of an empty log.
GENESIS = "0" * 64
#: Version of the record's JSON form; stored inside it, so old records keep verifying.
RECORD_FORMAT = 1


class AuditKind(StrEnum):
    """What a record is about."""

    #: A statement attempt: what was asked, what was decided, what it would read.
    STATEMENT = "statement"
    #: How an allowed statement ended: rows sent, duration, warehouse error.
    OUTCOME = "outcome"
    #: A login that failed (unknown user, wrong password, refused TLS, …).
    LOGIN_FAILED = "login_failed"


class AuditDecision(StrEnum):
    ALLOWED = "allowed"
    REFUSED = "refused"


@dataclass(frozen=True, kw_only=True)
class AuditRecord:
    """One audit record: plain values only, so its JSON form says everything.

    Columns are ``schema.table.column`` names as the rewriter reports them (from the
    lineage of the statement: :mod:`masking.reads`): ``columns_read`` those whose values
    it reads, ``filter_columns`` those it uses only to choose rows.
    ``pii_columns`` maps each PII column of either to how it was masked: the
    mask method (``masking.rewrite.Rewritten.pii_read``), or ``"none"`` when the user's
    role is exempt and reads it raw. Lists are sorted and deduplicated on construction,
    so two records that say the same thing serialise the same way.

    >>> r = AuditRecord(kind=AuditKind.LOGIN_FAILED, user="mallory", channel="gateway",
    ...                 client_address="10.0.0.7", reason="password authentication failed",
    ...                 time=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    >>> r.decision, r.sqlstate
    (<AuditDecision.REFUSED: 'refused'>, '28P01')
    >>> AuditRecord.from_json(json.loads(canonical_json(r))) == r
    True
    """

    kind: AuditKind
    user: str
    #: Where the attempt came from: "gateway", "http", "cli".
    channel: str
    time: dt.datetime = field(default_factory=utcnow)
    roles: tuple[str, ...] = ()
    #: "host:port" or "host" of the client; None when there is no network peer.
    client_address: str | None = None
    #: Identifies the client's connection, to group its statements (e.g. backend pid).
    session_id: str | None = None
    warehouse: str | None = None
    sql: str | None = None
    rewritten_sql: str | None = None
    #: Required for statements; failed logins are always refused; None for outcomes.
    decision: AuditDecision | None = None
    #: Why it was refused (or, for an outcome, why the warehouse failed).
    reason: str | None = None
    #: The SQLSTATE the client was sent, for every refusal and failed outcome.
    sqlstate: str | None = None
    #: Columns whose values the statement reads (projected, or written elsewhere).
    columns_read: tuple[str, ...] = ()
    #: Columns it uses only to choose rows: filters, joins, grouping.
    filter_columns: tuple[str, ...] = ()
    pii_columns: Mapping[str, str] = field(default_factory=dict)
    policy_version: int | None = None
    rows: int | None = None
    duration_ms: float | None = None
    #: For an outcome: the seq of its statement record.
    ref_seq: int | None = None

    def __post_init__(self) -> None:
        kind = AuditKind(self.kind)
        set_ = object.__setattr__
        set_(self, "kind", kind)
        if self.time.tzinfo is None:
            raise ValueError("audit record times must be timezone-aware")
        set_(self, "time", self.time.astimezone(dt.UTC))
        set_(self, "roles", tuple(sorted(set(self.roles))))
        set_(self, "columns_read", tuple(sorted(set(self.columns_read))))
        set_(self, "filter_columns", tuple(sorted(set(self.filter_columns))))
        set_(self, "pii_columns", {k: str(self.pii_columns[k]) for k in sorted(self.pii_columns)})
        if kind is AuditKind.LOGIN_FAILED:
            set_(self, "decision", AuditDecision.REFUSED)
            if self.sqlstate is None:
                set_(self, "sqlstate", "28P01")  # invalid_password
        elif self.decision is not None:
            set_(self, "decision", AuditDecision(self.decision))
        if self.duration_ms is not None:
            if not math.isfinite(self.duration_ms) or self.duration_ms < 0:
                raise ValueError("duration_ms must be a finite, non-negative number of ms")
            set_(self, "duration_ms", round(float(self.duration_ms), 3))
        if self.rows is not None and self.rows < 0:
            raise ValueError("rows must not be negative")
        self._check_kind()

    def _check_kind(self) -> None:
        if self.kind is AuditKind.STATEMENT:
            if self.decision is None or self.sql is None:
                raise ValueError("a statement record needs its sql and a decision")
            if self.decision is AuditDecision.REFUSED and not (self.reason and self.sqlstate):
                raise ValueError("a refused statement's record needs a reason and a sqlstate")
        elif self.kind is AuditKind.OUTCOME:
            if self.ref_seq is None:
                raise ValueError("an outcome record needs ref_seq, its statement record's seq")
            if self.decision is not None:
                raise ValueError("an outcome record has no decision (its statement has it)")
        elif not self.reason:
            raise ValueError("a failed login's record needs a reason")

    def to_json(self) -> dict[str, Any]:
        """The record as JSON-ready values (what :func:`canonical_json` serialises)."""
        return {
            "v": RECORD_FORMAT,
            "kind": self.kind.value,
            "time": self.time.isoformat(timespec="microseconds"),
            "user": self.user,
            "roles": list(self.roles),
            "channel": self.channel,
            "client_address": self.client_address,
            "session_id": self.session_id,
            "warehouse": self.warehouse,
            "sql": self.sql,
            "rewritten_sql": self.rewritten_sql,
            "decision": self.decision.value if self.decision is not None else None,
            "reason": self.reason,
            "sqlstate": self.sqlstate,
            "columns_read": list(self.columns_read),
            "filter_columns": list(self.filter_columns),
            "pii_columns": dict(self.pii_columns),
            "policy_version": self.policy_version,
            "rows": self.rows,
            "duration_ms": self.duration_ms,
            "ref_seq": self.ref_seq,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AuditRecord:
        """Read :meth:`to_json` output back; fields a record's format lacks take defaults."""
        values = {k: v for k, v in data.items() if k != "v" and k in _FIELDS}
        values["time"] = dt.datetime.fromisoformat(values["time"])
        for name in ("roles", "columns_read", "filter_columns"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)


_FIELDS = frozenset(AuditRecord.__dataclass_fields__)


def canonical_json(record: AuditRecord) -> str:
    """The record as stable JSON: sorted keys, no spaces, ASCII only (``\\u`` escapes).

    ASCII keeps any text storable and byte-identical everywhere: NUL characters, which
    PostgreSQL text refuses, and unpaired surrogates survive as escapes. The stored
    text is what the hash covers; verification never re-serialises a record.
    """
    return json.dumps(
        record.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )


def key_fingerprint(key: str) -> str:
    """A short public name of an audit key, stored with each record it hashed."""
    return hashlib.sha256(b"veil audit key id\n" + key.encode("utf-8")).hexdigest()[:16]


def chain_hash(prev_hash: str, record_json: str, key: str | None = None) -> str:
    """The hash of a record given the previous one's: hex SHA-256, or HMAC-SHA-256."""
    data = f"{prev_hash}\n{record_json}".encode()
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key.encode("utf-8"), data, hashlib.sha256).hexdigest()


class AuditUnavailable(CatalogStoreError):
    """An audit record could not be written (durably, in time): refuse the statement.

    SQLSTATE ``58000`` (system_error), as for any failure of the catalog store the log
    lives in; HTTP 503. The message names the audit log and the cause; it never quotes
    the record (its SQL may hold personal data).
    """


@dataclass(frozen=True)
class Appended:
    """Where a record went: its place in the chain and its hash."""

    seq: int
    hash: str


@dataclass(frozen=True)
class StoredRecord:
    seq: int
    hash: str
    prev_hash: str
    key_id: str
    record: AuditRecord


@dataclass(frozen=True, slots=True)
class _Item:
    record: AuditRecord
    text: str
    future: Future[Appended]
    #: Someone waits for it: commit now rather than linger.
    urgent: bool


_STOP = object()


class AuditLog:
    """Appends records to the chain through one writer thread that group-commits.

    Thread-safe and usable from asyncio: :meth:`append` blocks the calling thread,
    :meth:`append_async` awaits without blocking the event loop, :meth:`submit` returns
    a future at once (for records nobody needs to wait for, such as outcomes). At most
    ``max_batch`` records go in one transaction; at most ``max_queue`` wait, and past
    that :meth:`submit` raises rather than let memory grow. :meth:`close` writes what
    is queued and stops the thread; use the log as a context manager to do it for you.
    """

    def __init__(
        self,
        store: Store,
        *,
        key: str | None = None,
        max_batch: int = 500,
        max_queue: int = 100_000,
        timeout: float = 30.0,
        linger: float = 0.1,
    ) -> None:
        if max_batch < 1 or max_queue < 1 or timeout <= 0 or linger < 0:
            raise ValueError("max_batch, max_queue and timeout must be positive")
        self.store = store
        self._key = key or None
        self._key_id = key_fingerprint(key) if key else ""
        self.max_batch = max_batch
        self.timeout = timeout
        #: Seconds a record submitted with ``urgent=False`` may wait for company.
        self.linger = linger
        self._queue: queue.Queue[_Item | object] = queue.Queue(maxsize=max_queue)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        #: Event-loop futures of wait_async callers, by the record future they await.
        self._waiters: dict[
            Future[Appended], tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]
        ] = {}
        #: Transactions committed and records written, for monitoring and tests.
        self.batches = 0
        self.records = 0

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, record: AuditRecord, *, urgent: bool = True) -> Future[Appended]:
        """Queue ``record``; the future completes when its transaction has committed.

        With ``urgent=False`` the record may wait up to :attr:`linger` seconds for
        another record to share its commit (for records nobody waits for, such as
        outcomes). The future's exception is :class:`AuditUnavailable` when the write
        failed. Raises :class:`AuditUnavailable` at once when the log is closed or full.
        """
        text = canonical_json(record)  # in the caller's thread: the writer only writes
        future: Future[Appended] = Future()
        with self._lock:
            if self._closed:
                raise AuditUnavailable("the audit log is closed; the statement is refused")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="veil-audit-writer", daemon=True
                )
                self._thread.start()
            try:
                self._queue.put_nowait(_Item(record, text, future, urgent))
            except queue.Full:
                raise AuditUnavailable(
                    f"the audit log has {self._queue.maxsize} records waiting to be written; "
                    "the statement is refused",
                    hint="The catalog store is too slow or unreachable; check it.",
                ) from None
        return future

    def append(self, record: AuditRecord, *, timeout: float | None = None) -> Appended:
        """Write ``record`` and return once it is committed; raise AuditUnavailable if not.

        After a timeout the record may still be committed (the writer had already taken
        it): it then says what was decided, and no outcome record follows it.
        """
        future = self.submit(record)
        wait = self.timeout if timeout is None else timeout
        try:
            return future.result(wait)
        except TimeoutError:
            future.cancel()  # not written if the writer had not taken it yet
            raise _late(wait) from None

    async def append_async(self, record: AuditRecord, *, timeout: float | None = None) -> Appended:
        """:meth:`append` for asyncio code: the event loop keeps running while it waits."""
        return await self.wait_async(self.submit(record), timeout=timeout)

    async def wait_async(
        self, future: Future[Appended], *, timeout: float | None = None
    ) -> Appended:
        """Await a :meth:`submit` future, raising AuditUnavailable past ``timeout``.

        Lets a caller start the write, do other work (send the query to the warehouse),
        and wait only before it sends the first row. The writer wakes each event loop
        once per committed batch, however many of the batch's records it waits for.
        """
        if future.done():
            return future.result()
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if future.done():
                waiter.set_result(None)
            else:
                self._waiters[future] = (loop, waiter)
        wait = self.timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(wait):
                await waiter
        except TimeoutError:
            future.cancel()  # not written if the writer had not taken it yet
            raise _late(wait) from None
        finally:
            with self._lock:
                self._waiters.pop(future, None)
        return future.result()

    def _wake(self, futures: Sequence[Future[Appended]]) -> None:
        """Tell the event loops waiting for ``futures`` (done) — one call per loop."""
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        with self._lock:
            for future in futures:
                found = self._waiters.pop(future, None)
                if found is not None:
                    by_loop.setdefault(found[0], []).append(found[1])
        for loop, waiters in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(_resolve, waiters)

    def close(self, timeout: float | None = None) -> None:
        """Write every queued record, then stop the writer. Later appends raise."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(self.timeout if timeout is None else timeout)

    # -- the writer thread ---------------------------------------------------------------

    def _run(self) -> None:
        writer = _Writer(self.store.engine)
        batch: list[_Item] = []
        deadline = 0.0  # when the oldest lingering record must be committed
        try:
            while True:
                wait = None if not batch else max(0.0, deadline - time.monotonic())
                try:
                    item = self._queue.get(timeout=wait)
                except queue.Empty:
                    item = None
                commit = item is None  # lingered long enough
                while isinstance(item, _Item):
                    if not batch:
                        deadline = time.monotonic() + self.linger
                    batch.append(item)
                    commit = commit or item.urgent or len(batch) >= self.max_batch
                    if len(batch) >= self.max_batch:
                        break
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        item = None
                if item is _STOP:
                    self._commit(writer, batch)
                    return
                if commit and batch:
                    self._commit(writer, batch)
                    batch = []
        finally:
            writer.close()

    def _commit(self, writer: _Writer, batch: Sequence[_Item]) -> None:
        live = [item for item in batch if item.future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            done = writer.write([(i.record, i.text) for i in live], self._key, self._key_id)
        except Exception as e:  # noqa: BLE001 - every waiter is told, and refuses
            error = e if isinstance(e, AuditUnavailable) else _unavailable(e)
            for item in live:
                item.future.set_exception(error)
        else:
            self.batches += 1
            self.records += len(done)
            for item, appended in zip(live, done, strict=True):
                item.future.set_result(appended)
        self._wake([item.future for item in live])


_LOG_COLUMNS = (
    "seq",
    "time",
    "kind",
    "user_name",
    "decision",
    "record",
    "prev_hash",
    "hash",
    "key_id",
)


class _Writer:
    """The writer thread's connection to the store and its statements, compiled once.

    Going through the DBAPI connection directly (with SQLAlchemy's compiled SQL and
    its type conversions) keeps a batch's cost near that of its commit; SQLAlchemy's
    per-execute work was most of it. A failed batch drops the connection; the next
    batch opens a new one.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        dialect = engine.dialect
        self.postgres = dialect.name == "postgresql"
        head = AuditHeadRow
        # Locks the head row (PostgreSQL: waits for other appenders' row locks and sees
        # what they committed; SQLite: takes the write lock) before reading it.
        self.lock = (
            sa.update(head)
            .where(head.id == sa.bindparam("head_id"))
            .values(seq=head.seq)
            .returning(head.seq, head.hash)
            .compile(dialect=dialect)
        )
        self.insert = (
            sa.insert(AuditLogRow)
            .values({c: sa.bindparam(c) for c in _LOG_COLUMNS})
            .compile(dialect=dialect)
        )
        self.move = (
            sa.update(head)
            .where(head.id == sa.bindparam("head_id"))
            .values(seq=sa.bindparam("new_seq"), hash=sa.bindparam("new_hash"))
            .compile(dialect=dialect)
        )
        columns = AuditLogRow.__table__.c
        # The dialect's own type (SQLite stores timestamps as text in its own format).
        self.to_db = {
            name: columns[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in _LOG_COLUMNS
        }
        self.conn: Any = None

    def _params(self, compiled: sa.sql.compiler.Compiled, values: Mapping[str, Any]) -> Any:
        order = getattr(compiled, "positiontup", None)
        return tuple(values[name] for name in order) if order else dict(values)

    def _row(self, values: dict[str, Any]) -> Any:
        for name, process in self.to_db.items():
            if process is not None:
                values[name] = process(values[name])
        return self._params(self.insert, values)

    def write(
        self, batch: Sequence[tuple[AuditRecord, str]], key: str | None, key_id: str
    ) -> list[Appended]:
        """Append ``batch`` in one transaction, holding the chain head's lock throughout."""
        if self.conn is None:
            self.conn = self.engine.raw_connection()
        conn = self.conn
        try:
            cursor = conn.cursor()
            try:
                if self.postgres:
                    # Durable at commit even where the server defaults to asynchronous commits.
                    cursor.execute("SET LOCAL synchronous_commit TO on")
                cursor.execute(str(self.lock), self._params(self.lock, {"head_id": 1}))
                head = cursor.fetchone()
                if head is None:
                    raise AuditUnavailable(
                        "the audit log's head row is missing, so no record can be chained; "
                        "the statement is refused",
                        hint="Someone changed the audit tables; run `veil audit verify`.",
                    )
                seq, prev = int(head[0]), str(head[1])
                rows: list[Any] = []
                done: list[Appended] = []
                for record, text in batch:
                    seq += 1
                    digest = chain_hash(prev, text, key)
                    rows.append(
                        self._row(
                            {
                                "seq": seq,
                                "time": record.time,
                                "kind": record.kind.value,
                                "user_name": record.user,
                                "decision": record.decision.value if record.decision else None,
                                "record": text,
                                "prev_hash": prev,
                                "hash": digest,
                                "key_id": key_id,
                            }
                        )
                    )
                    done.append(Appended(seq, digest))
                    prev = digest
                cursor.executemany(str(self.insert), rows)
                cursor.execute(
                    str(self.move),
                    self._params(self.move, {"head_id": 1, "new_seq": seq, "new_hash": prev}),
                )
            finally:
                cursor.close()
            conn.commit()
        except BaseException:
            self.close(broken=True)
            raise
        return done

    def close(self, *, broken: bool = False) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        # Closing a broken connection may fail too; the pool forgets it either way.
        with contextlib.suppress(Exception):
            if broken:
                conn.invalidate()  # rolls back; the pool forgets the connection
            else:
                conn.close()


def _resolve(waiters: Sequence[asyncio.Future[None]]) -> None:
    for waiter in waiters:
        if not waiter.done():
            waiter.set_result(None)


def _unavailable(e: BaseException) -> AuditUnavailable:
    cause = getattr(e, "orig", None) or e
    text = str(cause).strip()
    first = text.splitlines()[0] if text else type(cause).__name__
    error = AuditUnavailable(
        f"the audit log could not be written ({first}); the statement is refused",
        hint="Check that the catalog store is reachable and writable.",
    )
    error.__cause__ = e
    return error


def _late(wait: float) -> AuditUnavailable:
    return AuditUnavailable(
        f"the audit record was not written within {wait:g} s; the statement is refused",
        hint="The catalog store is slow or locked; check it.",
    )


# -- reading ---------------------------------------------------------------------------


def audit_head(store: Store) -> Appended | None:
    """The chain head as stored (seq 0 and GENESIS before the first record); None when
    its row is missing."""
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(AuditHeadRow.seq, AuditHeadRow.hash).where(AuditHeadRow.id == 1)
        ).one_or_none()
    return Appended(int(row.seq), str(row.hash)) if row is not None else None


def read_records(
    store: Store, *, after: int = 0, limit: int | None = None, batch: int = 1000
) -> Iterator[StoredRecord]:
    """Stored records with seq above ``after``, in chain order, streamed in batches."""
    left = limit
    while left is None or left > 0:
        size = batch if left is None else min(batch, left)
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    AuditLogRow.seq,
                    AuditLogRow.hash,
                    AuditLogRow.prev_hash,
                    AuditLogRow.key_id,
                    AuditLogRow.record,
                )
                .where(AuditLogRow.seq > after)
                .order_by(AuditLogRow.seq)
                .limit(size)
            ).all()
        for row in rows:
            yield StoredRecord(
                row.seq,
                row.hash,
                row.prev_hash,
                row.key_id,
                AuditRecord.from_json(json.loads(row.record)),
            )
        if len(rows) < size:
            return
        after = rows[-1].seq
        if left is not None:
            left -= len(rows)


def tail_records(store: Store, n: int) -> list[StoredRecord]:
    """The newest ``n`` records, oldest first."""
    if n <= 0:
        return []
    with store.engine.connect() as conn:
        first = conn.scalar(
            sa.select(AuditLogRow.seq).order_by(AuditLogRow.seq.desc()).offset(n - 1).limit(1)
        )
    return list(read_records(store, after=first - 1 if first is not None else 0, limit=n))
