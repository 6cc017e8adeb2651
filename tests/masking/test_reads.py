"""Columns a statement reads, as the audit log records them (projected apart from
filter-only), and how each PII column was served."""

from __future__ import annotations

import pytest

from masking.reads import _named, references
from masking.statements import parse_one
from tests.masking.world import enforcer

# world.py: for analysts (alice) email is masked with `email`, ssn with `partial`;
# the privacy officer (bob) is exempt from the email mask.
CUSTOMERS = ["id", "name", "email", "ssn", "region", "created_at"]

# (user, sql, projected, filter-only, pii)
CASES = [
    (
        "alice",
        "SELECT id, name FROM sales.customers WHERE name = 'x'",
        {"sales.customers.id", "sales.customers.name"},
        set(),
        {},
    ),
    (
        "alice",
        "SELECT c.email FROM sales.customers AS c",
        {"sales.customers.email"},
        set(),
        {"sales.customers.email": "email"},
    ),
    (
        "alice",
        "SELECT count(*) FROM sales.customers WHERE ssn = '123-45-6789'",
        set(),
        {"sales.customers.ssn"},
        {"sales.customers.ssn": "partial"},  # probing a PII column is reading it
    ),
    (
        "alice",
        "SELECT * FROM sales.customers",
        {f"sales.customers.{c}" for c in CUSTOMERS},
        set(),
        {"sales.customers.email": "email", "sales.customers.ssn": "partial"},
    ),
    (
        "alice",
        "SELECT c.name, sum(o.amount) FROM sales.customers c "
        "JOIN sales.orders o ON o.customer_id = c.id WHERE c.email LIKE 'a%' GROUP BY c.name",
        {"sales.customers.name", "sales.orders.amount"},
        {"sales.customers.id", "sales.orders.customer_id", "sales.customers.email"},
        {"sales.customers.email": "email"},
    ),
    (
        "bob",
        "SELECT email FROM sales.customers",
        {"sales.customers.email"},
        set(),
        {"sales.customers.email": "none"},  # exempt: read raw, and the record says so
    ),
]


@pytest.mark.parametrize("dialect", ["postgres", "duckdb"])
@pytest.mark.parametrize(("user", "sql", "projected", "filtered", "pii"), CASES)
def test_reads(
    dialect: str,
    user: str,
    sql: str,
    projected: set[str],
    filtered: set[str],
    pii: dict[str, str],
) -> None:
    rewritten = enforcer(dialect).rewrite(sql, user)
    assert set(rewritten.columns_read) == projected
    assert set(rewritten.columns_filtered) == filtered
    assert rewritten.pii_read == pii


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("SELECT c.email FROM sales.customers c", {"sales.customers.email"}),
        ("SELECT count(*) FROM sales.customers", set()),
        ("SELECT c.* FROM sales.customers c", {f"sales.customers.{c}" for c in CUSTOMERS}),
        ("SELECT id FROM sales.customers", {"sales.customers.id"}),
    ],
)
def test_the_by_name_fallback(sql: str, named: set[str]) -> None:
    decisions = enforcer("postgres").rewrite(sql, "alice").tables
    assert set(_named(references(parse_one(sql, "postgres")), decisions)) == named
