"""Catalog queries through the PostgreSQL relay show each user only what they may read.

psql's ``\\dt``, ``\\d TABLE``, ``\\dn``, ``\\l``, information_schema and the queries of
JDBC's DatabaseMetaData run on the real warehouse, over system relations the rewriter
narrows per user (masking.system_catalog). The relay's warehouse (conftest.py) gets a
table alice has no grant on (``hr.salaries``, catalogued) and one the catalog does not
know (``crm.unscanned``, created after the scan); alice is denied ``crm.customers.born``.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import psycopg
import pytest

from catalog.scan import scan_warehouse
from masking.gateway.upstream import PostgresWarehouse
from policies.store import apply_policy
from tests.masking.gateway.conftest import PASSWORDS, POLICY, Running
from tests.pg import libpq

pytestmark = pytest.mark.postgres

needs_psql = pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed")

ALICE_TABLES = {"crm.customers", "sales.orders", "sales.payments"}
CUSTOMER_COLUMNS = ["id", "email", "full_name", "born", "balance"]


def _warehouse_url(running: Running) -> str:
    target = running.gateway.backend
    assert isinstance(target, PostgresWarehouse)
    password = f":{target.password}" if target.password else ""
    return (
        f"postgresql+psycopg://{target.user}{password}@{target.host}:{target.port}/"
        f"{target.database}"
    )


@pytest.fixture(scope="module")
def catalog_relay(relay: Running) -> Iterator[Running]:
    """``relay`` plus hr.salaries (scanned, granted to bob only) and crm.unscanned."""
    url = _warehouse_url(relay)
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("CREATE SCHEMA hr")
        conn.execute("CREATE TABLE hr.salaries (id integer PRIMARY KEY, amount integer)")
        conn.execute("CREATE INDEX customers_born ON crm.customers (born)")
        conn.execute("CREATE STATISTICS customers_stats ON id, balance FROM crm.customers")
        conn.execute("COMMENT ON COLUMN crm.customers.born IS 'date of birth'")
    scan_warehouse(relay.store, url, "wh")
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE crm.unscanned (id integer)")
    _wait_for_catalog(relay)
    yield relay


def _wait_for_catalog(running: Running) -> None:
    """The gateway checks the catalog and policy versions every second."""
    time.sleep(running.gateway.enforcement.check_interval + 0.2)


def run_psql(
    running: Running, user: str, *commands: str, aligned: bool = False, status: int = 0
) -> str:
    """psql's output for ``commands`` (unaligned and tuples only unless ``aligned``)."""
    args = ["psql", f"host=127.0.0.1 port={running.port} user={user} dbname=wh sslmode=disable"]
    args += ["-X", "-v", "ON_ERROR_STOP=1"] + ([] if aligned else ["-A", "-t", "-F", "|"])
    for command in commands:
        args += ["-c", command]
    done = subprocess.run(
        args,
        env={"PGPASSWORD": PASSWORDS[user], "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == status, done.stderr
    return done.stdout + done.stderr


def psql(running: Running, user: str, *commands: str) -> list[list[str]]:
    """Rows of psql's unaligned output for ``commands``, fields split."""
    lines = run_psql(running, user, *commands).splitlines()
    return [line.split("|") for line in lines if line and line != "SET"]


def user_tables(rows: list[list[str]]) -> set[str]:
    return {f"{r[0]}.{r[1]}" for r in rows if r[0] not in ("pg_catalog", "information_schema")}


# -- psql ---------------------------------------------------------------------------------


@needs_psql
def test_psql_dt_lists_only_tables_alice_reads(catalog_relay: Running) -> None:
    rows = psql(catalog_relay, "alice", "SET search_path TO crm, sales, hr, public", "\\dt")
    assert user_tables(rows) == ALICE_TABLES


@needs_psql
@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("alice", ALICE_TABLES),
        ("bob", ALICE_TABLES | {"hr.salaries"}),  # grants on *: every catalogued table
    ],
)
def test_psql_dt_all_schemas_omits_tables_without_grants_or_scan(
    catalog_relay: Running, user: str, expected: set[str]
) -> None:
    rows = psql(catalog_relay, user, "\\dt *.*")
    assert user_tables(rows) == expected  # crm.unscanned: not catalogued, so for nobody
    assert ["pg_catalog", "pg_class", "table", "postgres"] in rows  # system tables stay


