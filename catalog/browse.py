"""Read the catalog: tables with their columns, tags and steward metadata; the JSON export.

The export shape is a stable interface (PRODUCT.md): ``{"tables": [{"warehouse",
"schema", "name", "kind", "columns": [{"name", "type", "tags", "pii"}]}]}``. Extra keys
may be added; none may be renamed or removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import object_session, selectinload

from catalog.model import CatalogColumn, CatalogTable, PiiInfo, TableKind
from catalog.names import require_warehouse
from catalog.pii import effective_pii
from catalog.store import Store
from catalog.store.models import ColumnRow, SchemaRow, TableRow, WarehouseRow


def list_tables(store: Store, *, warehouse: str | None = None) -> list[CatalogTable]:
    """Every live table and view, ordered by warehouse, schema and name."""
    with store.session() as session:
        if warehouse is not None:
            require_warehouse(session, warehouse)
        query = live_tables_query()
        if warehouse is not None:
            query = query.where(WarehouseRow.name == warehouse)
        rows = session.execute(query).all()
        live = (c.id for row, _, _ in rows for c in row.columns if c.removed_at is None)
        pii = effective_pii(session, live)
        return [to_catalog_table(row, schema, wh, pii=pii) for row, schema, wh in rows]


def live_tables_query() -> sa.Select[tuple[TableRow, str, str]]:
    """(table row with columns and tags loaded, schema name, warehouse name) of live tables."""
    return (
        sa.select(TableRow, SchemaRow.name, WarehouseRow.name)
        .join(SchemaRow, TableRow.schema_id == SchemaRow.id)
        .join(WarehouseRow, SchemaRow.warehouse_id == WarehouseRow.id)
        .where(TableRow.removed_at.is_(None), SchemaRow.removed_at.is_(None))
        .options(
            selectinload(TableRow.columns).selectinload(ColumnRow.tags),
            selectinload(TableRow.tags),
        )
        .order_by(WarehouseRow.name, SchemaRow.name, TableRow.name)
    )


def to_catalog_table(
    row: TableRow, schema: str, warehouse: str, *, pii: Mapping[int, PiiInfo] | None = None
) -> CatalogTable:
    """The catalog record of a loaded table row, with each column's effective PII.

    ``pii`` maps column ids to catalog.pii.effective_pii results; bulk callers pass it
    for all their tables at once. Without it, this table's columns are looked up in the
    row's own session, so a single-table view (``veil catalog show``) shows the same PII
    as the export.
    """
    if pii is None:
        session = object_session(row)
        pii = effective_pii(session, (c.id for c in row.columns)) if session is not None else {}
    return CatalogTable(
        warehouse=warehouse,
        schema=schema,
        name=row.name,
        kind=TableKind(row.kind),
        columns=tuple(
            CatalogColumn(
                name=c.name,
                data_type=c.data_type,
                position=c.position,
                nullable=c.nullable,
                tags=tuple(sorted(t.tag.name for t in c.tags)),
                description=c.description,
                pii=pii.get(c.id),
            )
            for c in row.columns
            if c.removed_at is None
        ),
        view_sql=row.view_sql,
        row_count=row.row_count,
        row_count_exact=row.row_count_exact,
        description=row.description,
        comment=row.comment,
        owner=row.owner,
        tags=tuple(sorted(t.tag.name for t in row.tags)),
    )


def export_json(tables: list[CatalogTable]) -> dict[str, Any]:
    """The ``veil catalog export --format json`` document."""
    return {"tables": [_table_json(t) for t in tables]}


def _table_json(t: CatalogTable) -> dict[str, Any]:
    return {
        "warehouse": t.warehouse,
        "schema": t.schema,
        "name": t.name,
        "kind": t.kind.value,
        "columns": [
            {
                "name": c.name,
                "type": c.data_type,
                "tags": list(c.tags),
                "pii": None
                if c.pii is None
                else {"entity": c.pii.entity, "score": c.pii.score, "status": c.pii.status},
                "nullable": c.nullable,
                "description": c.description,
            }
            for c in t.columns
        ],
        "description": t.description,
        "comment": t.comment,
        "owner": t.owner,
        "tags": list(t.tags),
        "row_count": t.row_count,
        "row_count_exact": t.row_count_exact,
        "view_sql": t.view_sql,
    }
