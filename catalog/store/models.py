"""SQLAlchemy models of the catalog store.

These rows are the store's private representation; the rest of Veil works with the
frozen dataclasses of :mod:`catalog.model`. Objects that disappear from a warehouse
are never deleted here: they get ``removed_at`` so that a steward's descriptions,
owners and tags survive a table being dropped and re-created, and the history of
schema changes keeps pointing at real rows. Every schema change to these models
needs an Alembic migration (a test compares the two).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite keeps no time zone; without this, values written as aware datetimes come
    back naive and comparisons between old and new rows break.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("catalog timestamps must be timezone-aware")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class WarehouseRow(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Full SQLAlchemy URL, password included: the gateway and scans need it. Only ever
    #: shown through catalog.connect.redact_url.
    url: Mapped[str] = mapped_column(Text)
    dialect: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_scan_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    schemas: Mapped[list[SchemaRow]] = relationship(
        back_populates="warehouse", cascade="all, delete-orphan"
    )


class SchemaRow(Base):
    __tablename__ = "schemas"
    __table_args__ = (UniqueConstraint("warehouse_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(400))
    description: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    warehouse: Mapped[WarehouseRow] = relationship(back_populates="schemas")
    tables: Mapped[list[TableRow]] = relationship(
        back_populates="schema", cascade="all, delete-orphan"
    )


class TableRow(Base):
    __tablename__ = "tables"
    __table_args__ = (UniqueConstraint("schema_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schema_id: Mapped[int] = mapped_column(ForeignKey("schemas.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(400))
    #: "table", "view" or "materialized_view" (catalog.model.TableKind).
    kind: Mapped[str] = mapped_column(String(30))
    view_sql: Mapped[str | None] = mapped_column(Text)
    row_count: Mapped[int | None] = mapped_column(BigInteger)
    row_count_exact: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text)  # the warehouse's own comment
    description: Mapped[str | None] = mapped_column(Text)  # steward-written
    owner: Mapped[str | None] = mapped_column(String(200))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    schema: Mapped[SchemaRow] = relationship(back_populates="tables")
    columns: Mapped[list[ColumnRow]] = relationship(
        back_populates="table", cascade="all, delete-orphan", order_by="ColumnRow.position"
    )
    tags: Mapped[list[TableTagRow]] = relationship(
        back_populates="table", cascade="all, delete-orphan"
    )


class ColumnRow(Base):
    __tablename__ = "columns"
    __table_args__ = (UniqueConstraint("table_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(400))
    position: Mapped[int] = mapped_column(Integer)
    data_type: Mapped[str] = mapped_column(String(400))
    nullable: Mapped[bool] = mapped_column(Boolean, default=True)
    default: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    table: Mapped[TableRow] = relationship(back_populates="columns")
    tags: Mapped[list[ColumnTagRow]] = relationship(
        back_populates="column", cascade="all, delete-orphan"
    )


class TagRow(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)


class TableTagRow(Base):
    __tablename__ = "table_tags"

    table_id: Mapped[int] = mapped_column(
        ForeignKey("tables.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    #: Who put it there: "steward", "classifier", "lineage".
    source: Mapped[str] = mapped_column(String(30))
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    table: Mapped[TableRow] = relationship(back_populates="tags")
    tag: Mapped[TagRow] = relationship(lazy="joined")


class ColumnTagRow(Base):
    __tablename__ = "column_tags"

    column_id: Mapped[int] = mapped_column(
        ForeignKey("columns.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(30))
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    column: Mapped[ColumnRow] = relationship(back_populates="tags")
    tag: Mapped[TagRow] = relationship(lazy="joined")


class ScanRunRow(Base):
    __tablename__ = "scan_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: "running", "succeeded" or "failed".
    status: Mapped[str] = mapped_column(String(20), default="running")
    schemas_scanned: Mapped[int] = mapped_column(Integer, default=0)
    tables_scanned: Mapped[int] = mapped_column(Integer, default=0)
    columns_scanned: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class SchemaChangeRow(Base):
    __tablename__ = "schema_changes"
    __table_args__ = (Index("ix_schema_changes_warehouse_detected", "warehouse_id", "detected_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"))
    #: catalog.model.ChangeKind value.
    kind: Mapped[str] = mapped_column(String(40))
    schema_name: Mapped[str] = mapped_column(String(400))
    table_name: Mapped[str | None] = mapped_column(String(400))
    column_name: Mapped[str | None] = mapped_column(String(400))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PiiSuggestionRow(Base):
    """One claim that a column holds personal data, and what a steward decided about it.

    Rows are claims, not column state: a column can have a steward's decision
    (``confirmed``/``rejected``) and, beside it, a newer open suggestion (``suggested``)
    when a re-classification saw different data. Decisions are only ever changed by a
    steward (catalog.pii); classification runs add, update or withdraw open rows.
    """

    __tablename__ = "pii_suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("columns.id", ondelete="CASCADE"), index=True)
    #: catalog.model.PiiEntity value, or a custom recognizer's UPPER_SNAKE name.
    entity: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    #: catalog.model.PiiStatus value.
    status: Mapped[str] = mapped_column(String(20))
    #: Who made the claim: "classifier", "lineage" or "steward".
    source: Mapped[str] = mapped_column(String(30))
    #: JSON object: counts, signals, alternatives. Never raw values.
    evidence: Mapped[str] = mapped_column(Text)
    masked_example: Mapped[str | None] = mapped_column(Text)
    #: Digest of what the sampled data looked like (catalog.classify.decide.fingerprint).
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class LineageStatementRow(Base):
    """One distinct statement (by fingerprint) seen in a warehouse's query logs or views.

    Only the normalized text is kept (literals folded to ``?``): a literal in a logged
    query can be personal data (``WHERE email = '…'``), and lineage does not need it.
    """

    __tablename__ = "lineage_statements"
    __table_args__ = (UniqueConstraint("warehouse_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    normalized_sql: Mapped[str] = mapped_column(Text)
    dialect: Mapped[str | None] = mapped_column(String(40))
    #: lineage.model.StatementLineage.kind: select, insert, create_table_as, view, …
    kind: Mapped[str | None] = mapped_column(String(40))
    #: Why it could not be parsed, kept for review; None when lineage was read.
    error: Mapped[str | None] = mapped_column(Text)
    #: "log" or "view".
    origin: Mapped[str] = mapped_column(String(20), default="log")
    executions: Mapped[int] = mapped_column(Integer, default=0)
    first_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class LineageEdgeRow(Base):
    """A column edge: data of ``source`` flows into ``target`` (names relative to the
    warehouse: ``schema.table.column``, or bare output names for plain SELECTs)."""

    __tablename__ = "lineage_edges"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "source", "target", "kind"),
        Index("ix_lineage_edges_target", "warehouse_id", "target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(1000))
    target: Mapped[str] = mapped_column(String(1000))
    #: lineage.model.EdgeKind value.
    kind: Mapped[str] = mapped_column(String(20))
    executions: Mapped[int] = mapped_column(Integer, default=0)
    first_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class LineageEdgeStatementRow(Base):
    """Which statements made an edge."""

    __tablename__ = "lineage_edge_statements"

    edge_id: Mapped[int] = mapped_column(
        ForeignKey("lineage_edges.id", ondelete="CASCADE"), primary_key=True
    )
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("lineage_statements.id", ondelete="CASCADE"), primary_key=True
    )


class LineageLogRecordRow(Base):
    """A log record already ingested (by a digest of its identity), so that ingesting
    the same file, or an overlapping one, twice adds nothing."""

    __tablename__ = "lineage_log_records"
    __table_args__ = (UniqueConstraint("warehouse_id", "record_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"))
    record_key: Mapped[str] = mapped_column(String(64))


class PolicyVersionRow(Base):
    """One applied version of the policy (policies.store). Rows are never changed or
    deleted: the history is what auditors export. The newest number is in force."""

    __tablename__ = "policy_versions"

    #: 1, 2, 3, … in the order applied; the primary key makes concurrent applies that
    #: pick the same number fail (and retry) instead of both succeeding.
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    #: The YAML exactly as applied (what `veil policy export` prints).
    source: Mapped[str] = mapped_column(Text)
    #: policies.document.canonical_yaml of it: what versions are compared and diffed by.
    canonical: Mapped[str] = mapped_column(Text)
    #: Unified diff of ``canonical`` against the previous version's.
    diff: Mapped[str] = mapped_column(Text)
    #: SHA-256 (hex) of ``canonical``.
    checksum: Mapped[str] = mapped_column(String(64))


class AuditLogRow(Base):
    """One audit record (policies.audit), hash-chained to the one before it.

    ``record`` is the canonical JSON that ``hash`` covers; ``time``, ``kind``,
    ``user_name`` and ``decision`` repeat fields of it so reports can select by them,
    and ``veil audit verify`` checks they still agree. Rows are only ever inserted.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_time", "time"),
        Index("ix_audit_log_user_time", "user_name", "time"),
    )

    #: 1, 2, 3, … with no gaps: the position in the chain.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: policies.audit.AuditKind value.
    kind: Mapped[str] = mapped_column(String(20))
    user_name: Mapped[str] = mapped_column(String(200))
    #: "allowed" or "refused"; None for outcome records.
    decision: Mapped[str | None] = mapped_column(String(10))
    record: Mapped[str] = mapped_column(Text)
    #: ``hash`` of the record before (64 zeros for the first).
    prev_hash: Mapped[str] = mapped_column(String(64))
    #: SHA-256 (or HMAC-SHA-256 under ``audit_key``) of prev_hash and record, hex.
    hash: Mapped[str] = mapped_column(String(64))
    #: Fingerprint of the audit key the hash was made with; "" when unkeyed.
    key_id: Mapped[str] = mapped_column(String(16))


class AuditHeadRow(Base):
    """The newest audit record's seq and hash, in one row (id 1) updated with each append.

    Appenders lock this row, which keeps the chain linear across gateway processes; and
    verify compares it with the last record, which reveals a truncated tail.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class GatewayUserRow(Base):
    """A gateway login (policies.users): the name and a SCRAM-SHA-256 verifier, never a
    password. What the user may see comes from the policy's ``users:`` section; this
    row only proves who is connecting."""

    __tablename__ = "gateway_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: PostgreSQL's text form: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>.
    verifier: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GatewaySecretRow(Base):
    """Secrets every gateway sharing this store must agree on, generated on first use.

    ``scram_mock_key`` makes the salts shown for logins that do not exist: the same on
    every gateway and after restarts, as a real user's salt is.
    """

    __tablename__ = "gateway_secrets"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
