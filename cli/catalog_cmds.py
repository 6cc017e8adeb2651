"""``veil catalog …``: export, search, show, and the steward's edits."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa

from catalog.browse import export_json, list_tables, to_catalog_table
from catalog.curate import add_tag, remove_tag, set_description, set_owner
from catalog.names import resolve_table
from catalog.search import search_catalog
from catalog.store.models import ScanRunRow, SchemaChangeRow, WarehouseRow
from cli.context import VeilContext
from cli.output import out_console, print_json


@click.group()
def catalog() -> None:
    """Browse, search, export and curate the catalog."""


@catalog.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json"]),
    default="json",
    show_default=True,
    help="Export format.",
)
@click.option("--warehouse", help="Only this warehouse.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to a file instead of stdout.",
)
@click.pass_obj
def export(obj: VeilContext, fmt: str, warehouse: str | None, output: str | None) -> None:
    """Export every table and view with columns, types, tags and PII status.

    The JSON shape is stable: {"tables": [{"warehouse", "schema", "name", "kind",
    "columns": [{"name", "type", "tags", "pii"}]}]} (extra keys may appear).
    """
    import json

    document = export_json(list_tables(obj.store, warehouse=warehouse))
    if output:
        Path(output).write_text(
            json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        click.echo(f"Wrote {len(document['tables'])} tables to {output}", err=True)
    else:
        print_json(document)


@catalog.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def search(obj: VeilContext, words: tuple[str, ...], limit: int, fmt: str) -> None:
    """Find tables and columns by name, description and tag, best first.

    Every word must match: `veil catalog search customers email` finds the email column
    of the customers table. Tags match too: `veil catalog search pii.email_address`.
    """
    hits = search_catalog(obj.store, " ".join(words), limit=limit)
    if fmt == "json":
        print_json(
            [
                {
                    "kind": h.kind,
                    "name": h.name,
                    "score": h.score,
                    "matched": list(h.matched),
                    "description": h.description,
                    "tags": list(h.tags),
                }
                for h in hits
            ]
        )
        return
    console = out_console()
    if not hits:
        console.print(f"Nothing in the catalog matches {' '.join(words)!r}.", markup=False)
        return
    for h in hits:
        extra = f"  [{', '.join(h.tags)}]" if h.tags else ""
        desc = f"  — {h.description}" if h.description else ""
        console.print(f"{h.kind:<7} {h.name}{extra}{desc}", markup=False)


@catalog.command()
@click.argument("table")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def show(obj: VeilContext, table: str, fmt: str) -> None:
    """Show one table or view: columns, types, tags, description, owner, view SQL."""
    with obj.store.session() as session:
        resolved = resolve_table(session, table)
        record = to_catalog_table(resolved.table, resolved.schema, resolved.warehouse)
    if fmt == "json":
        print_json(export_json([record])["tables"][0])
        return
    console = out_console()
    rows = f"{record.row_count:,}" if record.row_count is not None else "unknown"
    if record.row_count is not None and not record.row_count_exact:
        rows = "~" + rows
    console.print(f"{record.kind.value} {record.qualified_name}  ({rows} rows)", markup=False)
    for label, value in (
        ("owner", record.owner),
        ("description", record.description),
        ("comment", record.comment),
        ("tags", ", ".join(record.tags)),
    ):
        if value:
            console.print(f"  {label}: {value}", markup=False)
    width = max((len(c.name) for c in record.columns), default=4)
    for c in record.columns:
        null = "" if c.nullable else " NOT NULL"
        tags = f"  [{', '.join(c.tags)}]" if c.tags else ""
        desc = f"  — {c.description}" if c.description else ""
        console.print(f"  {c.name:<{width}}  {c.data_type}{null}{tags}{desc}", markup=False)
    if record.view_sql:
        console.print("  definition:", markup=False)
        console.print("    " + record.view_sql.replace("\n", "\n    "), markup=False)


@catalog.command()
@click.argument("ref", metavar="TABLE_OR_COLUMN")
@click.argument("text", required=False)
@click.option("--clear", is_flag=True, help="Remove the description.")
@click.pass_obj
def describe(obj: VeilContext, ref: str, text: str | None, clear: bool) -> None:
    """Write the description of a table or column (schema.table[.column])."""
    if not clear and not text:
        raise click.UsageError("give the description text, or --clear")
    name = set_description(obj.store, ref, None if clear else text)
    click.echo(f"{'Cleared' if clear else 'Described'} {name}")


@catalog.command()
@click.argument("table")
@click.argument("owner", required=False)
@click.option("--clear", is_flag=True, help="Remove the owner.")
@click.pass_obj
def owner(obj: VeilContext, table: str, owner: str | None, clear: bool) -> None:
    """Set the owner (a person or team) of a table."""
    if not clear and not owner:
        raise click.UsageError("give the owner, or --clear")
    name = set_owner(obj.store, table, None if clear else owner)
    click.echo(f"{name} owner: {'(none)' if clear else owner}")


@catalog.command()
@click.argument("ref", metavar="TABLE_OR_COLUMN")
@click.argument("tags", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Remove these tags instead of adding them.")
@click.pass_obj
def tag(obj: VeilContext, ref: str, tags: tuple[str, ...], remove: bool) -> None:
    """Add (or --remove) tags on a table or column, e.g. `finance` or `pii.email_address`."""
    for t in tags:
        if remove:
            removed = remove_tag(obj.store, ref, t)
            click.echo(f"{'Removed' if removed else 'Not tagged with'} {t} on {ref}")
        else:
            name = add_tag(obj.store, ref, t)
            click.echo(f"Tagged {name} with {t}")


@catalog.command()
@click.option("--warehouse", help="Only this warehouse.")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def changes(obj: VeilContext, warehouse: str | None, limit: int, fmt: str) -> None:
    """Schema drift recorded by re-scans, newest first."""
    query = (
        sa.select(SchemaChangeRow, WarehouseRow.name, ScanRunRow.started_at)
        .join(WarehouseRow, SchemaChangeRow.warehouse_id == WarehouseRow.id)
        .join(ScanRunRow, SchemaChangeRow.scan_run_id == ScanRunRow.id)
        .order_by(SchemaChangeRow.detected_at.desc(), SchemaChangeRow.id)
        .limit(limit)
    )
    if warehouse:
        query = query.where(WarehouseRow.name == warehouse)
    with obj.store.session() as session:
        rows = [
            {
                "warehouse": wh,
                "detected_at": c.detected_at.isoformat(),
                "kind": c.kind,
                "schema": c.schema_name,
                "table": c.table_name,
                "column": c.column_name,
                "old": c.old_value,
                "new": c.new_value,
            }
            for c, wh, _ in session.execute(query)
        ]
    if fmt == "json":
        print_json(rows)
        return
    from catalog.model import ChangeKind, SchemaChange

    console = out_console()
    if not rows:
        console.print("No schema changes recorded.")
    for r in rows:
        change = SchemaChange(
            ChangeKind(r["kind"]), r["schema"], r["table"], r["column"], r["old"], r["new"]
        )
        console.print(
            f"{r['detected_at'][:19]}  {r['warehouse']}  {change.describe()}", markup=False
        )
