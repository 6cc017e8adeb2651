"""Fingerprints: same shape, same key; different shape, different key; never an exception."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.fingerprint import fingerprint, normalize

# dialect, two statements that differ only in literals, whitespace, comments or keyword case
SAME = [
    ("postgres", "SELECT * FROM orders WHERE id = 1", "select * from orders where id = 42"),
    ("postgres", "SELECT a FROM t WHERE s = 'x'", "SELECT a FROM t WHERE s = 'it''s'"),
    ("postgres", "SELECT a\n  FROM t\n WHERE b > 1.5", "SELECT a FROM t WHERE b > 2"),
    ("postgres", "SELECT a FROM t -- note\n", "/* hi */ SELECT a /* x */ FROM t"),
    ("postgres", "SELECT a FROM t WHERE x IN (1, 2, 3)", "SELECT a FROM t WHERE x IN (7)"),
    (
        "postgres",
        "SELECT a FROM t WHERE x IN ('a', 'b')",
        "SELECT a FROM t WHERE x IN (1, 2, 3, 4, 5)",
    ),
    ("postgres", "SELECT a FROM t WHERE x = -1", "SELECT a FROM t WHERE x = 1"),
    (
        "postgres",
        "SELECT a FROM t WHERE d = DATE '2025-01-01'",
        "SELECT a FROM t WHERE d = DATE '1999-12-31'",
    ),
    ("postgres", "SELECT a FROM t WHERE s = $$x$$", "SELECT a FROM t WHERE s = 'y'"),
    ("postgres", "SELECT a FROM t LIMIT 10 OFFSET 20", "SELECT a FROM t LIMIT 5 OFFSET 0"),
    (
        "postgres",
        "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')",
        "INSERT INTO t (a, b) VALUES (9, 'q')",
    ),
    ("postgres", "SELECT Customer_Id FROM Sales.Orders", "select customer_id from sales.orders"),
    ("postgres", "SELECT count(*) FROM t", "SELECT COUNT (*) FROM t"),
    (
        "snowflake",
        "SELECT * FROM db.s.t WHERE ts > '2025-01-01'::timestamp",
        "select * from DB.S.T where ts > '2024-06-30'::TIMESTAMP",
    ),
    ("bigquery", 'SELECT x FROM `p.d.t` WHERE y = "a"', "SELECT x FROM `p.d.t` WHERE y = 'b'"),
    ("duckdb", "SELECT 1e5, 0.5, 42", "SELECT 3, 2.25, 7"),
    ("tsql", "SELECT TOP 10 a FROM t WHERE n = N'x'", "SELECT TOP 5 a FROM t WHERE n = N'y'"),
    (None, "SELECT a FROM t WHERE b = 1", "SELECT a FROM t WHERE b = 2"),
]

# dialect, two statements of different structure
DIFFERENT = [
    ("postgres", "SELECT a FROM t", "SELECT b FROM t"),
    ("postgres", "SELECT a FROM t", "SELECT a FROM u"),
    ("postgres", "SELECT a FROM s.t", "SELECT a FROM t"),
    ("postgres", 'SELECT "A" FROM t', "SELECT a FROM t"),  # quoted names keep their case
    ("postgres", 'SELECT "A" FROM t', 'SELECT "a" FROM t'),
    ("postgres", "SELECT a FROM t WHERE x = 1", "SELECT a FROM t WHERE x > 1"),
    ("postgres", "SELECT a FROM t WHERE x = 1", "SELECT a FROM t WHERE y = 1"),
    ("postgres", "SELECT a FROM t WHERE x = NULL", "SELECT a FROM t WHERE x = 1"),
    ("postgres", "SELECT a FROM t WHERE flag = TRUE", "SELECT a FROM t WHERE flag = FALSE"),
    ("postgres", "SELECT a - 1 FROM t", "SELECT a, 1 FROM t"),
    (
        "postgres",
        "SELECT a FROM t WHERE x IN (1, 2)",
        "SELECT a FROM t WHERE x IN (SELECT b FROM u)",
    ),
    ("postgres", "INSERT INTO t SELECT * FROM u", "INSERT INTO u SELECT * FROM t"),
    ("postgres", "SELECT $1 FROM t", "SELECT $2 FROM t"),
    ("postgres", "VACUUM t", "VACUUM u"),  # command tails are kept
    ("postgres", "CALL p(1)", "CALL p(2)"),
    (
        "postgres",
        "SELECT a FROM t UNION SELECT a FROM u",
        "SELECT a FROM t UNION ALL SELECT a FROM u",
    ),
    ("postgres", "SELECT ab FROM t", "SELECT a b FROM t"),
    ("snowflake", "SELECT $1 FROM @stage", "SELECT $2 FROM @stage"),  # staged-file columns
    (
        "bigquery",
        "SELECT * FROM Sales.Orders",
        "SELECT * FROM sales.orders",
    ),  # case-sensitive tables
    ("mysql", "SELECT * FROM Orders", "SELECT * FROM orders"),
    ("postgres", "select 'unterminated", "select ?"),  # the fallback is hashed apart
]


@pytest.mark.parametrize("dialect, a, b", SAME)
def test_statements_differing_only_in_literals_space_comments_or_case_share_a_fingerprint(
    dialect, a, b
):
    assert normalize(a, dialect) == normalize(b, dialect)
    assert fingerprint(a, dialect) == fingerprint(b, dialect)


@pytest.mark.parametrize("dialect, a, b", DIFFERENT)
def test_statements_of_different_structure_do_not(dialect, a, b):
    assert fingerprint(a, dialect) != fingerprint(b, dialect)


@pytest.mark.parametrize(
    "dialect, sql, expected",
    [
        (
            "postgres",
            "SELECT *  FROM orders WHERE id IN (1, 2, 3) -- ad hoc",
            "select * from orders where id in (?)",
        ),
        ("postgres", "SELECT a, -1, x - 1, f(-2.5) FROM t", "select a, ?, x - ?, f(?) from t"),
        (
            "postgres",
            "SELECT a.b::int, arr[1], x.* FROM s.t AS x",
            "select a.b::int, arr[?], x.* from s.t as x",
        ),
        (
            "postgres",
            "SELECT $1, :name, ? FROM t WHERE b IS NULL AND c = TRUE",
            "select $1, :name, ? from t where b is null and c = true",
        ),
        ("postgres", 'SELECT "Mixed""Quote" FROM t', 'select "Mixed""Quote" from t'),
        ("postgres", "INSERT INTO t VALUES (1, 2), (3, 4)", "insert into t values (?, ?)"),
        ("postgres", "VACUUM   ANALYZE  t", "vacuum ANALYZE t"),
        ("postgres", "select 'unterminated", "select 'unterminated"),
        ("bigquery", "SELECT x FROM MyDs.MyTable", "select x from MyDs.MyTable"),
        ("snowflake", "SELECT $1, $2 FROM @stage", "select $1, $2 from @stage"),
        (
            "tsql",
            "SELECT @x, @@rowcount FROM t WHERE a = @p1",
            "select @x, @@rowcount from t where a = @p1",
        ),
        ("no-such-dialect", "SELECT 1", "select ?"),
        ("postgres", "", ""),
    ],
)
def test_normalized_text(dialect, sql, expected):
    assert normalize(sql, dialect) == expected


def test_fingerprint_is_32_hex_digits():
    assert re.fullmatch(r"[0-9a-f]{32}", fingerprint("SELECT 1", "postgres"))


def test_long_statements_are_not_cached_but_fingerprint_the_same():
    wide = "SELECT " + ", ".join(f"c{i}" for i in range(2000)) + " FROM t WHERE x = 1"
    assert len(wide) > 4096
    assert fingerprint(wide, "postgres") == fingerprint(wide.replace("= 1", "= 2"), "postgres")


DIALECTS = st.sampled_from(
    [None, "postgres", "snowflake", "bigquery", "redshift", "duckdb", "tsql", "mysql", "nope"]
)


@pytest.mark.parametrize(
    "sql", ["select '\ud800'", 'select "\udfff" from t', "\x00", "select 'a' || \u2028 'b'"]
)
def test_odd_characters_never_raise(sql):
    assert len(fingerprint(sql, "postgres")) == 32


@settings(max_examples=300, deadline=None)
@given(sql=st.text(alphabet=st.characters(exclude_categories=())), dialect=DIALECTS)
def test_arbitrary_text_never_raises(sql, dialect):
    assert isinstance(normalize(sql, dialect), str)
    assert len(fingerprint(sql, dialect)) == 32


SQLISH = st.lists(
    st.sampled_from(
        [
            "SELECT",
            "FROM",
            "WHERE",
            "IN",
            "(",
            ")",
            ",",
            "-",
            "'x",
            "'y'",
            '"q',
            '"Q"',
            "$1",
            "$$",
            ":",
            "1",
            "2.5",
            "--",
            "/*",
            "*/",
            "\n",
            "a",
            "t.b",
            "VALUES",
            "@s",
            "`",
            "[",
            "]",
            "E'",
            "N'",
        ]
    ),
    max_size=40,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(sql=SQLISH, dialect=DIALECTS)
def test_sql_like_fragments_never_raise(sql, dialect):
    assert isinstance(normalize(sql, dialect), str)
    assert len(fingerprint(sql, dialect)) == 32
