"""Schema drift: the differences between what the catalog knew and what a scan saw.

A pure function over two snapshots, so every case is a line in a test table. Removed
objects are reported once (the store marks them removed rather than deleting them);
an object that comes back is reported as added again.
"""

from __future__ import annotations

from collections.abc import Iterable

from catalog.model import ChangeKind, SchemaChange, TableInfo, TableKind, WarehouseSnapshot


def diff_snapshots(old: WarehouseSnapshot, new: WarehouseSnapshot) -> list[SchemaChange]:
    """Every schema, table and column change from ``old`` to ``new``, in a stable order."""
    changes: list[SchemaChange] = []
    old_schemas, new_schemas = set(old.schemas), set(new.schemas)
    changes += [SchemaChange(ChangeKind.SCHEMA_ADDED, s) for s in sorted(new_schemas - old_schemas)]
    changes += [
        SchemaChange(ChangeKind.SCHEMA_REMOVED, s) for s in sorted(old_schemas - new_schemas)
    ]

    old_tables, new_tables = _by_name(old.tables), _by_name(new.tables)
    for key in sorted(old_tables.keys() | new_tables.keys()):
        before, after = old_tables.get(key), new_tables.get(key)
        if before is None and after is not None:
            changes.append(
                SchemaChange(ChangeKind.TABLE_ADDED, after.schema, after.name, new=after.kind.value)
            )
        elif after is None and before is not None:
            changes.append(
                SchemaChange(
                    ChangeKind.TABLE_REMOVED, before.schema, before.name, old=before.kind.value
                )
            )
        elif before is not None and after is not None:
            changes += diff_tables(before, after)
    return changes


def diff_tables(before: TableInfo, after: TableInfo) -> list[SchemaChange]:
    """Changes within one table or view that exists in both scans."""
    schema, name = after.schema, after.name
    changes: list[SchemaChange] = []
    if before.kind != after.kind:
        changes.append(
            SchemaChange(
                ChangeKind.TABLE_KIND_CHANGED,
                schema,
                name,
                old=before.kind.value,
                new=after.kind.value,
            )
        )
    elif after.kind is not TableKind.TABLE and _normalize_sql(before.view_sql) != _normalize_sql(
        after.view_sql
    ):
        changes.append(
            SchemaChange(
                ChangeKind.VIEW_DEFINITION_CHANGED,
                schema,
                name,
                old=before.view_sql,
                new=after.view_sql,
            )
        )

    old_cols = {c.name: c for c in before.columns}
    new_cols = {c.name: c for c in after.columns}
    for col in after.columns:
        prev = old_cols.get(col.name)
        if prev is None:
            changes.append(
                SchemaChange(ChangeKind.COLUMN_ADDED, schema, name, col.name, new=col.data_type)
            )
            continue
        if prev.data_type != col.data_type:
            changes.append(
                SchemaChange(
                    ChangeKind.COLUMN_TYPE_CHANGED,
                    schema,
                    name,
                    col.name,
                    old=prev.data_type,
                    new=col.data_type,
                )
            )
        if prev.nullable != col.nullable:
            changes.append(
                SchemaChange(
                    ChangeKind.COLUMN_NULLABILITY_CHANGED,
                    schema,
                    name,
                    col.name,
                    old=_nullability(prev.nullable),
                    new=_nullability(col.nullable),
                )
            )
    for col in before.columns:
        if col.name not in new_cols:
            changes.append(
                SchemaChange(ChangeKind.COLUMN_REMOVED, schema, name, col.name, old=col.data_type)
            )
    return changes


def _by_name(tables: Iterable[TableInfo]) -> dict[tuple[str, str], TableInfo]:
    return {(t.schema, t.name): t for t in tables}


def _normalize_sql(sql: str | None) -> str:
    """Whitespace-insensitive form, so re-indentation by the engine is not drift."""
    return " ".join((sql or "").split()).rstrip(";").strip()


def _nullability(nullable: bool) -> str:
    return "NULL" if nullable else "NOT NULL"
