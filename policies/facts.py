"""What enforcement needs to know about a warehouse's tables, read from the catalog at once.

Decisions run per query, so they must not query the catalog store per column: a
gateway loads :class:`WarehouseFacts` once and reloads it when
:func:`catalog_version` changes. Facts carry exactly what policies look at: column
names and types, tags, and the PII claims masking must honour (confirmed and open
suggestions, per :func:`catalog.pii.pii_to_mask`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.browse import live_tables_query
from catalog.connect import sqlglot_dialect
from catalog.model import PiiInfo
from catalog.names import require_warehouse
from catalog.pii import pii_to_mask
from catalog.store.models import (
    ColumnTagRow,
    PiiSuggestionRow,
    ScanRunRow,
    TableTagRow,
    WarehouseRow,
)


@dataclass(frozen=True)
class ColumnFacts:
    name: str
    data_type: str
    tags: frozenset[str] = frozenset()
    pii: tuple[PiiInfo, ...] = ()  # claims to mask: confirmed first, then open suggestions


@dataclass(frozen=True)
class TableFacts:
    warehouse: str
    schema: str
    name: str
    kind: str = "table"
    columns: tuple[ColumnFacts, ...] = ()
    view_sql: str | None = None
    tags: frozenset[str] = frozenset()

    def column(self, name: str) -> ColumnFacts | None:
        """The column named ``name``: exact spelling first, then ignoring case."""
        for c in self.columns:
            if c.name == name:
                return c
        lowered = name.lower()
        matches = [c for c in self.columns if c.name.lower() == lowered]
        return matches[0] if len(matches) == 1 else None

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class WarehouseFacts:
    """Every live table of one warehouse, found by schema and name ignoring case."""

    warehouse: str
    dialect: str
    tables: tuple[TableFacts, ...] = ()
    _index: Mapping[tuple[str, str], tuple[TableFacts, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], list[TableFacts]] = {}
        for t in self.tables:
            index.setdefault((t.schema.lower(), t.name.lower()), []).append(t)
        object.__setattr__(self, "_index", {k: tuple(v) for k, v in index.items()})

    def find(self, schema: str, name: str) -> TableFacts | None:
        """The table ``schema.name``: exact spelling first, then ignoring case."""
        candidates = self._index.get((schema.lower(), name.lower()), ())
        for t in candidates:
            if t.schema == schema and t.name == name:
                return t
        return candidates[0] if len(candidates) == 1 else None

    @property
    def schemas(self) -> frozenset[str]:
        return frozenset(t.schema.lower() for t in self.tables)


def load_warehouse_facts(session: Session, warehouse: str) -> WarehouseFacts:
    """Load every live table of ``warehouse`` with tags and PII to mask, in a few queries."""
    row = require_warehouse(session, warehouse)
    loaded = session.execute(live_tables_query().where(WarehouseRow.id == row.id)).unique().all()
    column_ids = [c.id for t, _, _ in loaded for c in t.columns if c.removed_at is None]
    pii = pii_to_mask(session, column_ids)
    tables = []
    for t, schema, _ in loaded:
        columns = tuple(
            ColumnFacts(
                name=c.name,
                data_type=c.data_type,
                tags=frozenset(tag.tag.name for tag in c.tags),
                pii=pii.get(c.id, ()),
            )
            for c in t.columns
            if c.removed_at is None
        )
        tables.append(
            TableFacts(
                warehouse=row.name,
                schema=schema,
                name=t.name,
                kind=t.kind,
                columns=columns,
                view_sql=t.view_sql,
                tags=frozenset(tag.tag.name for tag in t.tags),
            )
        )
    return WarehouseFacts(row.name, sqlglot_dialect(row.dialect), tuple(tables))


def catalog_version(session: Session) -> str:
    """A cheap token that changes whenever anything enforcement reads may have changed.

    Scans (new runs), PII claims (count and newest change) and tags (count and newest)
    are what decisions depend on; descriptions and owners are not. A cache keyed by this
    token is invalidated by any scan, classification, review or tagging.
    """
    parts = [
        session.execute(sa.select(sa.func.max(ScanRunRow.id))).scalar(),
        *session.execute(
            sa.select(sa.func.count(), sa.func.max(PiiSuggestionRow.updated_at))
        ).one(),
        *session.execute(sa.select(sa.func.count(), sa.func.max(ColumnTagRow.created_at))).one(),
        *session.execute(sa.select(sa.func.count(), sa.func.max(TableTagRow.created_at))).one(),
    ]
    return "|".join("" if p is None else str(p) for p in parts)
