"""The demo warehouse: deterministic, realistic, and built the way it claims."""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from cli.demo import DemoWarehouse, EtlKind, build_warehouse
from cli.demo.schema import BASE_TABLES
from cli.demo.timeline import AS_OF, END_OF_DATA

BuildSmall = Callable[..., DemoWarehouse]


def _checksums(path: Path) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent digest of every table's contents."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            n
            for (n,) in con.execute(
                "SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY 1"
            ).fetchall()
        ]
        return {
            name: con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(CAST(t AS VARCHAR), '|' "
                f"ORDER BY CAST(t AS VARCHAR)), '')) FROM {name} AS t"
            ).fetchone()
            for name in names
        }


def _column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> list:
    rows = con.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL").fetchall()
    return [v for (v,) in rows]


# --- determinism ------------------------------------------------------------------------


def test_same_seed_builds_identical_tables(
    small_warehouse: DemoWarehouse, build_small: BuildSmall, tmp_path: Path
) -> None:
    again = build_small(tmp_path / "demo.duckdb", seed=7)
    assert again.tables == small_warehouse.tables
    assert _checksums(again.path) == _checksums(small_warehouse.path)


def test_different_seed_changes_every_generated_table(
    small_warehouse: DemoWarehouse, build_small: BuildSmall, tmp_path: Path
) -> None:
    other = _checksums(build_small(tmp_path / "demo.duckdb", seed=8).path)
    ours = _checksums(small_warehouse.path)
    fixed = {"hr.departments"}  # the org chart is the same in every seed
    same = [name for name in ours if name not in fixed and ours[name] == other[name]]
    assert same == []


def test_contents_do_not_depend_on_the_interpreter_hash_seed(
    small_warehouse: DemoWarehouse, small_scale: float, tmp_path: Path
) -> None:
    """Set iteration order varies with PYTHONHASHSEED; nothing generated may depend on it."""
    path = tmp_path / "demo.duckdb"
    other_seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    code = (
        "import sys; from pathlib import Path; from cli.demo import build_warehouse; "
        f"build_warehouse(Path(sys.argv[1]), scale={small_scale!r})"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(path)],
        env={**os.environ, "PYTHONHASHSEED": other_seed},
        cwd=Path(__file__).resolve().parents[3],
        check=True,
    )
    assert _checksums(path) == _checksums(small_warehouse.path)


def test_building_again_overwrites_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "demo.duckdb"
    path.parent.mkdir()
    path.write_text("not a database")
    assert build_warehouse(path, scale=0.01).tables["crm.customers"] > 0


def test_scale_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        build_warehouse(tmp_path / "demo.duckdb", scale=0)


def test_full_scale_has_the_promised_volume_and_builds_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    warehouse = build_warehouse(tmp_path / "demo.duckdb")
    elapsed = time.perf_counter() - started
    assert sum(warehouse.tables.values()) >= 50_000
    assert elapsed < 15, f"full-scale build took {elapsed:.1f}s"


# --- layout -----------------------------------------------------------------------------


def test_layout_has_enough_tables_schemas_and_views(small_warehouse: DemoWarehouse) -> None:
    base = {spec.qualified for spec in BASE_TABLES}
    assert len(base) >= 10
    assert len({name.split(".")[0] for name in base}) >= 4
    assert base <= set(small_warehouse.tables)
    derived = {
        s.target
        for s in small_warehouse.etl
        if s.kind in (EtlKind.CREATE_TABLE_AS, EtlKind.INSERT_SELECT)
    }
    assert len(derived) >= 3
    assert derived <= set(small_warehouse.tables)
    assert len(small_warehouse.views) >= 3


def test_reported_row_counts_match_the_file(
    small_warehouse: DemoWarehouse, small_con: duckdb.DuckDBPyConnection
) -> None:
    for name, count in small_warehouse.tables.items():
        assert small_con.execute(f"SELECT count(*) FROM {name}").fetchone() == (count,), name
        assert count > 0, name


