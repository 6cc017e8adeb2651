"""PostgreSQL logs: which log lines are statements, and how an ERROR finds the statement it ended."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from lineage.readers import ReadStats, Status, read_log
from lineage.readers.postgres import CSVLOG_COLUMNS, PgEvent, statements

SAMPLES = Path(__file__).parent / "samples"
S, F = Status.SUCCESS, Status.FAILED


def ev(line, session, message, severity="LOG", query=None):
    return PgEvent(
        line, "2025-03-01 12:00:00.000 UTC", "u", "db", session, line, severity, message, query
    )


def outcomes(events, max_open=10_000):
    stats = ReadStats()
    records = list(statements(events, stats, "postgres", max_open))
    return [(r.line, r.status, r.query_text) for r in records], stats


# events, statements in the order they are yielded as (line, status, text)
SEQUENCES = {
    "log_statement then duration": (
        [ev(1, "a", "statement: SELECT 1"), ev(2, "a", "duration: 0.1 ms")],
        [(1, S, "SELECT 1")],
    ),
    "log_min_duration_statement alone": (
        [ev(1, "a", "duration: 3.25 ms  statement: SELECT 1")],
        [(1, S, "SELECT 1")],
    ),
    "extended protocol: parse and bind are not statements": (
        [
            ev(1, "a", "duration: 0.05 ms  parse <unnamed>: SELECT $1"),
            ev(2, "a", "duration: 0.02 ms  bind <unnamed>: SELECT $1"),
            ev(3, "a", "duration: 0.30 ms  execute <unnamed>: SELECT $1"),
        ],
        [(3, S, "SELECT $1")],
    ),
    "extended protocol with log_statement": (
        [ev(1, "a", "execute S_1: SELECT 2"), ev(2, "a", "execute fetch from S_1/C_1: SELECT 2")],
        [(1, S, "SELECT 2")],
    ),
    "ERROR with the statement text marks it failed": (
        [
            ev(1, "a", "statement: SELECT x"),
            ev(2, "a", 'column "x" does not exist', "ERROR", "SELECT x"),
        ],
        [(1, F, "SELECT x")],
    ),
    "ERROR without text (log_min_error_statement off) fails the open statement": (
        [ev(1, "a", "statement: DELETE FROM t"), ev(2, "a", "permission denied", "ERROR")],
        [(1, F, "DELETE FROM t")],
    ),
    "a failed statement never logged itself comes from the ERROR row": (
        [
            ev(1, "a", "duration: 1 ms  statement: SELECT 1"),
            ev(2, "a", "syntax error", "ERROR", "SELEC 2"),
        ],
        [(1, S, "SELECT 1"), (2, F, "SELEC 2")],
    ),
    "an ERROR about another statement leaves the open one succeeded": (
        [
            ev(1, "a", "statement: CREATE TABLE t (a int)"),
            ev(2, "a", "boom", "ERROR", "SELECT 1/0"),
        ],
        [(1, S, "CREATE TABLE t (a int)"), (2, F, "SELECT 1/0")],
    ),
    "sessions interleave": (
        [
            ev(1, "a", "statement: SELECT 'a'"),
            ev(2, "b", "statement: SELECT 'b'"),
            ev(3, "b", "boom", "ERROR", "SELECT 'b'"),
            ev(4, "a", "duration: 1 ms"),
        ],
        [(2, F, "SELECT 'b'"), (1, S, "SELECT 'a'")],
    ),
    "the next statement of a session means the previous one succeeded": (
        [ev(1, "a", "statement: SELECT 1"), ev(2, "a", "statement: SELECT 2")],
        [(1, S, "SELECT 1"), (2, S, "SELECT 2")],
    ),
    "disconnection closes the session": (
        [ev(1, "a", "statement: SELECT 1"), ev(2, "a", "disconnection: session time: 0:00:01.000")],
        [(1, S, "SELECT 1")],
    ),
    "a FATAL without text (a timeout) does not fail the finished statement": (
        [
            ev(1, "a", "statement: BEGIN"),
            ev(2, "a", "terminating connection due to idle-in-transaction timeout", "FATAL"),
        ],
        [(1, S, "BEGIN")],
    ),
    "a FATAL with the statement text fails it": (
        [
            ev(1, "a", "statement: SELECT pg_sleep(60)"),
            ev(2, "a", "terminating connection", "FATAL", "SELECT pg_sleep(60)"),
        ],
        [(1, F, "SELECT pg_sleep(60)")],
    ),
    "statements still open at the end succeeded": (
        [ev(1, "a", "statement: SELECT 1"), ev(2, "b", "statement: SELECT 2")],
        [(1, S, "SELECT 1"), (2, S, "SELECT 2")],
    ),
    "a duration line does not repeat a statement already logged": (
        [ev(1, "a", "statement: SELECT 1"), ev(2, "a", "duration: 1 ms  statement: SELECT 1")],
        [(1, S, "SELECT 1")],
    ),
    "other messages are not statements": (
        [
            ev(1, "a", "connection authorized: user=u database=db"),
            ev(2, "", "checkpoint starting: time"),
        ],
        [],
    ),
}


@pytest.mark.parametrize("events, expected", SEQUENCES.values(), ids=SEQUENCES.keys())
def test_statement_outcomes(events, expected):
    got, stats = outcomes(events)
    assert got == expected
    assert stats.records == len(expected) and stats.failed == sum(s is F for _, s, _ in expected)
    assert stats.records + stats.ignored >= len(events) - len(expected)


def test_open_sessions_are_bounded():
    events = [ev(i, f"s{i}", f"statement: SELECT {i}") for i in range(1, 6)]
    stats = ReadStats()
    records = statements(events, stats, "postgres", max_open=2)
    first = next(records)
    assert first.line == 1  # evicted (as succeeded) when the third session opened
    assert [r.line for r in records] == [2, 3, 4, 5]


def _csvlog(rows: list[list[str]]) -> io.StringIO:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    out.seek(0)
    return out


def _row(width: int, line: int, message: str, severity: str = "LOG", query: str = "") -> list[str]:
    values = dict.fromkeys(CSVLOG_COLUMNS, "")
    values.update(
        log_time="2025-03-01 12:00:00.000 CET",
        user_name="ann",
        database_name="shop",
        session_id="65c3a1f0.1092",
        session_line_num=str(line),
        error_severity=severity,
        message=message,
        query=query,
    )
    return list(values.values())[:width]


@pytest.mark.parametrize("width", [23, 24, 26], ids=["pg12", "pg13", "pg14-16"])
def test_csvlog_of_each_version(width):
    log = _csvlog(
        [
            _row(width, 1, "statement: SELECT 1"),
            _row(width, 2, "relation does not exist", "ERROR", "SELECT 1"),
        ]
    )
    (record,) = read_log(log, "postgres-csvlog")
    assert (record.status, record.user, record.database) == (F, "ann", "shop")
    assert record.start_time is not None and record.start_time.utcoffset().total_seconds() == 3600


def test_csvlog_saved_with_a_header_row():
    log = _csvlog([list(CSVLOG_COLUMNS), _row(26, 1, "duration: 1 ms  statement: SELECT 1")])
    (record,) = read_log(log, "postgres-csvlog")
    assert record.line == 2 and record.query_text == "SELECT 1"


def test_csvlog_row_with_a_bad_session_line_is_skipped():
    bad = _row(26, 2, "statement: SELECT 2")
    bad[CSVLOG_COLUMNS.index("session_line_num")] = "two"
    stats = ReadStats()
    log = _csvlog([_row(26, 1, "duration: 1 ms  statement: SELECT 1"), bad])
    assert [r.query_text for r in read_log(log, "postgres-csvlog", stats=stats)] == ["SELECT 1"]
    assert stats.skipped_lines == [2]


def test_unknown_zone_abbreviation_keeps_the_statement_without_a_time():
    row = _row(26, 1, "duration: 1 ms  statement: SELECT 1")
    row[0] = "2025-03-01 12:00:00.000 IST"  # India, Israel or Ireland
    stats = ReadStats()
    (record,) = read_log(_csvlog([_row(26, 0, "x"), row]), "postgres-csvlog", stats=stats)
    assert record.start_time is None and "unknown time zone 'IST'" in stats.problems[0].message


def test_same_entry_has_the_same_query_id_in_any_copy_of_the_log():
    """Rotated and re-shipped logs repeat entries; session_id:session_line_num identifies them."""
    text = (SAMPLES / "postgres-csvlog.csv").read_text()
    head = text.split("\n", 10)[-1]  # the same log without its first ten lines
    ids = {r.query_id for r in read_log(io.StringIO(text), "postgres-csvlog")}
    tail_ids = {r.query_id for r in read_log(io.StringIO(head), "postgres-csvlog")}
    assert tail_ids and tail_ids <= ids
