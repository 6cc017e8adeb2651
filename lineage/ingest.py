"""Ingestion: query-log records and view definitions → statements and column edges in the store.

Per batch of records: drop failed statements (counted), drop records already ingested
(a digest of each record's identity is kept, so re-ingesting a file, or an overlapping
one, adds nothing), fingerprint the rest (literals and whitespace folded) and parse each
*distinct* new statement once, in worker processes when there are many. Statements
already known only get their execution counts bumped. Memory stays bounded by the batch
size and the number of distinct statements, whatever the size of the log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.connect import sqlglot_dialect
from catalog.model import TableKind
from catalog.names import require_warehouse
from catalog.scan import ProgressFn
from catalog.store import Store
from catalog.store.models import (
    ColumnRow,
    LineageEdgeRow,
    LineageEdgeStatementRow,
    LineageLogRecordRow,
    LineageStatementRow,
    SchemaRow,
    TableRow,
    utcnow,
)
from lineage.fingerprint import fingerprint, normalize
from lineage.model import StatementLineage
from lineage.parse import statement_lineage
from lineage.readers.records import LogRecord, Status

_BATCH = 2000
_PARALLEL_ABOVE = 64


@dataclass
class IngestReport:
    records: int = 0  # records read
    duplicates: int = 0  # already ingested before
    failed: int = 0  # statements the warehouse itself reported as failed: skipped
    statements: int = 0  # distinct statements seen in this run
    new_statements: int = 0  # of which parsed for the first time
    unparseable: int = 0  # of which could not be parsed (kept with their error)
    edges: int = 0  # distinct edges touched
    errors: list[str] = field(default_factory=list)  # first few parse errors, with context


@dataclass(frozen=True)
class _Work:
    """One distinct statement to parse, with the context of its first occurrence."""

    sql: str
    dialect: str | None
    default_db: str | None
    default_schema: str | None


@dataclass(frozen=True)
class WarehouseContext:
    """What ingestion needs to know about the warehouse, read once."""

    id: int
    name: str
    dialect: str
    database: str | None  # the warehouse's own database/catalog name
    schema: dict[str, list[str]]  # "[db.]schema.table" -> columns, for star expansion


def warehouse_context(store: Store, name: str) -> WarehouseContext:
    with store.session() as session:
        row = require_warehouse(session, name)
        database = sa.make_url(row.url).database
        if row.dialect in ("duckdb", "sqlite") and database:
            database = os.path.splitext(os.path.basename(database))[0]
        schema: dict[str, list[str]] = {}
        query = (
            sa.select(SchemaRow.name, TableRow.name, ColumnRow.name)
            .join(TableRow, TableRow.schema_id == SchemaRow.id)
            .join(ColumnRow, ColumnRow.table_id == TableRow.id)
            .where(SchemaRow.warehouse_id == row.id, TableRow.removed_at.is_(None))
            .where(ColumnRow.removed_at.is_(None))
            .order_by(SchemaRow.name, TableRow.name, ColumnRow.position)
        )
        for schema_name, table, column in session.execute(query):
            key = f"{database}.{schema_name}.{table}" if database else f"{schema_name}.{table}"
            schema.setdefault(key, []).append(column)
        return WarehouseContext(row.id, row.name, sqlglot_dialect(row.dialect), database, schema)


def ingest_records(
    store: Store,
    warehouse: str,
    records: Iterable[LogRecord],
    *,
    workers: int = 0,
    progress: ProgressFn | None = None,
    origin: str = "log",
) -> IngestReport:
    """Ingest log records (any reader's) into the lineage graph of ``warehouse``."""
    ctx = warehouse_context(store, warehouse)
    report = IngestReport()
    known: dict[str, int] = {}  # fingerprint -> statement id
    iterator = iter(records)
    while batch := list(islice(iterator, _BATCH)):
        _ingest_batch(store, ctx, batch, report, known, workers, origin)
        if progress is not None:
            progress("ingesting", report.records, None, f"{report.statements} statements")
    report.statements = len(known)
    return report


def ingest_views(store: Store, warehouse: str, *, workers: int = 0) -> IngestReport:
    """View definitions from the catalog count as statements that write the view."""
    ctx = warehouse_context(store, warehouse)
    with store.session() as session:
        rows = session.execute(
            sa.select(SchemaRow.name, TableRow.name, TableRow.view_sql)
            .join(TableRow, TableRow.schema_id == SchemaRow.id)
            .where(SchemaRow.warehouse_id == ctx.id, TableRow.removed_at.is_(None))
            .where(TableRow.kind != TableKind.TABLE.value, TableRow.view_sql.is_not(None))
        ).all()
    records = [
        LogRecord(
            query_text=f'CREATE VIEW "{schema}"."{name}" AS {sql}',
            line=i,
            database=ctx.database,
            schema=schema,
            query_id=f"view:{schema}.{name}:{_digest(sql)}",
        )
        for i, (schema, name, sql) in enumerate(rows, start=1)
    ]
    return ingest_records(store, warehouse, records, workers=workers, origin="view")


def _ingest_batch(
    store: Store,
    ctx: WarehouseContext,
    batch: list[LogRecord],
    report: IngestReport,
    known: dict[str, int],
    workers: int,
    origin: str,
) -> None:
    report.records += len(batch)
    keyed = {_record_key(r): r for r in batch}
    with store.session() as session:
        seen = _existing_keys(session, ctx.id, list(keyed))
        report.duplicates += len(batch) - len(keyed) + len(seen)
        fresh = [r for k, r in keyed.items() if k not in seen]
        if keyed.keys() - seen:
            session.execute(
                sa.insert(LineageLogRecordRow),
                [{"warehouse_id": ctx.id, "record_key": k} for k in keyed if k not in seen],
            )
        ok = [r for r in fresh if r.status is Status.SUCCESS]
        report.failed += len(fresh) - len(ok)

        by_print: dict[str, list[LogRecord]] = {}
        for record in ok:
            by_print.setdefault(_statement_key(record, ctx), []).append(record)
        _load_known(session, ctx.id, [f for f in by_print if f not in known], known)
        new = {f: rs[0] for f, rs in by_print.items() if f not in known}
        parsed = _parse_all(ctx, new, workers)
        for fp, record in new.items():
            result = parsed[fp]
            dialect = record.dialect or ctx.dialect
            statement = LineageStatementRow(
                warehouse_id=ctx.id,
                fingerprint=fp,
                normalized_sql=normalize(record.query_text, dialect)[:20_000],
                dialect=dialect,
                kind=result.kind or None,
                error=result.error,
                origin=origin,
                executions=0,
            )
            session.add(statement)
            session.flush()
            known[fp] = statement.id
            report.new_statements += 1
            if result.error:
                report.unparseable += 1
                if len(report.errors) < 20:
                    report.errors.append(f"line {record.line}: {result.error}")
            _add_edges(session, ctx, statement.id, result)
        for fp, records in by_print.items():
            _count(session, known[fp], records)
        report.edges = (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(LineageEdgeRow)
                .where(LineageEdgeRow.warehouse_id == ctx.id)
            )
            or 0
        )