@pytest.mark.parametrize(
    ("table", "column", "expected"),
    [
        ("crm.customers", "customer_id", "INTEGER"),
        ("crm.customers", "external_id", "UUID"),
        ("crm.customers", "date_of_birth", "DATE"),
        ("crm.customers", "signup_at", "TIMESTAMP"),
        ("crm.customers", "marketing_opt_in", "BOOLEAN"),
        ("sales.orders", "order_id", "BIGINT"),
        ("sales.orders", "total_amount", "DECIMAL(12,2)"),
        ("sales.payments", "amount", "DECIMAL(12,2)"),
        ("hr.employees", "salary", "DECIMAL(12,2)"),
        ("hr.employees", "hire_date", "DATE"),
        ("web.events", "event_at", "TIMESTAMP"),
        ("support.tickets", "body", "VARCHAR"),
    ],
)
def test_columns_have_sensible_types(
    small_con: duckdb.DuckDBPyConnection, table: str, column: str, expected: str
) -> None:
    schema, name = table.split(".")
    (data_type,) = small_con.execute(
        "SELECT data_type FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND column_name = ?",
        [schema, name, column],
    ).fetchone()
    assert data_type == expected


@pytest.mark.parametrize("spec", BASE_TABLES, ids=lambda s: s.qualified)
def test_every_base_table_has_a_unique_primary_key(
    small_con: duckdb.DuckDBPyConnection, spec
) -> None:
    constraints = small_con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() "
        "WHERE schema_name = ? AND table_name = ? AND constraint_type = 'PRIMARY KEY'",
        [spec.schema, spec.name],
    ).fetchall()
    assert len(constraints) == 1
    key = ", ".join(constraints[0][0])
    total, distinct = small_con.execute(
        f"SELECT count(*), count(DISTINCT ({key})) FROM {spec.qualified}"
    ).fetchone()
    assert total == distinct


@pytest.mark.parametrize(
    ("column", "referenced"),
    [ref for spec in BASE_TABLES for ref in spec.references()],
    ids=lambda v: v,
)
def test_foreign_keys_point_at_existing_rows(
    small_con: duckdb.DuckDBPyConnection, column: str, referenced: str
) -> None:
    table, col = column.rsplit(".", 1)
    parent, parent_col = referenced.rsplit(".", 1)
    orphans, present = small_con.execute(
        f"SELECT count(*) FILTER (WHERE p.{parent_col} IS NULL), count(*) FROM {table} AS c "
        f"LEFT JOIN {parent} AS p ON p.{parent_col} = c.{col} WHERE c.{col} IS NOT NULL"
    ).fetchone()
    assert present > 0 and orphans == 0


def test_some_contact_details_are_missing(small_con: duckdb.DuckDBPyConnection) -> None:
    nulls = small_con.execute(
        "SELECT count(*) FILTER (WHERE phone IS NULL), count(*) FILTER (WHERE ssn IS NULL), "
        "count(*) FILTER (WHERE date_of_birth IS NULL), count(*) FROM crm.customers"
    ).fetchone()
    assert all(0 < n < nulls[-1] for n in nulls[:-1])


# --- personal data is valid-looking ---------------------------------------------------------