@needs_psql
def test_psql_d_lists_views_too(catalog_relay: Running) -> None:
    rows = psql(catalog_relay, "alice", "SET search_path TO crm, sales, hr", "\\d")
    assert user_tables(rows) == ALICE_TABLES | {"sales.big_customers"}


@needs_psql
def test_psql_d_table_omits_the_denied_column(catalog_relay: Running) -> None:
    rows = psql(catalog_relay, "alice", "\\d crm.customers")
    assert [r[0] for r in rows] == [c for c in CUSTOMER_COLUMNS if c != "born"]
    assert rows[0][1:4] == ["integer", "", "not null"]


@needs_psql
def test_psql_d_table_for_a_reader_of_every_column(catalog_relay: Running) -> None:
    out = run_psql(catalog_relay, "bob", "\\d+ crm.customers", aligned=True)
    for column in CUSTOMER_COLUMNS:
        assert f" {column} " in out
    assert "date of birth" in out  # the column's comment
    assert '"customers_pkey" PRIMARY KEY, btree (id)' in out
    assert '"customers_born" btree (born)' in out
    assert "customers_stats" in out  # pg_statistic_ext's definitions


@needs_psql
def test_a_table_with_hidden_columns_shows_no_index_or_statistics(
    catalog_relay: Running,
) -> None:
    out = run_psql(catalog_relay, "alice", "\\d+ crm.customers", aligned=True)
    # An index, statistics object or comment might name the hidden column: not shown.
    for hidden in ("born", "customers_born", "customers_stats", "date of birth"):
        assert hidden not in out
    assert " email " in out


@needs_psql
def test_psql_d_of_a_table_without_grant_finds_nothing(catalog_relay: Running) -> None:
    out = run_psql(catalog_relay, "alice", "\\d hr.salaries", status=1)
    assert 'Did not find any relation named "hr.salaries"' in out
    assert [r[0] for r in psql(catalog_relay, "bob", "\\d hr.salaries")] == ["id", "amount"]


@needs_psql
@pytest.mark.parametrize(
    ("user", "expected"), [("alice", ["crm", "sales"]), ("bob", ["crm", "hr", "sales"])]
)
def test_psql_dn_lists_schemas_holding_readable_tables(
    catalog_relay: Running, user: str, expected: list[str]
) -> None:
    assert [r[0] for r in psql(catalog_relay, user, "\\dn")] == expected


@needs_psql
def test_psql_l_lists_only_the_warehouse_database(catalog_relay: Running) -> None:
    target = catalog_relay.gateway.backend
    assert isinstance(target, PostgresWarehouse)
    rows = psql(catalog_relay, "alice", "\\l")
    assert [r[0] for r in rows] == [target.database]


# -- drivers ------------------------------------------------------------------------------


def _columns(running: Running, user: str, table: str) -> list[str]:
    with psycopg.connect(running.dsn(user), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'crm' AND table_name = %s ORDER BY ordinal_position",
            (table,),
        ).fetchall()
    return [r[0] for r in rows]


def test_information_schema_columns_omit_denied_columns(catalog_relay: Running) -> None:
    assert _columns(catalog_relay, "alice", "customers") == [
        c for c in CUSTOMER_COLUMNS if c != "born"
    ]
    assert _columns(catalog_relay, "bob", "customers") == CUSTOMER_COLUMNS
    assert _columns(catalog_relay, "bob", "unscanned") == []


def test_information_schema_tables_and_pg_type_hide_unreadable_tables(
    catalog_relay: Running,
) -> None:
    with psycopg.connect(catalog_relay.dsn(), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN "
            "('pg_catalog', 'information_schema')"
        ).fetchall()
        types = conn.execute(
            "SELECT typname FROM pg_catalog.pg_type WHERE typname IN "
            "('salaries', '_salaries', 'unscanned', 'customers', '_customers')"
        ).fetchall()
    assert {t[0] for t in tables} == ALICE_TABLES
    assert sorted(t[0] for t in types) == ["_customers", "customers"]


