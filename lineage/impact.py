"""Impact analysis: what breaks, and what leaks, if a column or table changes.

Every column downstream of the column (or of any column of the table), over every edge
kind (a filter column that changes changes which rows flow), the tables they live in,
those tables' owners, and which of those columns carry PII (confirmed or suggested).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from catalog.pii import effective_pii
from catalog.store import Store
from catalog.store.models import ColumnRow, SchemaRow, TableRow
from lineage.graph import columns_of_table, load_graph, table_of, walk
from lineage.ingest import warehouse_context


@dataclass
class Impact:
    origin: str
    columns: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)
    pii: dict[str, str] = field(default_factory=dict)  # column -> entity (status)

    def as_json(self) -> dict[str, object]:
        return {
            "origin": self.origin,
            "columns": self.columns,
            "tables": self.tables,
            "owners": self.owners,
            "pii": self.pii,
        }


def analyse_impact(store: Store, warehouse: str, name: str) -> Impact:
    ctx = warehouse_context(store, warehouse)
    graph = load_graph(store, warehouse)
    starts = [name] if name in graph else columns_of_table(graph, name)
    reached: dict[str, None] = {}
    for start in starts:
        for edge in walk(graph, start, downstream=True):
            if edge.target not in starts:
                reached.setdefault(edge.target)
    impact = Impact(name, columns=sorted(reached))
    impact.tables = sorted({table_of(c) for c in reached if c.count(".") >= 2})
    with store.session() as session:
        rows = session.execute(
            sa.select(SchemaRow.name, TableRow.name, TableRow.owner, ColumnRow.name, ColumnRow.id)
            .join(TableRow, TableRow.schema_id == SchemaRow.id)
            .join(ColumnRow, ColumnRow.table_id == TableRow.id)
            .where(SchemaRow.warehouse_id == ctx.id, TableRow.removed_at.is_(None))
        ).all()
        ids = {}
        for schema, table, owner, column, column_id in rows:
            qualified = f"{schema}.{table}".lower()
            if owner and qualified in impact.tables:
                impact.owners[qualified] = owner
            full = f"{qualified}.{column}".lower()
            if full in reached:
                ids[column_id] = full
        for column_id, info in effective_pii(session, ids).items():
            if info.status != "rejected":
                impact.pii[ids[column_id]] = f"{info.entity} ({info.status})"
    return impact
