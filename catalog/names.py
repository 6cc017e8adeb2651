"""Catalog references: the dotted names people type, resolved to stored rows.

``[warehouse.]schema.table[.column]``, each part optionally double-quoted (a quoted part
may contain dots; ``""`` inside quotes is a literal quote). Matching is exact first and
case-insensitive second, as warehouses fold unquoted names differently. A name that
matches in several warehouses is an error that lists them, never a guess.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.errors import NotFoundError, UsageError
from catalog.store.models import ColumnRow, SchemaRow, TableRow, WarehouseRow


def require_warehouse(session: Session, name: str) -> WarehouseRow:
    """The warehouse called ``name``, or an error that lists the ones the catalog knows."""
    row = session.scalar(sa.select(WarehouseRow).where(WarehouseRow.name == name))
    if row is None:
        known = session.scalars(sa.select(WarehouseRow.name).order_by(WarehouseRow.name)).all()
        raise NotFoundError(
            f"no warehouse named {name!r} in the catalog",
            hint=f"Known: {', '.join(known)}." if known else "Scan one with `veil scan`.",
        )
    return row


def split_name(ref: str) -> list[str]:
    """Split a dotted reference into parts, honouring double quotes.

    >>> split_name('demo.sales."order.items".id')
    ['demo', 'sales', 'order.items', 'id']
    """
    parts: list[str] = []
    current: list[str] = []
    i, quoted, was_quoted = 0, False, False
    while i < len(ref):
        ch = ref[i]
        if quoted:
            if ch == '"' and ref[i + 1 : i + 2] == '"':
                current.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                current.append(ch)
        elif ch == '"':
            quoted = was_quoted = True
        elif ch == ".":
            parts.append(_part(current, was_quoted, ref))
            current, was_quoted = [], False
        else:
            current.append(ch)
        i += 1
    if quoted:
        raise UsageError(f"unbalanced double quote in {ref!r}")
    parts.append(_part(current, was_quoted, ref))
    return parts


def _part(chars: list[str], quoted: bool, ref: str) -> str:
    text = "".join(chars)
    if not quoted:
        text = text.strip()
    if not text:
        raise UsageError(
            f"{ref!r} has an empty name part", hint="Write schema.table or schema.table.column."
        )
    return text


@dataclass(frozen=True)
class ResolvedTable:
    warehouse: str
    schema: str
    table: TableRow

    @property
    def qualified_name(self) -> str:
        return f"{self.warehouse}.{self.schema}.{self.table.name}"


def resolve_table(session: Session, ref: str) -> ResolvedTable:
    """The live table or view named by ``[warehouse.]schema.table``."""
    parts = split_name(ref)
    if len(parts) not in (2, 3):
        raise UsageError(
            f"{ref!r} does not name a table", hint="Write schema.table or warehouse.schema.table."
        )
    warehouse, schema, table = _split_table(parts)
    return _one_table(session, ref, warehouse, schema, table)


def resolve_column(session: Session, ref: str) -> tuple[ResolvedTable, ColumnRow]:
    """The live column named by ``[warehouse.]schema.table.column``."""
    parts = split_name(ref)
    if len(parts) not in (3, 4):
        raise UsageError(
            f"{ref!r} does not name a column",
            hint="Write schema.table.column or warehouse.schema.table.column.",
        )
    *table_parts, column = parts
    warehouse, schema, table = _split_table(table_parts)
    resolved = _one_table(session, ref, warehouse, schema, table)
    live = [c for c in resolved.table.columns if c.removed_at is None]
    match = _pick([c for c in live if c.name == column]) or _pick(
        [c for c in live if c.name.lower() == column.lower()]
    )
    if match is None:
        raise NotFoundError(
            f"table {resolved.qualified_name} has no column {column!r}",
            hint=_suggest(column, [c.name for c in live]),
        )
    return resolved, match


def resolve(session: Session, ref: str) -> tuple[ResolvedTable, ColumnRow | None]:
    """A table (2 parts), a column (4 parts), or whichever of the two a 3-part name means."""
    parts = split_name(ref)
    if len(parts) == 2:
        return resolve_table(session, ref), None
    if len(parts) == 4:
        return resolve_column(session, ref)
    try:
        return resolve_table(session, ref), None
    except NotFoundError:
        return resolve_column(session, ref)


def _split_table(parts: list[str]) -> tuple[str | None, str, str]:
    """[warehouse,] schema, table → (warehouse or None, schema, table)."""
    if len(parts) == 2:
        return None, parts[0], parts[1]
    return parts[0], parts[1], parts[2]


def _one_table(
    session: Session, ref: str, warehouse: str | None, schema: str, table: str
) -> ResolvedTable:
    query = (
        sa.select(TableRow, SchemaRow.name, WarehouseRow.name)
        .join(SchemaRow, TableRow.schema_id == SchemaRow.id)
        .join(WarehouseRow, SchemaRow.warehouse_id == WarehouseRow.id)
        .where(TableRow.removed_at.is_(None))
        .where(sa.func.lower(TableRow.name) == table.lower())
        .where(sa.func.lower(SchemaRow.name) == schema.lower())
    )
    if warehouse is not None:
        query = query.where(sa.func.lower(WarehouseRow.name) == warehouse.lower())
    rows = session.execute(query).all()
    exact = [r for r in rows if r[0].name == table and r[1] == schema]
    candidates = exact or rows
    if not candidates:
        raise NotFoundError(
            f"no table or view {ref!r} in the catalog",
            hint="`veil catalog search` finds names; scan the warehouse first if it is new.",
        )
    if len(candidates) > 1:
        names = ", ".join(sorted(f"{w}.{s}.{t.name}" for t, s, w in candidates))
        raise UsageError(
            f"{ref!r} is ambiguous: {names}", hint="Prefix it with the warehouse name."
        )
    row, schema_name, warehouse_name = candidates[0]
    return ResolvedTable(warehouse_name, schema_name, row)


def _pick(rows: list[ColumnRow]) -> ColumnRow | None:
    return rows[0] if len(rows) == 1 else None


def _suggest(name: str, options: list[str]) -> str | None:
    match = difflib.get_close_matches(name, options, n=1)
    return f"Did you mean {match[0]!r}?" if match else None
