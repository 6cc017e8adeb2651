"""Build the demo warehouse: a DuckDB file that feels like a real company.

Rows are generated in Python from one seed, written to CSV in a temporary
directory and bulk-loaded with ``COPY`` (inserting Python tuples one by one is
orders of magnitude slower), then the ETL in ``cli.demo.etl`` derives the
analytics tables and views inside DuckDB itself.

>>> from pathlib import Path; import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     wh = build_warehouse(Path(tmp) / "demo.duckdb", scale=0.02)
...     wh.tables["crm.customers"] > 0, "crm.customer_contacts" in wh.views
(True, True)
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cli.demo import schema
from cli.demo.clickstream import event_rows
from cli.demo.customers import Row, consent_rows, customer_rows, make_customers
from cli.demo.etl import DemoStatement, etl_statements
from cli.demo.fulfilment import payment_rows, shipment_rows
from cli.demo.orders import make_orders, make_products
from cli.demo.people import PersonFactory, draw_pools
from cli.demo.staff import department_rows, make_employees
from cli.demo.support import make_support

_NULL = r"\N"

# Rows per table at scale 1.0 (dependent tables follow from these), and floors for tiny scales.
_SIZES = {
    "customers": (6_000, 100),
    "products": (400, 30),
    "orders": (12_000, 200),
    "employees": (600, 30),
    "tickets": (4_000, 60),
    "events": (16_000, 300),
}


@dataclass(frozen=True)
class DemoWarehouse:
    """What was built: the file, every table with its row count, the views, and the ETL run."""

    path: Path
    tables: dict[str, int]  # "schema.table" -> row count
    views: list[str]
    etl: list[DemoStatement]

    @property
    def database_name(self) -> str:
        """DuckDB names a file's catalog after its stem (``demo.duckdb`` → ``demo``)."""
        return self.path.stem


def build_warehouse(path: Path, *, seed: int = 7, scale: float = 1.0) -> DemoWarehouse:
    """Create (or overwrite) the demo DuckDB file at ``path``.

    Same ``seed`` and ``scale`` give identical table contents. ``scale`` shrinks or
    grows every table (0.05 builds in well under a second, for tests).
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    path = Path(path)
    rows = generate_rows(seed, scale)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    statements = etl_statements()
    con = duckdb.connect(str(path))
    try:
        _create_base_tables(con)
        with tempfile.TemporaryDirectory(prefix="veil-demo-") as tmp:
            for spec in schema.BASE_TABLES:
                _load(con, spec, rows[spec.qualified], Path(tmp))
        for statement in statements:
            con.execute(statement.sql)
        tables, views = _inventory(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return DemoWarehouse(path=path, tables=tables, views=views, etl=statements)


def _count(scale: float, name: str) -> int:
    base, floor = _SIZES[name]
    return max(floor, round(base * scale))


def _rng(seed: int, table: str) -> random.Random:
    """One generator per table, so a change to one table leaves the others' rows alone."""
    return random.Random(f"{seed}:{table}")


def generate_rows(seed: int, scale: float) -> dict[str, list[Row]]:
    """Rows for every base table, keyed by ``schema.table``, in column order."""
    pools = draw_pools(seed, size=min(1_500, max(200, round(1_500 * scale))))
    customer_people = PersonFactory(_rng(seed, "people:customers"), pools)
    staff_people = PersonFactory(_rng(seed, "people:staff"), pools)
    other_people = PersonFactory(_rng(seed, "people:others"), pools)

    customers = make_customers(_rng(seed, "customers"), customer_people, _count(scale, "customers"))
    products, product_rows = make_products(_rng(seed, "products"), _count(scale, "products"))
    sales = make_orders(
        _rng(seed, "orders"), other_people, customers, products, _count(scale, "orders")
    )
    employees, employee_rows = make_employees(
        _rng(seed, "employees"), staff_people, _count(scale, "employees")
    )
    support = make_support(
        _rng(seed, "tickets"),
        other_people,
        customers,
        sales.orders,
        products,
        employees,
        _count(scale, "tickets"),
    )
    return {
        "hr.departments": department_rows(),
        "hr.employees": employee_rows,
        "crm.customers": customer_rows(_rng(seed, "customer_rows"), customers),
        "crm.consent_events": consent_rows(_rng(seed, "consents"), customers),
        "sales.products": product_rows,
        "sales.orders": sales.order_rows,
        "sales.order_items": sales.item_rows,
        "sales.payments": payment_rows(_rng(seed, "payments"), sales.orders),
        "sales.shipments": shipment_rows(_rng(seed, "shipments"), other_people, sales.orders),
        "support.tickets": support.ticket_rows,
        "support.ticket_comments": support.comment_rows,
        "web.events": event_rows(
            _rng(seed, "events"), customers, products, _count(scale, "events")
        ),
    }


def _create_base_tables(con: duckdb.DuckDBPyConnection) -> None:
    schemas = dict.fromkeys([s.schema for s in schema.BASE_TABLES] + list(schema.DERIVED_SCHEMAS))
    for name in schemas:
        con.execute(f"CREATE SCHEMA {name}")
    for spec in schema.BASE_TABLES:
        con.execute(spec.create_sql())
        for statement in spec.comment_sql():
            con.execute(statement)


def _write_csv(path: Path, rows: Iterable[Row]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        for row in rows:
            writer.writerow([_NULL if v is None else v for v in row])


def _load(
    con: duckdb.DuckDBPyConnection, spec: schema.TableSpec, rows: list[Row], tmp: Path
) -> None:
    """Bulk-load ``rows`` through a CSV file: one COPY instead of thousands of INSERTs."""
    csv_path = tmp / f"{spec.qualified}.csv"
    _write_csv(csv_path, rows)
    literal = str(csv_path).replace("'", "''")
    con.execute(
        f"COPY {spec.qualified} FROM '{literal}' (FORMAT csv, HEADER false, DELIMITER ',', "
        f"QUOTE '\"', ESCAPE '\"', NULLSTR '{_NULL}', AUTO_DETECT false)"
    )


def _inventory(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], list[str]]:
    names = con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() ORDER BY 1"
    ).fetchall()
    tables = {
        name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # type: ignore[index]
        for (name,) in names
    }
    views = con.execute(
        "SELECT schema_name || '.' || view_name FROM duckdb_views() "
        "WHERE database_name = current_database() AND NOT internal ORDER BY 1"
    ).fetchall()
    return tables, [name for (name,) in views]
