"""Verifying the audit chain: the first place where stored records were tampered with.

:func:`verify_chain` reads the log once in seq order (streamed, in bounded memory) and
stops at the first break, saying what it is:

- **edited**: a record's hash does not match its content, or the columns reports
  select by (time, kind, user, decision) disagree with the hashed record;
- **deleted**: seqs jump (a record is missing), or a record is chained to one that is
  no longer in the log (deleted, and the later ones renumbered);
- **reordered**: a record is chained to a record that now sits elsewhere;
- **truncated**: the log ends before the head row (``audit_head``, updated with every
  append) says it does, or its last record is not the one the head names;
- **unchained**: records beyond the head, which no append wrote;
- **key**: a record hashed under another audit key, or without the key after keyed
  records (a downgrade);
- **head**: the head row is missing;
- **anchor**: a record given as an anchor (``--anchor SEQ:HASH``) is gone or changed.

What it cannot detect, said plainly: someone with write access to the catalog store
who rewrites the chain from some record to the end *and recomputes every hash and the
head* leaves a chain that verifies. Two defences: the ``audit_key`` setting (hashes
become HMAC-SHA-256 under a key kept in the gateways' configuration, not in the store,
so forging needs the key too), and anchors (keep the ``seq`` and head hash that
``veil audit verify`` prints somewhere the store's users cannot write, and pass them
back later with ``--anchor``). Even with a key, cutting records off the end and
setting the head back to an earlier record's values, or emptying the whole log, is
visible only against an anchor. And verification shows that records were not changed
after they were written, not that they were true when written.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from catalog.store import Store
from catalog.store.models import AuditLogRow
from policies.audit import (
    GENESIS,
    Appended,
    AuditRecord,
    audit_head,
    chain_hash,
    key_fingerprint,
)

__all__ = ["BreakKind", "ChainBreak", "VerifyResult", "verify_chain"]


class BreakKind(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    REORDERED = "reordered"
    TRUNCATED = "truncated"
    UNCHAINED = "unchained"
    KEY = "key"
    HEAD = "head"
    ANCHOR = "anchor"


@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain is broken; ``seq`` is None when no record is to blame
    (a missing head row)."""

    kind: BreakKind
    seq: int | None
    message: str


@dataclass(frozen=True)
class VerifyResult:
    """What verification found. ``head`` is the last good record's seq and hash."""

    records: int  # records checked and found good
    head: Appended
    keyed: int  # of those, records hashed under the audit key
    problem: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def unkeyed(self) -> int:
        return self.records - self.keyed


def verify_chain(
    store: Store,
    *,
    key: str | None = None,
    anchor: Appended | None = None,
    batch: int = 1000,
) -> VerifyResult:
    """Walk the audit chain and report its first break, if any.

    ``key`` is the ``audit_key`` setting (needed to check records hashed under it).
    ``anchor`` is a (seq, hash) pair an auditor kept from an earlier verification.
    Records appended while this runs are left for the next run.
    """
    head = audit_head(store)
    walk = _Walk(store, key)
    query = (
        sa.select(
            AuditLogRow.seq,
            AuditLogRow.time,
            AuditLogRow.kind,
            AuditLogRow.user_name,
            AuditLogRow.decision,
            AuditLogRow.record,
            AuditLogRow.prev_hash,
            AuditLogRow.hash,
            AuditLogRow.key_id,
        )
        .where(AuditLogRow.seq <= head.seq if head is not None else sa.true())
        .order_by(AuditLogRow.seq)
    )
    problem: ChainBreak | None = None
    with store.engine.connect() as conn:
        for row in conn.execution_options(yield_per=batch).execute(query):
            problem = walk.check(row)
            if problem is None and anchor is not None and row.seq == anchor.seq:
                problem = _anchor_mismatch(row.seq, row.hash, anchor)
            if problem is not None:
                break
    if problem is None:
        problem = _check_end(store, walk, head, anchor)
    return VerifyResult(walk.count, Appended(walk.seq, walk.hash), walk.keyed, problem)


