"""Read and write a warehouse's structure in the store, as WarehouseSnapshot records.

Writing a snapshot updates only what the warehouse owns (kinds, types, view SQL, row
counts, the engine's comments) and never what stewards wrote (descriptions, owners,
tags). Objects missing from the new snapshot get ``removed_at``; objects that come
back lose it, and with it get their old steward metadata back.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from catalog.model import ColumnInfo, TableInfo, TableKind, WarehouseSnapshot
from catalog.store.models import ColumnRow, SchemaRow, TableRow, WarehouseRow


def load_rows(session: Session, warehouse: WarehouseRow) -> list[SchemaRow]:
    """Every schema row of the warehouse (removed ones too) with tables and columns loaded."""
    return list(
        session.scalars(
            sa.select(SchemaRow)
            .where(SchemaRow.warehouse_id == warehouse.id)
            .options(selectinload(SchemaRow.tables).selectinload(TableRow.columns))
        )
    )


def snapshot_of(schemas: list[SchemaRow]) -> WarehouseSnapshot:
    """The live (not removed) part of the stored rows, as the scan would have seen it."""
    tables = []
    for schema in schemas:
        if schema.removed_at is not None:
            continue
        for table in schema.tables:
            if table.removed_at is None:
                tables.append(_table_info(schema.name, table))
    return WarehouseSnapshot(
        schemas=tuple(sorted(s.name for s in schemas if s.removed_at is None)),
        tables=tuple(tables),
    )


def apply_snapshot(
    session: Session,
    warehouse: WarehouseRow,
    schemas: list[SchemaRow],
    snapshot: WarehouseSnapshot,
    now: dt.datetime,
) -> None:
    """Make the stored rows match ``snapshot``, keeping steward metadata."""
    by_name = {s.name: s for s in schemas}
    for name in snapshot.schemas:
        row = by_name.get(name)
        if row is None:
            row = SchemaRow(warehouse=warehouse, name=name, first_seen_at=now)
            session.add(row)
            by_name[name] = row
        row.last_seen_at, row.removed_at = now, None
    for name, row in by_name.items():
        if name not in snapshot.schemas and row.removed_at is None:
            row.removed_at = now

    tables = {(s.name, t.name): t for s in by_name.values() for t in s.tables}
    seen: set[tuple[str, str]] = set()
    for info in snapshot.tables:
        key = (info.schema, info.name)
        seen.add(key)
        table = tables.get(key)
        if table is None:
            table = TableRow(schema=by_name[info.schema], name=info.name, first_seen_at=now)
            session.add(table)
        _update_table(table, info, now)
    for key, table in tables.items():
        if key not in seen and table.removed_at is None:
            table.removed_at = now


def _update_table(row: TableRow, info: TableInfo, now: dt.datetime) -> None:
    row.kind = info.kind.value
    row.view_sql = info.view_sql
    row.row_count = info.row_count
    row.row_count_exact = info.row_count_exact
    row.comment = info.comment
    row.last_seen_at, row.removed_at = now, None
    existing = {c.name: c for c in row.columns}
    for col in info.columns:
        crow = existing.get(col.name)
        if crow is None:
            crow = ColumnRow(name=col.name, first_seen_at=now)
            row.columns.append(crow)
        crow.position = col.position
        crow.data_type = col.data_type
        crow.nullable = col.nullable
        crow.default = col.default
        crow.comment = col.comment
        crow.last_seen_at, crow.removed_at = now, None
    names = {c.name for c in info.columns}
    for name, crow in existing.items():
        if name not in names and crow.removed_at is None:
            crow.removed_at = now


def _table_info(schema: str, row: TableRow) -> TableInfo:
    return TableInfo(
        schema=schema,
        name=row.name,
        kind=TableKind(row.kind),
        columns=tuple(
            ColumnInfo(c.name, c.data_type, c.position, c.nullable, c.default, c.comment)
            for c in row.columns
            if c.removed_at is None
        ),
        view_sql=row.view_sql,
        row_count=row.row_count,
        row_count_exact=row.row_count_exact,
        comment=row.comment,
    )
