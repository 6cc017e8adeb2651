"""Scanning real warehouses (DuckDB, SQLite, PostgreSQL) into real catalog stores."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.browse import list_tables
from catalog.curate import add_tag, set_description, set_owner
from catalog.errors import UsageError, WarehouseError
from catalog.model import ChangeKind, TableKind
from catalog.scan import default_warehouse_name, scan_warehouse
from catalog.store.models import ScanRunRow, SchemaChangeRow, WarehouseRow
from tests import warehouses

EXPECTED_TYPES = {
    "duckdb": {"id": "INTEGER", "email": "VARCHAR", "born": "DATE", "balance": "DECIMAL(12,2)"},
    "sqlite": {
        "id": "INTEGER",
        "email": "VARCHAR(200)",
        "born": "DATE",
        "balance": "DECIMAL(12, 2)",
    },
    "postgresql": {
        "id": "integer",
        "email": "character varying(200)",
        "born": "date",
        "balance": "numeric(12,2)",
    },
}


def _names(url: str) -> tuple[str, str]:
    """(schema of customers, schema of orders/view) for this engine."""
    return ("main", "main") if url.startswith("sqlite") else ("crm", "sales")


def _by_name(store, warehouse: str = "wh"):
    return {f"{t.schema}.{t.name}": t for t in list_tables(store, warehouse=warehouse)}


def test_scan_reads_tables_views_types_and_row_counts(store, warehouse_url):
    result = scan_warehouse(store, warehouse_url, "wh")
    crm, sales = _names(warehouse_url)
    tables = _by_name(store)

    assert result.first_scan and result.tables == 2 and result.views == 1
    assert set(tables) == {f"{crm}.customers", f"{sales}.orders", f"{sales}.big_customers"}

    customers = tables[f"{crm}.customers"]
    assert customers.kind is TableKind.TABLE
    assert [c.name for c in customers.columns] == ["id", "email", "full_name", "born", "balance"]
    assert [c.position for c in customers.columns] == [1, 2, 3, 4, 5]
    dialect = sa.make_url(warehouse_url).get_backend_name()
    assert {c.name: c.data_type for c in customers.columns if c.name != "full_name"} == (
        EXPECTED_TYPES[dialect]
    )
    email = next(c for c in customers.columns if c.name == "email")
    assert email.nullable is False
    assert customers.row_count == 3 and customers.row_count_exact
    assert tables[f"{sales}.orders"].row_count == 5

    view = tables[f"{sales}.big_customers"]
    assert view.kind is TableKind.VIEW
    assert view.row_count is None
    assert [c.name for c in view.columns] == ["id", "email", "spent"]
    assert view.view_sql is not None
    assert view.view_sql.lstrip().upper().startswith("SELECT")
    assert "orders" in view.view_sql and "CREATE" not in view.view_sql.upper()


def test_table_comments_are_kept_apart_from_steward_descriptions(store, tmp_path):
    url = warehouses.duckdb_warehouse(tmp_path / "wh.duckdb")
    scan_warehouse(store, url, "wh")
    customers = _by_name(store)["crm.customers"]
    assert customers.comment == "People who bought something"
    assert customers.description is None


def test_first_scan_records_no_change_events_and_a_succeeded_run(store, warehouse_url):
    scan_warehouse(store, warehouse_url, "wh")
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SchemaChangeRow)) == 0
        run = session.scalars(sa.select(ScanRunRow)).one()
        assert run.status == "succeeded" and run.tables_scanned == 3 and run.columns_scanned == 12


def test_rescan_without_changes_reports_none(store, warehouse_url):
    scan_warehouse(store, warehouse_url, "wh")
    again = scan_warehouse(store, warehouse_url, "wh")
    assert not again.first_scan
    assert again.changes == ()


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_rescan_records_drift(store, engine, tmp_path, request):
    if engine == "duckdb":
        url = warehouses.duckdb_warehouse(tmp_path / "wh.duckdb")
    else:
        url = warehouses.postgres_warehouse(request.getfixturevalue("make_pg_database")())
    scan_warehouse(store, url, "wh")
    warehouses.apply(url, warehouses.DRIFT)
    result = scan_warehouse(store, url, "wh")

    found = {(c.kind, c.table, c.column) for c in result.changes}
    assert found == {
        (ChangeKind.COLUMN_ADDED, "customers", "phone"),
        (ChangeKind.COLUMN_REMOVED, "customers", "born"),
        (ChangeKind.TABLE_ADDED, "refunds", None),
        (ChangeKind.COLUMN_TYPE_CHANGED, "orders", "total"),
        (ChangeKind.VIEW_DEFINITION_CHANGED, "big_customers", None),
        (ChangeKind.COLUMN_REMOVED, "big_customers", "spent"),
    }
    type_change = next(c for c in result.changes if c.kind is ChangeKind.COLUMN_TYPE_CHANGED)
    assert type_change.old in ("DECIMAL(12,2)", "numeric(12,2)")
    assert type_change.new in ("DOUBLE", "double precision")
    with store.session() as session:
        stored = session.scalars(sa.select(SchemaChangeRow)).all()
        assert len(stored) == len(result.changes)
    tables = _by_name(store)
    assert "phone" in [c.name for c in tables["crm.customers"].columns]
    assert "born" not in [c.name for c in tables["crm.customers"].columns]


def test_sqlite_drift(store, tmp_path):
    url = warehouses.sqlite_warehouse(tmp_path / "wh.db")
    scan_warehouse(store, url, "wh")
    warehouses.apply(url, warehouses.SQLITE_DRIFT)
    kinds = {(c.kind, c.table, c.column) for c in scan_warehouse(store, url, "wh").changes}
    assert (ChangeKind.COLUMN_ADDED, "customers", "phone") in kinds
    assert (ChangeKind.COLUMN_REMOVED, "customers", "born") in kinds
    assert (ChangeKind.TABLE_ADDED, "refunds", None) in kinds
    assert (ChangeKind.VIEW_DEFINITION_CHANGED, "big_customers", None) in kinds


def test_steward_metadata_survives_rescans_and_a_drop_and_recreate(store, tmp_path):
    url = warehouses.duckdb_warehouse(tmp_path / "wh.duckdb")
    scan_warehouse(store, url, "wh")
    set_description(store, "crm.customers", "Everyone who ever bought")
    set_description(store, "crm.customers.email", "Login and contact address")
    set_owner(store, "crm.customers", "crm-team")
    add_tag(store, "crm.customers.email", "pii.email_address")
    add_tag(store, "crm.customers", "gold")

    warehouses.apply(url, warehouses.DRIFT)
    scan_warehouse(store, url, "wh")
    customers = _by_name(store)["crm.customers"]
    assert (customers.description, customers.owner, customers.tags) == (
        "Everyone who ever bought",
        "crm-team",
        ("gold",),
    )
    email = next(c for c in customers.columns if c.name == "email")
    assert email.description == "Login and contact address"
    assert email.tags == ("pii.email_address",)

    # The table disappears, then comes back: its metadata comes back with it.
    warehouses.apply(url, ["ALTER TABLE crm.customers RENAME TO customers_old"])
    removed = scan_warehouse(store, url, "wh")
    assert (ChangeKind.TABLE_REMOVED, "customers") in {(c.kind, c.table) for c in removed.changes}
    assert "crm.customers" not in _by_name(store)
    warehouses.apply(url, ["ALTER TABLE crm.customers_old RENAME TO customers"])
    back = scan_warehouse(store, url, "wh")
    assert (ChangeKind.TABLE_ADDED, "customers") in {(c.kind, c.table) for c in back.changes}
    customers = _by_name(store)["crm.customers"]
    assert customers.owner == "crm-team"
    assert next(c for c in customers.columns if c.name == "email").tags == ("pii.email_address",)


def test_a_failed_connect_registers_nothing(sqlite_store, tmp_path):
    with pytest.raises(WarehouseError):
        scan_warehouse(sqlite_store, f"duckdb:///{tmp_path / 'missing.duckdb'}", "wh")
    with sqlite_store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(WarehouseRow)) == 0


def test_a_failed_rescan_is_kept_in_the_history(sqlite_store, tmp_path):
    path = tmp_path / "wh.duckdb"
    url = warehouses.duckdb_warehouse(path)
    scan_warehouse(sqlite_store, url, "wh")
    path.unlink()
    with pytest.raises(WarehouseError, match="no DuckDB database"):
        scan_warehouse(sqlite_store, url, "wh")
    with sqlite_store.session() as session:
        statuses = session.scalars(sa.select(ScanRunRow.status).order_by(ScanRunRow.id)).all()
    assert statuses == ["succeeded", "failed"]
    assert "crm.customers" in _by_name(sqlite_store)  # nothing was marked removed


def test_a_name_cannot_switch_engines(sqlite_store, tmp_path):
    scan_warehouse(sqlite_store, warehouses.duckdb_warehouse(tmp_path / "a.duckdb"), "wh")
    with pytest.raises(UsageError, match="is a duckdb warehouse"):
        scan_warehouse(sqlite_store, warehouses.sqlite_warehouse(tmp_path / "b.db"), "wh")


@pytest.mark.parametrize(
    "url, name",
    [
        ("duckdb:////data/sales.duckdb", "sales"),
        ("sqlite:///rel/dir/crm.db", "crm"),
        ("postgresql+psycopg://u:p@db.internal:5432/warehouse", "warehouse"),
        ("postgresql+psycopg://u@db.internal", "db.internal"),
    ],
)
def test_default_warehouse_name(url, name):
    assert default_warehouse_name(url) == name


@pytest.mark.parametrize("bad", ["a.b", " padded ", "x" * 201])
def test_unusable_warehouse_names_are_refused(sqlite_store, tmp_path, bad):
    url = warehouses.duckdb_warehouse(tmp_path / "wh.duckdb")
    with pytest.raises(UsageError, match="not a usable warehouse name"):
        scan_warehouse(sqlite_store, url, bad)


def test_postgres_uses_estimates_when_counting_is_not_wanted(store, pg_database):
    url = warehouses.postgres_warehouse(pg_database)
    scan_warehouse(store, url, "wh", exact_count_max_rows=0)
    customers = _by_name(store)["crm.customers"]
    assert customers.row_count == 3  # reltuples after ANALYZE
    assert customers.row_count_exact is False


def test_postgres_unanalyzed_tables_are_counted_exactly(store, pg_database):
    url = warehouses.postgres_warehouse(pg_database)
    warehouses.apply(url, ["CREATE TABLE sales.fresh AS SELECT generate_series(1, 42) AS n"])
    # apply() runs ANALYZE; make this table look never-analyzed again.
    import psycopg

    from tests.pg import libpq

    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE sales.unanalyzed (n integer)")
        conn.execute("INSERT INTO sales.unanalyzed SELECT generate_series(1, 7)")
    scan_warehouse(store, url, "wh")
    tables = _by_name(store)
    assert (tables["sales.fresh"].row_count, tables["sales.fresh"].row_count_exact) == (42, True)
    assert (tables["sales.unanalyzed"].row_count, tables["sales.unanalyzed"].row_count_exact) == (
        7,
        True,
    )


def test_progress_is_reported_while_counting(sqlite_store, tmp_path):
    calls = []
    url = warehouses.duckdb_warehouse(tmp_path / "wh.duckdb")
    scan_warehouse(sqlite_store, url, "wh", progress=lambda *a: calls.append(a))
    phases = [c[0] for c in calls]
    assert phases[0] == "reading structure" and phases[-1] == "saving"
    counting = [c for c in calls if c[0] == "counting rows"]
    assert counting[0][1] == 0 and counting[-1][1] == 3 and {c[2] for c in counting} == {3}
