"""Scan: reflect a warehouse into the catalog and record how it drifted since last time.

The pipeline is reflect (warehouse, read-only) → count rows → diff against the stored
snapshot → write the snapshot and the change events, in one store transaction. A scan
run row is committed first and marked failed if anything later goes wrong, so the
history shows failed scans too. The first scan of a warehouse records no change
events: everything would be "added", which is noise, not drift.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from catalog.connect import (
    create_warehouse_engine,
    explain_db_error,
    parse_url,
    warehouse_connection,
)
from catalog.drift import diff_snapshots
from catalog.errors import UsageError, VeilError
from catalog.model import SchemaChange, TableInfo, TableKind, WarehouseSnapshot
from catalog.reflect import reflector_for
from catalog.store import Store
from catalog.store.models import ScanRunRow, SchemaChangeRow, WarehouseRow, utcnow
from catalog.store.snapshot import apply_snapshot, load_stored, snapshot_of

#: Tables counted per round trip to the warehouse.
_COUNT_BATCH = 100

#: Called as progress(phase, done, total, item); total is None while it is not yet known.
#: Shared by every long library call (scan, classify, lineage ingest) and the CLI bars.
ProgressFn = Callable[[str, int, int | None, str], None]


@dataclass(frozen=True)
class ScanResult:
    """What one scan found and changed."""

    warehouse: str
    run_id: int
    first_scan: bool
    schemas: int
    tables: int
    views: int
    columns: int
    rows: int
    changes: tuple[SchemaChange, ...]
    seconds: float


def default_warehouse_name(url: str) -> str:
    """A name for a warehouse when the user gives none: the database (file) name."""
    parsed = parse_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() in ("duckdb", "sqlite"):
        stem = Path(database).stem
        return stem if stem and database != ":memory:" else parsed.get_backend_name()
    return database or parsed.host or parsed.get_backend_name()


def scan_warehouse(
    store: Store,
    url: str,
    name: str | None = None,
    *,
    exact_count_max_rows: int = 1_000_000,
    progress: ProgressFn | None = None,
) -> ScanResult:
    """Reflect the warehouse at ``url`` into the catalog under ``name``."""
    report = progress or _no_progress
    name = name or default_warehouse_name(url)
    _check_name(name)
    started, started_at = time.perf_counter(), utcnow()
    try:
        engine = create_warehouse_engine(url)
        dialect = engine.dialect.name
        _check_dialect(store, name, dialect)
        try:
            snapshot = _reflect(engine, dialect, exact_count_max_rows, report)
        finally:
            engine.dispose()
    except UsageError:
        raise
    except BaseException as e:
        _record_failure(store, name, e)
        raise

    report("saving", 0, None, name)
    now = utcnow()
    with store.session() as session:
        warehouse = session.scalar(sa.select(WarehouseRow).where(WarehouseRow.name == name))
        if warehouse is None:
            warehouse = WarehouseRow(name=name, url=url, dialect=dialect, created_at=now)
            session.add(warehouse)
            session.flush()
        warehouse.url = url
        run = ScanRunRow(warehouse_id=warehouse.id, started_at=started_at)
        session.add(run)
        session.flush()
        stored = load_stored(session, warehouse.id)
        first_scan = warehouse.last_scan_at is None
        changes = [] if first_scan else diff_snapshots(snapshot_of(stored), snapshot)
        apply_snapshot(session, warehouse.id, stored, snapshot, now)
        session.add_all(_change_rows(changes, run.id, warehouse.id, now))
        warehouse.last_scan_at = now
        run.status, run.finished_at = "succeeded", utcnow()
        run.schemas_scanned = len(snapshot.schemas)
        run.tables_scanned = len(snapshot.tables)
        run.columns_scanned = sum(len(t.columns) for t in snapshot.tables)
        run.changes = len(changes)
        run_id = run.id

    tables = [t for t in snapshot.tables if t.kind is TableKind.TABLE]
    return ScanResult(
        warehouse=name,
        run_id=run_id,
        first_scan=first_scan,
        schemas=len(snapshot.schemas),
        tables=len(tables),
        views=len(snapshot.tables) - len(tables),
        columns=sum(len(t.columns) for t in snapshot.tables),
        rows=sum(t.row_count or 0 for t in tables),
        changes=tuple(changes),
        seconds=time.perf_counter() - started,
    )


def _reflect(
    engine: sa.Engine, dialect: str, exact_below: int, report: ProgressFn
) -> WarehouseSnapshot:
    reflector = reflector_for(dialect)
    with warehouse_connection(engine) as conn:
        try:
            report("reading structure", 0, None, "")
            schemas = reflector.schemas(conn)
            tables = reflector.tables(conn, schemas)
            counted: list[TableInfo] = []
            for start in range(0, len(tables), _COUNT_BATCH):
                batch = tables[start : start + _COUNT_BATCH]
                report("counting rows", start, len(tables), batch[0].qualified_name)
                counts = reflector.count_rows(conn, batch, exact_below)
                counted += [
                    replace(t, row_count=n, row_count_exact=exact)
                    for t, (n, exact) in zip(batch, counts, strict=True)
                ]
            report("counting rows", len(tables), len(tables), "")
        except sa_exc.DBAPIError as e:
            raise explain_db_error(e, engine.url) from e
    return WarehouseSnapshot(schemas=tuple(schemas), tables=tuple(counted))


def _check_dialect(store: Store, name: str, dialect: str) -> None:
    with store.session() as session:
        known = session.scalar(sa.select(WarehouseRow.dialect).where(WarehouseRow.name == name))
    if known is not None and known != dialect:
        raise UsageError(
            f"warehouse {name!r} is a {known} warehouse; this URL is {dialect}",
            hint="Choose another --name for a different warehouse.",
        )


def _record_failure(store: Store, name: str, error: BaseException) -> None:
    """Keep a failed scan in the history of a warehouse the catalog already knows."""
    message = error.message if isinstance(error, VeilError) else type(error).__name__
    try:
        with store.session() as session:
            warehouse_id = session.scalar(
                sa.select(WarehouseRow.id).where(WarehouseRow.name == name)
            )
            if warehouse_id is not None:
                now = utcnow()
                session.add(
                    ScanRunRow(
                        warehouse_id=warehouse_id,
                        started_at=now,
                        finished_at=now,
                        status="failed",
                        error=message,
                    )
                )
    except VeilError:
        pass  # the store itself is failing; the original error is the one to report


def _change_rows(
    changes: list[SchemaChange], run_id: int, warehouse_id: int, now: dt.datetime
) -> list[SchemaChangeRow]:
    return [
        SchemaChangeRow(
            scan_run_id=run_id,
            warehouse_id=warehouse_id,
            kind=c.kind.value,
            schema_name=c.schema,
            table_name=c.table,
            column_name=c.column,
            old_value=c.old,
            new_value=c.new,
            detected_at=now,
        )
        for c in changes
    ]


def _check_name(name: str) -> None:
    if not name or len(name) > 200 or "." in name or name != name.strip():
        raise UsageError(
            f"{name!r} is not a usable warehouse name",
            hint="Use a short name without dots or surrounding spaces, e.g. --name sales_dw.",
        )


def _no_progress(phase: str, done: int, total: int | None, item: str) -> None:
    return None
