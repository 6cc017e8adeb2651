"""Redshift: an export of ``SYS_QUERY_HISTORY`` as CSV (any of , TAB | delimiters) or JSON lines.

Columns relied on, from the Amazon Redshift Database Developer Guide page on
SYS_QUERY_HISTORY (docs.aws.amazon.com/redshift/latest/dg/SYS_QUERY_HISTORY.html):
``query_id``, ``user_id`` (an integer: the view has no user name), ``database_name``,
``query_type``, ``status`` (``planning``, ``queued``, ``running``, ``returning``,
``failed``, ``canceled``, ``success``), ``start_time`` (UTC, without a zone),
``error_message`` and ``query_text`` (CHAR(4000): longer statements are cut; the
whole text is in SYS_QUERY_TEXT). CHAR columns arrive space-padded and are stripped.

An export that joins a user name in (``usename`` from PG_USER, or ``user_name``) gets
that name; otherwise the user is the numeric id. Redshift has no per-query default
schema in this view (the search_path is not logged), so ``schema`` stays empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from lineage.readers.records import LogRecord, ReadStats, Status
from lineage.readers.tabular import BadRow, Row, TabularReader, first_value, text, timestamp

#: query_text is CHAR(4000); a text this long was very likely cut off.
TRUNCATED_AT = 4000

_STATUS: dict[str, Status | None] = {
    "success": Status.SUCCESS,
    "failed": Status.FAILED,
    "canceled": Status.FAILED,
    "cancelled": Status.FAILED,
    **dict.fromkeys(("planning", "queued", "running", "returning"), None),
}


@dataclass(frozen=True)
class RedshiftReader(TabularReader):
    name: str = "redshift"
    dialect: str | None = "redshift"

    def required_columns(self) -> tuple[tuple[str, ...], ...]:
        return (("query_text",), ("status",))

    def to_record(self, line: int, row: Row, stats: ReadStats) -> LogRecord | None:
        status_word = (text(row.get("status")) or "").lower()
        if status_word not in _STATUS:
            raise BadRow(f"unknown status {status_word!r}")
        status = _STATUS[status_word]
        sql = text(row.get("query_text"))
        if status is None or sql is None:
            return None
        if len(sql) >= TRUNCATED_AT:
            stats.note(line, f"query_text is {len(sql)} characters, probably cut off "
                       "(SYS_QUERY_TEXT has the whole statement)")  # fmt: skip
        return LogRecord(
            query_text=sql,
            line=line,
            status=status,
            user=text(first_value(row, ("user_name", "usename", "user_id"))),
            start_time=timestamp(row.get("start_time"), line, stats),
            database=text(row.get("database_name")),
            error=text(row.get("error_message")),
            query_id=text(row.get("query_id")),
            dialect=self.dialect,
        )
