"""The lineage parser on hand-picked statements, its failure behaviour, and the CLI.

The bulk of the expectations lives in tests/lineage/cases/ (test_corpus.py); these
cover the interface: errors never raise, warnings for ambiguity, both CLI forms.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.model import EdgeKind
from lineage.parse import parse_lineage, statement_lineage
from lineage.requests import answer


def edges(sql, dialect="postgres", **kw):
    return {(e.source, e.target, e.kind.value) for e in statement_lineage(sql, dialect, **kw).edges}


@pytest.mark.parametrize(
    "sql, expected",
    [
        (
            "SELECT c.email AS mail FROM crm.customers c",
            {("crm.customers.email", "mail", "identity")},
        ),
        (
            "SELECT a FROM s.t1 UNION ALL SELECT b FROM s.t2",
            {("s.t1.a", "a", "identity"), ("s.t2.b", "a", "identity")},
        ),
        ("SELECT * FROM s.t", {("s.t.*", "*", "identity")}),
        ("INSERT INTO x.y SELECT * FROM s.t", {("s.t.*", "x.y.*", "identity")}),
        ("SELECT COUNT(*) AS n FROM s.t", set()),
        ('SELECT "Email" FROM "Crm"."Customers"', {("Crm.Customers.Email", "Email", "identity")}),
        ("UPDATE t SET v = s.v + 1 FROM s WHERE t.id = s.id", {("s.v", "t.v", "transform")}),
        (
            "SELECT a AS b, b AS a FROM s.t",
            {("s.t.a", "b", "identity"), ("s.t.b", "a", "identity")},
        ),
    ],
)
def test_statements(sql, expected):
    assert edges(sql) == expected


def test_schema_expands_stars_and_defaults_qualify():
    got = edges("SELECT * FROM t", schema={"sales.t": ["a", "b"]}, default_schema="sales")
    assert got == {("sales.t.a", "a", "identity"), ("sales.t.b", "b", "identity")}
    got = edges("SELECT a FROM t", default_db="dw", default_schema="sales")
    assert got == {("dw.sales.t.a", "a", "identity")}


def test_ambiguity_is_reported_not_guessed():
    result = statement_lineage("SELECT a FROM t1 JOIN t2 ON t1.id = t2.id", "postgres")
    assert result.edges == () and "ambiguous column 'a'" in result.warnings[0]


def test_indirect_edges_go_to_every_target():
    got = statement_lineage("SELECT a, b FROM s.t WHERE c > 0", "postgres", indirect=True).edges
    filters = {(e.source, e.target) for e in got if e.kind is EdgeKind.FILTER}
    assert filters == {("s.t.c", "a"), ("s.t.c", "b")}


@pytest.mark.parametrize("sql", ["SELEC x", "SELECT FROM WHERE (", "", "   ;  ", "INSERT INTO"])
def test_unparseable_statements_give_errors(sql):
    results = parse_lineage(sql, "postgres")
    assert results and all(r.error for r in results)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_never_raises(text):
    for result in parse_lineage(text, "postgres"):
        assert isinstance(result.edges, tuple)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "SELECT",
                "a",
                "b",
                "FROM",
                "t",
                "JOIN",
                "u",
                "ON",
                "=",
                "WHERE",
                "(",
                ")",
                ",",
                "WITH",
                "x",
                "AS",
                "UNION",
                "INSERT",
                "INTO",
                "GROUP",
                "BY",
                "SUM(",
                "*",
                ".",
                "CASE",
                "WHEN",
                "THEN",
                "END",
                "OVER",
                "PARTITION",
            ]
        ),
        max_size=30,
    )
)
def test_sql_shaped_noise_never_raises(tokens):
    for result in parse_lineage(" ".join(tokens), "postgres"):
        assert isinstance(result.edges, tuple)


@pytest.mark.parametrize(
    "line, error",
    [
        ("not json", "invalid JSON request"),
        ("[1, 2]", "must be a JSON object"),
        ('{"id": 7}', 'no "sql"'),
        ('{"id": 7, "sql": "SELECT 1", "dialect": "nope"}', "nope"),
        ('{"id": 7, "sql": "SELECT 1", "schema": ["x"]}', '"schema" must map'),
        ('{"id": 7, "sql": "SELEC x"}', "not a SQL statement"),
    ],
)
def test_bad_requests_get_error_replies(line, error):
    reply = answer(line)
    assert error in (reply["error"] or "")
    assert set(reply) == {"id", "edges", "sources", "targets", "error"}


def _veil(*args, input):
    exe = Path(sys.executable).parent / "veil"
    return subprocess.run(
        [str(exe), "lineage", "parse", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_stdin_form(tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"crm.c": ["id", "name"]}))
    done = _veil(
        "--dialect",
        "postgres",
        "--schema",
        str(schema),
        input="INSERT INTO mart.t SELECT * FROM crm.c;\nSELECT upper(name) AS n FROM crm.c",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        {"source": "crm.c.id", "target": "mart.t.id", "kind": "identity"},
        {"source": "crm.c.name", "target": "mart.t.name", "kind": "identity"},
        {"source": "crm.c.name", "target": "n", "kind": "transform"},
    ]


def test_cli_stdin_error_exits_1_with_the_edges_it_could_read():
    done = _veil("--dialect", "postgres", input="SELECT a FROM s.t; SELEC x")
    assert done.returncode == 1 and "statement 2 cannot be parsed" in done.stderr
    assert json.loads(done.stdout) == [{"source": "s.t.a", "target": "a", "kind": "identity"}]


def test_cli_jsonl_replies_line_by_line():
    requests = [
        {
            "id": "a",
            "sql": "SELECT x FROM t",
            "dialect": "duckdb",
            "schema": None,
            "default_db": None,
            "default_schema": "s",
        },
        "garbage",
        {
            "id": "c",
            "sql": "CREATE TABLE s.u AS SELECT sum(v) AS total FROM s.t",
            "dialect": "snowflake",
            "schema": None,
            "default_db": None,
            "default_schema": None,
        },
    ]
    text = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in requests) + "\n"
    done = _veil("--jsonl", input=text)
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0 and len(replies) == 3
    assert replies[0]["edges"] == [{"source": "s.t.x", "target": "x", "kind": "identity"}]
    assert replies[1]["error"].startswith("invalid JSON request")
    assert replies[2]["targets"] == ["s.u"] and replies[2]["edges"][0]["kind"] == "aggregate"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM t WHERE email = 'ann.secret@example.com",  # unterminated string
        "SELECT 1 FROM WHERE x = 'ann.secret@example.com'",
        "ann.secret@example.com",
        "SELECT FROM WHERE 'ann.secret@example.com' (",
    ],
)
def test_error_messages_never_quote_the_statement(sql):
    # Errors are stored with the statement and shown in reports; literals can be PII.
    for result in parse_lineage(sql, "postgres"):
        assert "secret" not in (result.error or "")
