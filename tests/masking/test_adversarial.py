"""An analyst tries to read raw PII and hidden rows; every attempt is run for real.

The oracle: a second database holding exactly what ``alice`` (an analyst) may see —
emails keeping only their domain, SSNs showing the last four digits, the suggested IP
redacted, ``hr.employees`` without ``salary``, ``sales.orders`` reduced to her region's
recent rows. An attack passes when the rewritten statement, run on the real data,
returns exactly what the original statement returns on the oracle (or fails where the
oracle fails), and no cell or error message contains a raw secret. Where Veil must
refuse instead, the case names the SQLSTATE.

So the suite does not trust the rewriter's own idea of what is masked: a leak shows up
as a difference from data that never held the secrets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import psycopg
import pytest
import sqlalchemy as sa

from masking.errors import Refused
from tests import pg
from tests.masking.world import enforcer

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
    "CREATE VIEW sales.customer_emails AS SELECT id, email AS contact FROM sales.customers",
]
REAL: dict[str, list[tuple[Any, ...]]] = {
    "sales.customers": [
        (1, "Ada", "ada@example.com", "123-45-6789", "EU", RECENT),
        (2, "Bo", "bo@corp.test", "987-65-4321", "US", RECENT),
    ],
    "sales.orders": [
        (1, 1, Decimal("10.00"), "EU", RECENT),
        (2, 2, Decimal("20.00"), "US", RECENT),
        (3, 1, Decimal("30.00"), "EU", EXPIRED),
        (4, 2, Decimal("99999.00"), "US", RECENT),
    ],
    "sales.web_events": [(1, 1, "10.1.2.3", RECENT)],
    "hr.employees": [(1, "Eve", 100000)],
}
#: What alice may see, written out by hand from the policy in tests/masking/world.py.
ORACLE: dict[str, list[tuple[Any, ...]]] = {
    "sales.customers": [
        (1, "Ada", "***@example.com", "*******6789", "EU", RECENT),
        (2, "Bo", "***@corp.test", "*******4321", "US", RECENT),
    ],
    "sales.orders": [(1, 1, Decimal("10.00"), "EU", RECENT)],
    "sales.web_events": [(1, 1, "***", RECENT)],
    "hr.employees": [(1, "Eve")],
}
#: Raw values that must never reach alice, whole or as part of a cell or an error.
SECRETS = ("ada@example.com", "bo@corp.test", "123-45-6789", "987-65-4321", "10.1.2.3")
SECRET_NUMBERS = (Decimal("20.00"), Decimal("30.00"), Decimal("99999.00"), 100000)


class Db:
    """One real database: ``rows(sql)`` returns the rows or raises the engine's error."""

    def __init__(self, rows: Callable[[str], list[tuple[Any, ...]]]) -> None:
        self.rows = rows


def _load(execute: Callable[..., Any], data: dict[str, list[tuple[Any, ...]]]) -> None:
    salary = len(data["hr.employees"][0]) == 3
    for statement in SCHEMA:
        execute(statement)
    execute(
        "CREATE TABLE hr.employees (id INTEGER, name VARCHAR"
        + (", salary INTEGER)" if salary else ")")
    )
    for table, rows in data.items():
        for row in rows:
            marks = ", ".join(["%s"] * len(row))
            execute(f"INSERT INTO {table} VALUES ({marks})", row)


def _duckdb(data: dict[str, list[tuple[Any, ...]]]) -> Iterator[Db]:
    con = duckdb.connect()
    _load(lambda sql, params=(): con.execute(sql.replace("%s", "?"), list(params)), data)

    def rows(sql: str) -> list[tuple[Any, ...]]:
        cur = con.cursor()
        try:
            return cur.execute(sql).fetchall()
        finally:
            cur.close()

    yield Db(rows)
    con.close()


def _postgres(server: str, data: dict[str, list[tuple[Any, ...]]]) -> Iterator[Db]:
    url = pg.create_database(server, prefix="veil_adv")
    dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            _load(lambda sql, params=(): conn.execute(sql, params), data)

            def rows(sql: str) -> list[tuple[Any, ...]]:
                cur = conn.execute(sql)
                return cur.fetchall() if cur.description else []

            yield Db(rows)
    finally:
        pg.drop_database(server, url)