def _add_edges(
    session: Session, ctx: WarehouseContext, statement_id: int, result: StatementLineage
) -> None:
    for edge in result.edges:
        if not result.targets:
            continue  # a plain SELECT writes nothing: its "targets" are output names
        source, target = _relative(edge.source, ctx), _relative(edge.target, ctx)
        row = session.scalar(
            sa.select(LineageEdgeRow).where(
                LineageEdgeRow.warehouse_id == ctx.id,
                LineageEdgeRow.source == source,
                LineageEdgeRow.target == target,
                LineageEdgeRow.kind == edge.kind.value,
            )
        )
        if row is None:
            row = LineageEdgeRow(
                warehouse_id=ctx.id,
                source=source,
                target=target,
                kind=edge.kind.value,
                executions=0,
            )
            session.add(row)
            session.flush()
        exists = session.get(LineageEdgeStatementRow, (row.id, statement_id))
        if exists is None:
            session.add(LineageEdgeStatementRow(edge_id=row.id, statement_id=statement_id))


def _count(session: Session, statement_id: int, records: Sequence[LogRecord]) -> None:
    times = [r.start_time for r in records if r.start_time is not None]
    first, last = (min(times), max(times)) if times else (utcnow(), utcnow())
    statement = session.get_one(LineageStatementRow, statement_id)
    statement.executions += len(records)
    statement.first_seen_at = _earliest(statement.first_seen_at, first)
    statement.last_seen_at = _latest(statement.last_seen_at, last)
    edge_ids = session.scalars(
        sa.select(LineageEdgeStatementRow.edge_id).where(
            LineageEdgeStatementRow.statement_id == statement_id
        )
    ).all()
    for edge in session.scalars(sa.select(LineageEdgeRow).where(LineageEdgeRow.id.in_(edge_ids))):
        edge.executions += len(records)
        edge.first_seen_at = _earliest(edge.first_seen_at, first)
        edge.last_seen_at = _latest(edge.last_seen_at, last)


