"""``veil lineage …``: column-level lineage of SQL."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from catalog.errors import UsageError
from lineage.parse import parse_lineage
from lineage.requests import answer


@click.group()
def lineage() -> None:
    """Column-level lineage: parse SQL into column edges."""


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
