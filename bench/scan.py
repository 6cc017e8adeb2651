"""Benchmark: how fast Veil catalogs a big warehouse, against SQLAlchemy's inspector.

A warehouse of N tables x M columns (default 1,000 x 20) over about ten schemas, with
mixed column types, three rows per table and about 5% views, is generated on each
engine (a DuckDB file; a scratch PostgreSQL database). Then, per engine, each round
measures:

* **inspector** (the baseline): plain SQLAlchemy reflection, ``sqlalchemy.inspect(conn)``
  and, per schema, ``get_multi_columns`` (tables and views) plus ``get_view_names`` and
  ``get_view_definition``. That is what a naive scanner built on the inspector does; it
  writes nothing anywhere.
* **first scan**: ``scan_warehouse`` into a fresh SQLite catalog: reflect, count the rows
  of every table, write schemas, tables and columns.
* **re-scan, no change**: the steady state of a scheduled scan (load, diff, update).
* **re-scan after drift**: 5% of the tables changed (half gain a column, half lose one).
  The reported changes must be exactly those: the benchmark doubles as a correctness
  check and exits non-zero, naming the difference, when they are not.
* **first scan, PostgreSQL store**: the first scan again into a fresh PostgreSQL catalog
  store, to compare catalog backends.

The machines are shared and noisy, so the baseline runs in the same process, interleaved
with Veil in every round, and each figure is the median of ``--repeat`` rounds; the
ratio Veil/inspector is the number to compare across runs. Veil does more than the
inspector (an exact ``COUNT(*)`` per table, a diff, a catalog write in one transaction),
so a ratio above 1 is what that work costs, and the phase columns show where it goes.

Run from the repository root::

    .venv/bin/python bench/scan.py                 # full run; rewrites its bench/README.md section
    .venv/bin/python bench/scan.py --quick         # 50 tables, one round, a few seconds; no README
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb
import psycopg
import sqlalchemy as sa
from sqlalchemy.engine.reflection import ObjectKind

if __name__ == "__main__" and not __package__:
    # Run as `python bench/scan.py`: make the repository root importable for `bench._common`.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    Samples,
    command_line,
    exit_on_sigterm,
    libpq,
    machine,
    markdown_table,
    pg_server_url,
    pg_server_version,
    scratch_pg_database,
    text_table,
    timed,
    write_readme_section,
)
from catalog.connect import redact_url
from catalog.model import ChangeKind
from catalog.scan import ScanResult, scan_warehouse
from catalog.store import Store, open_store

SECTION = "Scan (bench/scan.py)"
WAREHOUSE = "bench"
ENGINES = ("duckdb", "postgres")
STORES = ("sqlite", "postgres")
#: Column types cycled through, shifted by table so tables differ.
TYPES = ("INTEGER", "BIGINT", "VARCHAR(40)", "NUMERIC(12,2)", "DATE", "TIMESTAMP", "BOOLEAN")
ADDED_COLUMN = "drift_added"
_VIEW_EVERY = 20  # one table in 20 has a view over it: 5%
_DRIFT_OFFSET = 10  # ... and another one in 20 drifts, disjoint from those

INSPECTOR, FIRST, RESCAN, DRIFT, FIRST_PG = "inspector", "first", "rescan", "drift", "first_pg"
LABELS = {
    INSPECTOR: "inspector baseline (SQLAlchemy)",
    FIRST: "Veil first scan → SQLite store",
    RESCAN: "Veil re-scan, no change",
    DRIFT: "Veil re-scan after 5% drift",
    FIRST_PG: "Veil first scan → PostgreSQL store",
}
PHASES = ("reading structure", "counting rows", "saving")


#: One reported schema change as (kind, schema, table, column), for comparing sets.
Change = tuple[str, str, str | None, str | None]


class BenchmarkFailure(Exception):
    """A figure is wrong (not merely slow): the benchmark must not report it."""


# --- The warehouse ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """The generated warehouse: which tables, columns, views and drift it has."""

    tables: int
    columns: int
    schemas: int
    rows: int = 3

    def schema(self, i: int) -> str:
        return f"s{i % self.schemas:02d}"

    def table(self, i: int) -> str:
        return f"t{i:05d}"

    def qualified(self, i: int) -> str:
        return f"{self.schema(i)}.{self.table(i)}"

    def column_type(self, i: int, j: int) -> str:
        return TYPES[(i + j) % len(TYPES)]

    def last_column(self) -> str:
        return f"c{self.columns - 1:02d}"

    @property
    def with_view(self) -> list[int]:
        return [i for i in range(self.tables) if i % _VIEW_EVERY == 0]

    @property
    def drifted(self) -> list[int]:
        return [i for i in range(self.tables) if i % _VIEW_EVERY == _DRIFT_OFFSET]

    @property
    def views(self) -> int:
        return len(self.with_view)

    @property
    def relations(self) -> int:
        return self.tables + self.views

    @property
    def total_columns(self) -> int:
        return self.tables * self.columns + self.views * 2  # views select id, c01

    def describe(self) -> str:
        return (
            f"{self.tables:,} tables x {self.columns} columns in {self.schemas} schemas "
            f"+ {self.views} views ({self.total_columns:,} columns, {self.rows} rows per table); "
            f"drift touches {len(self.drifted)} tables"
        )


def warehouse_ddl(shape: Shape) -> list[list[str]]:
    """The statements that build the warehouse, one group per table (then the views)."""
    groups = [[f"CREATE SCHEMA {shape.schema(s)}" for s in range(shape.schemas)]]
    for i in range(shape.tables):
        cols = ["id INTEGER NOT NULL"] + [
            f"c{j:02d} {shape.column_type(i, j)}" for j in range(1, shape.columns)
        ]
        rows = [
            "("
            + ", ".join(
                [str(r)] + [_literal(shape.column_type(i, j), r) for j in range(1, shape.columns)]
            )
            + ")"
            for r in range(1, shape.rows + 1)
        ]
        groups.append(
            [
                f"CREATE TABLE {shape.qualified(i)} ({', '.join(cols)})",
                f"INSERT INTO {shape.qualified(i)} VALUES {', '.join(rows)}",
            ]
        )
    groups.append(
        [
            f"CREATE VIEW {shape.schema(i)}.v_{shape.table(i)} AS "
            f"SELECT id, c01 FROM {shape.qualified(i)} WHERE id > 1"
            for i in shape.with_view
        ]
    )
    return groups


def _literal(type_: str, r: int) -> str:
    if type_ == "BIGINT":
        return str(r * 10_000_000_000)
    if type_.startswith("VARCHAR"):
        return f"'value {r}'"
    if type_.startswith("NUMERIC"):
        return f"{r}.25"
    if type_ == "DATE":
        return f"DATE '2024-01-{r % 28 + 1:02d}'"
    if type_ == "TIMESTAMP":
        return f"TIMESTAMP '2024-01-01 10:00:{r % 60:02d}'"
    if type_ == "BOOLEAN":
        return "TRUE" if r % 2 else "FALSE"
    return str(r)


def drift_ddl(shape: Shape, *, revert: bool = False) -> list[str]:
    """Drift on 5% of the tables: even ones gain a column, odd ones lose their last one."""
    statements = []
    for k, i in enumerate(shape.drifted):
        table, last = shape.qualified(i), shape.last_column()
        if k % 2 == 0:
            statements.append(
                f"ALTER TABLE {table} DROP COLUMN {ADDED_COLUMN}"
                if revert
                else f"ALTER TABLE {table} ADD COLUMN {ADDED_COLUMN} INTEGER"
            )
        else:
            statements.append(
                f"ALTER TABLE {table} ADD COLUMN {last} {shape.column_type(i, shape.columns - 1)}"
                if revert
                else f"ALTER TABLE {table} DROP COLUMN {last}"
            )
    return statements


def expected_drift(shape: Shape) -> set[Change]:
    """The (kind, schema, table, column) changes a re-scan after :func:`drift_ddl` must report."""
    return {
        (
            (ChangeKind.COLUMN_ADDED if k % 2 == 0 else ChangeKind.COLUMN_REMOVED).value,
            shape.schema(i),
            shape.table(i),
            ADDED_COLUMN if k % 2 == 0 else shape.last_column(),
        )
        for k, i in enumerate(shape.drifted)
    }


class Warehouse(Protocol):
    """A generated warehouse on one engine: its URL and a way to change it."""

    engine: str
    connect_args: dict[str, object]

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the warehouse."""
        ...

    def execute(self, groups: Sequence[Sequence[str]]) -> None:
        """Run the statement groups, a few hundred groups per transaction."""
        ...


