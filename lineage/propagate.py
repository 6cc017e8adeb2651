"""PII propagation: a confirmed PII column marks its downstream copies as suggested PII.

Confirmed PII flows along identity and transform edges (a copied or reformatted email is
still an email) but not through aggregates (a COUNT of emails is not personal data) nor
through filter edges. Each reached catalog column gets a suggestion from the source
"lineage" whose evidence names the source column, the path and the statement that made
the first hop. Stewards confirm or reject these like any other suggestion; suggestions
whose source is no longer upstream are withdrawn on the next run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa

from catalog.model import PiiStatus, PiiSuggestion
from catalog.pii import ColumnKey, RecordStats, list_pii, record_suggestions
from catalog.store import Store
from catalog.store.models import (
    ColumnRow,
    LineageEdgeRow,
    LineageEdgeStatementRow,
    LineageStatementRow,
    SchemaRow,
    TableRow,
)
from lineage.graph import load_graph, walk
from lineage.ingest import warehouse_context
from lineage.model import EdgeKind

_PROPAGATING = (EdgeKind.IDENTITY, EdgeKind.TRANSFORM)
_SCORE = {EdgeKind.IDENTITY: 0.95, EdgeKind.TRANSFORM: 0.85}


@dataclass(frozen=True)
class PropagationReport:
    sources: int  # confirmed PII columns looked at
    reached: int  # downstream catalog columns suggested
    recorded: RecordStats


def propagate_pii(store: Store, warehouse: str) -> PropagationReport:
    ctx = warehouse_context(store, warehouse)
    graph = load_graph(store, warehouse, kinds=_PROPAGATING)
    confirmed = [r for r in list_pii(store, warehouse=warehouse) if r.status is PiiStatus.CONFIRMED]
    live = _live_columns(store, ctx.id)
    suggestions: dict[str, PiiSuggestion] = {}
    for record in confirmed:
        source = record.column.split(".", 1)[1]  # drop the warehouse name
        parents: dict[str, tuple[str, EdgeKind]] = {}
        for edge in walk(graph, source, downstream=True, kinds=_PROPAGATING):
            known = parents.get(edge.target)
            # Two statements may copy and reformat the same column: report the copy.
            if known is None or (known[0] == edge.source and edge.kind.rank < known[1].rank):
                parents[edge.target] = (edge.source, edge.kind)
        for column in parents:
            if column not in live or column == source or column in suggestions:
                continue
            hops = _path(parents, source, column)
            weakest = (
                EdgeKind.TRANSFORM
                if any(k is EdgeKind.TRANSFORM for _, k in hops)
                else EdgeKind.IDENTITY
            )
            statement = _statement_of(store, ctx.id, hops[-1][0], column, hops[-1][1])
            suggestions[column] = PiiSuggestion(
                record.entity,
                _SCORE[weakest],
                {
                    "from": f"{warehouse}.{source}",
                    "path": [h[0] for h in hops] + [column],
                    "kind": weakest.value,
                    "statement": statement,
                    "signals": [
                        f"lineage: {weakest.value} of confirmed {record.entity} "
                        f"column {warehouse}.{source}"
                    ],
                },
                None,
            )
    previously = {
        r.column.split(".", 1)[1]
        for r in list_pii(store, status=PiiStatus.SUGGESTED, warehouse=warehouse)
        if r.source == "lineage"
    }
    items = []
    for column in sorted(set(suggestions) | previously):
        key = ColumnKey(warehouse, *_split(column))
        suggestion = suggestions.get(column)
        fp = None
        if suggestion is not None:
            fp = hashlib.blake2b(
                f"{suggestion.entity}|{suggestion.evidence['from']}".encode(), digest_size=8
            ).hexdigest()
        items.append((key, suggestion, fp))
    recorded = record_suggestions(store, items, source="lineage")
    return PropagationReport(len(confirmed), len(suggestions), recorded)


def _path(
    parents: dict[str, tuple[str, EdgeKind]], source: str, column: str
) -> list[tuple[str, EdgeKind]]:
    hops: list[tuple[str, EdgeKind]] = []
    node = column
    while node != source and node in parents and len(hops) < 100:
        parent, kind = parents[node]
        hops.append((parent, kind))
        node = parent
    return list(reversed(hops))


def _statement_of(
    store: Store, warehouse_id: int, source: str, target: str, kind: EdgeKind
) -> str | None:
    with store.session() as session:
        text = session.scalar(
            sa.select(LineageStatementRow.normalized_sql)
            .join(
                LineageEdgeStatementRow,
                LineageEdgeStatementRow.statement_id == LineageStatementRow.id,
            )
            .join(LineageEdgeRow, LineageEdgeRow.id == LineageEdgeStatementRow.edge_id)
            .where(LineageEdgeRow.warehouse_id == warehouse_id)
            .where(LineageEdgeRow.source == source, LineageEdgeRow.target == target)
            .where(LineageEdgeRow.kind == kind.value)
            .order_by(LineageStatementRow.executions.desc())
            .limit(1)
        )
    return text[:500] if text else None


def _live_columns(store: Store, warehouse_id: int) -> set[str]:
    with store.session() as session:
        rows = session.execute(
            sa.select(SchemaRow.name, TableRow.name, ColumnRow.name)
            .join(TableRow, TableRow.schema_id == SchemaRow.id)
            .join(ColumnRow, ColumnRow.table_id == TableRow.id)
            .where(SchemaRow.warehouse_id == warehouse_id)
            .where(TableRow.removed_at.is_(None), ColumnRow.removed_at.is_(None))
        )
        return {f"{s}.{t}.{c}".lower() for s, t, c in rows}


def _split(column: str) -> tuple[str, str, str]:
    schema, table, name = column.split(".", 2)
    return schema, table, name
