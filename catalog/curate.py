"""Steward metadata: descriptions, owners and tags on tables and columns.

This is the part of the catalog people write. Scans never change it (see
catalog.store.snapshot), and it stays attached to an object that disappears from the
warehouse, ready for when it comes back.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.errors import UsageError
from catalog.names import resolve, resolve_table
from catalog.store import Store
from catalog.store.models import ColumnRow, ColumnTagRow, TableTagRow, TagRow

_TAG = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,199}$")

#: Who may put a tag on an object; the classifier and lineage add theirs in later steps.
TAG_SOURCES = ("steward", "classifier", "lineage")


def normalize_tag(tag: str) -> str:
    """Tags are lowercase dotted words (``pii``, ``pii.email_address``, ``finance``)."""
    name = tag.strip().lower()
    if not _TAG.match(name):
        raise UsageError(
            f"{tag!r} is not a valid tag",
            hint="Use lowercase letters, digits, '_', '.', ':' or '-', e.g. pii.email_address.",
        )
    return name


def set_description(store: Store, ref: str, text: str | None) -> str:
    """Set (or with None, clear) the description of a table or column; returns its full name."""
    with store.session() as session:
        table, column = resolve(session, ref)
        target = column if column is not None else table.table
        target.description = text.strip() if text and text.strip() else None
        return _name(table.qualified_name, column.name if column is not None else None)


def set_owner(store: Store, ref: str, owner: str | None) -> str:
    """Set (or clear) the owner of a table; returns its full name."""
    with store.session() as session:
        table = resolve_table(session, ref)
        table.table.owner = owner.strip() if owner and owner.strip() else None
        return table.qualified_name


def add_tag(
    store: Store, ref: str, tag: str, *, source: str = "steward", by: str | None = None
) -> str:
    """Tag a table or column (idempotent); returns its full name."""
    _check_source(source)
    name = normalize_tag(tag)
    with store.session() as session:
        table, column = resolve(session, ref)
        if column is not None:
            tag_column(session, column, name, source=source, by=by)
        else:
            tag_row = _tag(session, name)
            if not any(t.tag_id == tag_row.id for t in table.table.tags):
                table.table.tags.append(TableTagRow(tag=tag_row, source=source, created_by=by))
        return _name(table.qualified_name, column.name if column is not None else None)


def remove_tag(store: Store, ref: str, tag: str) -> bool:
    """Remove a tag from a table or column; False when it was not there."""
    name = normalize_tag(tag)
    with store.session() as session:
        table, column = resolve(session, ref)
        if column is not None:
            return untag_column(column, name)
        table_link = next((t for t in table.table.tags if t.tag.name == name), None)
        if table_link is not None:
            table.table.tags.remove(table_link)
        return table_link is not None


def tag_column(
    session: Session, column: ColumnRow, tag: str, *, source: str = "steward", by: str | None = None
) -> bool:
    """Tag a column inside the caller's unit of work (idempotent); True when newly added.

    For library code that changes tags together with other rows in one transaction (a
    steward confirming PII gets its ``pii`` tags in the same commit as the decision).
    """
    _check_source(source)
    tag_row = _tag(session, normalize_tag(tag))
    if any(t.tag_id == tag_row.id for t in column.tags):
        return False
    column.tags.append(ColumnTagRow(tag=tag_row, source=source, created_by=by))
    return True


def untag_column(column: ColumnRow, tag: str) -> bool:
    """Remove a tag from a column inside the caller's unit of work; False when absent."""
    name = normalize_tag(tag)
    link = next((t for t in column.tags if t.tag.name == name), None)
    if link is not None:
        column.tags.remove(link)
    return link is not None


def _check_source(source: str) -> None:
    if source not in TAG_SOURCES:
        raise UsageError(f"unknown tag source {source!r}; expected one of {', '.join(TAG_SOURCES)}")


def _tag(session: Session, name: str) -> TagRow:
    row = session.scalar(sa.select(TagRow).where(TagRow.name == name))
    if row is None:
        row = TagRow(name=name)
        session.add(row)
        session.flush()
    return row


def _name(table: str, column: str | None) -> str:
    return f"{table}.{column}" if column else table
