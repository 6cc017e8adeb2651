"""``veil policy explain`` and ``veil rewrite``: enforcement decisions, made visible.

Both run the same code the gateway runs (policies.decide, masking.rewrite) against the
current policy version and catalog, so what they print is what a query would get.
"""

from __future__ import annotations

import sys

import click

from catalog.names import resolve_column
from cli.context import VeilContext
from cli.output import print_json
from masking.errors import Refused
from masking.service import Enforcement, mask_secrets
from masking.statements import split_statements
from policies.decide import Decider
from policies.explain import explain
from policies.facts import load_warehouse_facts
from policies.model import Policy
from policies.store import current_policy


@click.command("explain")
@click.option("--user", required=True, help="The Veil user (as in the policy's users).")
@click.option(
    "--column",
    required=True,
    help="[warehouse.]schema.table.column, as `veil catalog show` names it.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def explain_cmd(obj: VeilContext, user: str, column: str, fmt: str) -> None:
    """Say what USER sees of COLUMN under the current policy, and why.

    Allowed or refused (and by which grant), the mask and the rule or tag that chose
    it, the row filters and retention rules on the table, the column's tags and PII.

    \b
    Examples:
      veil policy explain --user alice --column sales.customers.email
      veil policy explain --user bob --column demo.crm.customers.ssn --format json
    """
    store = obj.store
    version = current_policy(store)
    policy = version.policy if version is not None else Policy()
    with store.session() as session:
        resolved, row = resolve_column(session, column)
        facts = load_warehouse_facts(session, resolved.warehouse)
    table = facts.find(resolved.schema, resolved.table.name)
    assert table is not None  # resolve_column found it live
    result = explain(
        Decider(policy),
        table,
        row.name,
        user,
        policy_version=version.number if version is not None else None,
    )
    if fmt == "json":
        print_json(result.to_json())
        return
    click.echo(result.sentence())
    if version is None:
        click.echo("  (no policy applied yet: nothing is granted; see `veil policy apply`)")


@click.command("rewrite")
@click.option("--warehouse", required=True, help="Warehouse name, as given to `veil scan`.")
@click.option("--user", required=True, help="The Veil user to enforce for.")
@click.option("--schema", "default_schema", help="Default schema for unqualified tables.")
@click.argument("sql", required=False)
@click.pass_obj
def rewrite_cmd(
    obj: VeilContext, warehouse: str, user: str, default_schema: str | None, sql: str | None
) -> None:
    """Show the SQL the gateway would run for USER, or why it would refuse.

    SQL is the argument, or standard input when omitted; several statements are
    enforced one by one. Exit status 1 if any statement is refused.

    \b
    Examples:
      veil rewrite --warehouse demo --user alice "SELECT * FROM crm.customers"
      echo "SELECT email FROM crm.customers" | veil rewrite --warehouse demo --user bob
    """
    text = sql if sql is not None else sys.stdin.read()
    enforcement = Enforcement(obj.store, warehouse, mask_secrets(obj.settings), check_interval=0)
    with obj.store.session() as session:
        dialect = load_warehouse_facts(session, warehouse).dialect
    refused = False
    for statement in split_statements(text, dialect):
        try:
            result = enforcement.rewrite(statement, user, default_schema=default_schema)
        except Refused as e:
            refused = True
            click.echo(f"-- refused ({e.sqlstate}): {e.message}")
            continue
        for notice in result.notices:
            click.echo(f"-- notice: {notice}")
        click.echo(result.sql + ";")
    if refused:
        sys.exit(1)