class _Walk:
    """The state of one pass along the chain: the last good record, and counts."""

    def __init__(self, store: Store, key: str | None) -> None:
        self.store = store
        self.key = key or None
        self.key_id = key_fingerprint(key) if key else ""
        self.seq = 0
        self.hash = GENESIS
        self.count = 0
        self.keyed = 0

    def check(self, row: Any) -> ChainBreak | None:
        seq: int = row.seq
        if seq != self.seq + 1:
            return _missing(self.seq + 1, seq - 1, f"record {seq} comes next")
        key, problem = self._key_for(seq, row.key_id)
        if problem is not None:
            return problem
        if chain_hash(row.prev_hash, row.record, key) != row.hash:
            return ChainBreak(
                BreakKind.EDITED, seq, f"record {seq} was edited: its hash does not match it"
            )
        problem = _columns_disagree(seq, row)
        if problem is not None:
            return problem
        if row.prev_hash != self.hash:
            return self._misplaced(seq, row.prev_hash)
        self.seq, self.hash = seq, row.hash
        self.count += 1
        self.keyed += bool(row.key_id)
        return None

    def _key_for(self, seq: int, key_id: str) -> tuple[str | None, ChainBreak | None]:
        if not key_id:
            if self.keyed:
                return None, ChainBreak(
                    BreakKind.KEY,
                    seq,
                    f"record {seq} is hashed without the audit key, after records hashed "
                    "with it: it was not written by Veil",
                )
            return None, None
        if self.key is None:
            return None, ChainBreak(
                BreakKind.KEY,
                seq,
                f"record {seq} is hashed with audit key {key_id}, and no audit_key is "
                "configured: set it to verify",
            )
        if key_id != self.key_id:
            return None, ChainBreak(
                BreakKind.KEY,
                seq,
                f"record {seq} is hashed with audit key {key_id}, not the configured key "
                f"{self.key_id}",
            )
        return self.key, None

    def _misplaced(self, seq: int, prev_hash: str) -> ChainBreak:
        """A record chained to something other than the record before it: to what?"""
        with self.store.engine.connect() as conn:
            found = conn.scalar(
                sa.select(AuditLogRow.seq).where(AuditLogRow.hash == prev_hash).limit(1)
            )
        if found is not None:
            return ChainBreak(
                BreakKind.REORDERED,
                seq,
                f"record {seq} is out of order: it was written after record {found}, "
                f"not after record {seq - 1}",
            )
        if seq == 1:
            return ChainBreak(
                BreakKind.DELETED,
                seq,
                "record 1 is not the start of the chain: records before it were deleted "
                "and the rest renumbered",
            )
        return ChainBreak(
            BreakKind.DELETED,
            seq,
            f"record {seq} does not follow record {seq - 1}: the record it was written "
            "after is gone (deleted, with the later ones renumbered, or replaced)",
        )


def _missing(first: int, last: int, context: str) -> ChainBreak:
    what = f"record {first} is" if first == last else f"records {first} to {last} are"
    return ChainBreak(BreakKind.DELETED, first, f"{what} missing ({context})")


def _columns_disagree(seq: int, row: Any) -> ChainBreak | None:
    try:
        record = AuditRecord.from_json(json.loads(row.record))
    except (ValueError, TypeError, KeyError):
        return ChainBreak(
            BreakKind.EDITED, seq, f"record {seq} was edited: it is not a valid audit record"
        )
    stored_time: dt.datetime = row.time
    expected = {
        "time": record.time,
        "kind": record.kind.value,
        "user_name": record.user,
        "decision": record.decision.value if record.decision is not None else None,
    }
    actual = {
        "time": stored_time,
        "kind": row.kind,
        "user_name": row.user_name,
        "decision": row.decision,
    }
    for name, value in expected.items():
        if actual[name] != value:
            return ChainBreak(
                BreakKind.EDITED,
                seq,
                f"record {seq} was edited: its {name} column disagrees with the hashed record",
            )
    return None


def _anchor_mismatch(seq: int, digest: str, anchor: Appended) -> ChainBreak | None:
    if digest == anchor.hash:
        return None
    return ChainBreak(
        BreakKind.ANCHOR,
        seq,
        f"record {seq} is not the record of the anchor (hash {anchor.hash[:16]}…): the "
        "chain was rewritten up to here",
    )


def _check_end(
    store: Store, walk: _Walk, head: Appended | None, anchor: Appended | None
) -> ChainBreak | None:
    if anchor is not None and anchor.seq > walk.seq:
        return ChainBreak(
            BreakKind.ANCHOR,
            anchor.seq,
            f"record {anchor.seq} of the anchor is not in the log, which ends at {walk.seq}",
        )
    if head is None:
        return ChainBreak(
            BreakKind.HEAD, None, "the audit log's head row (audit_head id 1) is missing"
        )
    if walk.seq < head.seq:
        return _truncated(walk.seq + 1, head.seq)
    if walk.hash != head.hash:
        return ChainBreak(
            BreakKind.TRUNCATED,
            walk.seq,
            f"record {walk.seq} is not the last record the head names: the end of the log "
            "was replaced",
        )
    with store.engine.connect() as conn:
        newest = conn.scalar(sa.select(sa.func.max(AuditLogRow.seq))) or 0
    now = audit_head(store)  # read after newest: appends since the walk only raise it
    if now is not None and newest > now.seq:
        return ChainBreak(
            BreakKind.UNCHAINED,
            now.seq + 1,
            f"records after the head (from {now.seq + 1}) were not written by Veil's audit log",
        )
    return None


def _truncated(first: int, last: int) -> ChainBreak:
    what = f"record {first} is" if first == last else f"records {first} to {last} are"
    return ChainBreak(
        BreakKind.TRUNCATED,
        first,
        f"{what} missing from the end: the head says the log reaches record {last}",
    )
