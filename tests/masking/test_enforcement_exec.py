"""Rewritten statements executed for real on DuckDB and PostgreSQL.

The same tables as tests/masking/world.py, with data: EU and US orders, recent and
expired ones. Each test checks what a user actually gets back, and where it matters
shows that the unrewritten statement would have revealed more (so the test can fail).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import psycopg
import pytest
import sqlalchemy as sa

from masking.errors import Refused
from tests.masking.world import SECRETS, enforcer

NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
RECENT = NOW - dt.timedelta(days=3)
EXPIRED = NOW - dt.timedelta(days=400)

SCHEMA = [
    "CREATE SCHEMA sales",
    "CREATE SCHEMA hr",
    "CREATE SCHEMA sandbox",
    "CREATE TABLE sales.customers (id INTEGER, name VARCHAR, email VARCHAR, ssn VARCHAR, "
    "region VARCHAR, created_at TIMESTAMP)",
    "CREATE TABLE sales.orders (id INTEGER, customer_id INTEGER, amount DECIMAL(10,2), "
    "region VARCHAR, ordered_at TIMESTAMP)",
    "CREATE TABLE sales.web_events (id INTEGER, customer_id INTEGER, ip VARCHAR, "
    "event_time TIMESTAMP)",
    "CREATE TABLE hr.employees (id INTEGER, name VARCHAR, salary INTEGER)",
    "CREATE VIEW sales.customer_emails AS SELECT id, email AS contact FROM sales.customers",
]
CUSTOMERS = [
    (1, "Ada", "ada@example.com", "123-45-6789", "EU", RECENT),
    (2, "Bo", "bo@corp.test", "987-65-4321", "US", RECENT),
]
ORDERS = [
    (1, 1, 10.0, "EU", RECENT),
    (2, 2, 20.0, "US", RECENT),
    (3, 1, 30.0, "EU", EXPIRED),
    (4, 2, 99999.0, "US", RECENT),
]


class Engine:
    """Runs SQL on one real engine: ``rows(sql)`` and ``execute(sql)``."""

    def __init__(self, dialect: str, rows: Callable[[str], list[tuple[Any, ...]]]) -> None:
        self.dialect = dialect
        self.rows = rows


def _load(execute: Callable[..., Any]) -> None:
    for statement in SCHEMA:
        execute(statement)
    for row in CUSTOMERS:
        execute("INSERT INTO sales.customers VALUES (%s, %s, %s, %s, %s, %s)", row)
    for row in ORDERS:
        execute("INSERT INTO sales.orders VALUES (%s, %s, %s, %s, %s)", row)
    execute("INSERT INTO sales.web_events VALUES (%s, %s, %s, %s)", (1, 1, "10.1.2.3", RECENT))
    execute("INSERT INTO hr.employees VALUES (%s, %s, %s)", (1, "Eve", 100000))


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "duckdb":
        con = duckdb.connect()
        _load(lambda sql, params=(): con.execute(sql.replace("%s", "?"), list(params)))
        yield Engine("duckdb", lambda sql: con.execute(sql).fetchall())
        con.close()
        return
    url = request.getfixturevalue("make_pg_database")()
    dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        _load(lambda sql, params=(): conn.execute(sql, params))

        def rows(sql: str) -> list[tuple[Any, ...]]:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

        yield Engine("postgres", rows)


def run(engine: Engine, sql: str, user: str) -> list[tuple[Any, ...]]:
    return engine.rows(enforcer(engine.dialect).rewrite(sql, user).sql)


def test_email_masked_keeping_domain_ssn_partial(engine: Engine) -> None:
    rows = run(engine, "SELECT id, email, ssn FROM sales.customers ORDER BY id", "alice")
    assert rows == [(1, "***@example.com", "*******6789"), (2, "***@corp.test", "*******4321")]


def test_exempt_role_sees_raw_email_but_column_rule_still_masks_ssn(engine: Engine) -> None:
    rows = run(engine, "SELECT email, ssn FROM sales.customers ORDER BY id", "bob")
    assert rows == [("ada@example.com", "*******6789"), ("bo@corp.test", "*******4321")]


def test_row_filter_and_retention_hide_rows(engine: Engine) -> None:
    everything = engine.rows("SELECT id FROM sales.orders ORDER BY id")
    assert len(everything) == 4
    assert run(engine, "SELECT id FROM sales.orders ORDER BY id", "alice") == [(1,)]
    # bob has no row filter, but retention hides the expired order from everyone
    assert run(engine, "SELECT id FROM sales.orders ORDER BY id", "bob") == [(1,), (2,), (4,)]


def test_predicate_on_masked_column_cannot_find_raw_value(engine: Engine) -> None:
    sql = "SELECT count(*) FROM sales.customers WHERE email = 'ada@example.com'"
    assert engine.rows(sql) == [(1,)]
    assert run(engine, sql, "alice") == [(0,)]


def test_join_group_and_order_see_masked_values(engine: Engine) -> None:
    rows = run(
        engine,
        "SELECT c.email, SUM(o.amount) FROM sales.customers c JOIN sales.orders o "
        "ON o.customer_id = c.id GROUP BY c.email ORDER BY c.email",
        "alice",
    )
    assert [(email, float(total)) for email, total in rows] == [("***@example.com", 10.0)]


def test_leaky_predicate_never_sees_filtered_rows(engine: Engine) -> None:
    """A cast that fails only on a hidden row would reveal it; the fence prevents that."""
    leak = (
        "SELECT count(*) FROM sales.orders "
        "WHERE CAST(CASE WHEN amount = 99999 THEN 'x' ELSE '1' END AS INTEGER) = 1"
    )
    with pytest.raises(Exception, match=r"(?i)conver|invalid|cast"):
        engine.rows(leak)  # unrewritten, the hidden US row makes it fail
    assert run(engine, leak, "alice") == [(1,)]


def test_view_reads_through_table_masks(engine: Engine) -> None:
    raw = engine.rows("SELECT contact FROM sales.customer_emails ORDER BY id")
    assert raw[0] == ("ada@example.com",)
    rows = run(engine, "SELECT contact FROM sales.customer_emails ORDER BY id", "alice")
    assert rows == [("***@example.com",), ("***@corp.test",)]


def test_suggested_pii_is_masked_until_rejected(engine: Engine) -> None:
    assert run(engine, "SELECT ip FROM sales.web_events", "alice") == [("***",)]


def test_star_omits_hidden_column_and_explicit_reference_is_refused(engine: Engine) -> None:
    assert run(engine, "SELECT * FROM hr.employees", "alice") == [(1, "Eve")]
    with pytest.raises(Refused, match="salary") as refused:
        run(engine, "SELECT salary FROM hr.employees", "alice")
    assert refused.value.sqlstate == "42501"


def test_ctas_copies_masked_values(engine: Engine) -> None:
    run(engine, "CREATE TABLE sandbox.copy AS SELECT id, email FROM sales.customers", "carol")
    assert engine.rows("SELECT email FROM sandbox.copy ORDER BY id") == [
        ("***@example.com",),
        ("***@corp.test",),
    ]


def test_update_only_touches_rows_the_user_may_see(engine: Engine) -> None:
    # carol inherits analyst's row filter on region but has no region attribute: no rows
    run(engine, "UPDATE sales.orders SET amount = 0", "carol")
    assert engine.rows("SELECT count(*) FROM sales.orders WHERE amount = 0") == [(0,)]


def test_hash_mask_is_salted_sha256_and_joins_still_match(engine: Engine) -> None:
    e = enforcer(engine.dialect)
    from policies.decide import Decider
    from policies.document import parse_policy
    from tests.masking.world import POLICY

    policy = parse_policy(
        POLICY.replace("method: email, exempt: [privacy_officer]", "method: hash"),
        catalog=[e.facts],
    )
    e.decider = Decider(policy)
    sql = (
        "SELECT a.email FROM sales.customers a JOIN sales.customers b ON a.email = b.email "
        "WHERE a.id = 1"
    )
    expected = hashlib.sha256((SECRETS.salt + "ada@example.com").encode()).hexdigest()
    assert engine.rows(e.rewrite(sql, "alice").sql) == [(expected,)]