def test_regclass_lookups_read_only_readable_columns(catalog_relay: Running) -> None:
    with psycopg.connect(catalog_relay.dsn(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'crm.customers'::regclass "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        ).fetchall()
        visible = conn.execute(
            "SELECT count(*) FROM pg_catalog.pg_class c "
            "WHERE c.oid = 'crm.customers'::regclass AND pg_catalog.pg_table_is_visible(c.oid)"
        ).fetchone()
    assert [r[0] for r in rows] == [c for c in CUSTOMER_COLUMNS if c != "born"]
    assert visible == (0,)  # crm is not on the default search_path


#: What pgjdbc 42.5 sends for DatabaseMetaData.getTables(null, null, "%", {"TABLE", "VIEW"}),
#: getColumns(null, "crm", "customers", "%") and getSchemas() (captured through the relay).
JDBC_GET_TABLES = """\
SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, c.relname AS TABLE_NAME,
 CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema' WHEN true THEN CASE
 WHEN n.nspname = 'pg_catalog' OR n.nspname = 'information_schema' THEN CASE c.relkind
  WHEN 'r' THEN 'SYSTEM TABLE' WHEN 'v' THEN 'SYSTEM VIEW' WHEN 'i' THEN 'SYSTEM INDEX'
  ELSE NULL END
 WHEN n.nspname = 'pg_toast' THEN CASE c.relkind WHEN 'r' THEN 'SYSTEM TOAST TABLE'
  WHEN 'i' THEN 'SYSTEM TOAST INDEX' ELSE NULL END
 ELSE CASE c.relkind WHEN 'r' THEN 'TEMPORARY TABLE' WHEN 'p' THEN 'TEMPORARY TABLE'
  WHEN 'i' THEN 'TEMPORARY INDEX' WHEN 'S' THEN 'TEMPORARY SEQUENCE'
  WHEN 'v' THEN 'TEMPORARY VIEW' ELSE NULL END END
 WHEN false THEN CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE'
  WHEN 'i' THEN 'INDEX' WHEN 'P' then 'PARTITIONED INDEX' WHEN 'S' THEN 'SEQUENCE'
  WHEN 'v' THEN 'VIEW' WHEN 'c' THEN 'TYPE' WHEN 'f' THEN 'FOREIGN TABLE'
  WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END ELSE NULL END AS TABLE_TYPE,
 d.description AS REMARKS, '' as TYPE_CAT, '' as TYPE_SCHEM, '' as TYPE_NAME,
 '' AS SELF_REFERENCING_COL_NAME, '' AS REF_GENERATION
 FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c
 LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND d.objsubid = 0
  and d.classoid = 'pg_class'::regclass)
 WHERE c.relnamespace = n.oid AND c.relname LIKE '%' AND (false
  OR ( c.relkind = 'r' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' )
  OR ( c.relkind = 'v' AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema' ) )
 ORDER BY TABLE_TYPE,TABLE_SCHEM,TABLE_NAME"""

JDBC_GET_COLUMNS = """\
SELECT * FROM (SELECT n.nspname,c.relname,a.attname,a.atttypid,
 a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) AS attnotnull,a.atttypmod,a.attlen,
 t.typtypmod,row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum,
 nullif(a.attidentity, '') as attidentity,nullif(a.attgenerated, '') as attgenerated,
 pg_catalog.pg_get_expr(def.adbin, def.adrelid) AS adsrc,dsc.description,t.typbasetype,
 t.typtype
 FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_class c ON (c.relnamespace = n.oid)
 JOIN pg_catalog.pg_attribute a ON (a.attrelid=c.oid)
 JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid)
 LEFT JOIN pg_catalog.pg_attrdef def ON (a.attrelid=def.adrelid AND a.attnum = def.adnum)
 LEFT JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
 LEFT JOIN pg_catalog.pg_class dc ON (dc.oid=dsc.classoid AND dc.relname='pg_class')
 LEFT JOIN pg_catalog.pg_namespace dn ON (dc.relnamespace=dn.oid AND dn.nspname='pg_catalog')
 WHERE c.relkind in ('r','p','v','f','m') and a.attnum > 0 AND NOT a.attisdropped
 AND n.nspname LIKE 'crm' AND c.relname LIKE 'customers') c WHERE true
 AND attname LIKE '%' ORDER BY nspname,c.relname,attnum"""

JDBC_GET_SCHEMAS = """\
SELECT nspname AS TABLE_SCHEM, NULL AS TABLE_CATALOG FROM pg_catalog.pg_namespace
 WHERE nspname <> 'pg_toast' AND (nspname !~ '^pg_temp_'
  OR nspname = (pg_catalog.current_schemas(true))[1]) AND (nspname !~ '^pg_toast_temp_'
  OR nspname = replace((pg_catalog.current_schemas(true))[1], 'pg_temp_', 'pg_toast_temp_'))
 ORDER BY TABLE_SCHEM"""


@pytest.mark.parametrize(
    ("user", "tables"), [("alice", ALICE_TABLES), ("bob", ALICE_TABLES | {"hr.salaries"})]
)
def test_jdbc_get_tables_and_schemas(catalog_relay: Running, user: str, tables: set[str]) -> None:
    with psycopg.connect(catalog_relay.dsn(user), autocommit=True) as conn:
        rows = conn.execute(JDBC_GET_TABLES).fetchall()
        schemas = conn.execute(JDBC_GET_SCHEMAS).fetchall()
    assert {f"{r[1]}.{r[2]}": r[3] for r in rows} == {
        **dict.fromkeys(tables, "TABLE"),
        "sales.big_customers": "VIEW",
    }
    expected = {t.split(".")[0] for t in tables} | {"information_schema", "pg_catalog"}
    assert [r[0] for r in schemas] == sorted(expected)  # no public: none of its tables


def test_jdbc_get_columns_numbers_the_columns_shown(catalog_relay: Running) -> None:
    with psycopg.connect(catalog_relay.dsn(), autocommit=True) as conn:
        rows = conn.execute(JDBC_GET_COLUMNS).fetchall()
    shown = [c for c in CUSTOMER_COLUMNS if c != "born"]
    assert [(r[2], r[8]) for r in rows] == [(c, i) for i, c in enumerate(shown, 1)]


# -- what stays refused, and policy changes -------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM pg_catalog.pg_statistic",
        "SELECT * FROM pg_stats",
        "SELECT * FROM pg_catalog.pg_statistic_ext_data",
    ],
)
def test_relations_holding_data_values_stay_refused(catalog_relay: Running, sql: str) -> None:
    with (
        psycopg.connect(catalog_relay.dsn("bob"), autocommit=True) as conn,
        pytest.raises(psycopg.Error) as caught,
    ):
        conn.execute(sql)
    assert caught.value.sqlstate == "42501"


@needs_psql
def test_a_new_grant_shows_the_table_once_the_policy_changes(catalog_relay: Running) -> None:
    granted = POLICY.replace(
        "grants:\n", 'grants:\n  - {role: analyst, resource: "hr.*", actions: [select]}\n'
    )
    assert granted != POLICY
    before = user_tables(psql(catalog_relay, "alice", "\\dt *.*"))
    apply_policy(catalog_relay.store, granted, by="admin")
    try:
        _wait_for_catalog(catalog_relay)
        after = user_tables(psql(catalog_relay, "alice", "\\dt *.*"))
    finally:
        apply_policy(catalog_relay.store, POLICY, by="admin")
        _wait_for_catalog(catalog_relay)
    assert before == ALICE_TABLES
    assert after == ALICE_TABLES | {"hr.salaries"}
    assert user_tables(psql(catalog_relay, "alice", "\\dt *.*")) == ALICE_TABLES