@dataclass
class DuckDBWarehouse:
    path: Path
    engine: str = "duckdb"
    # Veil opens DuckDB files read-only; the baseline does the same.
    connect_args: dict[str, object] = field(default_factory=lambda: {"read_only": True})

    @property
    def url(self) -> str:
        return f"duckdb:///{self.path}"

    def execute(self, groups: Sequence[Sequence[str]]) -> None:
        # One writer at a time: readers (scans) have closed their connections by now.
        with duckdb.connect(str(self.path)) as conn:
            conn.execute("BEGIN")
            conn.execute(";\n".join(s for g in groups for s in g))
            conn.execute("COMMIT")
            conn.execute("CHECKPOINT")


@dataclass
class PostgresWarehouse:
    url: str
    engine: str = "postgres"
    connect_args: dict[str, object] = field(default_factory=lambda: {"connect_timeout": 10})
    #: Each new table takes locks for itself, its TOAST table and index; one transaction
    #: for thousands of tables would exhaust max_locks_per_transaction (64 by default).
    tables_per_transaction: int = 200

    def execute(self, groups: Sequence[Sequence[str]]) -> None:
        with psycopg.connect(libpq(self.url)) as conn:
            for start in range(0, len(groups), self.tables_per_transaction):
                batch = groups[start : start + self.tables_per_transaction]
                conn.execute(";\n".join(s for g in batch for s in g))
                conn.commit()
            conn.autocommit = True
            conn.execute("ANALYZE")  # realistic reltuples, and no autovacuum mid-benchmark


