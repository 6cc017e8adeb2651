"""classify_warehouse over real DuckDB and PostgreSQL warehouses, into real stores."""

from __future__ import annotations

import datetime as dt

import duckdb
import psycopg
import pytest
import sqlalchemy as sa

from catalog.classify.run import classify_warehouse
from catalog.model import PiiStatus
from catalog.pii import confirm, list_pii, reject
from catalog.scan import scan_warehouse
from tests.pg import libpq

ROWS = 120
RAW = {
    "email": [f"person.{i}@mailhost-{i % 9}.example.com" for i in range(ROWS)],
    "phone": [f"+1 212 555 {1000 + i:04d}" for i in range(ROWS)],
    "ssn": [f"{100 + i:03d}-{10 + i % 80:02d}-{2000 + i:04d}" for i in range(ROWS)],
    "full_name": [
        f"{first} {last}"
        for first, last in zip(
            ["Maria", "John", "Aisha", "Klaus", "Olga", "Wei"] * 20,
            ["Keller", "Smith", "Khan", "Bauer", "Ivanova", "Chen"] * 20,
            strict=True,
        )
    ],
}
DDL = (
    "CREATE SCHEMA crm",
    "CREATE TABLE crm.people (id INTEGER, email VARCHAR(100), phone VARCHAR(40), ssn VARCHAR(20), "
    "full_name VARCHAR(100), born DATE, order_ref VARCHAR(30), active BOOLEAN)",
)


def _rows():
    for i in range(ROWS):
        yield (
            i,
            RAW["email"][i],
            RAW["phone"][i],
            RAW["ssn"][i],
            RAW["full_name"][i],
            dt.date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
            f"ORD-{i:06d}",
            i % 2 == 0,
        )


def duckdb_pii(path) -> str:
    with duckdb.connect(str(path)) as conn:
        for stmt in DDL:
            conn.execute(stmt)
        conn.executemany("INSERT INTO crm.people VALUES (?, ?, ?, ?, ?, ?, ?, ?)", list(_rows()))
    return f"duckdb:///{path}"


def postgres_pii(url: str) -> str:
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        for stmt in DDL:
            conn.execute(stmt.replace("VARCHAR", "varchar"))
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO crm.people VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", list(_rows())
            )
        conn.execute("ANALYZE")
    return url


@pytest.fixture(params=["duckdb", "postgres"])
def pii_warehouse(request, tmp_path):
    if request.param == "duckdb":
        return duckdb_pii(tmp_path / "pii.duckdb")
    return postgres_pii(request.getfixturevalue("make_pg_database")())


EXPECTED = {
    "email": "EMAIL_ADDRESS",
    "phone": "PHONE_NUMBER",
    "ssn": "US_SSN",
    "full_name": "PERSON",
    "born": "DATE_OF_BIRTH",
    "order_ref": None,
    "id": None,
}


def test_classify_finds_pii_on_each_engine(store, pii_warehouse):
    scan_warehouse(store, pii_warehouse, "wh")
    report = classify_warehouse(store, "wh", workers=1)
    found = {c.key.column: (c.suggestion.entity if c.suggestion else None) for c in report.columns}
    assert {k: found.get(k) for k in EXPECTED} == EXPECTED
    assert "active" not in found  # booleans are never sampled
    assert report.recorded is not None and report.recorded.new == 5
    suggested = {
        r.column.rsplit(".", 1)[1]: r.entity for r in list_pii(store, status=PiiStatus.SUGGESTED)
    }
    assert suggested == {k: v for k, v in EXPECTED.items() if v}


def test_parallel_workers_agree_with_one(sqlite_store, tmp_path):
    url = duckdb_pii(tmp_path / "pii.duckdb")
    scan_warehouse(sqlite_store, url, "wh")
    one = classify_warehouse(sqlite_store, "wh", workers=1, record=False)
    two = classify_warehouse(sqlite_store, "wh", workers=2, record=False)
    assert [(c.key, c.suggestion) for c in one.columns] == [
        (c.key, c.suggestion) for c in two.columns
    ]


def test_steward_decisions_survive_reclassification(store, tmp_path):
    url = duckdb_pii(tmp_path / "pii.duckdb")
    scan_warehouse(store, url, "wh")
    classify_warehouse(store, "wh", workers=1)
    confirm(store, "wh.crm.people.email", by="steward")
    reject(store, "wh.crm.people.full_name", by="steward", note="these are test accounts")

    again = classify_warehouse(store, "wh", workers=1)
    assert again.recorded is not None and again.recorded.new == 0
    by_column = {r.column.rsplit(".", 1)[1]: r for r in list_pii(store)}
    assert by_column["email"].status == PiiStatus.CONFIRMED
    assert by_column["full_name"].status == PiiStatus.REJECTED
    assert [r.status for r in list_pii(store) if r.column.endswith(".full_name")] == [
        PiiStatus.REJECTED
    ]


def test_no_raw_value_is_stored_anywhere_in_the_catalog(tmp_path):
    from catalog.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'catalog.db'}")
    url = duckdb_pii(tmp_path / "pii.duckdb")
    scan_warehouse(store, url, "wh")
    classify_warehouse(store, "wh", workers=1)
    confirm(store, "wh.crm.people.ssn", by="steward")
    texts = []
    with store.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                texts += [str(v) for v in row if v is not None]
    store.close()
    blob = "\n".join(texts)
    raw_file = b"".join(p.read_bytes() for p in tmp_path.glob("catalog.db*"))
    for column, values in RAW.items():
        for value in values:
            assert value not in blob, (column, value)
            assert value.encode() not in raw_file, (column, value)
    for i in range(ROWS):  # dates too, in the formats a writer might use
        born = dt.date(1940 + i % 60, 1 + i % 12, 1 + i % 28).isoformat()
        assert born not in blob


def test_tables_that_cannot_be_sampled_are_skipped_and_reported(sqlite_store, tmp_path):
    url = duckdb_pii(tmp_path / "pii.duckdb")
    with duckdb.connect(str(tmp_path / "pii.duckdb")) as conn:
        conn.execute("CREATE TABLE crm.gone (email VARCHAR)")
    scan_warehouse(sqlite_store, url, "wh")
    with duckdb.connect(str(tmp_path / "pii.duckdb")) as conn:
        conn.execute("DROP TABLE crm.gone")
    report = classify_warehouse(sqlite_store, "wh", workers=1)
    assert len(report.errors) == 1 and "gone" in report.errors[0]
    assert any(c.suggestion for c in report.columns)


def test_unknown_warehouse_and_table_are_errors(sqlite_store, tmp_path):
    from catalog.errors import NotFoundError

    scan_warehouse(sqlite_store, duckdb_pii(tmp_path / "pii.duckdb"), "wh")
    with pytest.raises(NotFoundError, match="no warehouse named 'nope'"):
        classify_warehouse(sqlite_store, "nope")
    with pytest.raises(NotFoundError, match=r"crm\.nope"):
        classify_warehouse(sqlite_store, "wh", tables=["crm.nope"])
