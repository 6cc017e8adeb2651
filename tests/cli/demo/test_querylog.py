"""The demo query log: its shape, its mix, and the truth of every status it records."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
import sqlglot

from cli.demo import DemoWarehouse, QueryLogSummary, write_query_log
from cli.demo.etl import DBT_USER, ETL_USER
from cli.demo.queries import (
    ALL_TEMPLATES,
    ANALYSTS,
    LOOKER_USER,
    TEMPLATES_BY_NAME,
    QueryTemplate,
    RenderContext,
    render,
    session,
)
from cli.demo.timeline import AS_OF

BuildSmall = Callable[..., DemoWarehouse]
_KEYS = [
    "query_id",
    "query_text",
    "user_name",
    "start_time",
    "duration_ms",
    "database_name",
    "schema_name",
    "status",
    "error_message",
    "rows_produced",
]
_START_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture(scope="module")
def logged(
    small_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> tuple[QueryLogSummary, list[dict]]:
    path = tmp_path_factory.mktemp("log") / "queries.jsonl"
    summary = write_query_log(path, small_warehouse)
    return summary, [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def records(logged: tuple[QueryLogSummary, list[dict]]) -> list[dict]:
    return logged[1]


def _started(record: dict) -> dt.datetime:
    return dt.datetime.strptime(record["start_time"], "%Y-%m-%dT%H:%M:%S.%fZ")


def _fingerprint(sql: str) -> str:
    """The statement with literals blanked: what lineage ingestion deduplicates on."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\s+", " ", sql).strip()


def _outcome(con: duckdb.DuckDBPyConnection, database: str, schema: str, sql: str) -> str | None:
    """None if ``sql`` succeeds with ``schema`` as default schema, else the error's first line."""
    con.execute(f'USE "{database}"."{schema}"')
    try:
        con.execute(sql)
    except duckdb.Error as e:
        return str(e).splitlines()[0]
    return None


# --- shape ----------------------------------------------------------------------------------


def test_every_line_has_the_documented_fields(
    records: list[dict], small_warehouse: DemoWarehouse
) -> None:
    for record in records:
        assert list(record) == _KEYS
        assert isinstance(record["query_id"], str) and record["query_text"]
        assert _START_TIME.fullmatch(record["start_time"]), record["start_time"]
        assert isinstance(record["duration_ms"], int) and record["duration_ms"] >= 0
        assert record["database_name"] == small_warehouse.database_name == "demo"
        assert record["status"] in ("success", "failed")
        assert (record["error_message"] is None) == (record["status"] == "success")
        assert record["rows_produced"] is None or isinstance(record["rows_produced"], int)
    assert len({r["query_id"] for r in records}) == len(records)


def test_records_are_in_time_order_over_about_ninety_days(records: list[dict]) -> None:
    starts = [_started(r) for r in records]
    assert starts == sorted(starts)
    assert starts[-1] - starts[0] >= dt.timedelta(days=85)
    assert starts[0].date() >= AS_OF - dt.timedelta(days=90)
    assert starts[-1].date() <= AS_OF + dt.timedelta(days=1)


def test_summary_matches_the_file(logged: tuple[QueryLogSummary, list[dict]]) -> None:
    summary, records = logged
    assert summary.statements == len(records) == 6000
    assert summary.failed == sum(r["status"] == "failed" for r in records)
    assert summary.users == sorted({r["user_name"] for r in records})
    assert summary.distinct_templates >= 60


def test_users_include_analysts_and_services(records: list[dict]) -> None:
    counts = Counter(r["user_name"] for r in records)
    for user in (*ANALYSTS, ETL_USER, DBT_USER, LOOKER_USER):
        assert counts[user] > 50, user


def test_a_few_percent_fail(records: list[dict]) -> None:
    share = sum(r["status"] == "failed" for r in records) / len(records)
    assert 0.03 <= share <= 0.05


@pytest.mark.parametrize("statements", [50, 500, 2500])
def test_statement_count_is_exact(
    small_warehouse: DemoWarehouse, tmp_path: Path, statements: int
) -> None:
    summary = write_query_log(tmp_path / "q.jsonl", small_warehouse, statements=statements)
    assert summary.statements == statements
    assert len((tmp_path / "q.jsonl").read_text(encoding="utf-8").splitlines()) == statements


