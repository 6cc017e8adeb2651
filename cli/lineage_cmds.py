"""``veil lineage …``: column-level lineage of SQL."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from catalog.errors import NotFoundError, UsageError
from cli.context import VeilContext
from cli.output import out_console, phase_progress, print_json
from lineage.graph import load_graph, path, walk
from lineage.impact import analyse_impact
from lineage.ingest import ingest_records, ingest_views
from lineage.model import EdgeKind
from lineage.parse import parse_lineage
from lineage.propagate import propagate_pii
from lineage.readers import READERS, ColumnMap, LogRecord, ReadStats, read_log
from lineage.requests import answer


@click.group()
def lineage() -> None:
    """Column-level lineage: parse SQL, ingest query logs, explore the graph."""


@lineage.command("parse")
@click.option("--dialect", "-d", help="SQL dialect (postgres, duckdb, snowflake, bigquery, …).")
@click.option(
    "--schema",
    "schema_file",
    type=click.Path(exists=True, dir_okay=False),
    help="JSON file mapping [catalog.][schema.]table to its column list.",
)
@click.option(
    "--indirect",
    is_flag=True,
    help="Also emit 'filter' edges for columns that only decide which rows flow.",
)
@click.option("--default-db", help="Database for unqualified names.")
@click.option("--default-schema", help="Schema for unqualified names.")
@click.option(
    "--jsonl",
    is_flag=True,
    help="Bulk mode: one JSON request per stdin line, one JSON reply per line.",
)
def parse(
    dialect: str | None,
    schema_file: str | None,
    indirect: bool,
    default_db: str | None,
    default_schema: str | None,
    jsonl: bool,
) -> None:
    """Read SQL on stdin and print its column edges as JSON.

    \b
    echo "INSERT INTO mart.t SELECT id, upper(name) AS name FROM crm.c" \\
      | veil lineage parse --dialect postgres
    [{"source": "crm.c.id", "target": "mart.t.id", "kind": "identity"}, ...]

    A plain SELECT's targets are its output column names. Kinds: identity, transform,
    aggregate (and filter with --indirect). With --jsonl each line is
    {"id", "sql", "dialect", "schema", "default_db", "default_schema"} and each reply
    {"id", "edges", "sources", "targets", "error"}, written as soon as it is ready.
    """
    if jsonl:
        for line in sys.stdin:
            if line.strip():
                sys.stdout.write(json.dumps(answer(line, indirect=indirect)) + "\n")
                sys.stdout.flush()
        return
    schema = _read_schema(schema_file) if schema_file else None
    sql = sys.stdin.read()
    if not sql.strip():
        raise click.UsageError("no SQL on stdin")
    results = parse_lineage(
        sql,
        dialect,
        schema=schema,
        default_db=default_db,
        default_schema=default_schema,
        indirect=indirect,
    )
    edges = list(dict.fromkeys(e for r in results for e in r.edges))
    click.echo(json.dumps([e.as_json() for e in edges], indent=2))
    failed = [(i, r.error) for i, r in enumerate(results, start=1) if r.error]
    for r in results:
        for warning in r.warnings:
            click.echo(f"Warning: {warning}", err=True)
    if failed:
        for i, error in failed:
            where = f"statement {i}" if len(results) > 1 else "the statement"
            click.echo(f"Error: {where} cannot be parsed: {error}", err=True)
        sys.exit(1)


def _read_schema(path: str) -> dict[str, list[str]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise UsageError(f"{path} is not valid JSON: {e.msg} (line {e.lineno})") from e
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(c, str) for c in v)
        for k, v in data.items()
    ):
        raise UsageError(
            f"{path} must map table names to lists of column names",
            hint='e.g. {"sales.orders": ["id", "customer_id", "amount"]}',
        )
    return data


@lineage.command("show")
@click.argument("column")
@click.option("--warehouse", help="Warehouse (default: the only one, or the COLUMN's prefix).")
@click.option("--upstream", "direction", flag_value="upstream", help="Where the data came from.")
@click.option(
    "--downstream",
    "direction",
    flag_value="downstream",
    default=True,
    help="Where the data goes (default).",
)
@click.option("--depth", type=click.IntRange(1, 100), help="Hops to follow (default: all).")
@click.option("--indirect", is_flag=True, help="Also follow filter edges.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def show(
    obj: VeilContext,
    column: str,
    warehouse: str | None,
    direction: str,
    depth: int | None,
    indirect: bool,
    fmt: str,
) -> None:
    """Show a column's lineage: what feeds it (--upstream) or where it goes.

    \b
    veil lineage show crm.customers.email
    veil lineage show demo.marketing.email_list.email --upstream --depth 2 --format json
    """
    warehouse, name = _locate(obj, column, warehouse)
    graph = load_graph(obj.store, warehouse)
    kinds = None if indirect else [EdgeKind.IDENTITY, EdgeKind.TRANSFORM, EdgeKind.AGGREGATE]
    edges = walk(graph, name, downstream=direction == "downstream", depth=depth, kinds=kinds)
    if fmt == "json":
        print_json(
            {
                "column": f"{warehouse}.{name}",
                "direction": direction,
                "edges": [
                    {
                        "source": e.source,
                        "target": e.target,
                        "kind": e.kind.value,
                        "executions": e.executions,
                        "depth": e.depth,
                    }
                    for e in edges
                ],
            }
        )
        return
    console = out_console()
    if not edges:
        console.print(f"No {direction} lineage recorded for {warehouse}.{name}.", markup=False)
        return
    arrow = "→" if direction == "downstream" else "←"
    console.print(f"{warehouse}.{name} ({direction})", markup=False)
    for e in edges:
        other = e.target if direction == "downstream" else e.source
        console.print(
            f"{'  ' * e.depth}{arrow} {other}  [{e.kind.value}, {e.executions} runs]", markup=False
        )


@lineage.command("impact")
@click.argument("name", metavar="COLUMN_OR_TABLE")
@click.option("--warehouse", help="Warehouse (default: the only one, or the name's prefix).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def impact(obj: VeilContext, name: str, warehouse: str | None, fmt: str) -> None:
    """What a change to a column or table affects: downstream columns and tables, their
    owners, and which of them carry PII."""
    warehouse, local = _locate(obj, name, warehouse)
    result = analyse_impact(obj.store, warehouse, local)
    if fmt == "json":
        print_json(result.as_json())
        return
    console = out_console()
    console.print(
        f"Changing {warehouse}.{local} affects {len(result.columns)} columns in "
        f"{len(result.tables)} tables.",
        markup=False,
    )
    for table in result.tables:
        owner = result.owners.get(table)
        pii = [c for c in result.columns if c.rsplit(".", 1)[0] == table and c in result.pii]
        extra = f"  owner: {owner}" if owner else ""
        extra += (
            f"  PII: {', '.join(c.rsplit('.', 1)[1] + ' (' + result.pii[c] + ')' for c in pii)}"
            if pii
            else ""
        )
        console.print(f"  {table}{extra}", markup=False)


@lineage.command("path")
@click.argument("source")
@click.argument("target")
@click.option("--warehouse", help="Warehouse (default: the only one, or the names' prefix).")
@click.pass_obj
def path_cmd(obj: VeilContext, source: str, target: str, warehouse: str | None) -> None:
    """The shortest data path from one column to another."""
    warehouse, src = _locate(obj, source, warehouse)
    _, dst = _locate(obj, target, warehouse)
    found = path(load_graph(obj.store, warehouse), src, dst)
    if found is None:
        raise NotFoundError(f"no lineage path from {src} to {dst} in {warehouse}")
    click.echo(" → ".join(found))


def _locate(obj: VeilContext, name: str, warehouse: str | None) -> tuple[str, str]:
    """(warehouse, schema.table[.column]) from a name that may start with the warehouse."""
    import sqlalchemy as sa

    from catalog.store.models import WarehouseRow

    with obj.store.session() as session:
        names = list(session.scalars(sa.select(WarehouseRow.name)))
    head, _, rest = name.partition(".")
    if warehouse is None and head in names and rest.count(".") >= 1:
        return head, rest.lower()
    if warehouse is None:
        if len(names) != 1:
            raise UsageError(
                "say which warehouse: --warehouse NAME, or prefix the name with it",
                hint=f"Known: {', '.join(names)}." if names else "Scan one with `veil scan`.",
            )
        warehouse = names[0]
    if name.startswith(warehouse + ".") and name.count(".") >= 3:
        name = name[len(warehouse) + 1 :]
    return warehouse, name.lower()


@lineage.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--warehouse", required=True, help="The catalogued warehouse the log belongs to.")
@click.option(
    "--format", "fmt", required=True, type=click.Choice(sorted(READERS)), help="Log format."
)
@click.option(
    "--views/--no-views",
    default=True,
    show_default=True,
    help="Also read the catalog's view definitions as statements.",
)
@click.option(
    "--propagate/--no-propagate",
    default=True,
    show_default=True,
    help="Then suggest PII on columns downstream of confirmed PII.",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=0,
    help="Parsing processes; 0 = one per core when there is enough work.",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="For jsonl/csv logs: which column holds a field (query_text, user, start_time, "
    "database, schema, status, error, query_id). Repeatable.",
)
@click.option(
    "--default-schema",
    help="Schema for unqualified names when the log does not say (e.g. public).",
)
@click.option(
    "--format-output",
    "out",
    type=click.Choice(["text", "json"]),
    default="text",
    help="Summary format.",
)
@click.pass_obj
def ingest(
    obj: VeilContext,
    files: tuple[str, ...],
    warehouse: str,
    fmt: str,
    views: bool,
    propagate: bool,
    workers: int,
    columns: tuple[str, ...],
    default_schema: str | None,
    out: str,
) -> None:
    """Build column lineage from query logs (and view definitions).

    Failed statements are skipped and counted; unparseable ones are kept with their
    error for review. Each distinct statement (literals and whitespace folded) is parsed
    once; re-ingesting a file adds nothing.

    \b
    veil lineage ingest --warehouse demo --format jsonl .veil/demo/query_log.jsonl
    veil lineage ingest --warehouse dw --format postgres-csvlog /var/log/postgresql/*.csv
    """
    store = obj.store
    reports = []
    stats = ReadStats()
    mapping = ColumnMap.parse(columns) if columns else None
    with phase_progress() as progress:
        for file in files:
            records: Iterable[LogRecord] = read_log(file, fmt, columns=mapping, stats=stats)
            if default_schema:
                records = (
                    r if r.schema else dataclasses.replace(r, schema=default_schema)
                    for r in records
                )
            reports.append(
                ingest_records(store, warehouse, records, workers=workers, progress=progress)
            )
        if views:
            reports.append(ingest_views(store, warehouse, workers=workers))
        propagated = propagate_pii(store, warehouse) if propagate else None
    summary = {
        "records": sum(r.records for r in reports),
        "duplicates": sum(r.duplicates for r in reports),
        "failed": sum(r.failed for r in reports),
        "skipped_lines": stats.skipped,
        "new_statements": sum(r.new_statements for r in reports),
        "unparseable": sum(r.unparseable for r in reports),
        "edges": reports[-1].edges if reports else 0,
        "pii_propagated": propagated.reached if propagated else None,
        "errors": [e for r in reports for e in r.errors][:20],
    }
    if out == "json":
        print_json(summary)
        return
    console = out_console()
    console.print(
        f"Read {summary['records']:,} log records ({summary['duplicates']:,} already ingested, "
        f"{summary['failed']:,} failed statements skipped, {summary['skipped_lines']:,} "
        f"malformed lines skipped). {summary['new_statements']:,} new distinct statements "
        f"parsed, {summary['unparseable']:,} unparseable kept for review. The lineage graph "
        f"of {warehouse} has {summary['edges']:,} column edges.",
        markup=False,
    )
    if propagated is not None:
        console.print(
            f"PII propagation: {propagated.sources} confirmed PII columns, "
            f"{propagated.reached} downstream columns suggested as PII.",
            markup=False,
        )
