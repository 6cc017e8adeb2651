"""The query-log formats by the names users type after ``--format``.

Validated at lookup: an unknown name lists what exists and suggests the nearest
(``unknown log format 'snowflak'; did you mean 'snowflake'?``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from catalog.errors import UsageError
from lineage.readers.bigquery import BigQueryReader
from lineage.readers.generic import ColumnMap, generic_reader
from lineage.readers.postgres import PostgresCsvlogReader, PostgresJsonlogReader
from lineage.readers.records import LogReader, LogRecord, ReadStats, Source
from lineage.readers.redshift import RedshiftReader
from lineage.readers.snowflake import SnowflakeReader

READERS: dict[str, LogReader] = {
    reader.name: reader
    for reader in (
        generic_reader("jsonl"),
        generic_reader("csv"),
        PostgresCsvlogReader(),
        PostgresJsonlogReader(),
        SnowflakeReader(),
        BigQueryReader(),
        RedshiftReader(),
    )
}

#: Formats whose column names a :class:`ColumnMap` can change.
CONFIGURABLE = frozenset({"jsonl", "csv"})


def get_reader(name: str, *, columns: ColumnMap | None = None) -> LogReader:
    """The reader for format ``name``; ``columns`` remaps the generic formats' columns."""
    if name not in READERS:
        match = difflib.get_close_matches(name, list(READERS), n=1)
        guess = f"; did you mean {match[0]!r}?" if match else ""
        raise UsageError(
            f"unknown log format {name!r}{guess}", hint=f"formats: {', '.join(READERS)}"
        )
    if columns is None:
        return READERS[name]
    if name not in CONFIGURABLE:
        raise UsageError(
            f"log format {name!r} has fixed column names; column mappings apply to "
            f"{' and '.join(sorted(CONFIGURABLE))}"
        )
    return generic_reader("jsonl" if name == "jsonl" else "csv", columns)


def read_log(
    source: Source,
    fmt: str,
    *,
    columns: ColumnMap | None = None,
    stats: ReadStats | None = None,
) -> Iterator[LogRecord]:
    """Stream the statements of ``source`` read as format ``fmt``.

    >>> import io
    >>> log = io.StringIO('{"query": "SELECT 1", "user": "ann", "status": "ok"}\\n')
    >>> [(r.query_text, r.user, r.status.value) for r in read_log(log, "jsonl")]
    [('SELECT 1', 'ann', 'success')]
    """
    return get_reader(fmt, columns=columns).read(source, stats)
