"""The demo's query log: ninety days of who ran what against the warehouse.

Lineage in Veil is reconstructed from query logs, so the demo needs one that
looks like a real warehouse's: nightly ETL re-running the statements that built
the derived tables (with each night's dates), dashboards refreshing, analysts
exploring with joins, CTEs and window functions, scratch tables in ``sandbox``,
and the few percent of statements that fail. Nothing here executes SQL; the
tests execute every template to prove each success succeeds and each failure
fails as logged.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cli.demo.etl import (
    DBT_USER,
    ETL_USER,
    DemoStatement,
    EtlKind,
    daily_revenue_increment,
    etl_statements,
    payroll_statements,
)
from cli.demo.queries import (
    ANALYST_TEMPLATES,
    ANALYSTS,
    BROKEN_MODEL,
    LOOKER_TEMPLATES,
    LOOKER_USER,
    QueryTemplate,
    RenderContext,
    render,
    session,
)
from cli.demo.timeline import AS_OF, LOG_DAYS
from cli.demo.warehouse import DemoWarehouse

MIN_STATEMENTS = 50
_ETL_SHARE = 0.15
_DASHBOARD_SHARE = 0.17
_FAILED_SHARE = 0.04
_ANALYST_WEIGHTS = {"alice": 30, "bob": 20, "carol": 20, "dave": 15, "erin": 15}
_SERVICE_SCHEMA = {ETL_USER: "main", DBT_USER: "analytics"}


@dataclass(frozen=True)
class QueryLogSummary:
    """What was written, for the CLI to print and the tests to check."""

    path: Path
    statements: int
    users: list[str]
    failed: int
    distinct_templates: int


@dataclass(frozen=True)
class LogEntry:
    """One statement as the warehouse would have logged it (plus the template it came from)."""

    start: dt.datetime
    user: str
    sql: str
    schema: str
    error: str | None
    duration_ms: int
    rows: int | None
    template: str

    def to_json(self, query_id: str, database: str) -> str:
        return json.dumps(
            {
                "query_id": query_id,
                "query_text": self.sql,
                "user_name": self.user,
                "start_time": self.start.strftime("%Y-%m-%dT%H:%M:%S.")
                + f"{self.start.microsecond // 1000:03d}Z",
                "duration_ms": self.duration_ms,
                "database_name": database,
                "schema_name": self.schema,
                "status": "failed" if self.error else "success",
                "error_message": self.error,
                "rows_produced": self.rows,
            },
            ensure_ascii=False,
        )


def write_query_log(
    path: Path, warehouse: DemoWarehouse, *, seed: int = 7, statements: int = 6000
) -> QueryLogSummary:
    """Write ``statements`` JSONL records in time order, deterministically from ``seed``."""
    if statements < MIN_STATEMENTS:
        raise ValueError(
            f"a query log needs at least {MIN_STATEMENTS} statements, got {statements}"
        )
    entries = plan_query_log(warehouse, seed=seed, statements=statements)
    id_rng = random.Random(f"{seed}:query-ids")
    path = Path(path)
    with path.open("w", encoding="utf-8") as f:
        for entry in entries:
            query_id = str(uuid.UUID(int=id_rng.getrandbits(128), version=4))
            f.write(entry.to_json(query_id, warehouse.database_name) + "\n")
    return QueryLogSummary(
        path=path,
        statements=len(entries),
        users=sorted({e.user for e in entries}),
        failed=sum(1 for e in entries if e.error),
        distinct_templates=len({e.template for e in entries}),
    )


def plan_query_log(warehouse: DemoWarehouse, *, seed: int, statements: int) -> list[LogEntry]:
    """Every entry of the log, in time order; ``write_query_log`` only serialises them."""
    rng = random.Random(f"{seed}:querylog")
    etl = _etl_entries(rng, warehouse, budget=round(statements * _ETL_SHARE))
    dashboards = _dashboard_entries(
        rng, warehouse, count=min(round(statements * _DASHBOARD_SHARE), statements - len(etl))
    )
    remaining = statements - len(etl) - len(dashboards)
    etl_failures = sum(1 for e in etl if e.error)
    failures = max(0, round(statements * _FAILED_SHARE) - etl_failures)
    analysts = _analyst_entries(rng, warehouse, count=remaining, failures=failures)
    return sorted((*etl, *dashboards, *analysts), key=lambda e: e.start)


# --- the log's calendar --------------------------------------------------------


def _log_days() -> list[dt.date]:
    first = AS_OF - dt.timedelta(days=LOG_DAYS - 1)
    return [first + dt.timedelta(days=i) for i in range(LOG_DAYS)]


def _at(day: dt.date, hour: int, rng: random.Random, spread_s: int) -> dt.datetime:
    start = dt.datetime.combine(day, dt.time(hour))
    return start + dt.timedelta(seconds=rng.randint(0, spread_s), milliseconds=rng.randint(0, 999))


def _duration_ms(rng: random.Random, kind: str) -> int:
    if kind == "failed":
        return rng.randint(1, 40)
    if kind == "write":
        return int(rng.lognormvariate(7.0, 0.6))
    return max(2, int(rng.lognormvariate(4.6, 1.1)))


# --- nightly ETL ----------------------------------------------------------------


def _etl_key(statement: DemoStatement) -> str:
    return f"etl:{statement.kind}:{statement.target}"


def _rows_written(statement: DemoStatement, warehouse: DemoWarehouse, age_days: int) -> int | None:
    """Rows a write produced; older runs saw slightly smaller tables."""
    if statement.kind not in (EtlKind.CREATE_TABLE_AS, EtlKind.INSERT_SELECT):
        return None
    full = warehouse.tables.get(statement.target, 0)
    if statement.target == "analytics.daily_revenue" and statement.kind == EtlKind.INSERT_SELECT:
        return 3  # one day, one row per region and currency, roughly
    return max(0, round(full * (1 - 0.0015 * age_days)))


def _night_statements(night: dt.date, *, final: bool, broken: bool) -> list[DemoStatement]:
    """What the schedulers ran in the early hours of ``night`` (data up to the day before)."""
    if final:
        return etl_statements()
    full = {s.target: s for s in etl_statements() if s.kind != EtlKind.DELETE}
    statements = [full["marketing.email_list"], full["web.sessions"]]
    statements += daily_revenue_increment(night - dt.timedelta(days=1))
    if night.day == 1:
        statements += payroll_statements((night - dt.timedelta(days=1)).replace(day=1))
    statements.append(full["analytics.customer_order_summary"])
    if night.weekday() == 6:  # Sunday: full rebuild of the incremental model
        statements.append(full["analytics.daily_revenue"])
    statements += [s for s in etl_statements() if s.kind == EtlKind.CREATE_VIEW]
    if broken:
        statements.append(
            DemoStatement(
                "analytics.churn_features", EtlKind.CREATE_TABLE_AS, BROKEN_MODEL.sql, DBT_USER
            )
        )
    return statements


def _etl_entries(rng: random.Random, warehouse: DemoWarehouse, budget: int) -> list[LogEntry]:
    """Nightly runs, newest first until ``budget`` is spent; the final full refresh always."""
    nights = [d + dt.timedelta(days=1) for d in _log_days()]
    broken_nights = set(nights[len(nights) // 2 : len(nights) // 2 + 2])
    runs: list[list[LogEntry]] = []
    spent = 0
    for age, night in enumerate(reversed(nights)):
        statements = _night_statements(night, final=age == 0, broken=night in broken_nights)
        if age > 0 and spent + len(statements) > budget:
            break
        runs.append(list(_run_night(rng, warehouse, night, statements, age)))
        spent += len(statements)
    return [entry for run in runs for entry in run]


def _run_night(
    rng: random.Random,
    warehouse: DemoWarehouse,
    night: dt.date,
    statements: list[DemoStatement],
    age: int,
) -> Iterator[LogEntry]:
    clocks = {ETL_USER: _at(night, 2, rng, 300), DBT_USER: _at(night, 3, rng, 900)}
    for statement in statements:
        failed = statement.target == "analytics.churn_features"
        kind = "failed" if failed else ("write" if statement.kind != EtlKind.DELETE else "read")
        duration = _duration_ms(rng, kind)
        start = clocks[statement.runner]
        clocks[statement.runner] = start + dt.timedelta(
            milliseconds=duration + rng.randint(40, 900)
        )
        yield LogEntry(
            start=start,
            user=statement.runner,
            sql=statement.sql,
            schema=_SERVICE_SCHEMA[statement.runner],
            error=BROKEN_MODEL.error if failed else None,
            duration_ms=duration,
            rows=None if failed else _rows_written(statement, warehouse, age),
            template=BROKEN_MODEL.name if failed else _etl_key(statement),
        )


# --- dashboards and analysts ---------------------------------------------------------


def _entry(
    rng: random.Random, warehouse: DemoWarehouse, query: QueryTemplate, user: str, when: dt.datetime
) -> LogEntry:
    ctx = RenderContext(rng, when, user, warehouse.database_name, warehouse.tables)
    rendered = render(query, ctx)
    writes = rendered.sql.startswith(("CREATE", "INSERT"))
    kind = "failed" if rendered.error else ("write" if writes else "read")
    return LogEntry(
        start=when,
        user=user,
        sql=rendered.sql,
        schema=query.schema,
        error=rendered.error,
        duration_ms=_duration_ms(rng, kind),
        rows=None if rendered.error else rng.randint(*query.rows),
        template=query.name,
    )


def _weighted(rng: random.Random, templates: list[QueryTemplate]) -> QueryTemplate:
    return rng.choices(templates, weights=[t.weight for t in templates])[0]


def _dashboard_entries(rng: random.Random, warehouse: DemoWarehouse, count: int) -> list[LogEntry]:
    """Dashboard tiles refreshed through the working day, busier on weekdays."""
    days = _log_days()
    weights = [5 if d.weekday() < 5 else 1 for d in days]
    entries = []
    for _ in range(count):
        day = rng.choices(days, weights=weights)[0]
        when = _at(day, 6, rng, 16 * 3600)
        entries.append(
            _entry(rng, warehouse, _weighted(rng, list(LOOKER_TEMPLATES)), LOOKER_USER, when)
        )
    return entries


def _analyst_units(
    rng: random.Random, count: int, failures: int
) -> list[tuple[str, list[QueryTemplate]]]:
    """(user, templates run back to back): ``failures`` mistakes, then ordinary work."""
    failing = [t for t in ANALYST_TEMPLATES if t.fails]
    ordinary = {
        u: [t for t in ANALYST_TEMPLATES if t.standalone and not t.fails and u in t.users]
        for u in ANALYSTS
    }
    singles = {u: [t for t in ts if not t.then] for u, ts in ordinary.items()}
    units: list[tuple[str, list[QueryTemplate]]] = []
    left = count
    for _ in range(failures):
        chain = session(_weighted(rng, failing))
        if len(chain) > left:
            chain = chain[:left]
        if not chain:
            break
        units.append((rng.choice(chain[0].users), chain))
        left -= len(chain)
    users = list(_ANALYST_WEIGHTS)
    while left > 0:
        user = rng.choices(users, weights=list(_ANALYST_WEIGHTS.values()))[0]
        chain = session(_weighted(rng, ordinary[user]))
        if len(chain) > left:
            chain = [_weighted(rng, singles[user])]
        units.append((user, chain))
        left -= len(chain)
    return units


def _analyst_entries(
    rng: random.Random, warehouse: DemoWarehouse, count: int, failures: int
) -> list[LogEntry]:
    """Analysts at work on weekdays (the odd weekend), each unit a few seconds to minutes long."""
    days = _log_days()
    weights = [10 if d.weekday() < 5 else 1 for d in days]
    entries = []
    for user, chain in _analyst_units(rng, count, failures):
        when = _at(rng.choices(days, weights=weights)[0], 7, rng, 11 * 3600)
        for query in chain:
            entry = _entry(rng, warehouse, query, user, when)
            entries.append(entry)
            when += dt.timedelta(milliseconds=entry.duration_ms, seconds=rng.randint(15, 240))
    return entries
