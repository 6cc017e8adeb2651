"""Classify a catalogued warehouse: sample each table, classify its columns, record results.

The pipeline: list live columns from the catalog → per table, one sampling query for
all its classifiable columns (the warehouse is only read) → classify columns in worker
processes (Presidio is CPU-bound; sampling the next table overlaps with classifying
the last) → record every column's suggestion in one store transaction, where steward
decisions are kept (catalog.pii.record_suggestions). A table that cannot be sampled
(a privilege missing, a broken view) is reported and skipped; the rest goes on.

Worker processes are forked from a parent that has already built the classifier, so
Presidio's startup is paid once, not once per worker.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from catalog.classify.classifier import Classifier, ClassifierConfig, ColumnVerdict
from catalog.classify.decide import ColumnContext, type_family
from catalog.classify.sample import sample_sql
from catalog.connect import create_warehouse_engine, explain_db_error, warehouse_connection
from catalog.errors import NotFoundError, UsageError
from catalog.model import PiiSuggestion, TableKind
from catalog.names import require_warehouse
from catalog.pii import ColumnKey, RecordStats, record_suggestions
from catalog.scan import ProgressFn
from catalog.store import Store
from catalog.store.models import ColumnRow, SchemaRow, TableRow, WarehouseRow

#: Set in the parent before forking workers, inherited by them.
_WORKER_CLASSIFIER: Classifier | None = None


@dataclass(frozen=True)
class ColumnResult:
    key: ColumnKey
    suggestion: PiiSuggestion | None
    sampled: int  # rows sampled for its table
    analyzed: int  # distinct values the classifier looked at
    fingerprint: str  # see catalog.classify.decide.fingerprint


@dataclass(frozen=True)
class ClassifyReport:
    columns: tuple[ColumnResult, ...]
    tables: int
    seconds: float  # sampling + classification + recording, startup excluded
    startup_seconds: float  # building the classifier (Presidio, name dictionary)
    recorded: RecordStats | None
    errors: tuple[str, ...]  # tables that could not be sampled, with the reason

    @property
    def suggestions(self) -> list[ColumnResult]:
        return [c for c in self.columns if c.suggestion is not None]


@dataclass(frozen=True)
class _Table:
    warehouse: str
    schema: str
    name: str
    kind: TableKind
    row_count: int | None
    columns: tuple[tuple[str, str], ...]  # (name, data type), classifiable ones only


def classify_warehouse(
    store: Store,
    warehouse: str | None = None,
    *,
    sample_size: int = 100,
    workers: int = 0,
    config: ClassifierConfig | None = None,
    tables: Sequence[str] | None = None,
    progress: ProgressFn | None = None,
    record: bool = True,
    classifier: Classifier | None = None,
) -> ClassifyReport:
    """Classify every column of ``warehouse`` (every warehouse when None).

    ``workers`` 0 picks one per core for large jobs; 1 classifies in this process.
    ``tables`` limits the run to ``schema.table`` names. ``record`` False only reports.
    """
    if sample_size < 1:
        raise UsageError("sample size must be at least 1")
    report = progress or _no_progress
    started = time.perf_counter()
    classifier = classifier or Classifier(config)
    startup = time.perf_counter() - started

    started = time.perf_counter()
    targets = _targets(store, warehouse, tables)
    total_columns = sum(len(t.columns) for tables_ in targets.values() for t in tables_)
    n_workers = _workers(workers, total_columns)
    results: list[ColumnResult] = []
    errors: list[str] = []
    done = 0
    report("classifying", 0, total_columns, "")
    with _Pool(classifier, n_workers) as pool:
        for url, wh_tables in targets.items():
            pending: list[tuple[_Table, int, Future[list[ColumnVerdict]] | list[ColumnVerdict]]]
            pending = []
            for table, rows, error in _samples(url, wh_tables, sample_size):
                if error is not None:
                    errors.append(f"{table.warehouse}.{table.schema}.{table.name}: {error}")
                    done += len(table.columns)
                    report("classifying", done, total_columns, table.name)
                    continue
                work = _classify_table if pool is None else _submit(pool)
                pending.append((table, len(rows), work(table, rows)))
                if pool is None:
                    done += len(table.columns)
                    report("classifying", done, total_columns, table.name)
            for table, sampled, outcome in pending:
                verdicts = outcome if isinstance(outcome, list) else outcome.result()
                if pool is not None:
                    done += len(table.columns)
                    report("classifying", done, total_columns, table.name)
                for (column, _), verdict in zip(table.columns, verdicts, strict=True):
                    key = ColumnKey(table.warehouse, table.schema, table.name, column)
                    results.append(
                        ColumnResult(
                            key,
                            verdict.suggestion,
                            sampled,
                            verdict.analyzed,
                            verdict.fingerprint,
                        )
                    )

    recorded = None
    if record:
        report("recording", 0, None, "")
        recorded = record_suggestions(
            store, ((r.key, r.suggestion, r.fingerprint) for r in results)
        )
    return ClassifyReport(
        tuple(results),
        sum(len(v) for v in targets.values()),
        time.perf_counter() - started,
        startup,
        recorded,
        tuple(errors),
    )


def _targets(
    store: Store, warehouse: str | None, tables: Sequence[str] | None
) -> dict[str, list[_Table]]:
    """Classifiable columns per warehouse URL, from the catalog."""
    wanted = {t.lower() for t in tables} if tables else None
    query = (
        sa.select(WarehouseRow.name, WarehouseRow.url, SchemaRow.name, TableRow, ColumnRow)
        .join(SchemaRow, SchemaRow.warehouse_id == WarehouseRow.id)
        .join(TableRow, TableRow.schema_id == SchemaRow.id)
        .join(ColumnRow, ColumnRow.table_id == TableRow.id)
        .where(TableRow.removed_at.is_(None), ColumnRow.removed_at.is_(None))
        .where(SchemaRow.removed_at.is_(None))
        .order_by(WarehouseRow.name, SchemaRow.name, TableRow.name, ColumnRow.position)
    )
    with store.session() as session:
        if warehouse is not None:
            require_warehouse(session, warehouse)
            query = query.where(WarehouseRow.name == warehouse)
        grouped: dict[str, dict[tuple[str, str], _Table]] = {}
        for wh, url, schema, table, column in session.execute(query):
            if wanted is not None and f"{schema}.{table.name}".lower() not in wanted:
                continue
            if type_family(column.data_type) in ("bool", "opaque"):
                continue
            by_table = grouped.setdefault(url, {})
            key = (schema, table.name)
            current = by_table.get(key)
            cols = (*(current.columns if current else ()), (column.name, column.data_type))
            by_table[key] = _Table(
                wh, schema, table.name, TableKind(table.kind), table.row_count, cols
            )
    if wanted is not None:
        found = {f"{t.schema}.{t.name}".lower() for v in grouped.values() for t in v.values()}
        missing = sorted(wanted - found)
        if missing:
            raise NotFoundError(f"no such table in the catalog: {', '.join(missing)}")
    return {url: list(t.values()) for url, t in grouped.items()}


def _samples(
    url: str, tables: list[_Table], n: int
) -> Iterator[tuple[_Table, list[tuple[object, ...]], str | None]]:
    engine = create_warehouse_engine(url)
    try:
        with warehouse_connection(engine) as conn:
            for table in tables:
                sql = sample_sql(
                    conn.dialect,
                    table.schema,
                    table.name,
                    [c for c, _ in table.columns],
                    n,
                    row_count=table.row_count,
                    is_view=table.kind is TableKind.VIEW,
                )
                try:
                    rows = [tuple(r) for r in conn.exec_driver_sql(sql)]
                    conn.commit()
                except sa_exc.DBAPIError as e:
                    conn.rollback()  # each table on its own: one failure spoils nothing else
                    yield table, [], explain_db_error(e, engine.url).message
                    continue
                yield table, rows, None
    finally:
        engine.dispose()


def _classify_table(table: _Table, rows: list[tuple[object, ...]]) -> list[ColumnVerdict]:
    classifier = _WORKER_CLASSIFIER
    assert classifier is not None, "worker started without a classifier"
    return [
        classifier.classify(ColumnContext(table.name, name, dtype), [r[i] for r in rows])
        for i, (name, dtype) in enumerate(table.columns)
    ]


def _submit(
    pool: ProcessPoolExecutor,
) -> Callable[[_Table, list[tuple[object, ...]]], Future[list[ColumnVerdict]]]:
    def submit(table: _Table, rows: list[tuple[object, ...]]) -> Future[list[ColumnVerdict]]:
        return pool.submit(_classify_table, table, rows)

    return submit


class _Pool:
    """A fork-based process pool sharing the parent's classifier, or None for one worker."""

    def __init__(self, classifier: Classifier, workers: int) -> None:
        self._classifier = classifier
        self._workers = workers
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> ProcessPoolExecutor | None:
        global _WORKER_CLASSIFIER
        _WORKER_CLASSIFIER = self._classifier
        if self._workers > 1:
            context = multiprocessing.get_context("fork")
            self._executor = ProcessPoolExecutor(self._workers, mp_context=context)
        return self._executor

    def __exit__(self, *exc: object) -> None:
        global _WORKER_CLASSIFIER
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        _WORKER_CLASSIFIER = None


def _workers(requested: int, columns: int) -> int:
    if requested > 0:
        return requested
    if columns < 200 or not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _no_progress(phase: str, done: int, total: int | None, item: str) -> None:
    return None
