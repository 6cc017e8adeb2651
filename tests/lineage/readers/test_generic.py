"""The generic formats' column mapping, the registry, and files that are not the format asked for."""

from __future__ import annotations

import io
import json

import pytest

from catalog.errors import UsageError
from lineage.readers import READERS, ColumnMap, ReadStats, Status, get_reader, read_log


def jsonl(*objects: object) -> io.StringIO:
    return io.StringIO("".join(json.dumps(o) + "\n" for o in objects))


# --- column names -------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, row",
    [
        (
            "query_text,user_name,start_time,database_name,schema_name,status",
            "Q,ann,2025-03-01T12:00:00Z,db,sch,success",
        ),
        ("sql,username,ts,db,schema,state", "Q,ann,2025-03-01T12:00:00Z,db,sch,ok"),
        (
            "statement,user,timestamp,database,schema,execution_status",
            "Q,ann,2025-03-01T12:00:00Z,db,sch,SUCCESS",
        ),
        (
            "Query,User,Start_Time,DBName,Default_Schema,State",
            "Q,ann,2025-03-01T12:00:00Z,db,sch,Done",
        ),
        (
            "QUERY_TEXT,USER_NAME,START_TIME,DATABASE_NAME,SCHEMA_NAME,STATUS",
            "Q,ann,2025-03-01T12:00:00Z,db,sch,completed",
        ),
    ],
)
def test_default_column_map_knows_common_aliases_in_any_case(header, row):
    (record,) = read_log(io.StringIO(f"{header}\n{row}\n"), "csv")
    assert (record.query_text, record.user, record.database, record.schema) == (
        "Q",
        "ann",
        "db",
        "sch",
    )
    assert record.start_time is not None and record.status is Status.SUCCESS


def test_column_map_overrides_name_the_columns():
    columns = ColumnMap.parse(
        ["query_text=body", "user=login", "start_time=run_at", "status=outcome"]
    )
    log = io.StringIO("body,login,run_at,outcome,sql\nSELECT 1,ann,1740830400,fail,SELECT 2\n")
    (record,) = read_log(log, "csv", columns=columns)
    assert (record.query_text, record.user, record.status) == ("SELECT 1", "ann", Status.FAILED)
    assert record.start_time is not None and record.start_time.year == 2025


def test_column_map_override_replaces_the_aliases():
    columns = ColumnMap().with_overrides({"query_text": "body"})
    with pytest.raises(UsageError, match="lacks body"):
        list(read_log(io.StringIO("sql\nSELECT 1\n"), "csv", columns=columns))


def test_column_map_lists_alternatives_in_order_of_preference():
    columns = ColumnMap().with_overrides({"user": ["login", "owner"]})
    (record,) = read_log(
        jsonl({"query": "Q", "owner": "o", "login": "l"}), "jsonl", columns=columns
    )
    assert record.user == "l"
    (record,) = read_log(jsonl({"query": "Q", "owner": "o", "login": ""}), "jsonl", columns=columns)
    assert record.user == "o"


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: ColumnMap().with_overrides({"usr": "login"}),
            "unknown log field 'usr'; did you mean 'user'",
        ),
        (lambda: ColumnMap.parse(["user"]), "'user' is not field=column"),
        (lambda: ColumnMap.parse(["=login"]), "is not field=column"),
        (
            lambda: get_reader("snowflake", columns=ColumnMap()),
            "'snowflake' has fixed column names",
        ),
    ],
)
def test_column_map_mistakes_are_usage_errors(call, message):
    with pytest.raises(UsageError, match=message):
        call()


# --- status vocabulary ----------------------------------------------------------------


@pytest.mark.parametrize(
    "status, error, expected",
    [
        ("success", None, Status.SUCCESS),
        ("OK", None, Status.SUCCESS),
        ("Succeeded", None, Status.SUCCESS),
        ("failed", "boom", Status.FAILED),
        ("ERROR", None, Status.FAILED),
        ("cancelled", None, Status.FAILED),
        ("false", None, Status.FAILED),
        (None, None, Status.SUCCESS),
        (None, "boom", Status.FAILED),  # no status column: an error message means it failed
        ("", "boom", Status.FAILED),
        ("running", None, None),  # not finished: not a statement yet
        ("queued", None, None),
    ],
)
def test_status_words(status, error, expected):
    stats = ReadStats()
    obj = {"query": "SELECT 1", "status": status, "error": error}
    records = list(read_log(jsonl(obj), "jsonl", stats=stats))
    assert [r.status for r in records] == ([expected] if expected else [])
    assert stats.ignored == (0 if expected else 1)


def test_an_unknown_status_skips_the_row_and_says_which_words_are_known():
    stats = ReadStats()
    assert list(read_log(jsonl({"query": "SELECT 1", "status": "meh"}), "jsonl", stats=stats)) == []
    (problem,) = stats.problems
    assert (
        problem.skipped
        and "unknown status 'meh'" in problem.message
        and "success" in problem.message
    )


def test_rows_without_query_text_are_ignored_not_errors():
    stats = ReadStats()
    log = jsonl({"query": "SELECT 1"}, {"query": None}, {"query": "   "}, {"query": "SELECT 2"})
    assert [r.query_text for r in read_log(log, "jsonl", stats=stats)] == ["SELECT 1", "SELECT 2"]
    assert (stats.ignored, stats.skipped) == (2, 0)