def _parse_all(
    ctx: WarehouseContext, new: dict[str, LogRecord], workers: int
) -> dict[str, StatementLineage]:
    work = {
        fp: _Work(
            r.query_text,
            r.dialect or ctx.dialect,
            r.database or ctx.database,
            r.schema,
        )
        for fp, r in new.items()
    }
    global _SCHEMA
    _SCHEMA = ctx.schema
    n = workers or (os.cpu_count() or 1)
    if len(work) < _PARALLEL_ABOVE or n <= 1 or not hasattr(os, "fork"):
        return {fp: _parse(w) for fp, w in work.items()}
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(n, mp_context=context) as pool:
        results = pool.map(_parse, work.values(), chunksize=16)
        return dict(zip(work.keys(), results, strict=True))


#: The warehouse schema, set before forking parse workers (inherited, not pickled).
_SCHEMA: dict[str, list[str]] = {}


def _parse(work: _Work) -> StatementLineage:
    return statement_lineage(
        work.sql,
        work.dialect,
        schema=_SCHEMA or None,
        default_db=work.default_db,
        default_schema=work.default_schema,
    )


def _relative(name: str, ctx: WarehouseContext) -> str:
    """``demo.sales.orders.id`` → ``sales.orders.id`` in warehouse ``demo``."""
    if ctx.database and name.count(".") >= 3 and name.split(".", 1)[0] == ctx.database.lower():
        return name.split(".", 1)[1]
    return name


def _statement_key(record: LogRecord, ctx: WarehouseContext) -> str:
    """The statement's identity: its fingerprint *and* its name-resolution context, since
    ``SELECT * FROM orders`` means another table under another default schema."""
    dialect = record.dialect or ctx.dialect
    context = f"{record.database or ''}|{record.schema or ''}"
    return hashlib.blake2b(
        f"{fingerprint(record.query_text, dialect)}|{context}".encode(), digest_size=16
    ).hexdigest()


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _record_key(record: LogRecord) -> str:
    identity = record.query_id or f"{record.start_time}|{record.user}|{record.query_text}"
    return hashlib.blake2b(identity.encode(), digest_size=16).hexdigest()


def _existing_keys(session: Session, warehouse_id: int, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(keys, 500):
        found.update(
            session.scalars(
                sa.select(LineageLogRecordRow.record_key).where(
                    LineageLogRecordRow.warehouse_id == warehouse_id,
                    LineageLogRecordRow.record_key.in_(chunk),
                )
            )
        )
    return found


def _load_known(
    session: Session, warehouse_id: int, prints: list[str], known: dict[str, int]
) -> None:
    for chunk in _chunks(prints, 500):
        for fp, sid in session.execute(
            sa.select(LineageStatementRow.fingerprint, LineageStatementRow.id).where(
                LineageStatementRow.warehouse_id == warehouse_id,
                LineageStatementRow.fingerprint.in_(chunk),
            )
        ):
            known[fp] = sid


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _earliest(a: dt.datetime | None, b: dt.datetime) -> dt.datetime:
    b = b if b.tzinfo else b.replace(tzinfo=dt.UTC)
    return b if a is None or b < a else a


def _latest(a: dt.datetime | None, b: dt.datetime) -> dt.datetime:
    b = b if b.tzinfo else b.replace(tzinfo=dt.UTC)
    return b if a is None or b > a else a
