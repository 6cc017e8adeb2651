"""Query templates: one query *shape*, rendered many times with different literals.

Rendering the same shape with new dates, ids and limits is what makes
fingerprint deduplication in lineage ingestion matter. A template either
succeeds on the generated warehouse or, when ``error`` is set, fails with
exactly that first line of DuckDB's message; the tests execute every template
to keep that true.
"""

from __future__ import annotations

import datetime as dt
import random
import string
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cli.demo.orders import CATEGORIES
from cli.demo.people import COUNTRIES


@dataclass(frozen=True)
class QueryTemplate:
    """A query someone runs again and again.

    ``sql`` has ``str.format`` slots named after ``PARAMETERS``. ``schema`` is the
    default schema in effect (unqualified names resolve there). ``then`` names the
    template the same user runs next (the fix after a failure, the follow-up after
    a ``CREATE TABLE``); a template with ``standalone=False`` only runs as a ``then``.
    ``rows`` is the plausible range of ``rows_produced``.
    """

    name: str
    sql: str
    schema: str
    users: tuple[str, ...]
    weight: int = 3
    error: str | None = None
    then: str | None = None
    rows: tuple[int, int] = (1, 60)
    standalone: bool = True

    @property
    def fails(self) -> bool:
        return self.error is not None


def template(
    name: str,
    schema: str,
    users: tuple[str, ...],
    sql: str,
    *,
    weight: int = 3,
    error: str | None = None,
    then: str | None = None,
    rows: tuple[int, int] = (1, 60),
    standalone: bool = True,
) -> QueryTemplate:
    """Declare a template; ``sql`` may be indented like the code around it."""
    return QueryTemplate(
        name, textwrap.dedent(sql).strip(), schema, users, weight, error, then, rows, standalone
    )


@dataclass(frozen=True)
class RenderContext:
    """What a rendering may depend on: who runs it, when, and how big the warehouse is."""

    rng: random.Random
    when: dt.datetime
    user: str
    database: str
    counts: Mapping[str, int]

    def days_ago(self, *choices: int) -> dt.date:
        return self.when.date() - dt.timedelta(days=self.rng.choice(choices))

    def row_id(self, table: str) -> int:
        return self.rng.randint(1, max(1, self.counts.get(table, 1)))

    def month_start(self, months_back: int) -> str:
        months = self.when.year * 12 + self.when.month - 1 - months_back
        return dt.date(months // 12, months % 12 + 1, 1).isoformat()


PARAMETERS: dict[str, Callable[[RenderContext], object]] = {
    "since": lambda c: c.days_ago(7, 14, 30, 30, 60, 90).isoformat(),
    "day": lambda c: c.days_ago(1, 1, 2, 3, 7).isoformat(),
    "cohort_start": lambda c: c.month_start(c.rng.randint(6, 12)),
    "hour": lambda c: (c.when - dt.timedelta(hours=c.rng.choice((1, 6, 24)))).strftime(
        "%Y-%m-%d %H:00:00"
    ),
    "bad_date": lambda c: f"{c.when.year}-02-{c.rng.choice((30, 31))}",
    "region": lambda c: c.rng.choice(("NA", "EU", "APAC")),
    "country": lambda c: c.rng.choice(COUNTRIES).code,
    "category": lambda c: c.rng.choice(CATEGORIES).name,
    "priority": lambda c: c.rng.choice(("low", "normal", "high", "urgent")),
    "keyword": lambda c: c.rng.choice(("refund", "charged twice", "address", "tracking", "crash")),
    "email_domain": lambda c: c.rng.choice(("gmail.com", "yahoo.com", "outlook.com", "gmx.de")),
    "initial": lambda c: c.rng.choice(string.ascii_uppercase),
    "customer_id": lambda c: c.row_id("crm.customers"),
    "order_id": lambda c: c.row_id("sales.orders"),
    "ticket_id": lambda c: c.row_id("support.tickets"),
    "employee_id": lambda c: c.row_id("hr.employees"),
    "department_id": lambda c: c.rng.randint(1, 12),
    "order_number": lambda c: f"ORD-{c.when.year}-{c.rng.randint(1, 4000):06d}",
    "limit": lambda c: c.rng.choice((10, 20, 25, 50, 100)),
    "min_total": lambda c: c.rng.choice((100, 250, 500, 1000)),
    "min_ltv": lambda c: c.rng.choice((1000, 1500, 2500, 5000)),
    "min_orders": lambda c: c.rng.randint(2, 5),
    "min_n": lambda c: c.rng.randint(3, 10),
    "target": lambda c: c.rng.choice((50_000, 100_000, 250_000)),
    "user": lambda c: c.user,
    "database": lambda c: c.database,
}


class _Slots(dict):
    """Draws each slot lazily, once per rendering, so a value used twice is the same."""

    def __init__(self, ctx: RenderContext) -> None:
        super().__init__()
        self._ctx = ctx

    def __missing__(self, key: str) -> object:
        value = PARAMETERS[key](self._ctx)
        self[key] = value
        return value


@dataclass(frozen=True)
class RenderedQuery:
    """A statement ready to log, with the error DuckDB gives for it (None: it succeeds)."""

    sql: str
    error: str | None


def render(query: QueryTemplate, ctx: RenderContext) -> RenderedQuery:
    """Fill every slot from ``ctx``; the error message sees the same values as the SQL."""
    slots = _Slots(ctx)
    sql = query.sql.format_map(slots)
    return RenderedQuery(sql, query.error.format_map(slots) if query.error else None)