# --- the registry ---------------------------------------------------------------------


def test_registry_names_the_formats_of_the_product_interface():
    assert set(READERS) == {
        "jsonl", "csv", "postgres-csvlog", "postgres-jsonlog", "snowflake", "bigquery", "redshift",
    }  # fmt: skip
    assert all(name == reader.name for name, reader in READERS.items())


@pytest.mark.parametrize(
    "name, message",
    [
        ("snowflak", "unknown log format 'snowflak'; did you mean 'snowflake'\\?"),
        ("postgres-csv", "did you mean 'postgres-csvlog'\\?"),
        ("json", "did you mean 'jsonl'\\?"),
        ("parquet", "unknown log format 'parquet'\nformats: jsonl, csv, postgres-csvlog"),
    ],
)
def test_unknown_format_says_what_exists(name, message):
    with pytest.raises(UsageError, match=message):
        get_reader(name)


# --- files that are not the format asked for ------------------------------------------


@pytest.mark.parametrize(
    "fmt, text, message",
    [
        ("csv", '{"query": "SELECT 1"}\n', "is JSON lines; this format reads csv"),
        ("jsonl", "query\nSELECT 1\n", "is not JSON lines .*; this format reads jsonl"),
        ("jsonl", '[{"query": "SELECT 1"}]\n', "is a JSON array; export newline-delimited JSON"),
        (
            "csv",
            "user,ts\nann,2025-03-01\n",
            "csv: .* is not a csv log: its header lacks query_text \\(or query, sql, ",
        ),
        ("jsonl", '{"user": "ann"}\n', "its first JSON object lacks query_text \\(or query"),
        (
            "snowflake",
            "QUERY_ID,QUERY_TEXT\n1,SELECT 1\n",
            "is not a snowflake log: its header lacks execution_status \\(found: query_id, query_text\\)",
        ),
        (
            "bigquery",
            "query_id,query_text,status\n1,SELECT 1,ok\n",
            "its header lacks job_id and state \\(found: query_id, query_text, status\\)",
        ),
        (
            "redshift",
            '{"query": "SELECT 1"}\n',
            "its first JSON object lacks query_text and status",
        ),
        ("postgres-jsonlog", "log_time,message\n", "this format reads jsonl"),
        ("postgres-jsonlog", '{"query": "SELECT 1"}\n', "lacks timestamp and error_severity"),
        (
            "postgres-csvlog",
            "query_text,user\nSELECT 1,ann\n",
            "is not a PostgreSQL csvlog file: line 1 has 2 fields",
        ),
        ("postgres-csvlog", "x" + ",x" * 25 + "\n", "line 1 does not start with a log time"),
    ],
)
def test_a_file_of_another_format_is_a_usage_error_naming_what_is_missing(fmt, text, message):
    with pytest.raises(UsageError, match=message):
        list(read_log(io.StringIO(text), fmt))


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_an_empty_file_has_no_statements(fmt):
    stats = ReadStats()
    assert list(read_log(io.StringIO("\n\n"), fmt, stats=stats)) == []
    assert stats == ReadStats()


def test_a_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match=r"cannot read log file .*nope\.jsonl"):
        list(read_log(tmp_path / "nope.jsonl", "jsonl"))


@pytest.mark.parametrize("delimiter", [",", "\t", "|", ";"])
def test_csv_delimiter_is_taken_from_the_header(delimiter):
    text = (
        delimiter.join(["sql", "user"])
        + "\n"
        + delimiter.join(['"SELECT a, b FROM t"', "ann"])
        + "\n"
    )
    (record,) = read_log(io.StringIO(text), "csv")
    assert (record.query_text, record.user) == ("SELECT a, b FROM t", "ann")


def test_a_byte_order_mark_and_crlf_line_ends_do_not_leak_into_names_or_text(tmp_path):
    log = tmp_path / "excel.csv"
    log.write_bytes('\ufeffsql,user\r\n"SELECT 1\r\nFROM t",ann\r\n'.encode())
    (record,) = read_log(log, "csv")
    assert record.user == "ann" and record.query_text == "SELECT 1\r\nFROM t"


def test_undecodable_bytes_cost_a_character_not_the_file(tmp_path):
    log = tmp_path / "latin1.jsonl"
    log.write_bytes(b'{"query": "SELECT \'caf\xe9\'"}\n{"query": "SELECT 2"}\n')
    assert [r.query_text for r in read_log(log, "jsonl")] == ["SELECT 'caf\ufffd'", "SELECT 2"]


def test_problems_kept_are_bounded(tmp_path):
    log = tmp_path / "noisy.jsonl"
    log.write_text('{"query": "SELECT 1"}\n' + "garbage\n" * 500)
    stats = ReadStats()
    assert len(list(read_log(log, "jsonl", stats=stats))) == 1
    assert stats.skipped == 500 and len(stats.problems) == ReadStats.MAX_PROBLEMS
    assert stats.skipped_lines[:3] == [2, 3, 4]
    assert str(stats.problems[0]) == "line 2: skipped: not valid JSON (Expecting value)"