@contextmanager
def generated_warehouse(
    engine: str, shape: Shape, workdir: Path, pg_server: str
) -> Iterator[tuple[Warehouse, float]]:
    """Build the warehouse on ``engine``; yields it with the seconds the build took."""
    with ExitStack() as stack:
        warehouse: Warehouse
        if engine == "duckdb":
            warehouse = DuckDBWarehouse(workdir / "warehouse.duckdb")
        else:
            warehouse = PostgresWarehouse(
                stack.enter_context(scratch_pg_database(pg_server, "veil_bench_wh"))
            )
        _, seconds = timed(lambda: warehouse.execute(warehouse_ddl(shape)))
        yield warehouse, seconds


# --- What is measured ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reflected:
    """What the inspector baseline read, so it can be checked to have done the full job."""

    relations: int
    views: int
    columns: int


def inspector_baseline(warehouse: Warehouse, shape: Shape) -> Reflected:
    """Reflect every generated schema the way a naive SQLAlchemy-inspector scanner would."""
    wanted = {shape.schema(s) for s in range(shape.schemas)}
    engine = sa.create_engine(warehouse.url, connect_args=warehouse.connect_args)
    relations = views = columns = 0
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            # duckdb-engine names schemas "<database>.<schema>"; PostgreSQL just "<schema>".
            for schema in inspector.get_schema_names():
                if schema.rpartition(".")[2] not in wanted:
                    continue
                multi = inspector.get_multi_columns(schema=schema, kind=ObjectKind.ANY)
                view_names = inspector.get_view_names(schema=schema)
                for name in view_names:
                    inspector.get_view_definition(name, schema=schema)
                relations += len(multi)
                views += len(view_names)
                columns += sum(len(cols) for cols in multi.values())
    finally:
        engine.dispose()
    return Reflected(relations, views, columns)


@dataclass
class PhaseClock:
    """A scan progress callback that notes when each phase starts."""

    starts: dict[str, float] = field(default_factory=dict)

    def __call__(self, phase: str, done: int, total: int | None, item: str) -> None:
        self.starts.setdefault(phase, time.perf_counter())

    def durations(self, ended: float) -> dict[str, float]:
        """Seconds per phase; each runs until the next one starts (the last until ``ended``)."""
        marks = [self.starts[p] for p in PHASES if p in self.starts] + [ended]
        names = [p for p in PHASES if p in self.starts]
        return {name: marks[k + 1] - marks[k] for k, name in enumerate(names)}


@dataclass(frozen=True)
class Scan:
    result: ScanResult
    seconds: float
    phases: dict[str, float]