@dataclass
class World:
    dialect: str
    real: Db
    oracle: Db


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    if request.param == "duckdb":
        real, oracle = _duckdb(REAL), _duckdb(ORACLE)
    else:
        server = request.getfixturevalue("pg_server")
        real, oracle = _postgres(server, REAL), _postgres(server, ORACLE)
    yield World(request.param, next(real), next(oracle))
    for gen in (real, oracle):
        next(gen, None)


@dataclass(frozen=True)
class Attack:
    """One attempt: ``refuse`` is the SQLSTATE Veil must answer, else results must match."""

    id: str
    sql: str
    refuse: str | None = None
    only: str | None = None  # "postgres" or "duckdb" when the syntax is one engine's
    oracle_sql: str | None = None  # what the oracle runs, when Veil reads a different name


A = Attack
DENIED, SYNTAX, UNDEFINED, UNSUPPORTED = "42501", "42601", "42P01", "0A000"

ATTACKS = [
    # -- predicates probing the raw value ----------------------------------------------
    A("eq_email", "SELECT id FROM sales.customers WHERE email = 'ada@example.com'"),
    A("eq_ssn", "SELECT count(*) FROM sales.customers WHERE ssn = '123-45-6789'"),
    A("in_list", "SELECT id FROM sales.customers WHERE email IN ('ada@example.com', 'x')"),
    A("like_prefix", "SELECT id FROM sales.customers WHERE email LIKE 'a%'"),
    A("like_each_char", "SELECT id FROM sales.customers WHERE email LIKE '_d_@%'"),
    A("ilike", "SELECT id FROM sales.customers WHERE email ILIKE 'ADA%'"),
    A("range_gt", "SELECT id FROM sales.customers WHERE email > 'ad' AND email < 'ae'"),
    A("between_ssn", "SELECT id FROM sales.customers WHERE ssn BETWEEN '123' AND '124'"),
    A("starts_with", "SELECT id FROM sales.customers WHERE starts_with(email, 'ada')"),
    A("position", "SELECT id, position('ada' IN email) FROM sales.customers ORDER BY id"),
    A(
        "regexp",
        "SELECT id FROM sales.customers WHERE regexp_matches(email, '^ada')",
        only="duckdb",
    ),
    A("regexp_pg", "SELECT id FROM sales.customers WHERE email ~ '^ada'", only="postgres"),
    A(
        "exists_probe",
        "SELECT 1 AS hit WHERE EXISTS (SELECT 1 FROM sales.customers "
        "WHERE email = 'ada@example.com')",
    ),
    A(
        "filter_clause",
        "SELECT count(*) FILTER (WHERE email = 'ada@example.com') FROM sales.customers",
    ),
    A(
        "case_probe",
        "SELECT sum(CASE WHEN substr(ssn, 1, 3) = '123' THEN 1 ELSE 0 END) FROM sales.customers",
    ),
    # -- ORDER BY / LIMIT / GROUP BY / aggregates ----------------------------------------
    A("order_limit", "SELECT id FROM sales.customers ORDER BY email LIMIT 1"),
    A("order_desc_ssn", "SELECT id FROM sales.customers ORDER BY ssn DESC"),
    A("group_by_email", "SELECT email, count(*) FROM sales.customers GROUP BY email ORDER BY 1"),
    A("min_max", "SELECT min(email), max(ssn) FROM sales.customers"),
    A("length", "SELECT id, length(email), length(ssn) FROM sales.customers ORDER BY id"),
    A("string_agg", "SELECT string_agg(email, ',' ORDER BY email) FROM sales.customers"),
    A("count_distinct", "SELECT count(DISTINCT ssn) FROM sales.customers"),
    A("sum_hidden_rows", "SELECT sum(amount), count(*) FROM sales.orders"),
    A("avg_by_region", "SELECT region, avg(amount) FROM sales.orders GROUP BY region ORDER BY 1"),
    # -- joins -------------------------------------------------------------------------
    A(
        "self_join",
        "SELECT a.id FROM sales.customers a JOIN sales.customers b ON a.email = b.email "
        "AND b.email = 'ada@example.com'",
    ),
    A(
        "join_values",
        "SELECT c.id FROM sales.customers c JOIN (VALUES ('ada@example.com')) v(e) "
        "ON c.email = v.e",
    ),
    A(
        "join_orders",
        "SELECT c.email, o.amount FROM sales.customers c JOIN sales.orders o "
        "ON o.customer_id = c.id ORDER BY o.id",
    ),
    A(
        "left_join_hidden_rows",
        "SELECT c.id, count(o.id) FROM sales.customers c LEFT JOIN sales.orders o "
        "ON o.customer_id = c.id GROUP BY c.id ORDER BY c.id",
    ),
    A(
        "cross_join_ip",
        "SELECT e.ip, c.email FROM sales.web_events e CROSS JOIN sales.customers c ORDER BY c.id",
    ),
    # -- CTEs, aliases, subqueries --------------------------------------------------------
    A("cte", "WITH c AS (SELECT email AS e FROM sales.customers) SELECT e FROM c ORDER BY e"),
    A(
        "cte_shadows_table",
        "WITH customers AS (SELECT * FROM sales.customers) SELECT email FROM customers ORDER BY 1",
    ),
    A(
        "recursive_cte",
        "WITH RECURSIVE r(n, e) AS (SELECT 1, email FROM sales.customers WHERE id = 1 "
        "UNION ALL SELECT n + 1, e FROM r WHERE n < 2) SELECT * FROM r ORDER BY n",
    ),
    A(
        "alias_as_column_name",
        "SELECT name AS email, email AS name FROM sales.customers ORDER BY id",
    ),
    A("column_alias_list", "SELECT x FROM sales.customers AS c(a, b, x) ORDER BY a"),
    A("derived_rename", "SELECT s.n FROM (SELECT email AS n FROM sales.customers) s ORDER BY 1"),
    A("scalar_subquery", "SELECT (SELECT max(email) FROM sales.customers) AS m"),
    A(
        "correlated",
        "SELECT id, (SELECT count(*) FROM sales.orders o WHERE o.customer_id = c.id) "
        "FROM sales.customers c ORDER BY id",
    ),
    A(
        "in_subquery",
        "SELECT id FROM sales.orders WHERE customer_id IN "
        "(SELECT id FROM sales.customers WHERE ssn LIKE '123%')",
    ),
    A(
        "lateral",
        "SELECT c.id, l.e FROM sales.customers c, LATERAL (SELECT c.email AS e) l ORDER BY 1",
    ),
    # -- set operations and windows ----------------------------------------------------
    A("union", "SELECT email FROM sales.customers UNION SELECT 'x' ORDER BY 1"),
    A(
        "union_all_hidden",
        "SELECT id FROM sales.orders UNION ALL SELECT id FROM sales.orders ORDER BY 1",
    ),
    A("intersect", "SELECT email FROM sales.customers INTERSECT SELECT 'ada@example.com'"),
    A("except", "SELECT 'ada@example.com' EXCEPT SELECT email FROM sales.customers"),
    A("window_lag", "SELECT id, lag(email) OVER (ORDER BY id) FROM sales.customers ORDER BY id"),
    A("window_first", "SELECT DISTINCT first_value(ssn) OVER (ORDER BY ssn) FROM sales.customers"),
    A("window_count_hidden", "SELECT id, count(*) OVER () FROM sales.orders ORDER BY id"),
    A("rank_by_email", "SELECT id, rank() OVER (ORDER BY email) FROM sales.customers ORDER BY id"),
    # -- casts, string and JSON functions --------------------------------------------------
    A("cast_varchar", "SELECT CAST(email AS VARCHAR(100)) FROM sales.customers ORDER BY 1"),
    A("cast_ssn_int_fails", "SELECT CAST(ssn AS INTEGER) FROM sales.customers"),
    A("pg_cast", "SELECT ssn::text || '' FROM sales.customers ORDER BY 1", only="postgres"),
    A("upper_replace", "SELECT upper(replace(email, '*', '')) FROM sales.customers ORDER BY 1"),
    A("split_part", "SELECT split_part(ssn, '-', 1) FROM sales.customers ORDER BY 1"),
    A("md5_of_email", "SELECT md5(email) FROM sales.customers ORDER BY 1"),
    A(
        "json_object_pg",
        "SELECT json_build_object('e', email)::text FROM sales.customers ORDER BY 1",
        only="postgres",
    ),
    A(
        "to_json_duckdb",
        "SELECT to_json(email)::VARCHAR FROM sales.customers ORDER BY 1",
        only="duckdb",
    ),
    A(
        "coalesce_nullif",
        "SELECT coalesce(nullif(email, 'ada@example.com'), 'hidden') FROM sales.customers "
        "ORDER BY 1",
    ),
    # -- whole-row references and table forms -------------------------------------------------
    A(
        "row_to_json",
        "SELECT row_to_json(c)::text FROM sales.customers c ORDER BY c.id",
        only="postgres",
    ),
    A("whole_row_pg", "SELECT c::text FROM sales.customers c ORDER BY c.id", only="postgres"),
    A("whole_row_duckdb", "SELECT c FROM sales.customers c ORDER BY c.id", only="duckdb"),
    A("table_statement", "TABLE sales.customers", only="postgres"),
    A("only", "SELECT email FROM ONLY sales.customers ORDER BY 1", only="postgres"),
    A("star_hidden_column", "SELECT * FROM hr.employees"),
    A("qualified_star", "SELECT e.* FROM hr.employees e"),
    # -- views ---------------------------------------------------------------------------
    A("view", "SELECT contact FROM sales.customer_emails ORDER BY id"),
    A("view_predicate", "SELECT id FROM sales.customer_emails WHERE contact = 'ada@example.com'"),
    A(
        "view_join_table",
        "SELECT v.contact, c.ssn FROM sales.customer_emails v JOIN sales.customers c "
        "ON c.id = v.id ORDER BY v.id",
    ),
    # -- quoting, case, comments, escapes -------------------------------------------------
    A("quoted_names", 'SELECT "email" FROM "sales"."customers" ORDER BY 1'),
    A("upper_case_names", "SELECT EMAIL FROM SALES.CUSTOMERS ORDER BY 1"),
    A("quoted_case_table", 'SELECT email FROM "sales"."CUSTOMERS" ORDER BY 1', only="duckdb"),
    A("comment_inside", "SELECT email FROM sales./* x */customers -- tail\nORDER BY 1"),
    A("comment_hides_semicolon", "SELECT email FROM sales.customers /* ; DROP TABLE x */"),
    A(
        "unicode_escape_literal",
        "SELECT id FROM sales.customers WHERE email = U&'ada\\0040example.com'",
        only="postgres",
    ),
    A(
        "dollar_quote",
        "SELECT id FROM sales.customers WHERE email = $$ada@example.com$$",
        only="postgres",
    ),
    # Veil reads the catalog's table whatever database prefix is written (dbt writes
    # "db"."schema"."table"); the prefix must not lead to another database's table.
    A(
        "database_prefix",
        "SELECT email FROM anydb.sales.customers ORDER BY 1",
        oracle_sql="SELECT email FROM sales.customers ORDER BY 1",
    ),
    # -- hidden rows and error-raising expressions ----------------------------------------
    A("hidden_row_by_id", "SELECT amount FROM sales.orders WHERE id = 4"),
    A(
        "division_by_zero_on_hidden",
        "SELECT count(*) FROM sales.orders WHERE 1 / (amount - 99999) > 0",
    ),
    A(
        "cast_error_on_hidden",
        "SELECT count(*) FROM sales.orders "
        "WHERE CAST(CASE WHEN amount = 99999 THEN 'x' ELSE '1' END AS INTEGER) = 1",
    ),
    A(
        "error_in_join_condition",
        "SELECT count(*) FROM sales.orders o JOIN sales.customers c "
        "ON c.id = o.customer_id AND 1 / (o.amount - 20) > 0",
    ),
    A("error_in_order_by", "SELECT id FROM sales.orders ORDER BY 1 / (amount - 30)"),
    A("expired_row", "SELECT id FROM sales.orders WHERE ordered_at < now() - INTERVAL '1 year'"),
    # -- refusals ------------------------------------------------------------------------
    A("hidden_column", "SELECT salary FROM hr.employees", refuse=DENIED),
    A("hidden_column_in_where", "SELECT id FROM hr.employees WHERE salary > 50000", refuse=DENIED),
    A("hidden_column_in_order", "SELECT id FROM hr.employees ORDER BY salary", refuse=DENIED),
    A("hidden_column_quoted", 'SELECT "SALARY" FROM hr.employees', refuse=DENIED, only="duckdb"),
    A(
        "hidden_column_subquery",
        "SELECT (SELECT max(salary) FROM hr.employees) AS m",
        refuse=DENIED,
    ),
    A("alias_list_over_hidden", "SELECT s FROM hr.employees AS e(i, n, s)", refuse=DENIED),
    A("two_statements", "SELECT 1; SELECT email FROM sales.customers", refuse=SYNTAX),
    A("unknown_table", "SELECT * FROM sales.secret_copy", refuse=UNDEFINED),
    A("quoted_dotted_name", 'SELECT * FROM "sales.customers"', refuse=UNDEFINED),
    A("copy_out", "COPY sales.customers TO STDOUT", refuse=DENIED),
    A(
        "copy_query",
        "COPY (SELECT email FROM sales.customers) TO '/tmp/veil-leak.csv'",
        refuse=DENIED,
    ),
    A("prepare", "PREPARE p AS SELECT email FROM sales.customers", refuse=DENIED),
    A("execute", "EXECUTE p", refuse=DENIED),
    A("set_role", "SET ROLE postgres", refuse=DENIED),
    A("set_session_authorization", "SET SESSION AUTHORIZATION postgres", refuse=DENIED),
    A("udf_call", "SELECT public.read_all()", refuse=DENIED),
    A(
        "create_function",
        "CREATE FUNCTION f() RETURNS text AS $$ SELECT email FROM sales.customers $$ LANGUAGE sql",
        refuse=DENIED,
    ),
    A("do_block", "DO $$ BEGIN PERFORM 1; END $$", refuse=DENIED),
    A("pg_read_file", "SELECT pg_read_file('/etc/passwd')", refuse=DENIED),
    A(
        "query_to_xml",
        "SELECT query_to_xml('SELECT email FROM sales.customers', true, true, '')",
        refuse=DENIED,
    ),
    A("dblink", "SELECT * FROM dblink('dbname=x', 'SELECT 1') AS t(a int)", refuse=DENIED),
    A("read_csv", "SELECT * FROM read_csv('/etc/passwd')", refuse=DENIED),
    A("pg_stats", "SELECT * FROM pg_stats", refuse=DENIED),
    A("pg_stats_quoted", 'SELECT * FROM "PG_CATALOG"."pg_stats"', refuse=DENIED),
    A("pg_statistic", "SELECT * FROM pg_catalog.pg_statistic", refuse=DENIED),
    A("pg_stat_statements", "SELECT query FROM pg_stat_statements", refuse=DENIED),
    A("pg_stat_activity", "SELECT query FROM pg_catalog.pg_stat_activity", refuse=DENIED),
    A(
        "ctas_without_grant",
        "CREATE TABLE sandbox.mine AS SELECT email FROM sales.customers",
        refuse=DENIED,
    ),
    A(
        "insert_without_grant",
        "INSERT INTO sandbox.mine SELECT email FROM sales.customers",
        refuse=DENIED,
    ),
    A("delete_without_grant", "DELETE FROM sales.customers", refuse=DENIED),
    A(
        "select_into_without_grant",
        "SELECT email INTO sandbox.mine FROM sales.customers",
        refuse=DENIED,
    ),
    A("lock_rows_without_grant", "SELECT id FROM sales.customers FOR UPDATE", refuse=DENIED),
    A(
        "lock_of_alias_without_grant",
        "SELECT id FROM sales.orders o FOR SHARE OF o NOWAIT",
        refuse=DENIED,
    ),
]


