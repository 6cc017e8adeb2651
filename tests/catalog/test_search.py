"""Search ranking (pure) and search over a real store."""

from __future__ import annotations

import pytest

from catalog.curate import add_tag, set_description
from catalog.errors import UsageError
from catalog.scan import scan_warehouse
from catalog.search import Candidate, query_terms, rank, search_catalog
from tests import warehouses


def col(table, name, desc=None, tags=(), schema="s"):
    return Candidate("column", "w", schema, table, name, desc, tuple(tags))


def tab(name, desc=None, tags=(), schema="s"):
    return Candidate("table", "w", schema, name, None, desc, tuple(tags))


CANDIDATES = [
    tab("customers", "People who bought"),
    col("customers", "email", tags=["pii", "pii.email_address"]),
    col("customers", "email_verified"),
    col("orders", "customer_email"),
    col("orders", "total", desc="Order total including tax"),
    tab("emails_sent"),
    col("employees", "work_email", schema="hr"),
]


@pytest.mark.parametrize(
    "query, first, also",
    [
        (
            "email",
            "w.s.customers.email",
            {"w.s.customers.email_verified", "w.s.orders.customer_email"},
        ),
        ("customers email", "w.s.customers.email", {"w.s.customers.email_verified"}),
        ("pii.email_address", "w.s.customers.email", set()),
        ("tax", "w.s.orders.total", set()),
        ("hr email", "w.hr.employees.work_email", set()),
        ("customers", "w.s.customers", {"w.s.customers.email"}),
    ],
)
def test_rank(query, first, also):
    hits = rank(CANDIDATES, query_terms(query), limit=20)
    names = [h.name for h in hits]
    assert names[0] == first
    assert also <= set(names)


def test_every_word_must_match():
    assert rank(CANDIDATES, ["email", "tax"], limit=20) == []


def test_exact_beats_word_beats_substring():
    names = [h.name for h in rank(CANDIDATES, ["email"], limit=20)]
    assert names.index("w.s.customers.email") < names.index("w.s.customers.email_verified")
    assert names.index("w.s.customers.email_verified") < names.index("w.s.emails_sent")


def test_blank_query_is_refused():
    with pytest.raises(UsageError):
        query_terms("   ")


def test_search_store_finds_descriptions_and_tags(store, tmp_path):
    scan_warehouse(store, warehouses.duckdb_warehouse(tmp_path / "w.duckdb"), "w")
    set_description(store, "crm.customers.full_name", "Legal name as on the invoice")
    add_tag(store, "crm.customers.born", "pii.date_of_birth")
    assert search_catalog(store, "invoice")[0].name == "w.crm.customers.full_name"
    assert search_catalog(store, "date_of_birth")[0].name == "w.crm.customers.born"
    assert search_catalog(store, "bought")[0].name == "w.crm.customers"  # the engine's comment
    assert [h.name for h in search_catalog(store, "big_customers spent")] == [
        "w.sales.big_customers.spent"
    ]
