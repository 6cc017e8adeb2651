"""``veil demo``: build the demo company and run Veil's whole path over it.

This is the one place that wires the packages together end to end; each later
capability (classification, lineage, policies, the web app and the gateway) adds
its step here, in pipeline order.
"""

from __future__ import annotations

import time

import click

from catalog.classify import ClassifierConfig
from catalog.classify.run import ClassifyReport, classify_warehouse
from catalog.pii import confirm
from catalog.scan import scan_warehouse
from catalog.store import Store
from cli.classify_cmd import print_report
from cli.context import VeilContext
from cli.output import err_console, out_console, phase_progress
from cli.scan_cmd import print_summary
from lineage.ingest import ingest_records, ingest_views
from lineage.propagate import propagate_pii
from lineage.readers import read_log
from policies.store import apply_policy


@click.command()
@click.option(
    "--seed",
    type=int,
    default=7,
    show_default=True,
    help="Random seed: the same seed builds the same data.",
)
@click.option(
    "--scale",
    type=click.FloatRange(0.01, 100),
    default=1.0,
    show_default=True,
    help="Data volume multiplier (1.0 is about 100,000 rows).",
)
@click.option(
    "--statements",
    type=click.IntRange(100),
    default=6000,
    show_default=True,
    help="Number of statements in the generated query log.",
)
@click.pass_obj
def demo(obj: VeilContext, seed: int, scale: float, statements: int) -> None:
    """Build a demo warehouse (DuckDB) and query log, and catalog them.

    Generates a realistic company (CRM, sales, support, HR, web analytics) with
    synthetic personal data, derived tables and views, and a query log of analysts
    and ETL jobs; then scans the warehouse into the catalog and classifies its
    columns for personal data; a simulated steward confirms the PII of the source tables;
    the query log and view definitions become column lineage, along which that PII is
    propagated to the tables derived from them. Files go under
    `<home>/demo/` (home is .veil by default); running it again rebuilds them.
    """
    from cli.demo import build_warehouse, write_query_log
    from cli.demo.policy import DEMO_POLICY

    home = obj.settings.home_path
    folder = home / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    store = obj.store
    console, note = out_console(), err_console()

    started = time.perf_counter()
    note.print(f"Building the demo warehouse in {folder} …")
    warehouse = build_warehouse(folder / "demo.duckdb", seed=seed, scale=scale)
    log = write_query_log(folder / "query_log.jsonl", warehouse, seed=seed, statements=statements)
    build_seconds = time.perf_counter() - started

    url = f"duckdb:///{warehouse.path.resolve()}"
    settings = obj.settings
    with phase_progress() as progress:
        result = scan_warehouse(
            store,
            url,
            "demo",
            exact_count_max_rows=settings.scan_exact_count_max_rows,
            progress=progress,
        )
        classified = classify_warehouse(
            store,
            "demo",
            sample_size=settings.classify_sample_size,
            workers=settings.classify_workers,
            config=ClassifierConfig(
                spacy_model=settings.classify_spacy_model or None,
                recognizers=tuple(settings.classify_recognizers),
            ),
            progress=progress,
        )
        confirmed = confirm_sources(store, classified)
        ingested = ingest_records(
            store,
            "demo",
            read_log(log.path, "jsonl"),
            workers=settings.classify_workers,
            progress=progress,
        )
        ingest_views(store, "demo")
        propagated = propagate_pii(store, "demo")
    applied = apply_policy(store, DEMO_POLICY, by="veil demo")

    total_rows = sum(warehouse.tables.values())
    console.print(
        f"[bold]Demo warehouse[/] {warehouse.path}: {len(warehouse.tables)} tables "
        f"({total_rows:,} rows) and {len(warehouse.views)} views, built in {build_seconds:.1f}s."
    )
    console.print(
        f"[bold]Query log[/] {log.path}: {log.statements:,} statements by "
        f"{len(log.users)} users ({', '.join(log.users)}), {log.failed} failed."
    )
    print_summary(result)
    print_report(classified)
    console.print(
        f"[bold]Steward[/] (simulated) confirmed {confirmed} suggestions on the source tables "
        f"({', '.join(_SOURCE_TABLES)})."
    )
    console.print(
        f"[bold]Lineage[/] {ingested.records:,} log records → {ingested.new_statements} distinct "
        f"statements ({ingested.failed} failed skipped, {ingested.unparseable} unparseable) → "
        f"{ingested.edges} column edges. PII propagated to {propagated.reached} downstream "
        "columns (veil pii list --status suggested)."
    )
    version = applied.version
    console.print(
        f"[bold]Policy[/] version {version.number} ({len(version.policy.users)} users, "
        f"{len(version.policy.roles)} roles, {len(version.policy.masks)} masking rules"
        f"{'' if applied.changed else ', unchanged'}): veil policy export"
    )
    console.print(f"[bold]Catalog[/] {store.url}")
    console.print(
        "Next: veil pii list · veil lineage show demo.crm.customers.email · "
        "veil lineage impact demo.crm.customers · veil catalog export --format json"
    )
    console.print(
        "Enforcement: veil policy explain --user alice --column crm.customers.email · "
        'veil rewrite --warehouse demo --user alice "SELECT email, ssn FROM crm.customers"'
    )


#: Tables a steward would review first: where the personal data enters the company.
_SOURCE_TABLES = ("crm.customers", "hr.employees", "sales.payments", "support.tickets")


def confirm_sources(store: Store, report: ClassifyReport) -> int:
    """Play the steward: confirm the classifier's suggestions on the source tables, so that
    lineage propagation has confirmed PII to start from (a real steward reviews them)."""
    count = 0
    for column in report.suggestions:
        key = column.key
        if f"{key.schema}.{key.table}" in _SOURCE_TABLES:
            confirm(store, key.qualified_name, by="demo-steward")
            count += 1
    return count