def veil_scan(store: Store, warehouse: Warehouse) -> Scan:
    clock = PhaseClock()
    started = time.perf_counter()
    result = scan_warehouse(
        store, warehouse.url, WAREHOUSE, exact_count_max_rows=1_000_000, progress=clock
    )
    ended = time.perf_counter()
    return Scan(result, ended - started, clock.durations(ended))


# --- Correctness checks -------------------------------------------------------------------


def _expect(what: str, got: object, want: object) -> None:
    if got != want:
        raise BenchmarkFailure(f"{what}: got {got!r}, expected {want!r}")


def check_baseline(engine: str, got: Reflected, shape: Shape) -> None:
    want = Reflected(shape.relations, shape.views, shape.total_columns)
    _expect(f"{engine}: inspector baseline read", got, want)


def check_scan(
    label: str, result: ScanResult, shape: Shape, *, first: bool, changes: set[Change]
) -> None:
    """The scan saw the whole warehouse and reported exactly ``changes``."""
    _expect(f"{label}: first_scan", result.first_scan, first)
    # The engine's default schema (DuckDB's main, PostgreSQL's public) is catalogued too.
    _expect(f"{label}: schemas", result.schemas, shape.schemas + 1)
    _expect(f"{label}: tables", result.tables, shape.tables)
    _expect(f"{label}: views", result.views, shape.views)
    added = sum(1 for c in changes if c[0] == ChangeKind.COLUMN_ADDED.value)
    removed = len(changes) - added
    _expect(f"{label}: columns", result.columns, shape.total_columns + added - removed)
    _expect(f"{label}: rows", result.rows, shape.tables * shape.rows)
    got: set[Change] = {(c.kind.value, c.schema, c.table, c.column) for c in result.changes}
    if len(result.changes) != len(changes) or got != changes:
        missing, extra = sorted(changes - got, key=str)[:5], sorted(got - changes, key=str)[:5]
        raise BenchmarkFailure(
            f"{label}: reported {len(result.changes)} changes, expected {len(changes)}; "
            f"missing e.g. {missing}, unexpected e.g. {extra}"
        )


# --- Rounds -------------------------------------------------------------------------------


@dataclass
class Measured:
    """Every round's seconds for one measurement, with Veil's phase split."""

    samples: Samples = field(default_factory=Samples)
    phases: dict[str, Samples] = field(default_factory=dict)
    unavailable: str | None = None

    def add_scan(self, scan: Scan) -> None:
        self.samples.add(scan.seconds)
        for phase, seconds in scan.phases.items():
            self.phases.setdefault(phase, Samples()).add(seconds)


@dataclass
class EngineRun:
    engine: str
    build_seconds: float
    measured: dict[str, Measured]


def run_engine(
    engine: str, shape: Shape, args: argparse.Namespace, workdir: Path, pg_server: str
) -> EngineRun:
    """Build the warehouse on ``engine`` and measure ``args.repeat`` interleaved rounds."""
    workdir.mkdir(parents=True, exist_ok=True)
    measured = {key: Measured() for key in LABELS}
    if "postgres" not in args.stores:
        del measured[FIRST_PG]
    with generated_warehouse(engine, shape, workdir, pg_server) as (warehouse, built):
        _log(f"{engine}: built {shape.relations:,} tables and views in {built:.1f} s")
        for round_ in range(1, args.repeat + 1):
            _measure_baseline(warehouse, shape, measured[INSPECTOR])
            _measure_sqlite_store(warehouse, shape, workdir / f"catalog-{round_}.db", measured)
            if FIRST_PG in measured:
                _measure_pg_store(warehouse, shape, pg_server, measured[FIRST_PG])
            _log(f"{engine}: round {round_}/{args.repeat}: " + _round_summary(measured))
    return EngineRun(engine, built, measured)


def _measure_baseline(warehouse: Warehouse, shape: Shape, into: Measured) -> None:
    if into.unavailable:
        return
    try:
        reflected, seconds = timed(lambda: inspector_baseline(warehouse, shape))
    except Exception as e:  # noqa: BLE001 - reported as "n/a (reason)", never hidden
        into.unavailable = f"{type(e).__name__}: {str(e).strip().splitlines()[0][:160]}"
        _log(f"{warehouse.engine}: inspector baseline failed:\n{traceback.format_exc()}")
        return
    check_baseline(warehouse.engine, reflected, shape)
    into.samples.add(seconds)


