"""Snowflake: an export of ``SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY`` as CSV or JSON lines.

Columns relied on, from Snowflake's documentation of the QUERY_HISTORY view
(docs.snowflake.com/en/sql-reference/account-usage/query_history) and of the
INFORMATION_SCHEMA.QUERY_HISTORY table function: ``QUERY_ID``, ``QUERY_TEXT`` (cut at
100K characters), ``DATABASE_NAME`` and ``SCHEMA_NAME`` (the session's context when
the statement was compiled), ``USER_NAME``, ``START_TIME``, ``EXECUTION_STATUS``
(``SUCCESS``, ``FAIL``, ``INCIDENT`` in the view; the table function also reports
``RUNNING``, ``QUEUED``, ``BLOCKED``, ``RESUMING_WAREHOUSE``, ``FAILED_WITH_ERROR``,
``FAILED_WITH_INCIDENT``) and ``ERROR_MESSAGE``. Snowsight downloads upper-case the
headers and ``OBJECT_CONSTRUCT(*)`` JSON exports keep them upper-case; names are
matched case-insensitively. START_TIME is TIMESTAMP_LTZ, whose default output carries
its offset (``2025-03-01 04:00:00.123 -0800``); a time without one is taken as UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

from lineage.readers.records import LogRecord, ReadStats, Status
from lineage.readers.tabular import BadRow, Row, TabularReader, text, timestamp

_STATUS: dict[str, Status | None] = {
    "success": Status.SUCCESS,
    "fail": Status.FAILED,
    "incident": Status.FAILED,
    "failed_with_error": Status.FAILED,
    "failed_with_incident": Status.FAILED,
    **dict.fromkeys(("running", "queued", "blocked", "resuming_warehouse"), None),
}


@dataclass(frozen=True)
class SnowflakeReader(TabularReader):
    name: str = "snowflake"
    dialect: str | None = "snowflake"

    def required_columns(self) -> tuple[tuple[str, ...], ...]:
        return (("query_text",), ("execution_status",))

    def to_record(self, line: int, row: Row, stats: ReadStats) -> LogRecord | None:
        status_word = (text(row.get("execution_status")) or "").lower()
        if status_word not in _STATUS:
            raise BadRow(f"unknown EXECUTION_STATUS {status_word!r}")
        status = _STATUS[status_word]
        sql = text(row.get("query_text"))
        if status is None or sql is None:
            return None
        return LogRecord(
            query_text=sql,
            line=line,
            status=status,
            user=text(row.get("user_name")),
            start_time=timestamp(row.get("start_time"), line, stats),
            database=text(row.get("database_name")),
            schema=text(row.get("schema_name")),
            error=text(row.get("error_message")),
            query_id=text(row.get("query_id")),
            dialect=self.dialect,
        )
