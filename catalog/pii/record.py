"""Record a classification (or lineage) run's suggestions, keeping every steward decision.

One transaction per run, a handful of statements whatever its size: columns are
resolved with one query per warehouse, the warehouse's existing claims are loaded at
once, and inserts, updates and deletes go out as batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.errors import NotFoundError, UsageError
from catalog.model import PiiStatus, PiiSuggestion
from catalog.names import require_warehouse
from catalog.pii.claims import (
    CHANGED_FROM,
    ENTITY_NAME,
    SUGGESTION_SOURCES,
    Claim,
    chunks,
    claims_by_column,
    dump_evidence,
    latest_decision,
    load_evidence,
    newest,
    warehouse_columns,
)
from catalog.store import Store
from catalog.store.models import (
    ColumnRow,
    PiiSuggestionRow,
    SchemaRow,
    TableRow,
    WarehouseRow,
    utcnow,
)


@dataclass(frozen=True)
class ColumnKey:
    """A column by name, as a classification run knows it (names as the catalog spells them)."""

    warehouse: str
    schema: str
    table: str
    column: str

    @property
    def qualified_name(self) -> str:
        return f"{self.warehouse}.{self.schema}.{self.table}.{self.column}"


@dataclass(frozen=True)
class RecordStats:
    """What one :func:`record_suggestions` call did, in open suggestions.

    ``unchanged`` also counts results that agree with a steward's decision.
    ``beside_decision`` is the part of ``new`` + ``updated`` that sits beside a steward's
    decision: data that changed since someone looked, which needs a second look.
    """

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    beside_decision: int = 0


def record_suggestions(
    store: Store,
    items: Iterable[tuple[ColumnKey, PiiSuggestion | None, str | None]],
    *,
    source: str = "classifier",
) -> RecordStats:
    """Record one run's result per column, keeping every steward decision as it is.

    ``items`` holds ``(column, suggestion or None, fingerprint of the sampled data)``;
    a column given twice keeps its last result. Per column, against ``source``'s own
    open suggestion:

    * a suggestion updates the open one in place when anything changed, else it is
      unchanged; with none open, a new one is recorded;
    * None withdraws (deletes) the open one: it was never decided, so no history is lost;
    * when the column has a decision, a suggestion that agrees with it (same entity —
      or the entity the steward changed away from — and the same fingerprint) records
      nothing and withdraws an open one beside it; any other suggestion is recorded
      beside the decision. The decision itself is never modified.

    One transaction; columns are resolved with one query per warehouse, so a run over
    tens of thousands of columns stays a handful of statements. Unknown columns raise
    :class:`NotFoundError` naming them, and nothing is recorded.
    """
    if source not in SUGGESTION_SOURCES:
        raise UsageError(
            f"unknown suggestion source {source!r}; expected one of "
            f"{', '.join(SUGGESTION_SOURCES)}",
            hint="Stewards decide with confirm and reject, not by recording suggestions.",
        )
    by_warehouse: dict[str, dict[ColumnKey, tuple[PiiSuggestion | None, str | None]]] = {}
    for key, suggestion, fingerprint in items:
        if suggestion is not None and not ENTITY_NAME.match(suggestion.entity):
            raise UsageError(
                f"the suggestion for {key.qualified_name} names entity {suggestion.entity!r}, "
                "which is not an UPPER_SNAKE entity name"
            )
        by_warehouse.setdefault(key.warehouse, {})[key] = (suggestion, fingerprint)

    now = utcnow()
    counts = dict.fromkeys(("new", "updated", "unchanged", "withdrawn", "beside_decision"), 0)
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    deletes: list[int] = []
    with store.session() as session:
        resolved = _resolve_keys(session, by_warehouse)
        for warehouse, results in by_warehouse.items():
            claims = claims_by_column(
                session, PiiSuggestionRow.column_id.in_(warehouse_columns(warehouse))
            )
            for key, (suggestion, fingerprint) in results.items():
                column_id = resolved[key]
                column_claims = claims.get(column_id, [])
                outcome, mine = _plan(column_claims, suggestion, fingerprint, source)
                if outcome is None:
                    continue
                counts[outcome] += 1
                if outcome == "withdrawn":
                    assert mine is not None
                    deletes.append(mine.id)
                    continue
                if outcome == "unchanged":
                    continue
                assert suggestion is not None
                values = _suggestion_values(suggestion, fingerprint)
                if mine is None:
                    inserts.append(
                        {
                            "column_id": column_id,
                            "status": PiiStatus.SUGGESTED.value,
                            "source": source,
                            "created_at": now,
                            "updated_at": now,
                            **values,
                        }
                    )
                else:
                    updates.append({"id": mine.id, "updated_at": now, **values})
                if latest_decision(column_claims) is not None:
                    counts["beside_decision"] += 1
        for chunk in chunks(deletes):
            session.execute(sa.delete(PiiSuggestionRow).where(PiiSuggestionRow.id.in_(chunk)))
        if inserts:
            session.execute(sa.insert(PiiSuggestionRow), inserts)
        if updates:
            session.execute(sa.update(PiiSuggestionRow), updates)
    return RecordStats(**counts)


def _plan(
    claims: Sequence[Claim],
    suggestion: PiiSuggestion | None,
    fingerprint: str | None,
    source: str,
) -> tuple[str | None, Claim | None]:
    """What one new result does to a column: (outcome or None, ``source``'s open claim).

    The outcome is one of RecordStats' counters: "new", "updated", "unchanged" or
    "withdrawn"; None when there is nothing to record (no suggestion, nothing open).
    """
    decision = latest_decision(claims)
    mine = newest(c for c in claims if c.status == PiiStatus.SUGGESTED and c.source == source)
    if suggestion is None or (
        decision is not None and _agrees(decision, suggestion, fingerprint, source)
    ):
        if mine is not None:
            return "withdrawn", mine
        return ("unchanged" if suggestion is not None else None), None
    if mine is None:
        return "new", None
    values = _suggestion_values(suggestion, fingerprint)
    changed = any(getattr(mine, k) != v for k, v in values.items())
    return ("updated" if changed else "unchanged"), mine


def _suggestion_values(suggestion: PiiSuggestion, fingerprint: str | None) -> dict[str, object]:
    return {
        "entity": suggestion.entity,
        "score": float(suggestion.score),
        "evidence": dump_evidence(suggestion.evidence),
        "masked_example": suggestion.masked_example,
        "fingerprint": fingerprint,
    }


def _resolve_keys(
    session: Session,
    by_warehouse: Mapping[str, Mapping[ColumnKey, object]],
) -> dict[ColumnKey, int]:
    """Column ids of live columns, one query per warehouse; NotFoundError names the rest."""
    resolved: dict[ColumnKey, int] = {}
    missing: list[str] = []
    for warehouse, keys in by_warehouse.items():
        require_warehouse(session, warehouse)
        query = (
            sa.select(ColumnRow.id, SchemaRow.name, TableRow.name, ColumnRow.name)
            .join(TableRow, ColumnRow.table_id == TableRow.id)
            .join(SchemaRow, TableRow.schema_id == SchemaRow.id)
            .join(WarehouseRow, SchemaRow.warehouse_id == WarehouseRow.id)
            .where(WarehouseRow.name == warehouse)
            .where(ColumnRow.removed_at.is_(None), TableRow.removed_at.is_(None))
            .where(SchemaRow.removed_at.is_(None))
        )
        ids = {(s, t, c): i for i, s, t, c in session.execute(query)}
        for key in keys:
            column_id = ids.get((key.schema, key.table, key.column))
            if column_id is None:
                missing.append(key.qualified_name)
            else:
                resolved[key] = column_id
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise NotFoundError(
            f"{len(missing)} column{'s are' if len(missing) > 1 else ' is'} not in the catalog: "
            f"{shown}",
            hint="Re-scan the warehouse (`veil scan --warehouse NAME`) and classify again.",
        )
    return resolved


def _agrees(
    decision: Claim,
    suggestion: PiiSuggestion,
    fingerprint: str | None,
    source: str,
) -> bool:
    """Does a new suggestion repeat what a steward already decided on the same data?

    The steward looked at the decision's entity and, if they changed the type, at the
    entity they changed away from. Fingerprints only compare within one source (each
    computes its own); a decision without one (made by hand) agrees on entity alone.
    """
    reviewed = {decision.entity, load_evidence(decision.evidence).get(CHANGED_FROM)}
    if suggestion.entity not in reviewed:
        return False
    if decision.fingerprint is None or fingerprint is None or decision.source != source:
        return True
    return decision.fingerprint == fingerprint