def test_too_few_statements_are_refused(small_warehouse: DemoWarehouse, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        write_query_log(tmp_path / "q.jsonl", small_warehouse, statements=10)


def test_same_seed_same_log_other_seed_other_log(
    small_warehouse: DemoWarehouse, tmp_path: Path
) -> None:
    paths = [tmp_path / f"{name}.jsonl" for name in ("a", "b", "c")]
    for path, seed in zip(paths, (7, 7, 8), strict=True):
        write_query_log(path, small_warehouse, seed=seed, statements=1000)
    a, b, c = (p.read_bytes() for p in paths)
    assert a == b
    assert a != c


def test_writing_the_full_log_is_fast(small_warehouse: DemoWarehouse, tmp_path: Path) -> None:
    started = time.perf_counter()
    write_query_log(tmp_path / "q.jsonl", small_warehouse)
    assert time.perf_counter() - started < 3


# --- contents --------------------------------------------------------------------------------


def test_etl_statements_appear_verbatim_and_repeat_nightly(
    records: list[dict], small_warehouse: DemoWarehouse
) -> None:
    by_text = Counter(r["query_text"] for r in records if r["user_name"] in (ETL_USER, DBT_USER))
    for statement in small_warehouse.etl:
        assert by_text[statement.sql] >= 1, statement.target
    email_list = next(s for s in small_warehouse.etl if s.target == "marketing.email_list")
    assert by_text[email_list.sql] >= 80
    increments = {
        r["query_text"]
        for r in records
        if r["query_text"].startswith("INSERT INTO analytics.daily_revenue")
    }
    assert len(increments) >= 80  # same statement, a different day each night


def test_analysts_use_the_full_range_of_sql(records: list[dict]) -> None:
    analyst_sql = [r["query_text"] for r in records if r["user_name"] in ANALYSTS]
    features = {
        "join": r"\bJOIN\b",
        "cte": r"^WITH\b",
        "recursive cte": r"WITH RECURSIVE",
        "window": r"\bOVER \(",
        "subquery": r"\(\s*SELECT\b",
        "aggregate": r"\b(count|sum|avg)\(",
        "case": r"\bCASE\b",
        "union": r"\bUNION ALL\b",
        "sandbox ctas": r"^CREATE OR REPLACE TABLE sandbox\.",
        "sandbox insert": r"^INSERT INTO sandbox\.",
        "three-part name": r"\bdemo\.sales\.orders\b",
    }
    missing = [
        name
        for name, pattern in features.items()
        if not any(re.search(pattern, sql, re.M) for sql in analyst_sql)
    ]
    assert missing == []


def test_unqualified_names_rely_on_the_default_schema(records: list[dict]) -> None:
    unqualified = [r for r in records if re.search(r"\bFROM orders\b", r["query_text"])]
    assert unqualified and {r["schema_name"] for r in unqualified} == {"sales"}
    assert {r["schema_name"] for r in records} >= {"sales", "support", "crm", "hr", "web"}


def test_queries_repeat_with_different_literals(records: list[dict]) -> None:
    texts_per_shape: dict[str, set[str]] = {}
    for record in records:
        texts_per_shape.setdefault(_fingerprint(record["query_text"]), set()).add(
            record["query_text"]
        )
    assert len(texts_per_shape) < len({r["query_text"] for r in records}) / 5
    assert sum(len(texts) >= 10 for texts in texts_per_shape.values()) >= 30


def test_failures_carry_duckdb_style_messages(records: list[dict]) -> None:
    messages = {r["error_message"] for r in records if r["status"] == "failed"}
    assert {m.split(":")[0] for m in messages} >= {
        "Binder Error",
        "Catalog Error",
        "Parser Error",
        "Conversion Error",
    }


# --- truth: successes succeed, failures fail as logged ------------------------------------------


def _chains() -> list[list[QueryTemplate]]:
    """Each runnable template followed by what its user runs next (fixes, follow-ups)."""
    return [session(first) for first in ALL_TEMPLATES if first.standalone]


def test_every_template_is_reachable() -> None:
    reachable = {t.name for chain in _chains() for t in chain}
    assert reachable == set(TEMPLATES_BY_NAME)
    assert len(TEMPLATES_BY_NAME) == len(ALL_TEMPLATES) >= 60


@pytest.fixture(scope="module")
def template_con(
    tmp_path_factory: pytest.TempPathFactory, build_small_module: BuildSmall
) -> Iterator[tuple[DemoWarehouse, duckdb.DuckDBPyConnection]]:
    warehouse = build_small_module(tmp_path_factory.mktemp("templates") / "demo.duckdb")
    con = duckdb.connect(str(warehouse.path))
    yield warehouse, con
    con.close()


@pytest.mark.parametrize("chain", _chains(), ids=lambda chain: chain[0].name)
def test_template_succeeds_or_fails_as_declared(
    template_con: tuple[DemoWarehouse, duckdb.DuckDBPyConnection], chain: list[QueryTemplate]
) -> None:
    warehouse, con = template_con
    when = dt.datetime.combine(AS_OF, dt.time(14))
    for query in chain:
        user = next((u for u in query.users if u in ANALYSTS), query.users[0])
        ctx = RenderContext(random.Random(query.name), when, user, "demo", warehouse.tables)
        rendered = render(query, ctx)
        assert _outcome(con, "demo", query.schema, rendered.sql) == rendered.error, rendered.sql


def test_logged_statements_behave_as_logged(
    records: list[dict], build_small: BuildSmall, tmp_path: Path
) -> None:
    """Replay, in log order, the first statement of every shape plus every 25th record."""
    warehouse = build_small(tmp_path / "demo.duckdb")
    seen: set[str] = set()
    mismatches = []
    with duckdb.connect(str(warehouse.path)) as con:
        for i, record in enumerate(records):
            shape = f"{record['schema_name']}|{_fingerprint(record['query_text'])}"
            if shape in seen and i % 25:
                continue
            seen.add(shape)
            got = _outcome(con, "demo", record["schema_name"], record["query_text"])
            if got != record["error_message"]:
                mismatches.append((record["query_text"][:120], record["error_message"], got))
    assert mismatches == []
    assert len(seen) >= 100


def test_every_logged_statement_parses_with_sqlglot(records: list[dict]) -> None:
    unparsed = set()
    for record in records:
        if record["status"] == "failed" and record["error_message"].startswith("Parser Error"):
            continue
        try:
            sqlglot.parse_one(record["query_text"], dialect="duckdb")
        except sqlglot.errors.ParseError:
            unparsed.add(record["query_text"][:120])
    assert unparsed == set()
