"""Columns a statement reads, as the audit log records them."""

from __future__ import annotations

import pytest

from masking.reads import columns_read, references
from masking.statements import parse_one
from tests.masking.world import enforcer

CUSTOMER_PII = {  # world.py: email masked for analysts; ssn partially
    "sales.customers.email": "email",
    "sales.customers.ssn": "partial",
}

# (user, sql, columns read, pii columns)
CASES = [
    (
        "alice",
        "SELECT id, name FROM sales.customers WHERE name = 'x'",
        {"sales.customers.id", "sales.customers.name"},
        {},
    ),
    (
        "alice",
        "SELECT c.email FROM sales.customers AS c",
        {"sales.customers.email"},
        {"sales.customers.email": "email"},
    ),
    ("alice", "SELECT count(*) FROM sales.customers", set(), {}),
    ("alice", "SELECT * FROM sales.customers", None, CUSTOMER_PII),
    ("alice", "SELECT c.* FROM sales.customers c", None, CUSTOMER_PII),
    (
        "alice",
        "SELECT o.amount FROM sales.orders o JOIN sales.customers c ON c.id = o.customer_id",
        {"sales.orders.amount", "sales.orders.customer_id", "sales.customers.id"},
        {},
    ),
]


@pytest.mark.parametrize(("user", "sql", "read", "pii"), CASES)
def test_columns_read(user: str, sql: str, read: set[str] | None, pii: dict[str, str]) -> None:
    e = enforcer("postgres")
    rewritten = e.rewrite(sql, user)
    found, found_pii = columns_read(references(parse_one(sql, "postgres")), rewritten.tables)
    assert (rewritten.columns_read, rewritten.pii_read) == (found, found_pii)
    if read is not None:
        assert set(found) == read
    assert found_pii == pii


def test_an_exempt_role_reads_pii_raw_and_says_so() -> None:
    e = enforcer("postgres")
    sql = "SELECT email FROM sales.customers"
    rewritten = e.rewrite(sql, "bob")
    found, pii = columns_read(references(parse_one(sql, "postgres")), rewritten.tables)
    assert found == ("sales.customers.email",)
    assert pii == {"sales.customers.email": "none"}
