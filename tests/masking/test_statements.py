"""Step 1 of enforcement: splitting and sorting statements by what they may do."""

from __future__ import annotations

import pytest

from masking.errors import Refused
from masking.statements import Kind, classify, split_statements

SESSION = [
    "BEGIN",
    "BEGIN ISOLATION LEVEL REPEATABLE READ",
    "START TRANSACTION",
    "COMMIT",
    "END",
    "ROLLBACK",
    "ROLLBACK TO SAVEPOINT s1",
    "SAVEPOINT s1",
    "RELEASE SAVEPOINT s1",
    "SET application_name = 'psql'",
    "SET search_path TO sales, public",
    "SET TIME ZONE 'UTC'",
    "SET LOCAL statement_timeout = 5000",
    "SET SESSION datestyle TO ISO",
    "set extra_float_digits = 3",
    "RESET ALL",
    "RESET search_path",
    "SHOW server_version",
    "SHOW ALL",
    "DISCARD ALL",
    "DEALLOCATE pdo_stmt_1",
    'FETCH FORWARD 100 FROM "c1"',
    'CLOSE "c1"',
    "/* driver comment */ SET client_encoding TO 'UTF8'",
]

REFUSED = [
    ("COPY sales.customers TO STDOUT", "42501", "COPY"),
    ("copy (select 1) to '/tmp/x'", "42501", "COPY"),
    ("PREPARE p AS SELECT 1", "42501", "PREPARE"),
    ("EXECUTE p(1)", "42501", "EXECUTE"),
    ("SET ROLE postgres", "42501", "Veil decides who you are"),
    ("SET SESSION ROLE postgres", "42501", "Veil decides who you are"),
    ("SET SESSION AUTHORIZATION bob", "42501", "Veil decides who you are"),
    ("RESET ROLE", "42501", "Veil decides who you are"),
    ("SET session_replication_role = replica", "42501", "only formatting"),
    ("SET default_tablespace = x", "42501", "only formatting"),
    ("DO $$ BEGIN PERFORM 1; END $$", "42501", "DO"),
    ("CALL proc()", "42501", "CALL"),
    ("GRANT SELECT ON sales.customers TO public", "42501", "GRANT"),
    ("VACUUM sales.customers", "42501", "VACUUM"),
    ("LISTEN channel", "42501", "LISTEN"),
    ("LOCK TABLE sales.customers", "42501", "LOCK"),
    ("CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql", "42501", "FUNCTION"),
    ("MERGE INTO a USING b ON a.id = b.id WHEN MATCHED THEN DELETE", "0A000", "MERGE"),
    ("SELECT 1; SELECT 2", "42601", "several statements"),
    ("SELEC 1", "42601", "syntax"),
    ("SELECT LATERAL SELECT", "42601", "LATERAL is only allowed in FROM or JOIN"),
    ("TABLE sales.customers LATERAL x", "42601", "LATERAL is only allowed in FROM or JOIN"),
    ("", "42601", "empty"),
    ("-- only a comment", "42601", "empty"),
]


@pytest.mark.parametrize("sql", SESSION)
def test_session_statements_pass_unchanged(sql: str) -> None:
    statement = classify(sql, "postgres")
    assert statement.kind is Kind.SESSION
    assert statement.text == sql


@pytest.mark.parametrize(("sql", "sqlstate", "words"), REFUSED)
def test_refused_statements_name_the_reason(sql: str, sqlstate: str, words: str) -> None:
    with pytest.raises(Refused) as refused:
        classify(sql, "postgres")
    assert refused.value.sqlstate == sqlstate
    assert words.lower() in refused.value.message.lower()


@pytest.mark.parametrize(
    ("sql", "kind", "prefix"),
    [
        ("SELECT 1", Kind.QUERY, ""),
        ("VALUES (1), (2)", Kind.QUERY, ""),
        ("TABLE sales.customers", Kind.QUERY, ""),
        ("WITH x AS (SELECT 1) SELECT * FROM x", Kind.QUERY, ""),
        ("INSERT INTO t SELECT 1", Kind.INSERT, ""),
        ("UPDATE t SET a = 1", Kind.UPDATE, ""),
        ("DELETE FROM t", Kind.DELETE, ""),
        ("CREATE TABLE t AS SELECT 1", Kind.DDL, ""),
        ("TRUNCATE t", Kind.DDL, ""),
        (
            'DECLARE "c1" CURSOR WITHOUT HOLD FOR SELECT 1',
            Kind.CURSOR,
            'DECLARE "c1" CURSOR WITHOUT HOLD FOR',
        ),
        ("declare c binary cursor for select 1", Kind.CURSOR, "declare c binary cursor for"),
        ("EXPLAIN SELECT 1", Kind.EXPLAIN, "EXPLAIN"),
        ("EXPLAIN ANALYZE SELECT 1", Kind.EXPLAIN, "EXPLAIN ANALYZE"),
        ("EXPLAIN (ANALYZE, BUFFERS) SELECT 1", Kind.EXPLAIN, "EXPLAIN (ANALYZE, BUFFERS)"),
    ],
)
def test_statement_kinds(sql: str, kind: Kind, prefix: str) -> None:
    statement = classify(sql, "postgres")
    assert statement.kind is kind
    assert statement.prefix == prefix


def test_cursor_over_a_write_is_refused() -> None:
    with pytest.raises(Refused):
        classify("DECLARE c CURSOR FOR DELETE FROM t", "postgres")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 1; SELECT 2", ["SELECT 1", "SELECT 2"]),
        ("SELECT ';'; SELECT 2;", ["SELECT ';'", "SELECT 2"]),
        ("SELECT 1;; -- c\n;", ["SELECT 1"]),
        ("SELECT $$a;b$$", ["SELECT $$a;b$$"]),
        ("/* a; b */ SELECT 1", ["/* a; b */ SELECT 1"]),
        ("", []),
    ],
)
def test_split_statements(sql: str, expected: list[str]) -> None:
    assert split_statements(sql, "postgres") == expected
