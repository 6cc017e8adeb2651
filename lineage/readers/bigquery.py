"""BigQuery: an export of ``INFORMATION_SCHEMA.JOBS`` (JOBS_BY_PROJECT) as JSON lines or CSV.

Columns relied on, from Google's documentation of the JOBS view
(cloud.google.com/bigquery/docs/information-schema-jobs): ``job_id``, ``project_id``,
``user_email``, ``creation_time`` and ``start_time`` (TIMESTAMP, UTC), ``job_type``
(``QUERY``, ``LOAD``, ``EXTRACT``, ``COPY`` or null for internal jobs), ``statement_type``
(``SELECT``, ``INSERT``, …, ``SCRIPT``), ``query``, ``state`` (``PENDING``, ``RUNNING``,
``DONE``) and ``error_result`` (an ErrorProto RECORD: ``reason``, ``location``,
``debug_info``, ``message``; null when the job succeeded).

Only finished QUERY jobs are statements. A multi-statement script is one parent job
(statement_type ``SCRIPT``, the whole script as its query) plus one child job per
statement; the children carry the lineage, so the parent is ignored: export the
children too (do not filter on ``parent_job_id IS NULL``).

JSON exports keep ``error_result`` as an object (or its JSON text); CSV cannot hold a
RECORD, so CSV exports flatten it: ``error_result`` as JSON text, or
``error_message``/``error_reason`` columns are accepted. The job's project is the
default database (BigQuery resolves ``dataset.table`` against it); a
``default_dataset`` column (``dataset`` or ``project.dataset``), when an export adds
one, becomes the default schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lineage.readers.records import LogRecord, ReadStats, Status
from lineage.readers.tabular import (
    BadRow,
    Row,
    TabularReader,
    first_value,
    text,
    timestamp,
)

_ERROR_COLUMNS = ("error_result", "error_result_message", "error_message", "error_reason")


@dataclass(frozen=True)
class BigQueryReader(TabularReader):
    name: str = "bigquery"
    dialect: str | None = "bigquery"

    def required_columns(self) -> tuple[tuple[str, ...], ...]:
        # query is null for LOAD/COPY/EXTRACT jobs, and JSON exports may omit nulls.
        return (("job_id",), ("state",))

    def to_record(self, line: int, row: Row, stats: ReadStats) -> LogRecord | None:
        job_type = (text(row.get("job_type")) or "QUERY").upper()
        statement_type = (text(row.get("statement_type")) or "").upper()
        state = (text(row.get("state")) or "").upper()
        if job_type != "QUERY" or statement_type == "SCRIPT" or state != "DONE":
            return None
        sql = text(row.get("query"))
        if sql is None:
            raise BadRow("a QUERY job without query text")
        error = _error_message(first_value(row, _ERROR_COLUMNS))
        return LogRecord(
            query_text=sql,
            line=line,
            status=Status.FAILED if error else Status.SUCCESS,
            user=text(row.get("user_email")),
            start_time=timestamp(first_value(row, ("start_time", "creation_time")), line, stats),
            database=text(row.get("project_id")),
            schema=_dataset(row.get("default_dataset")),
            error=error,
            query_id=text(row.get("job_id")),
            dialect=self.dialect,
        )


def _error_message(value: Any) -> str | None:
    """The message of an ErrorProto given as an object, its JSON text, or plain text."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("{"):
            try:
                value = json.loads(stripped)
            except ValueError:
                return stripped
        else:
            return text(stripped)
    if isinstance(value, dict):
        if not any(value.values()):
            return None
        return text(value.get("message")) or text(value.get("reason")) or text(value)
    return text(value)


def _dataset(value: Any) -> str | None:
    if isinstance(value, dict):
        return text(value.get("dataset_id") or value.get("datasetId"))
    name = text(value)
    return name.rsplit(".", 1)[-1].rsplit(":", 1)[-1] if name else None
