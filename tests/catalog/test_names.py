"""Dotted references and their resolution against the catalog."""

from __future__ import annotations

import pytest

from catalog.errors import NotFoundError, UsageError
from catalog.names import resolve, resolve_column, resolve_table, split_name
from catalog.scan import scan_warehouse
from tests import warehouses


@pytest.mark.parametrize(
    "ref, parts",
    [
        ("a.b", ["a", "b"]),
        ("w.s.t.c", ["w", "s", "t", "c"]),
        ('s."Order Items"', ["s", "Order Items"]),
        ('s."a.b".c', ["s", "a.b", "c"]),
        ('s."say ""hi"""', ["s", 'say "hi"']),
        (" s . t ", ["s", "t"]),
    ],
)
def test_split_name(ref, parts):
    assert split_name(ref) == parts


@pytest.mark.parametrize("ref", ["a..b", '"unclosed.b', ".a", "a."])
def test_split_name_rejects_malformed(ref):
    with pytest.raises(UsageError):
        split_name(ref)


@pytest.fixture
def two_warehouses(sqlite_store, tmp_path):
    scan_warehouse(sqlite_store, warehouses.duckdb_warehouse(tmp_path / "a.duckdb"), "a")
    scan_warehouse(sqlite_store, warehouses.duckdb_warehouse(tmp_path / "b.duckdb"), "b")
    return sqlite_store


def test_ambiguous_names_list_the_candidates(two_warehouses):
    with (
        two_warehouses.session() as session,
        pytest.raises(UsageError, match=r"ambiguous: a\.crm\.customers, b\.crm\.customers"),
    ):
        resolve_table(session, "crm.customers")


def test_warehouse_prefix_disambiguates_and_case_folds(two_warehouses):
    with two_warehouses.session() as session:
        assert resolve_table(session, "b.CRM.Customers").qualified_name == "b.crm.customers"
        table, column = resolve_column(session, "a.crm.customers.EMAIL")
        assert (table.warehouse, column.name) == ("a", "email")
        table, column = resolve(session, "a.crm.customers")
        assert column is None and table.warehouse == "a"


def test_missing_column_suggests_a_close_name(two_warehouses):
    with (
        two_warehouses.session() as session,
        pytest.raises(NotFoundError, match="no column 'emial'") as info,
    ):
        resolve_column(session, "a.crm.customers.emial")
    assert info.value.hint == "Did you mean 'email'?"


def test_missing_table(two_warehouses):
    with (
        two_warehouses.session() as session,
        pytest.raises(NotFoundError, match="no table or view"),
    ):
        resolve_table(session, "a.crm.nope")
