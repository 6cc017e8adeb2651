"""Read the PII review state: the review list, each column's effective PII, what to mask.

Every reader derives a column's state from its claims with the same precedence
(catalog.pii.claims): an open suggestion newer than the latest decision needs review;
otherwise the latest decision stands.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.model import PiiInfo, PiiStatus
from catalog.names import require_warehouse
from catalog.pii.claims import (
    CHANGED_FROM,
    STEWARD,
    claims_for_columns,
    latest_decision,
    load_evidence,
    newest,
)
from catalog.store import Store
from catalog.store.models import ColumnRow, PiiSuggestionRow, SchemaRow, TableRow, WarehouseRow


@dataclass(frozen=True)
class PiiRecord:
    """One claim about a column, for stewards: what, how sure, why, and who decided."""

    column: str  # warehouse.schema.table.column
    entity: str
    score: float
    status: PiiStatus
    source: str  # "classifier", "lineage" or "steward"
    evidence: dict[str, object]
    masked_example: str | None
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str | None

    @property
    def summary(self) -> str:
        """The evidence in a few words, e.g. ``98/100 values match; name: email``."""
        return summarize_evidence(self.evidence, source=self.source)


def to_record(column: str, row: PiiSuggestionRow) -> PiiRecord:
    """The steward-facing record of a stored claim on ``column`` (its qualified name)."""
    return PiiRecord(
        column=column,
        entity=row.entity,
        score=row.score,
        status=PiiStatus(row.status),
        source=row.source,
        evidence=load_evidence(row.evidence),
        masked_example=row.masked_example,
        created_at=row.created_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        note=row.note,
    )


def list_pii(
    store: Store, *, status: PiiStatus | None = None, warehouse: str | None = None
) -> list[PiiRecord]:
    """The review list: every open suggestion and each column's current decision.

    Older decisions that a newer one replaced are history and not listed. Ordered by
    warehouse, schema, table and column position; only live columns.
    """
    query = (
        sa.select(
            PiiSuggestionRow, WarehouseRow.name, SchemaRow.name, TableRow.name, ColumnRow.name
        )
        .join(ColumnRow, PiiSuggestionRow.column_id == ColumnRow.id)
        .join(TableRow, ColumnRow.table_id == TableRow.id)
        .join(SchemaRow, TableRow.schema_id == SchemaRow.id)
        .join(WarehouseRow, SchemaRow.warehouse_id == WarehouseRow.id)
        .where(ColumnRow.removed_at.is_(None), TableRow.removed_at.is_(None))
        .where(SchemaRow.removed_at.is_(None))
        .order_by(
            WarehouseRow.name,
            SchemaRow.name,
            TableRow.name,
            ColumnRow.position,
            PiiSuggestionRow.created_at,
            PiiSuggestionRow.id,
        )
    )
    with store.session() as session:
        if warehouse is not None:
            require_warehouse(session, warehouse)
            query = query.where(WarehouseRow.name == warehouse)
        grouped: dict[int, list[tuple[PiiSuggestionRow, str]]] = {}
        for row, wh, schema, table, column in session.execute(query):
            grouped.setdefault(row.column_id, []).append((row, f"{wh}.{schema}.{table}.{column}"))
        records: list[PiiRecord] = []
        for pairs in grouped.values():
            decision = latest_decision([row for row, _ in pairs])
            for row, name in pairs:
                current = row is decision or row.status == PiiStatus.SUGGESTED
                if current and (status is None or row.status == status):
                    records.append(to_record(name, row))
        return records


def effective_pii(session: Session, column_ids: Iterable[int]) -> dict[int, PiiInfo]:
    """Each column's PII as the catalog shows it; columns without any claim are absent.

    An open suggestion newer than the column's latest decision wins (status
    ``suggested``: it needs review, and it is masked until rejected); otherwise the latest
    decision, confirmed or rejected. Bulk: a few queries for any number of columns.
    """
    result: dict[int, PiiInfo] = {}
    for column_id, claims in claims_for_columns(session, column_ids).items():
        decision = latest_decision(claims)
        opened = newest(c for c in claims if c.status == PiiStatus.SUGGESTED)
        if opened is not None and (
            decision is None
            or decision.decided_at is None
            or opened.updated_at > decision.decided_at
        ):
            result[column_id] = PiiInfo(opened.entity, opened.score, opened.status)
        elif decision is not None:
            result[column_id] = PiiInfo(decision.entity, decision.score, decision.status)
    return result


def pii_to_mask(session: Session, column_ids: Iterable[int]) -> dict[int, tuple[PiiInfo, ...]]:
    """Every entity the masking layer must protect per column: open and confirmed claims.

    Unlike :func:`effective_pii`, which shows one answer per column, this keeps every
    open suggestion (any source, any age) beside a confirmed latest decision: each may
    call for its own tag rule, and an open one is masked until a steward rejects it.
    Confirmed entries come first, then by score. Columns with nothing to mask are absent.
    """
    result: dict[int, tuple[PiiInfo, ...]] = {}
    for column_id, claims in claims_for_columns(session, column_ids).items():
        decision = latest_decision(claims)
        chosen = [c for c in claims if c.status == PiiStatus.SUGGESTED]
        if decision is not None and decision.status == PiiStatus.CONFIRMED:
            chosen.append(decision)
        chosen.sort(key=lambda c: (c.status != PiiStatus.CONFIRMED, -c.score, c.id))
        seen: set[str] = set()
        infos = []
        for c in chosen:
            if c.entity not in seen:
                seen.add(c.entity)
                infos.append(PiiInfo(c.entity, c.score, c.status))
        if infos:
            result[column_id] = tuple(infos)
    return result


def summarize_evidence(evidence: Mapping[str, object], *, source: str | None = None) -> str:
    """A short, human summary of a claim's evidence for lists and tables.

    >>> summarize_evidence({"samples": 100, "hits": 98, "signals": ["name: 'email'"]})
    '98/100 values match; name: email'
    """
    parts: list[str] = []
    signals = [s for s in _as_list(evidence.get("signals")) if isinstance(s, str)]
    text = next((s for s in signals if s.startswith("text:")), None)
    samples, hits = evidence.get("samples"), evidence.get("hits")
    if text is not None:
        parts.append(text.removeprefix("text:").strip())
    elif isinstance(samples, int) and isinstance(hits, int) and samples > 0:
        parts.append(f"{hits}/{samples} values match")
    parts.extend(re.sub(r"'([^']*)'", r"\1", s) for s in signals if s.startswith("name:"))
    origin = evidence.get("from")
    if isinstance(origin, str):  # lineage propagation
        parts.append(f"{evidence.get('kind', 'copy')} of {origin}")
    note = evidence.get("note")
    if isinstance(note, str):
        parts.append(note)
    changed_from = evidence.get(CHANGED_FROM)
    if isinstance(changed_from, str):
        parts.append(f"steward changed the type from {changed_from}")
    if not parts and source == STEWARD:
        parts.append("marked by a steward")
    return "; ".join(parts)


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []
