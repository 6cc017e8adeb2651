"""Read and write a warehouse's structure in the store, as WarehouseSnapshot records.

Writing a snapshot updates only what the warehouse owns (kinds, types, view SQL, row
counts, the engine's comments) and never what stewards wrote (descriptions, owners,
tags). Objects missing from the new snapshot get ``removed_at``; objects that come
back lose it, and with it get their old steward metadata back.

This is the hot path of a scan (20,000 columns for a 1,000-table warehouse), so it
works on plain tuples and writes with bulk statements: only rows that actually changed
are updated, and new rows are inserted in batches (bench/scan.py measures it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.model import ColumnInfo, TableInfo, TableKind, WarehouseSnapshot
from catalog.store.models import ColumnRow, SchemaRow, TableRow


@dataclass
class _Stored:
    id: int
    removed: bool
    info: Any  # TableInfo or ColumnInfo as stored


@dataclass
class StoredWarehouse:
    """The store's rows for one warehouse, removed ones included, as plain records."""

    schemas: dict[str, _Stored] = field(default_factory=dict)
    tables: dict[tuple[str, str], _Stored] = field(default_factory=dict)
    columns: dict[int, dict[str, _Stored]] = field(default_factory=dict)


def load_stored(session: Session, warehouse_id: int) -> StoredWarehouse:
    stored = StoredWarehouse()
    schema_names: dict[int, str] = {}
    for sid, name, removed_at in session.execute(
        sa.select(SchemaRow.id, SchemaRow.name, SchemaRow.removed_at).where(
            SchemaRow.warehouse_id == warehouse_id
        )
    ):
        schema_names[sid] = name
        stored.schemas[name] = _Stored(sid, removed_at is not None, name)

    for row in session.execute(
        sa.select(
            ColumnRow.table_id,
            ColumnRow.id,
            ColumnRow.removed_at,
            ColumnRow.name,
            ColumnRow.data_type,
            ColumnRow.position,
            ColumnRow.nullable,
            ColumnRow.default,
            ColumnRow.comment,
        )
        .join(TableRow, ColumnRow.table_id == TableRow.id)
        .join(SchemaRow, TableRow.schema_id == SchemaRow.id)
        .where(SchemaRow.warehouse_id == warehouse_id)
        .order_by(ColumnRow.table_id, ColumnRow.position)
    ):
        info = ColumnInfo(
            row.name, row.data_type, row.position, row.nullable, row.default, row.comment
        )
        stored.columns.setdefault(row.table_id, {})[row.name] = _Stored(
            row.id, row.removed_at is not None, info
        )

    for trow in session.execute(
        sa.select(
            TableRow.id,
            TableRow.schema_id,
            TableRow.name,
            TableRow.kind,
            TableRow.view_sql,
            TableRow.row_count,
            TableRow.row_count_exact,
            TableRow.comment,
            TableRow.removed_at,
        )
        .join(SchemaRow, TableRow.schema_id == SchemaRow.id)
        .where(SchemaRow.warehouse_id == warehouse_id)
    ):
        schema = schema_names[trow.schema_id]
        live_columns = tuple(
            c.info for c in stored.columns.get(trow.id, {}).values() if not c.removed
        )
        table = TableInfo(
            schema,
            trow.name,
            TableKind(trow.kind),
            live_columns,
            trow.view_sql,
            trow.row_count,
            trow.row_count_exact,
            trow.comment,
        )
        stored.tables[(schema, trow.name)] = _Stored(trow.id, trow.removed_at is not None, table)
    return stored


def snapshot_of(stored: StoredWarehouse) -> WarehouseSnapshot:
    """The live (not removed) part of the store, as the scan that wrote it saw it."""
    return WarehouseSnapshot(
        schemas=tuple(sorted(name for name, s in stored.schemas.items() if not s.removed)),
        tables=tuple(t.info for t in stored.tables.values() if not t.removed),
    )


def apply_snapshot(
    session: Session,
    warehouse_id: int,
    stored: StoredWarehouse,
    snapshot: WarehouseSnapshot,
    now: dt.datetime,
) -> None:
    """Make the stored rows match ``snapshot``, keeping steward metadata."""
    schema_ids = _apply_schemas(session, warehouse_id, stored, snapshot, now)

    new_tables: list[TableInfo] = []
    table_updates: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    column_work = _ColumnWork(now)
    for info in snapshot.tables:
        key = (info.schema, info.name)
        seen.add(key)
        existing = stored.tables.get(key)
        if existing is None:
            new_tables.append(info)
            continue
        if existing.removed or _table_fields(existing.info) != _table_fields(info):
            table_updates.append({"id": existing.id, "removed_at": None, **_table_fields(info)})
        column_work.diff(existing.id, stored.columns.get(existing.id, {}), info.columns)
    table_updates += [
        {"id": t.id, "removed_at": now}
        for key, t in stored.tables.items()
        if key not in seen and not t.removed
    ]

    if new_tables:
        ids = session.scalars(
            sa.insert(TableRow).returning(TableRow.id, sort_by_parameter_order=True),
            [
                {
                    "schema_id": schema_ids[t.schema],
                    "name": t.name,
                    "first_seen_at": now,
                    **_table_fields(t),
                }
                for t in new_tables
            ],
        ).all()
        for table_id, info in zip(ids, new_tables, strict=True):
            column_work.diff(table_id, {}, info.columns)
    _bulk_update(session, TableRow, table_updates)
    if column_work.inserts:
        session.execute(sa.insert(ColumnRow), column_work.inserts)
    _bulk_update(session, ColumnRow, column_work.updates)


class _ColumnWork:
    """Column inserts and updates collected across tables, written in bulk at the end."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []

    def diff(
        self, table_id: int, existing: dict[str, _Stored], columns: tuple[ColumnInfo, ...]
    ) -> None:
        names = set()
        for col in columns:
            names.add(col.name)
            old = existing.get(col.name)
            if old is None:
                self.inserts.append(
                    {
                        "table_id": table_id,
                        "name": col.name,
                        "first_seen_at": self.now,
                        **_column_fields(col),
                    }
                )
            elif old.removed or _column_fields(old.info) != _column_fields(col):
                self.updates.append({"id": old.id, "removed_at": None, **_column_fields(col)})
        for name, old in existing.items():
            if name not in names and not old.removed:
                self.updates.append({"id": old.id, "removed_at": self.now})


def _apply_schemas(
    session: Session,
    warehouse_id: int,
    stored: StoredWarehouse,
    snapshot: WarehouseSnapshot,
    now: dt.datetime,
) -> dict[str, int]:
    ids = {name: s.id for name, s in stored.schemas.items()}
    updates: list[dict[str, Any]] = []
    for name in snapshot.schemas:
        existing = stored.schemas.get(name)
        if existing is None:
            ids[name] = session.scalars(
                sa.insert(SchemaRow)
                .values(warehouse_id=warehouse_id, name=name, first_seen_at=now)
                .returning(SchemaRow.id)
            ).one()
        elif existing.removed:
            updates.append({"id": existing.id, "removed_at": None})
    wanted = set(snapshot.schemas)
    updates += [
        {"id": s.id, "removed_at": now}
        for name, s in stored.schemas.items()
        if name not in wanted and not s.removed
    ]
    _bulk_update(session, SchemaRow, updates)
    return ids


def _bulk_update(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """ORM bulk UPDATE by primary key, grouped so each batch has the same keys."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for batch in groups.values():
        session.execute(sa.update(model), batch)


def _table_fields(info: TableInfo) -> dict[str, Any]:
    return {
        "kind": info.kind.value,
        "view_sql": info.view_sql,
        "row_count": info.row_count,
        "row_count_exact": info.row_count_exact,
        "comment": info.comment,
    }


def _column_fields(col: ColumnInfo) -> dict[str, Any]:
    return {
        "position": col.position,
        "data_type": col.data_type,
        "nullable": col.nullable,
        "default": col.default,
        "comment": col.comment,
    }