def _measure_sqlite_store(
    warehouse: Warehouse, shape: Shape, catalog: Path, measured: dict[str, Measured]
) -> None:
    """First scan, unchanged re-scan and drift re-scan into one fresh SQLite catalog."""
    name = warehouse.engine
    store = open_store(f"sqlite:///{catalog}")  # migrations run here, outside the timing
    try:
        first = veil_scan(store, warehouse)
        check_scan(f"{name}: first scan", first.result, shape, first=True, changes=set())
        measured[FIRST].add_scan(first)

        again = veil_scan(store, warehouse)
        check_scan(f"{name}: re-scan", again.result, shape, first=False, changes=set())
        measured[RESCAN].add_scan(again)

        warehouse.execute([drift_ddl(shape)])
        try:
            drifted = veil_scan(store, warehouse)
        finally:
            warehouse.execute([drift_ddl(shape, revert=True)])
        check_scan(
            f"{name}: re-scan after drift",
            drifted.result,
            shape,
            first=False,
            changes=expected_drift(shape),
        )
        measured[DRIFT].add_scan(drifted)
    finally:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{catalog}{suffix}").unlink(missing_ok=True)


def _measure_pg_store(warehouse: Warehouse, shape: Shape, pg_server: str, into: Measured) -> None:
    with scratch_pg_database(pg_server, "veil_bench_catalog") as url:
        store = open_store(url)
        try:
            scan = veil_scan(store, warehouse)
        finally:
            store.close()
    check_scan(
        f"{warehouse.engine}: first scan, PostgreSQL store",
        scan.result,
        shape,
        first=True,
        changes=set(),
    )
    into.add_scan(scan)


def _round_summary(measured: dict[str, Measured]) -> str:
    parts = []
    for key, m in measured.items():
        parts.append(f"{key} {'n/a' if m.unavailable else f'{m.samples.values[-1]:.2f}s'}")
    return ", ".join(parts)


# --- Report -------------------------------------------------------------------------------

HEADERS = (
    "engine",
    "measurement",
    "seconds (median)",
    "runs min-max",
    "tables/s",
    "time vs inspector",
    "structure / counts / save (s)",
)


def report_rows(runs: Sequence[EngineRun], shape: Shape) -> list[list[str]]:
    rows = []
    for run in runs:
        baseline = run.measured[INSPECTOR]
        for key, m in run.measured.items():
            if m.unavailable:
                rows.append([run.engine, LABELS[key], f"n/a ({m.unavailable})", "", "", "", ""])
                continue
            seconds = m.samples.median
            if key == INSPECTOR:
                ratio = "1.00 (baseline)"
            elif baseline.unavailable:
                ratio = "n/a (no baseline)"
            else:
                ratio = f"{seconds / baseline.samples.median:.2f}"
            phases = " / ".join(
                f"{m.phases[p].median:.2f}" if p in m.phases else "-" for p in PHASES
            )
            rows.append(
                [
                    run.engine,
                    LABELS[key],
                    f"{seconds:.2f}",
                    m.samples.spread(),
                    f"{shape.relations / seconds:,.0f}",
                    ratio,
                    phases if key != INSPECTOR else "-",
                ]
            )
    return rows


def readme_section(
    runs: Sequence[EngineRun],
    shape: Shape,
    args: argparse.Namespace,
    total: float,
    pg: str | None,
) -> str:
    builds = ", ".join(f"{r.engine} {r.build_seconds:.1f} s" for r in runs)
    rounds = (
        "from one round" if args.repeat == 1 else f"medians of {args.repeat} interleaved rounds"
    )
    server = f"; PostgreSQL {pg} on the same machine" if pg else ""
    return f"""\
How long Veil takes to catalog a large warehouse, next to plain SQLAlchemy reflection of
the same warehouse in the same run. Figures are {rounds}.

- Command: `{command_line()}`
- Machine: {machine(_PACKAGES).markdown()}{server}
- Warehouse: {shape.describe()}; generated in {builds}
- Whole run, generation and clean-up included: {total:.0f} s

{markdown_table(HEADERS, report_rows(runs, shape))}

How to read it:
- *tables/s* counts every catalogued relation, tables and views ({shape.relations:,}).
- *time vs inspector* is the median seconds divided by the inspector baseline's median on
  the same engine in the same run: below 1 is faster than the inspector, above 1 slower.
- The baseline is `sqlalchemy.inspect(conn)` with, per schema, `get_multi_columns(kind=ANY)`,
  `get_view_names` and `get_view_definition`; it only reads structure. A Veil scan also runs
  an exact `COUNT(*)` on every table (estimates above `exact_count_max_rows`), diffs
  against the stored snapshot and writes the catalog in one transaction.
- *structure / counts / save* split a Veil scan by its progress phases: reading the
  system catalogs, counting rows, and loading + diffing + writing the catalog store.
  *structure* is the like-for-like comparison with the inspector baseline.
- Every scan's result is checked: schema, table, view, column and row totals, no changes
  on the first scan and on the unchanged re-scan, and exactly the
  {len(shape.drifted)} column changes after drift.
"""