def _cases(attacks: list[Attack]) -> list[Any]:
    """(engine, attack) pairs: each attack on every engine whose syntax it uses."""
    return [
        pytest.param(
            engine,
            a,
            id=f"{engine}-{a.id}",
            marks=[pytest.mark.postgres] if engine == "postgres" else [],
        )
        for engine in ("duckdb", "postgres")
        for a in attacks
        if a.only in (None, engine)
    ]


def _leaks(value: object) -> list[str]:
    """Raw secrets found in ``value`` (rows or an error message)."""
    text = repr(value)
    found = [s for s in SECRETS if s in text]
    if isinstance(value, list):
        cells = [cell for row in value for cell in row]
        found += [f"number {n}" for n in SECRET_NUMBERS if n in cells]
    return found


def _outcome(run: Callable[[], list[tuple[Any, ...]]]) -> tuple[str, Any]:
    try:
        return "rows", run()
    except (duckdb.Error, psycopg.Error) as e:
        return "error", str(e)


def test_enough_attacks() -> None:
    assert len({a.id for a in ATTACKS}) == len(ATTACKS)
    assert len(ATTACKS) >= 60


@pytest.mark.parametrize(("world", "attack"), _cases(ATTACKS), indirect=["world"])
def test_attack(world: World, attack: Attack) -> None:
    rewriter = enforcer(world.dialect)
    if attack.refuse:
        with pytest.raises(Refused) as refused:
            rewriter.rewrite(attack.sql, "alice")
        assert refused.value.sqlstate == attack.refuse, str(refused.value)
        assert not _leaks(str(refused.value))
        return
    rewritten = rewriter.rewrite(attack.sql, "alice").sql
    got = _outcome(lambda: world.real.rows(rewritten))
    expected = _outcome(lambda: world.oracle.rows(attack.oracle_sql or attack.sql))
    # a secret the query itself spells out comes back from the oracle too
    assert not set(_leaks(got[1])) - set(_leaks(expected[1])), f"raw data in {got}"
    if expected[0] == "error":
        assert got[0] == "error", f"oracle failed ({expected[1]}) but Veil returned {got[1]}"
    else:
        assert got == expected


