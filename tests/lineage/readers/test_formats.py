"""Every log format read from a realistic sample: which statements, how they ended, what was skipped.

The samples under ``samples/`` hold what real exports contain: multi-line statements,
failed and unfinished ones, rows that are not statements, and malformed rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from lineage.readers import READERS, LogRecord, ReadStats, Status, read_log

SAMPLES = Path(__file__).parent / "samples"
S, F = Status.SUCCESS, Status.FAILED


def read(fmt: str, name: str) -> tuple[list[LogRecord], ReadStats]:
    stats = ReadStats()
    return list(read_log(SAMPLES / name, fmt, stats=stats)), stats


# format, sample, statements as (line, status, start of the text), skipped lines, ignored
CASES = [
    (
        "jsonl",
        "generic.jsonl",
        [
            (1, S, "SELECT region, sum(total_amount) AS revenue"),
            (2, F, "SELECT region, sum(total_amount FROM"),
            (4, S, "WITH first_orders AS (\n    SELECT customer_id"),
        ],
        [3],
        0,
    ),
    (
        "csv",
        "generic.csv",
        [
            (2, S, "SELECT 1"),
            (3, S, "INSERT INTO sales.summary\nSELECT region, count(*)\nFROM sales.orders"),
            (7, F, "SELECT * FROM nope"),
            (12, S, "SELECT 'it''s', \"Quoted\" FROM t"),
        ],
        [8, 9],  # torn quoting; too few fields
        1,  # still running
    ),
    (
        "postgres-csvlog",
        "postgres-csvlog.csv",
        [
            (2, S, "SELECT * FROM orders WHERE id = 1"),
            (4, S, "INSERT INTO report\nSELECT region,\n       sum(total) AS revenue"),
            (9, F, "SELECT email FROM customer"),
            (14, S, "SELECT * FROM orders WHERE id = $1"),
            (15, S, "CREATE TABLE daily AS\nSELECT ordered_at::date"),
            (18, F, "INSERT INTO daily SELECT * FROM missing"),
            (19, F, "DELETE FROM orders WHERE id = 3"),
            (21, S, "SELECT count(*) FROM orders"),
            (24, S, "UPDATE orders SET status = 'shipped' WHERE id = 9"),
            (27, S, "SELECT name FROM products ORDER BY name"),
        ],
        [23],
        8,  # connection, durations, parse/bind, disconnection, FATAL, checkpoint
    ),
    (
        "postgres-jsonlog",
        "postgres-jsonlog.json",
        [
            (1, S, "SELECT * FROM orders WHERE id = 1"),
            (2, F, "SELECT email\n  FROM customer"),
            (5, S, "SELECT * FROM orders WHERE id = $1"),
            (8, F, "INSERT INTO daily SELECT * FROM missing"),
        ],
        [4, 6],  # a torn line; an array
        2,
    ),
    (
        "snowflake",
        "snowflake.csv",
        [
            (2, S, "SELECT c_name, c_acctbal FROM customer"),
            (3, S, "MERGE INTO analytics.customer_dim d\nUSING"),
            (8, F, "SELECT * FROM custmer"),
            (12, F, "INSERT INTO sales.audit SELECT"),  # INCIDENT
        ],
        [10],
        1,  # RUNNING
    ),
    (
        "snowflake",
        "snowflake.jsonl",
        [
            (1, S, "INSERT INTO analytics.daily SELECT order_date"),
            (2, F, "select * from nope"),  # FAILED_WITH_ERROR
        ],
        [],
        1,  # QUEUED
    ),
    (
        "bigquery",
        "bigquery.jsonl",
        [
            (1, S, "SELECT customer_id, SUM(amount) AS total\nFROM `acme-prod.sales.orders`"),
            (2, F, "SELECT * FROM sales.ordrs"),
            (5, S, "INSERT INTO analytics.daily SELECT * FROM t"),
        ],
        [6],
        3,  # a LOAD job, a SCRIPT parent, a RUNNING job
    ),
    (
        "bigquery",
        "bigquery.csv",
        [
            (2, S, "CREATE TABLE analytics.top_customers AS\nSELECT customer_id"),
            (6, F, "SELECT * FROM sales.ordrs"),
        ],
        [],
        1,  # an EXTRACT job
    ),
    (
        "redshift",
        "redshift.csv",
        [
            (2, S, "CREATE TABLE analytics.sales_by_region AS\nSELECT region"),
            (6, F, "SELECT * FROM public.salez"),
            (8, F, "INSERT INTO analytics.events SELECT"),  # canceled
        ],
        [9],  # an unknown status
        1,  # running
    ),
    (
        "redshift",
        "redshift.jsonl",
        [(1, S, "INSERT INTO analytics.daily SELECT * FROM public.sales")],
        [],
        1,  # returning
    ),
]


@pytest.mark.parametrize(
    "fmt, sample, expected, skipped, ignored",
    CASES,
    ids=[f"{case[0]}:{case[1]}" for case in CASES],
)
def test_sample_statements_outcomes_and_skipped_rows(fmt, sample, expected, skipped, ignored):
    records, stats = read(fmt, sample)
    got = sorted((r.line, r.status, r.query_text) for r in records)
    assert [(line, status) for line, status, _ in got] == [(e[0], e[1]) for e in expected]
    for (_, _, text), (_, _, start) in zip(got, expected, strict=True):
        assert text.startswith(start)
    assert stats.skipped_lines == skipped
    assert stats.skipped == len(skipped)
    assert stats.ignored == ignored
    assert (stats.records, stats.failed) == (len(expected), sum(e[1] is F for e in expected))


def test_every_registered_format_has_a_sample():
    assert {case[0] for case in CASES} == set(READERS)


PST = timezone(timedelta(hours=-8))

# format, sample, line, field, value
FIELDS = [
    ("jsonl", "generic.jsonl", 1, "user", "erin"),
    ("jsonl", "generic.jsonl", 1, "database", "demo"),
    ("jsonl", "generic.jsonl", 1, "schema", "sales"),
    ("jsonl", "generic.jsonl", 1, "query_id", "q1"),
    ("jsonl", "generic.jsonl", 1, "start_time", datetime(2025, 4, 2, 7, 6, 5, 908000, UTC)),
    ("jsonl", "generic.jsonl", 2, "error", 'Parser Error: syntax error at or near "FROM"'),
    ("jsonl", "generic.jsonl", 1, "dialect", None),
    ("csv", "generic.csv", 3, "user", "etl"),
    ("csv", "generic.csv", 3, "start_time", datetime(2025, 3, 1, 11, 1, tzinfo=UTC)),
    ("csv", "generic.csv", 7, "start_time", datetime(2025, 3, 1, 12, 2, 0, 500000, UTC)),
    ("csv", "generic.csv", 12, "start_time", None),  # "not a time": kept, time left empty
    ("csv", "generic.csv", 7, "error", "Catalog Error: Table with name nope does not exist!"),
    ("postgres-csvlog", "postgres-csvlog.csv", 2, "user", "alice"),
    ("postgres-csvlog", "postgres-csvlog.csv", 2, "database", "shop"),
    ("postgres-csvlog", "postgres-csvlog.csv", 2, "schema", None),
    ("postgres-csvlog", "postgres-csvlog.csv", 2, "query_id", "65c3a1f0.1092:2"),
    ("postgres-csvlog", "postgres-csvlog.csv", 2, "dialect", "postgres"),
    (
        "postgres-csvlog",
        "postgres-csvlog.csv",
        2,
        "start_time",
        datetime(2025, 3, 1, 12, 0, 1, 250000, UTC),
    ),
    ("postgres-csvlog", "postgres-csvlog.csv", 9, "error", 'relation "customer" does not exist'),
    ("postgres-csvlog", "postgres-csvlog.csv", 19, "error", "permission denied for table orders"),
    ("postgres-jsonlog", "postgres-jsonlog.json", 2, "query_id", "65c3a1f5.10a0:1"),
    ("postgres-jsonlog", "postgres-jsonlog.json", 5, "database", "warehouse"),
    ("snowflake", "snowflake.csv", 3, "user", "ETL_SVC"),
    ("snowflake", "snowflake.csv", 3, "database", "SALES"),
    ("snowflake", "snowflake.csv", 3, "schema", "ANALYTICS"),
    ("snowflake", "snowflake.csv", 2, "start_time", datetime(2025, 3, 1, 4, 0, 0, 123000, PST)),
    ("snowflake", "snowflake.csv", 2, "query_id", "01b2c3d4-0001-4e5f-0000-000100000001"),
    (
        "snowflake",
        "snowflake.csv",
        8,
        "error",
        "SQL compilation error:\nObject 'CUSTMER' does not exist or not authorized.",
    ),
    ("snowflake", "snowflake.csv", 2, "dialect", "snowflake"),
    ("snowflake", "snowflake.jsonl", 1, "start_time", datetime(2025, 3, 1, 12, 0, 0, 123000, UTC)),
    ("snowflake", "snowflake.jsonl", 2, "user", "ANN"),
    ("bigquery", "bigquery.jsonl", 1, "user", "ann@acme.com"),
    ("bigquery", "bigquery.jsonl", 1, "database", "acme-prod"),
    ("bigquery", "bigquery.jsonl", 1, "query_id", "bquxjob_1a2b3c_0001"),
    ("bigquery", "bigquery.jsonl", 1, "start_time", datetime(2025, 3, 1, 12, 0, 0, 120000, UTC)),
    (
        "bigquery",
        "bigquery.jsonl",
        2,
        "error",
        "Not found: Table acme-prod:sales.ordrs was not found in location US",
    ),
    ("bigquery", "bigquery.jsonl", 5, "schema", "analytics"),
    ("bigquery", "bigquery.jsonl", 1, "dialect", "bigquery"),
    (
        "bigquery",
        "bigquery.csv",
        6,
        "start_time",
        datetime(2025, 3, 1, 12, 1, tzinfo=UTC),
    ),  # creation_time
    ("redshift", "redshift.csv", 2, "user", "100"),
    ("redshift", "redshift.csv", 2, "database", "dev"),
    ("redshift", "redshift.csv", 2, "start_time", datetime(2025, 3, 1, 12, 0, 0, 123456, UTC)),
    ("redshift", "redshift.csv", 6, "error", 'relation "public.salez" does not exist'),
    ("redshift", "redshift.csv", 2, "dialect", "redshift"),
    ("redshift", "redshift.jsonl", 1, "user", "etl"),
    ("redshift", "redshift.jsonl", 1, "query_id", "5001"),
]


@pytest.mark.parametrize("fmt, sample, line, field, value", FIELDS)
def test_record_fields(fmt, sample, line, field, value):
    records, _ = read(fmt, sample)
    (record,) = [r for r in records if r.line == line]
    assert getattr(record, field) == value


@pytest.mark.parametrize("fmt, sample", sorted({(c[0], c[1]) for c in CASES}))
def test_texts_are_stripped_and_times_aware(fmt, sample):
    records, _ = read(fmt, sample)
    for record in records:
        assert record.query_text == record.query_text.strip()
        assert record.start_time is None or record.start_time.tzinfo is not None
        assert record.dialect == (None if fmt in ("jsonl", "csv") else record.dialect)


def test_redshift_text_at_the_char_4000_limit_is_flagged(tmp_path):
    log = tmp_path / "h.csv"
    long_sql = "SELECT " + ", ".join(f"c{i}" for i in range(800))[:3993]
    log.write_text(f'query_id,status,query_text\n1,success,"{long_sql}"\n')
    stats = ReadStats()
    (record,) = read_log(log, "redshift", stats=stats)
    assert len(record.query_text) == 4000
    assert stats.skipped == 0 and "probably cut off" in stats.problems[0].message