def _luhn_ok(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def _mod97_ok(iban: str) -> bool:
    compact = iban.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


_BRAND_PREFIX = {
    "visa": r"4\d{15}",
    "mastercard": r"(5[1-5]\d{14}|2(22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12})",
    "amex": r"3[47]\d{13}",
    "discover": r"(6011\d{12}|65\d{14})",
}


def test_card_numbers_are_luhn_valid_and_match_their_brand(
    small_con: duckdb.DuckDBPyConnection,
) -> None:
    cards = small_con.execute(
        "SELECT card_number, card_brand FROM sales.payments WHERE card_number IS NOT NULL"
    ).fetchall()
    assert len(cards) > 100
    assert {brand for _, brand in cards} == set(_BRAND_PREFIX)
    for number, brand in cards:
        assert _luhn_ok(number), number
        assert re.fullmatch(_BRAND_PREFIX[brand], number), (brand, number)


@pytest.mark.parametrize(
    ("table", "column"),
    [("sales.payments", "iban"), ("hr.employees", "bank_iban"), ("hr.payroll_export", "iban")],
)
def test_ibans_pass_mod97_across_countries(
    small_con: duckdb.DuckDBPyConnection, table: str, column: str
) -> None:
    ibans = _column(small_con, table, column)
    assert ibans
    assert all(_mod97_ok(v) for v in ibans), [v for v in ibans if not _mod97_ok(v)]
    if table == "sales.payments":
        assert len({v[:2] for v in ibans}) >= 4


@pytest.mark.parametrize(("table", "column"), [("crm.customers", "ssn"), ("hr.employees", "ssn")])
def test_ssns_follow_issuance_rules(
    small_con: duckdb.DuckDBPyConnection, table: str, column: str
) -> None:
    ssns = _column(small_con, table, column)
    assert ssns
    for ssn in ssns:
        match = re.fullmatch(r"(\d{3})-(\d{2})-(\d{4})", ssn)
        assert match, ssn
        area, group, serial = match.groups()
        assert area not in ("000", "666") and not area.startswith("9"), ssn
        assert group != "00" and serial != "0000", ssn


_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}")


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("crm.customers", "email"),
        ("hr.employees", "work_email"),
        ("hr.employees", "personal_email"),
        ("marketing.email_list", "email"),
        ("support.tickets", "contact_email"),
        ("sales.payments", "payer_email"),
    ],
)
def test_emails_are_well_formed(
    small_con: duckdb.DuckDBPyConnection, table: str, column: str
) -> None:
    emails = _column(small_con, table, column)
    assert emails
    assert [e for e in emails if not _EMAIL.fullmatch(e)] == []


def test_customer_emails_are_unique(small_con: duckdb.DuckDBPyConnection) -> None:
    assert small_con.execute(
        "SELECT count(email) = count(DISTINCT email) FROM crm.customers"
    ).fetchone() == (True,)


def test_phone_numbers_come_in_several_formats(small_con: duckdb.DuckDBPyConnection) -> None:
    phones = _column(small_con, "crm.customers", "phone")
    shapes = {re.sub(r"\d", "9", p) for p in phones}
    assert len(shapes) >= 8


def test_ip_addresses_parse_and_include_ipv6(small_con: duckdb.DuckDBPyConnection) -> None:
    addresses = [ipaddress.ip_address(v) for v in _column(small_con, "web.events", "ip_address")]
    versions = {a.version for a in addresses}
    assert versions == {4, 6}
    assert not any(a.is_private or a.is_loopback for a in addresses)


def test_dates_of_birth_are_adults(small_con: duckdb.DuckDBPyConnection) -> None:
    oldest, youngest = small_con.execute(
        "SELECT min(date_of_birth), max(date_of_birth) FROM crm.customers"
    ).fetchone()
    assert oldest.year >= AS_OF.year - 90 and youngest.year <= AS_OF.year - 18


def test_nothing_happens_after_the_demo_today(small_con: duckdb.DuckDBPyConnection) -> None:
    latest = small_con.execute(
        "SELECT greatest((SELECT max(ordered_at) FROM sales.orders), "
        "(SELECT max(event_at) FROM web.events), (SELECT max(opened_at) FROM support.tickets), "
        "(SELECT max(delivered_at) FROM sales.shipments))"
    ).fetchone()[0]
    assert latest <= END_OF_DATA
    assert small_con.execute(
        "SELECT count(*) FROM sales.orders AS o JOIN crm.customers AS c USING (customer_id) "
        "WHERE o.ordered_at < c.signup_at"
    ).fetchone() == (0,)


# --- free text and lookalikes -------------------------------------------------------------

_CARD_IN_TEXT = re.compile(r"\b(?:\d[ ]?){13,19}\b")


def test_ticket_text_mixes_personal_data_and_plain_requests(
    small_con: duckdb.DuckDBPyConnection,
) -> None:
    bodies = _column(small_con, "support.tickets", "body")
    with_email = [b for b in bodies if "@" in b]
    with_cards = [
        m.group().replace(" ", "")
        for b in bodies
        for m in _CARD_IN_TEXT.finditer(b)
        if _luhn_ok(m.group().replace(" ", ""))
    ]
    plain = [b for b in bodies if not re.search(r"@|\d{3}[ .)-]*\d{3}|[A-Z]{2}\d{2}", b)]
    assert len(with_email) > 0.05 * len(bodies)
    assert with_cards
    assert 0.3 * len(bodies) < len(plain) < 0.9 * len(bodies)


