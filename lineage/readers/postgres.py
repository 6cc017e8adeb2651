"""PostgreSQL server logs: csvlog (``log_destination = 'csvlog'``) and jsonlog (15+).

Relied on, from PostgreSQL's "Error Reporting and Logging" chapter
(postgresql.org/docs/current/runtime-config-logging.html) and the writers themselves
(``src/backend/utils/error/csvlog.c`` and ``jsonlog.c``):

* csvlog rows have no header and a fixed column order: ``log_time, user_name,
  database_name, process_id, connection_from, session_id, session_line_num,
  command_tag, session_start_time, virtual_transaction_id, transaction_id,
  error_severity, sql_state_code, message, detail, hint, internal_query,
  internal_query_pos, context, query, query_pos, location, application_name``, then
  ``backend_type`` (13+), then ``leader_pid, query_id`` (14+): 23, 24 or 26 fields.
* jsonlog objects carry ``timestamp, user, dbname, pid, session_id, line_num,
  error_severity, message, statement``, … (keys with a null value are left out).
* ``log_statement`` logs ``statement: SQL`` (simple protocol) or ``execute NAME: SQL``
  (extended protocol) *before* the statement runs; ``log_min_duration_statement``
  logs ``duration: 1.234 ms  statement: SQL`` (or ``… execute NAME: SQL``) *after* it
  succeeded, or only ``duration: 1.234 ms`` when log_statement already logged the
  text. ``parse``/``bind`` lines repeat an ``execute``'s text and are not statements.
* A failing statement gives an ``ERROR`` (or ``FATAL``) row of the same session whose
  ``query``/``statement`` field holds the statement (``log_min_error_statement``,
  ERROR by default). With that setting raised, the ERROR row has no text; it still
  belongs to the statement running in its session. A FATAL without text is a timeout
  or a shutdown between statements and fails nothing.

So a statement logged before it ran stays open, per session, until the session's next
line says how it ended: an ERROR row marks it failed, a duration line, the session's
next statement or its disconnection mark it succeeded. A failed statement that was
never logged itself (log_statement = 'ddl' and a SELECT failed) is taken from the
ERROR row's query. Statements still open at the end of the file, or beyond
``max_open_sessions`` concurrently open sessions, count as succeeded (no error was
logged). Records therefore come out in the order their outcome became known, each
with the line its statement was logged on.

Messages are matched in English: run the server with ``lc_messages = 'C'`` (as
pgBadger also requires). Neither format logs the search_path, so ``schema`` is empty.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from catalog.errors import UsageError
from lineage.readers.records import LogRecord, ReadStats, Source, Status
from lineage.readers.source import DECOMPRESSION_ERRORS, describe, open_source
from lineage.readers.tabular import FIELD_LIMIT, Kind, Row, read_rows, timestamp
from lineage.readers.timestamps import parse_timestamp

CSVLOG_COLUMNS = (
    "log_time", "user_name", "database_name", "process_id", "connection_from",
    "session_id", "session_line_num", "command_tag", "session_start_time",
    "virtual_transaction_id", "transaction_id", "error_severity", "sql_state_code",
    "message", "detail", "hint", "internal_query", "internal_query_pos", "context",
    "query", "query_pos", "location", "application_name",
    "backend_type",  # 13+
    "leader_pid", "query_id",  # 14+
)  # fmt: skip
#: Field counts by version: 12 and before, 13, 14–16.
CSVLOG_WIDTHS = frozenset({23, 24, 26})
_TIME, _USER, _DB, _SESSION, _SESSION_LINE, _SEVERITY, _MESSAGE, _QUERY = (
    CSVLOG_COLUMNS.index(name)
    for name in (
        "log_time", "user_name", "database_name", "session_id", "session_line_num",
        "error_severity", "message", "query",
    )
)  # fmt: skip

_JSONL: tuple[Kind, ...] = ("jsonl",)
_FAILURE = frozenset({"ERROR", "FATAL", "PANIC"})
_STATEMENT = re.compile(
    r"(?:duration: (?P<ms>[\d.]+) ms\s+)?(?:statement|execute (?P<name>[^:]*)): (?P<sql>.*)",
    re.DOTALL,
)
_FINISHED = re.compile(r"duration: [\d.]+ ms\s*\Z|disconnection: ")


@dataclass(frozen=True, slots=True)
class PgEvent:
    """One server log entry, whichever of the two formats it came from."""

    line: int
    time: str | None
    user: str | None
    database: str | None
    session: str
    session_line: int | None
    severity: str
    message: str
    query: str | None


@dataclass(frozen=True)
class PostgresCsvlogReader:
    name: str = "postgres-csvlog"
    dialect: str | None = "postgres"
    max_open_sessions: int = 10_000

    def read(self, source: Source, stats: ReadStats | None = None) -> Iterator[LogRecord]:
        stats = ReadStats() if stats is None else stats
        with open_source(source) as stream:
            try:
                events = _csvlog_events(stream, source, self.name, stats)
                yield from statements(events, stats, self.dialect, self.max_open_sessions)
            except DECOMPRESSION_ERRORS as exc:
                raise UsageError(
                    f"{self.name}: {describe(source)} is truncated or corrupt ({exc})"
                ) from exc


@dataclass(frozen=True)
class PostgresJsonlogReader:
    name: str = "postgres-jsonlog"
    dialect: str | None = "postgres"
    max_open_sessions: int = 10_000

    def read(self, source: Source, stats: ReadStats | None = None) -> Iterator[LogRecord]:
        stats = ReadStats() if stats is None else stats
        rows = read_rows(
            source,
            format_name=self.name,
            required=(("timestamp",), ("error_severity",)),
            stats=stats,
            kinds=_JSONL,
        )
        events = (_jsonlog_event(line, row) for line, row in rows)
        yield from statements(events, stats, self.dialect, self.max_open_sessions)


def statements(
    events: Iterable[PgEvent], stats: ReadStats, dialect: str | None, max_open: int = 10_000
) -> Iterator[LogRecord]:
    """The statements of a server log, each marked with how it ended (see the module doc)."""
    open_: dict[str, LogRecord] = {}  # per session: logged, outcome not known yet
    for event in events:
        if event.severity in _FAILURE:
            yield from _on_failure(event, open_, stats, dialect)
        else:
            yield from _on_message(event, open_, stats, dialect)
            if len(open_) > max_open:
                yield stats.count(open_.pop(next(iter(open_))))
    for record in open_.values():
        yield stats.count(record)


def _on_failure(
    event: PgEvent, open_: dict[str, LogRecord], stats: ReadStats, dialect: str | None
) -> Iterator[LogRecord]:
    started = open_.pop(event.session, None)
    query = (event.query or "").strip()
    # Without the text, an ERROR still belongs to the statement running in its session;
    # a FATAL without it is a timeout or a shutdown between statements.
    if started is not None and (
        query == started.query_text or (not query and event.severity == "ERROR")
    ):
        yield stats.count(replace(started, status=Status.FAILED, error=event.message))
        return
    if started is not None:
        yield stats.count(started)
    if query:
        failed = _record(event, query, stats, dialect)
        yield stats.count(replace(failed, status=Status.FAILED, error=event.message))
    else:
        stats.ignored += 1


def _on_message(
    event: PgEvent, open_: dict[str, LogRecord], stats: ReadStats, dialect: str | None
) -> Iterator[LogRecord]:
    match = _STATEMENT.match(event.message)
    if match is None or (match["name"] or "").startswith("fetch from"):
        if _FINISHED.match(event.message) and event.session in open_:
            yield stats.count(open_.pop(event.session))
        stats.ignored += 1
        return
    sql = match["sql"].strip()
    completed = match["ms"] is not None  # logged after it ran, so it succeeded
    started = open_.pop(event.session, None)
    if started is not None:
        yield stats.count(started)  # the session moved on without an error
        if completed and started.query_text == sql:
            return  # this statement's own duration line
    record = _record(event, sql, stats, dialect)
    if completed:
        yield stats.count(record)
    else:
        open_[event.session] = record


def _record(event: PgEvent, sql: str, stats: ReadStats, dialect: str | None) -> LogRecord:
    return LogRecord(
        query_text=sql,
        line=event.line,
        user=event.user,
        start_time=timestamp(event.time, event.line, stats),
        database=event.database,
        query_id=_query_id(event),
        dialect=dialect,
    )


def _query_id(event: PgEvent) -> str | None:
    """``session_id:session_line_num``: the same entry has the same id in any copy of the log."""
    if not event.session or event.session_line is None:
        return None
    return f"{event.session}:{event.session_line}"


def _csvlog_events(
    stream: Iterable[str], source: Source, format_name: str, stats: ReadStats
) -> Iterator[PgEvent]:
    if csv.field_size_limit() < FIELD_LIMIT:  # process-wide, and only ever raised
        csv.field_size_limit(FIELD_LIMIT)
    reader = csv.reader(stream, strict=True)
    checked = False
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if not checked:
                raise _not_csvlog(format_name, source, f"line {start} is not CSV ({exc})") from exc
            stats.skip(start, f"not valid CSV ({exc})")
            continue
        if not row:
            continue
        if not checked:
            if row[0].strip().lower() == "log_time":  # saved with a header (COPY … HEADER)
                continue
            _check_first_row(row, start, format_name, source)
            checked = True
        if len(row) not in CSVLOG_WIDTHS:
            stats.skip(start, f"{len(row)} fields, not a csvlog row (23, 24 or 26)")
            continue
        try:
            session_line = int(row[_SESSION_LINE])
        except ValueError:
            stats.skip(start, f"session_line_num {row[_SESSION_LINE]!r} is not a number")
            continue
        yield PgEvent(
            line=start,
            time=row[_TIME] or None,
            user=row[_USER] or None,
            database=row[_DB] or None,
            session=row[_SESSION],
            session_line=session_line,
            severity=row[_SEVERITY],
            message=row[_MESSAGE],
            query=row[_QUERY] or None,
        )


def _check_first_row(row: list[str], line: int, format_name: str, source: Source) -> None:
    if len(row) not in CSVLOG_WIDTHS:
        raise _not_csvlog(
            format_name,
            source,
            f"line {line} has {len(row)} fields; csvlog rows have 23 (PostgreSQL 12), "
            "24 (13) or 26 (14-16)",
        )
    try:
        parse_timestamp(row[_TIME])
        int(row[_SESSION_LINE])
    except ValueError as exc:
        raise _not_csvlog(
            format_name,
            source,
            f"line {line} does not start with a log time and a session line number ({exc})",
        ) from exc


def _not_csvlog(format_name: str, source: Source, why: str) -> UsageError:
    return UsageError(f"{format_name}: {describe(source)} is not a PostgreSQL csvlog file: {why}")


def _jsonlog_event(line: int, row: Row) -> PgEvent:
    query = row.get("statement")
    line_num = row.get("line_num")
    return PgEvent(
        line=line,
        time=_str(row.get("timestamp")),
        user=_str(row.get("user")),
        database=_str(row.get("dbname")),
        session=_str(row.get("session_id")) or _str(row.get("pid")) or "",
        session_line=line_num if isinstance(line_num, int) else None,
        severity=_str(row.get("error_severity")) or "",
        message=_str(row.get("message")) or "",
        query=query if isinstance(query, str) and query else None,
    )


def _str(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
