"""A column's PII claims as stored: plain values, precedence, and the queries that load them.

Shared by recording (catalog.pii.record), decisions (catalog.pii.review) and reading
(catalog.pii.read), so that all three agree on what "the latest decision" and "the
newest open suggestion" of a column are.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.model import PiiStatus
from catalog.store.models import ColumnRow, PiiSuggestionRow, SchemaRow, TableRow, WarehouseRow

#: Sources that record suggestions in bulk. Stewards decide through confirm/reject.
SUGGESTION_SOURCES = ("classifier", "lineage")

#: The source of claims a steward made by hand (``confirm --entity`` with no suggestion).
STEWARD = "steward"

#: Custom entity names follow the classifier's custom recognizers (UPPER_SNAKE).
ENTITY_NAME = re.compile(r"^[A-Z][A-Z0-9_]{1,99}$")

#: Evidence key recording the entity a steward changed away from (see confirm).
CHANGED_FROM = "changed_from"

#: Column ids per IN (...) list: well under every backend's bound-parameter limit.
_CHUNK = 1000
#: Sorts claims not yet flushed (no timestamp) first.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Claim:
    """A pii_suggestions row as plain values, for bulk decisions without ORM objects."""

    id: int
    column_id: int
    entity: str
    score: float
    status: str
    source: str
    evidence: str
    masked_example: str | None
    fingerprint: str | None
    updated_at: dt.datetime
    decided_at: dt.datetime | None


#: A claim as plain values or as an ORM row: the precedence rules read either.
AnyClaim = TypeVar("AnyClaim", Claim, PiiSuggestionRow)

_CLAIM_COLUMNS = (
    PiiSuggestionRow.id,
    PiiSuggestionRow.column_id,
    PiiSuggestionRow.entity,
    PiiSuggestionRow.score,
    PiiSuggestionRow.status,
    PiiSuggestionRow.source,
    PiiSuggestionRow.evidence,
    PiiSuggestionRow.masked_example,
    PiiSuggestionRow.fingerprint,
    PiiSuggestionRow.updated_at,
    PiiSuggestionRow.decided_at,
)


def latest_decision(claims: Iterable[AnyClaim]) -> AnyClaim | None:
    """The column's current decision (confirmed or rejected); older ones are history."""
    decided = [c for c in claims if c.status != PiiStatus.SUGGESTED]
    return max(decided, key=lambda c: (c.decided_at or _EPOCH, c.id or 0), default=None)


def newest(claims: Iterable[AnyClaim]) -> AnyClaim | None:
    """The most recently changed claim: a re-run that updates a suggestion makes it newest."""
    return max(claims, key=lambda c: (c.updated_at or _EPOCH, c.id or 0), default=None)


def claims_for_columns(session: Session, column_ids: Iterable[int]) -> dict[int, list[Claim]]:
    """Claims per column id, loaded in chunks so any number of columns stays a few queries."""
    ids = sorted(set(column_ids))
    claims: dict[int, list[Claim]] = {}
    for chunk in chunks(ids):
        found_by_column = claims_by_column(session, PiiSuggestionRow.column_id.in_(chunk))
        for column_id, found in found_by_column.items():
            claims.setdefault(column_id, []).extend(found)
    return claims


def claims_by_column(session: Session, where: sa.ColumnElement[bool]) -> dict[int, list[Claim]]:
    """Claims matching ``where``, grouped per column id, oldest first."""
    query = sa.select(*_CLAIM_COLUMNS).where(where).order_by(PiiSuggestionRow.id)
    claims: dict[int, list[Claim]] = {}
    for values in session.execute(query):
        claim = Claim(*values)
        claims.setdefault(claim.column_id, []).append(claim)
    return claims


def warehouse_columns(warehouse: str) -> sa.Select[tuple[int]]:
    """Ids of every column (live or removed) of a warehouse, as a subquery."""
    return (
        sa.select(ColumnRow.id)
        .join(TableRow, ColumnRow.table_id == TableRow.id)
        .join(SchemaRow, TableRow.schema_id == SchemaRow.id)
        .join(WarehouseRow, SchemaRow.warehouse_id == WarehouseRow.id)
        .where(WarehouseRow.name == warehouse)
    )


def dump_evidence(evidence: Mapping[str, object]) -> str:
    """Canonical JSON, so that unchanged evidence compares equal as text."""
    return json.dumps(evidence, sort_keys=True, ensure_ascii=False)


def load_evidence(text: str) -> dict[str, object]:
    """The stored evidence object; anything but a JSON object reads as empty."""
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    """Slices of ``ids`` small enough for one IN (...) list on every backend."""
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]
