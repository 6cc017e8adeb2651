"""``veil demo``: build the demo company and run Veil's whole path over it.

This is the one place that wires the packages together end to end; each later
capability (classification, lineage, policies, the web app and the gateway) adds
its step here, in pipeline order.
"""

from __future__ import annotations

import asyncio
import secrets
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
from policies.users import add_user, find_verifier, set_password


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
@click.option(
    "--port-proxy",
    type=click.IntRange(0, 65535),
    default=6543,
    show_default=True,
    help="Port of the masking gateway (PostgreSQL protocol) on 127.0.0.1.",
)
@click.option(
    "--port-web",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port of the web app (not built yet: accepted, nothing listens on it).",
)
@click.option(
    "--no-serve",
    is_flag=True,
    help="Build and catalog the demo, create its logins, then exit without serving.",
)
@click.pass_obj
def demo(
    obj: VeilContext,
    seed: int,
    scale: float,
    statements: int,
    port_proxy: int,
    port_web: int,
    no_serve: bool,
) -> None:
    """Build a demo warehouse (DuckDB) and query log, catalog them, and serve the gateway.

    Generates a realistic company (CRM, sales, support, HR, web analytics) with
    synthetic personal data, derived tables and views, and a query log of analysts
    and ETL jobs; then scans the warehouse into the catalog and classifies its
    columns for personal data; a simulated steward confirms the PII of the source tables;
    the query log and view definitions become column lineage, along which that PII is
    propagated to the tables derived from them. Files go under
    `<home>/demo/` (home is .veil by default); running it again rebuilds them.

    Then one gateway login per role of the demo policy gets a fresh password (printed
    once), and the masking gateway serves the warehouse on 127.0.0.1:--port-proxy until
    Ctrl-C or SIGTERM, with a psql command line to paste. --no-serve stops after the
    logins (serve later with `veil proxy --warehouse demo`).
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

    passwords = create_logins(store)
    click.echo("Gateway logins (passwords are new on every run; shown only now):")
    for name, role in DEMO_LOGINS:
        click.echo(f"  {name:<12} {role:<16} password {passwords[name]}")
    if no_serve:
        click.echo(f"Serve the gateway: veil proxy --warehouse demo --port {port_proxy}")
        click.echo(f"Then: {psql_line(port_proxy, 'alice', passwords['alice'])}")
        return
    serve_gateway(obj, port_proxy, port_web, passwords)


#: One sample login per role of the demo policy (cli/demo/policy.py), with that role.
DEMO_LOGINS = (
    ("alice", "analyst"),
    ("bob", "senior_analyst"),
    ("carol", "hr"),
    ("dave", "privacy_officer"),
    ("dbt_runner", "etl"),
)


def create_logins(store: Store) -> dict[str, str]:
    """Give each sample login a fresh random password; returns them by user."""
    passwords: dict[str, str] = {}
    for name, role in DEMO_LOGINS:
        password = secrets.token_urlsafe(12)
        if find_verifier(store, name) is None:
            add_user(store, name, password, by="veil demo", roles=(role,))
        else:
            set_password(store, name, password)
        passwords[name] = password
    return passwords


def psql_line(port: int, user: str, password: str) -> str:
    """A psql command line that logs ``user`` in to the demo gateway as printed."""
    return (
        f'psql "host=127.0.0.1 port={port} user={user} password={password} '
        'dbname=demo sslmode=disable"'
    )


def serve_gateway(obj: VeilContext, port: int, port_web: int, passwords: dict[str, str]) -> None:
    """Serve the demo warehouse through the masking gateway until SIGTERM/Ctrl-C."""
    from masking.gateway import GatewayConfig, open_gateway

    gateway = open_gateway(
        obj.store, obj.settings, "demo", GatewayConfig(host="127.0.0.1", port=port)
    )

    async def serve() -> None:
        await gateway.start()
        click.echo(f"Gateway: postgresql://127.0.0.1:{gateway.port}/demo (masked, audited)")
        click.echo(f"Web app: not built yet (--port-web {port_web} is reserved for it)")
        click.echo(f"Try: {psql_line(gateway.port, 'alice', passwords['alice'])}")
        click.echo("  then: SELECT email, phone FROM crm.customers LIMIT 5;")
        click.echo("Serving until Ctrl-C or SIGTERM.")
        await gateway.serve_forever()

    try:
        asyncio.run(serve())
    finally:
        gateway.audit.close()
        gateway.backend.close()
    click.echo("Gateway stopped.")


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
