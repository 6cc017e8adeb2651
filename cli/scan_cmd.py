"""``veil scan`` and ``veil warehouse``: catalog warehouses and list them."""

from __future__ import annotations

import click
import sqlalchemy as sa

from catalog.connect import redact_url
from catalog.errors import NotFoundError
from catalog.scan import ScanResult, scan_warehouse
from catalog.store import Store
from catalog.store.models import WarehouseRow
from cli.context import VeilContext
from cli.output import out_console, phase_progress, print_json
from lineage.propagate import PropagationReport, propagate_pii

_MAX_CHANGES_SHOWN = 20


@click.command()
@click.option(
    "--warehouse",
    "target",
    required=True,
    metavar="URL|NAME",
    help="SQLAlchemy URL of the warehouse (duckdb:///file.duckdb, sqlite:///file.db, "
    "postgresql+psycopg://user:pass@host/db), or the name of one scanned before.",
)
@click.option("--name", help="Name for the warehouse in the catalog (default: its database name).")
@click.option(
    "--exact-count-max-rows",
    type=click.IntRange(min=0),
    help="Count rows exactly for tables estimated below this size (default from settings).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Summary format."
)
@click.pass_obj
def scan(
    obj: VeilContext, target: str, name: str | None, exact_count_max_rows: int | None, fmt: str
) -> None:
    """Reflect a warehouse into the catalog: schemas, tables, views, columns, row counts.

    A re-scan records drift (tables and columns added or removed, types changed, view
    definitions changed) and keeps everything stewards wrote. The warehouse is only
    read, never changed.

    \b
    Examples:
      veil scan --warehouse duckdb:///warehouse.duckdb --name dw
      veil scan --warehouse postgresql+psycopg://reader@db.internal/sales --name sales
      veil scan --warehouse dw          # re-scan a warehouse scanned before
    """
    store = obj.store
    url, name = _target(store, target, name)
    limit = (
        exact_count_max_rows
        if exact_count_max_rows is not None
        else obj.settings.scan_exact_count_max_rows
    )
    with phase_progress() as progress:
        result = scan_warehouse(store, url, name, exact_count_max_rows=limit, progress=progress)
    # Tables that appeared since lineage was ingested (a CREATE TABLE AS from a PII table)
    # get their propagated PII suggestions now, so they are masked from the first query.
    propagated = propagate_pii(store, result.warehouse) if not result.first_scan else None
    if fmt == "json":
        print_json({**_result_json(result), "pii_propagated": _new(propagated)})
    else:
        print_summary(result)
        if propagated is not None and _new(propagated):
            out_console().print(
                f"PII propagated along lineage to {_new(propagated)} newly seen columns "
                "(suggestions, masked until a steward rejects them)."
            )


def _new(report: PropagationReport | None) -> int:
    return report.recorded.new if report is not None else 0


def print_summary(result: ScanResult) -> None:
    console = out_console()
    verb = "Catalogued" if result.first_scan else "Re-scanned"
    console.print(
        f"{verb} warehouse [bold]{result.warehouse}[/]: {result.schemas} schemas, "
        f"{result.tables} tables, {result.views} views, {result.columns} columns, "
        f"{result.rows:,} rows in {result.seconds:.1f}s."
    )
    if result.first_scan:
        return
    if not result.changes:
        console.print("No schema changes since the last scan.")
        return
    console.print(f"{len(result.changes)} schema changes since the last scan:")
    for change in result.changes[:_MAX_CHANGES_SHOWN]:
        console.print(f"  {change.describe()}", markup=False)
    if len(result.changes) > _MAX_CHANGES_SHOWN:
        console.print(
            f"  … and {len(result.changes) - _MAX_CHANGES_SHOWN} more "
            f"(veil catalog changes --warehouse {result.warehouse})"
        )


def _result_json(result: ScanResult) -> dict[str, object]:
    return {
        "warehouse": result.warehouse,
        "first_scan": result.first_scan,
        "schemas": result.schemas,
        "tables": result.tables,
        "views": result.views,
        "columns": result.columns,
        "rows": result.rows,
        "seconds": round(result.seconds, 3),
        "changes": [
            {
                "kind": c.kind.value,
                "schema": c.schema,
                "table": c.table,
                "column": c.column,
                "old": c.old,
                "new": c.new,
            }
            for c in result.changes
        ],
    }


def _target(store: Store, target: str, name: str | None) -> tuple[str, str | None]:
    """A URL as given, or the stored URL of a warehouse scanned before under that name."""
    if "://" in target:
        return target, name
    with store.session() as session:
        row = session.scalar(sa.select(WarehouseRow).where(WarehouseRow.name == target))
        known = session.scalars(sa.select(WarehouseRow.name).order_by(WarehouseRow.name)).all()
    if row is None:
        raise NotFoundError(
            f"{target!r} is neither a database URL nor a warehouse in the catalog",
            hint=(f"Known warehouses: {', '.join(known)}. " if known else "")
            + "A URL looks like duckdb:///path/file.duckdb or postgresql+psycopg://user@host/db.",
        )
    return row.url, name or row.name


@click.group()
def warehouse() -> None:
    """Warehouses known to the catalog."""


@warehouse.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def warehouse_list(obj: VeilContext, fmt: str) -> None:
    """List catalogued warehouses (passwords in URLs are hidden)."""
    with obj.store.session() as session:
        rows = session.scalars(sa.select(WarehouseRow).order_by(WarehouseRow.name)).all()
        data = [
            {
                "name": r.name,
                "dialect": r.dialect,
                "url": redact_url(r.url),
                "last_scan_at": r.last_scan_at.isoformat() if r.last_scan_at else None,
            }
            for r in rows
        ]
    if fmt == "json":
        print_json(data)
        return
    console = out_console()
    if not data:
        console.print("No warehouses yet. Catalog one with `veil scan --warehouse URL`.")
    for d in data:
        console.print(
            f"{d['name']:<20} {d['dialect']:<11} {d['url']}  last scan {d['last_scan_at'] or '-'}",
            markup=False,
        )
