"""Query-log readers: each warehouse's log or history export as a stream of statements.

``veil lineage ingest --format FMT`` picks a reader from :data:`READERS` by name; the
reader streams :class:`LogRecord` (statement text, user, time, default database and
schema, status) from a file path, gzip or not, or from an open text stream, counting
what it skipped in a :class:`ReadStats`. Formats: ``jsonl`` and ``csv`` (generic, with
a :class:`ColumnMap`), ``postgres-csvlog``, ``postgres-jsonlog``, ``snowflake``,
``bigquery``, ``redshift``.

>>> import io
>>> stats = ReadStats()
>>> log = io.StringIO("sql,state\\nSELECT 1,ok\\nSELECT x FROM,failed\\n")
>>> [r.status.value for r in read_log(log, "csv", stats=stats)], stats.failed
(['success', 'failed'], 1)
"""

from __future__ import annotations

from lineage.readers.generic import ColumnMap
from lineage.readers.records import LogReader, LogRecord, Problem, ReadStats, Source, Status
from lineage.readers.registry import CONFIGURABLE, READERS, get_reader, read_log

__all__ = [
    "CONFIGURABLE",
    "READERS",
    "ColumnMap",
    "LogReader",
    "LogRecord",
    "Problem",
    "ReadStats",
    "Source",
    "Status",
    "get_reader",
    "read_log",
]
