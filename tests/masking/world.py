"""One small warehouse and policy that the rewriter tests share.

The catalog side is an in-memory :class:`WarehouseFacts` (our seam, not a database
stand-in); execution tests build the same tables for real in DuckDB and PostgreSQL.
"""

from __future__ import annotations

from catalog.model import PiiInfo
from masking.functions import MaskSecrets
from masking.rewrite import Enforcer
from policies.decide import Decider
from policies.document import parse_policy
from policies.facts import ColumnFacts, TableFacts, WarehouseFacts

C = ColumnFacts

SECRETS = MaskSecrets(salt="test-salt", token_key="test-token-key")


def _pii(entity: str, status: str = "confirmed") -> dict[str, object]:
    tags = frozenset({"pii", f"pii.{entity.lower()}"}) if status == "confirmed" else frozenset()
    return {"tags": tags, "pii": (PiiInfo(entity, 0.9, status),)}


def tables(warehouse: str = "demo") -> tuple[TableFacts, ...]:
    return (
        TableFacts(
            warehouse,
            "sales",
            "customers",
            columns=(
                C("id", "INTEGER"),
                C("name", "VARCHAR"),
                C("email", "VARCHAR", **_pii("EMAIL_ADDRESS")),  # type: ignore[arg-type]
                C("ssn", "VARCHAR", **_pii("US_SSN")),  # type: ignore[arg-type]
                C("region", "VARCHAR"),
                C("created_at", "TIMESTAMP"),
            ),
        ),
        TableFacts(
            warehouse,
            "sales",
            "orders",
            columns=(
                C("id", "INTEGER"),
                C("customer_id", "INTEGER"),
                C("amount", "DECIMAL(10,2)"),
                C("region", "VARCHAR"),
                C("ordered_at", "TIMESTAMP"),
            ),
        ),
        TableFacts(
            warehouse,
            "sales",
            "web_events",
            columns=(
                C("id", "INTEGER"),
                C("customer_id", "INTEGER"),
                C("ip", "VARCHAR", **_pii("IP_ADDRESS", "suggested")),  # type: ignore[arg-type]
                C("event_time", "TIMESTAMP"),
            ),
        ),
        TableFacts(
            warehouse,
            "hr",
            "employees",
            columns=(C("id", "INTEGER"), C("name", "VARCHAR"), C("salary", "INTEGER")),
        ),
        TableFacts(
            warehouse,
            "sales",
            "customer_emails",
            kind="view",
            view_sql="SELECT id, email AS contact FROM sales.customers",
            columns=(C("id", "INTEGER"), C("contact", "VARCHAR")),
        ),
    )


POLICY = """\
version: 1
roles: {analyst: {}, senior_analyst: {inherits: [analyst]}, privacy_officer: {}}
users:
  alice: {roles: [analyst], attributes: {region: EU}}
  carol: {roles: [senior_analyst]}
  bob: {roles: [privacy_officer]}
  mallory: {roles: []}
grants:
  - {role: analyst, resource: "sales.*", actions: [select]}
  - {role: analyst, resource: "hr.*", actions: [select]}
  - {role: analyst, resource: "hr.employees.salary", actions: [select], effect: deny}
  - {role: senior_analyst, resource: "sandbox.*", actions: [select, insert, ddl]}
  - {role: senior_analyst, resource: "sales.orders", actions: [update, delete]}
  - {role: privacy_officer, resource: "*", actions: [select]}
masks:
  - {tag: pii.email_address, method: email, exempt: [privacy_officer]}
  - {column: "sales.customers.ssn", method: partial, show_last: 4}
  - {tag: pii, method: redact}
row_filters:
  - {table: "sales.orders", role: analyst, where: "region = current_user_attr('region')"}
retention:
  - {table: "sales.orders", column: ordered_at, keep: 90d, action: hide}
defaults: {pii_mask: redact, unknown_columns: deny}
"""


def enforcer(dialect: str = "postgres") -> Enforcer:
    facts = WarehouseFacts("demo", dialect, tables())
    policy = parse_policy(POLICY, catalog=[facts])
    return Enforcer(facts, Decider(policy), SECRETS)
