"""Domain records of the catalog: what a warehouse looks like, and how it changed.

Plain frozen dataclasses with no I/O, so reflection, drift detection, export and
search can be tested as pure functions. Names keep the warehouse's own spelling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class TableKind(StrEnum):
    TABLE = "table"
    VIEW = "view"
    MATERIALIZED_VIEW = "materialized_view"


@dataclass(frozen=True)
class ColumnInfo:
    """One column as the warehouse reports it."""

    name: str
    data_type: str
    position: int
    nullable: bool = True
    default: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class TableInfo:
    """One table or view as the warehouse reports it.

    ``view_sql`` is the view's query (the SELECT, without ``CREATE VIEW … AS``), so the
    same text comes back whichever engine reported it. ``row_count`` is exact when
    ``row_count_exact`` is true, an engine estimate otherwise, and None when unknown.
    """

    schema: str
    name: str
    kind: TableKind
    columns: tuple[ColumnInfo, ...] = ()
    view_sql: str | None = None
    row_count: int | None = None
    row_count_exact: bool = False
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class WarehouseSnapshot:
    """Everything one scan saw: schema names (including empty ones) and their tables."""

    schemas: tuple[str, ...]
    tables: tuple[TableInfo, ...]


class ChangeKind(StrEnum):
    SCHEMA_ADDED = "schema_added"
    SCHEMA_REMOVED = "schema_removed"
    TABLE_ADDED = "table_added"
    TABLE_REMOVED = "table_removed"
    TABLE_KIND_CHANGED = "table_kind_changed"
    VIEW_DEFINITION_CHANGED = "view_definition_changed"
    COLUMN_ADDED = "column_added"
    COLUMN_REMOVED = "column_removed"
    COLUMN_TYPE_CHANGED = "column_type_changed"
    COLUMN_NULLABILITY_CHANGED = "column_nullability_changed"


@dataclass(frozen=True)
class SchemaChange:
    """One difference between two scans of the same warehouse."""

    kind: ChangeKind
    schema: str
    table: str | None = None
    column: str | None = None
    old: str | None = None
    new: str | None = None

    def describe(self) -> str:
        """A line for people: ``column sales.orders.total type changed: DECIMAL(12,2) → DOUBLE``."""
        target = ".".join(p for p in (self.schema, self.table, self.column) if p)
        noun, _, verb = self.kind.value.partition("_")
        text = f"{noun} {target} {verb.replace('_', ' ')}"
        if self.kind is ChangeKind.VIEW_DEFINITION_CHANGED:
            return text
        if verb == "added":
            return f"{text} ({self.new})" if self.new else text
        if verb == "removed":
            return f"{text} (was {self.old})" if self.old else text
        return f"{text}: {self.old} → {self.new}"


class PiiEntity(StrEnum):
    """Kinds of personal data Veil recognizes. Tags are ``pii`` and ``pii.<value lowercased>``."""

    EMAIL_ADDRESS = "EMAIL_ADDRESS"
    PHONE_NUMBER = "PHONE_NUMBER"
    PERSON = "PERSON"
    US_SSN = "US_SSN"
    CREDIT_CARD = "CREDIT_CARD"
    IBAN_CODE = "IBAN_CODE"
    IP_ADDRESS = "IP_ADDRESS"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    STREET_ADDRESS = "STREET_ADDRESS"
    US_PASSPORT = "US_PASSPORT"
    US_DRIVER_LICENSE = "US_DRIVER_LICENSE"
    FREE_TEXT_PII = "FREE_TEXT_PII"
    #: Only from a full spaCy model (NER) or custom recognizers.
    LOCATION = "LOCATION"
    ORGANIZATION = "ORGANIZATION"

    @property
    def tag(self) -> str:
        return f"pii.{self.value.lower()}"


class PiiStatus(StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


@dataclass(frozen=True)
class PiiSuggestion:
    """What the classifier (or lineage propagation) thinks one column holds, and why.

    ``entity`` is a PiiEntity value, or the name of a custom recognizer from veil.yaml.
    ``evidence`` is JSON-serializable: sample and hit counts, the signals that fired
    (value recognizers, column name, type), other candidate entities. ``masked_example``
    shows the shape of a matching value with its characters masked; never a raw value.
    """

    entity: str
    score: float
    evidence: dict[str, object]
    masked_example: str | None = None


@dataclass(frozen=True)
class PiiInfo:
    entity: str
    score: float
    status: str  # PiiStatus value


@dataclass(frozen=True)
class CatalogColumn:
    name: str
    data_type: str
    position: int
    nullable: bool
    tags: tuple[str, ...] = ()
    description: str | None = None
    pii: PiiInfo | None = None


@dataclass(frozen=True)
class CatalogTable:
    """A table as the catalog knows it: the warehouse's facts plus steward metadata."""

    warehouse: str
    schema: str
    name: str
    kind: TableKind
    columns: tuple[CatalogColumn, ...] = ()
    view_sql: str | None = None
    row_count: int | None = None
    row_count_exact: bool = False
    description: str | None = None  # written by a steward
    comment: str | None = None  # the warehouse's own comment
    owner: str | None = None
    tags: tuple[str, ...] = field(default=())

    @property
    def qualified_name(self) -> str:
        return f"{self.warehouse}.{self.schema}.{self.name}"