@pytest.mark.parametrize(
    ("table", "column", "pattern"),
    [
        ("sales.orders", "order_number", r"ORD-20\d\d-\d{6}"),
        ("sales.orders", "invoice_number", r"[1-9]\d{8}"),
        ("sales.products", "sku", r"[A-Z]{2}-\d{4}-[A-Z]{3}"),
        ("sales.products", "firmware_version", r"\d+\.\d+\.\d+"),
        ("web.events", "app_version", r"\d+\.\d+\.\d+"),
        ("sales.shipments", "tracking_code", r"[0-9A-Z]{10,22}"),
        ("crm.customers", "external_id", r"[0-9a-f-]{36}"),
    ],
)
def test_non_personal_lookalikes_are_present(
    small_con: duckdb.DuckDBPyConnection, table: str, column: str, pattern: str
) -> None:
    values = [str(v) for v in _column(small_con, table, column)]
    assert values
    assert [v for v in values if not re.fullmatch(pattern, v)] == []


def test_order_totals_add_up(small_con: duckdb.DuckDBPyConnection) -> None:
    wrong = small_con.execute(
        "SELECT count(*) FROM sales.orders AS o JOIN ("
        "  SELECT order_id, sum(quantity * unit_price) AS gross, sum(discount_amount) AS discount"
        "  FROM sales.order_items GROUP BY order_id) AS i USING (order_id) "
        "WHERE o.subtotal_amount <> i.gross OR o.discount_amount <> i.discount "
        "   OR o.total_amount <> o.subtotal_amount - o.discount_amount + o.tax_amount "
        "      + o.shipping_amount"
    ).fetchone()
    assert wrong == (0,)


# --- derived tables and views -----------------------------------------------------------------


def test_etl_derives_tables_and_views_the_brief_asks_for(small_warehouse: DemoWarehouse) -> None:
    kinds = {(s.kind, s.target) for s in small_warehouse.etl}
    assert (EtlKind.CREATE_TABLE_AS, "marketing.email_list") in kinds  # a copy of PII
    assert (EtlKind.INSERT_SELECT, "hr.payroll_export") in kinds
    assert {s.target for s in small_warehouse.etl if s.kind == EtlKind.CREATE_VIEW} == set(
        small_warehouse.views
    )
    sessions = next(s for s in small_warehouse.etl if s.target == "web.sessions")
    assert "OVER (" in sessions.sql


@pytest.mark.parametrize(
    "target",
    [
        "marketing.email_list",
        "web.sessions",
        "hr.payroll_export",
        "analytics.customer_order_summary",
        "analytics.daily_revenue",
    ],
)
def test_derived_table_equals_rerunning_its_sql(
    small_warehouse: DemoWarehouse, small_con: duckdb.DuckDBPyConnection, target: str
) -> None:
    (statement,) = [
        s
        for s in small_warehouse.etl
        if s.target == target and s.kind in (EtlKind.CREATE_TABLE_AS, EtlKind.INSERT_SELECT)
    ]
    difference = small_con.execute(
        f"SELECT (SELECT count(*) FROM (({statement.query}) EXCEPT ALL (TABLE {target}))), "
        f"(SELECT count(*) FROM ((TABLE {target}) EXCEPT ALL ({statement.query})))"
    ).fetchone()
    assert difference == (0, 0)
    assert small_warehouse.tables[target] > 0


def test_views_are_stored_with_their_sql(
    small_warehouse: DemoWarehouse, small_con: duckdb.DuckDBPyConnection
) -> None:
    stored = dict(
        small_con.execute(
            "SELECT schema_name || '.' || view_name, sql FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    )
    for view in small_warehouse.views:
        assert view in stored
        assert small_con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] > 0


def test_rerunning_the_etl_changes_nothing(small_warehouse: DemoWarehouse, tmp_path: Path) -> None:
    copy = tmp_path / "demo.duckdb"
    shutil.copy(small_warehouse.path, copy)
    before = _checksums(copy)
    with duckdb.connect(str(copy)) as con:
        for statement in small_warehouse.etl:
            con.execute(statement.sql)
    assert _checksums(copy) == before