COPIES = [
    ("ctas", "CREATE TABLE sandbox.{t} AS SELECT id, email, ssn FROM sales.customers"),
    (
        "ctas_expression",
        "CREATE TABLE sandbox.{t} AS SELECT id, upper(email) AS e FROM sales.customers",
    ),
    (
        "ctas_join",
        "CREATE TABLE sandbox.{t} AS SELECT c.id, e.ip FROM sales.customers c "
        "JOIN sales.web_events e ON e.customer_id = c.id",
    ),
    ("ctas_view", "CREATE TABLE sandbox.{t} AS SELECT * FROM sales.customer_emails"),
    ("ctas_star_hidden", "CREATE TABLE sandbox.{t} AS SELECT * FROM hr.employees"),
    ("select_into", "SELECT id, ssn INTO sandbox.{t} FROM sales.customers"),
    (
        "insert_select",
        "CREATE TABLE sandbox.{t} (id INTEGER, email VARCHAR)",
        "INSERT INTO sandbox.{t} SELECT id, email FROM sales.customers",
    ),
]


@pytest.mark.parametrize(
    ("world", "copy"),
    [
        pytest.param(
            engine,
            c,
            id=f"{engine}-{c[0]}",
            marks=[pytest.mark.postgres] if engine == "postgres" else [],
        )
        for engine in ("duckdb", "postgres")
        for c in COPIES
        if not (engine == "duckdb" and c[0] == "select_into")  # DuckDB has no SELECT INTO
    ],
    indirect=["world"],
)
def test_copies_made_through_veil_hold_masked_values(world: World, copy: tuple[str, ...]) -> None:
    """carol may create tables in sandbox; what she copies there is what she could read."""
    name, *statements = copy
    rewriter = enforcer(world.dialect)
    for template in statements:
        sql = template.format(t=name)
        world.real.rows(rewriter.rewrite(sql, "carol").sql)
        world.oracle.rows(sql)
    read = f"SELECT * FROM sandbox.{name} ORDER BY 1"
    copied, expected = world.real.rows(read), world.oracle.rows(read)
    assert not _leaks(copied)
    assert copied == expected