_PACKAGES = ("sqlalchemy", "duckdb", "duckdb-engine", "psycopg")


# --- Command line -------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="How fast Veil catalogs a big warehouse, against SQLAlchemy's inspector.",
    )
    parser.add_argument("--tables", type=int, help="tables to generate (default 1000; quick 50)")
    parser.add_argument("--columns", type=int, default=20, help="columns per table (default 20)")
    parser.add_argument("--schemas", type=int, default=10, help="schemas (default 10)")
    parser.add_argument("--repeat", type=int, help="rounds; figures are medians (default 3)")
    parser.add_argument(
        "--engines", type=_choices(ENGINES), default=list(ENGINES), help="duckdb,postgres"
    )
    parser.add_argument(
        "--stores", type=_choices(STORES), default=list(STORES), help="catalog stores"
    )
    parser.add_argument(
        "--quick", action="store_true", help="50 tables, one round, no README (a smoke run)"
    )
    parser.add_argument(
        "--readme",
        type=Path,
        help="write the figures into this README (default bench/README.md unless --quick)",
    )
    parser.add_argument("--no-readme", action="store_true", help="only print the figures")
    args = parser.parse_args(argv)
    args.tables = args.tables or (50 if args.quick else 1000)
    args.repeat = args.repeat or (1 if args.quick else 3)
    if args.readme is None and not args.quick and not args.no_readme:
        args.readme = Path(__file__).resolve().parent / "README.md"
    if args.no_readme:
        args.readme = None
    if args.tables < _VIEW_EVERY or args.columns < 3 or args.schemas < 1 or args.repeat < 1:
        parser.error(f"need --tables >= {_VIEW_EVERY}, --columns >= 3, --schemas and --repeat >= 1")
    if "sqlite" not in args.stores:
        parser.error("the SQLite store carries the re-scan and drift measurements: keep it")
    return args


def _choices(allowed: Sequence[str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        names = [n.strip() for n in text.split(",") if n.strip()]
        unknown = [n for n in names if n not in allowed]
        if unknown or not names:
            raise argparse.ArgumentTypeError(f"choose from {','.join(allowed)}, not {text!r}")
        return names

    return parse


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    shape = Shape(args.tables, args.columns, args.schemas)
    needs_pg = "postgres" in args.engines or "postgres" in args.stores
    pg_server = pg_server_url()
    started = time.perf_counter()
    try:
        pg_version = pg_server_version(pg_server) if needs_pg else None
    except psycopg.Error as e:
        _log(f"cannot reach PostgreSQL at {redact_url(pg_server)} (set $VEIL_TEST_PG_URL): {e}")
        return 2
    _log(f"warehouse: {shape.describe()}; {args.repeat} round(s)")
    try:
        with tempfile.TemporaryDirectory(prefix="veil-bench-scan-") as tmp:
            runs = [
                run_engine(engine, shape, args, Path(tmp) / engine, pg_server)
                for engine in args.engines
            ]
    except BenchmarkFailure as e:
        _log(f"FAILED: {e}")
        return 1
    total = time.perf_counter() - started
    print(text_table(HEADERS, report_rows(runs, shape)))
    print(f"\n{shape.describe()}; {args.repeat} round(s); whole run {total:.0f} s")
    if args.readme:
        write_readme_section(
            SECTION, readme_section(runs, shape, args, total, pg_version), args.readme
        )
        print(f"figures written to {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
