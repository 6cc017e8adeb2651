"""The generic formats: any JSON-lines or CSV query log whose columns can be named.

Home-grown logs (an audit table dumped to CSV, a proxy's JSON log, the demo's query
log) differ mostly in what they call things. :class:`ColumnMap` says which column
holds each field, as a list of candidate names tried in order; the defaults cover the
demo's keys (``query_text``, ``user_name``, ``start_time``, ``database_name``,
``schema_name``, ``status``, ``error_message``, ``query_id``) and the usual aliases, so
most logs need no configuration at all. Only the query text is required.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace

from catalog.errors import UsageError
from lineage.readers.records import LogRecord, ReadStats, Status
from lineage.readers.tabular import BadRow, Kind, Row, TabularReader, first_value, text, timestamp


@dataclass(frozen=True)
class ColumnMap:
    """Candidate column names for each field of a :class:`LogRecord`, case-insensitive.

    >>> ColumnMap().with_overrides({"query_text": "sql_body"}).query_text
    ('sql_body',)
    """

    query_text: tuple[str, ...] = (
        "query_text", "query", "sql", "sql_text", "statement", "querytext", "text",
    )  # fmt: skip
    user: tuple[str, ...] = ("user_name", "user", "username", "usename", "user_email", "login")
    start_time: tuple[str, ...] = (
        "start_time", "ts", "timestamp", "time", "started_at", "start", "event_time",
        "creation_time",
    )  # fmt: skip
    database: tuple[str, ...] = ("database_name", "database", "db", "dbname", "catalog")
    schema: tuple[str, ...] = ("schema_name", "schema", "default_schema")
    status: tuple[str, ...] = ("status", "state", "execution_status")
    error: tuple[str, ...] = ("error_message", "error", "error_msg", "errormessage")
    query_id: tuple[str, ...] = ("query_id", "id", "queryid", "job_id", "statement_id")

    def __post_init__(self) -> None:
        for f in fields(self):
            names = getattr(self, f.name)
            if isinstance(names, str):  # a lone name is a one-name list, not its letters
                names = (names,)
            object.__setattr__(self, f.name, tuple(n.strip().lower() for n in names))

    def with_overrides(self, overrides: Mapping[str, str | Sequence[str]]) -> ColumnMap:
        """A copy where each field in ``overrides`` looks only at the given column(s)."""
        known = self.field_names()
        for name in overrides:
            if name not in known:
                match = difflib.get_close_matches(name, known, n=1)
                guess = f"; did you mean {match[0]!r}?" if match else ""
                raise UsageError(f"unknown log field {name!r}{guess} (fields: {', '.join(known)})")
        changes = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in overrides.items()}
        return replace(self, **changes)

    @classmethod
    def parse(cls, specs: Iterable[str]) -> ColumnMap:
        """From ``field=column`` strings, as a command line gives them.

        >>> ColumnMap.parse(["user=login_name", "start_time=ts"]).user
        ('login_name',)
        """
        overrides: dict[str, str] = {}
        for spec in specs:
            name, sep, column = spec.partition("=")
            if not sep or not name.strip() or not column.strip():
                raise UsageError(f"column mapping {spec!r} is not field=column")
            overrides[name.strip()] = column.strip()
        return cls().with_overrides(overrides)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


#: Status words of home-grown logs; ``None`` means not finished (not a statement yet).
_STATUS: dict[str, Status | None] = {
    **dict.fromkeys(
        ("success", "succeeded", "successful", "ok", "completed", "complete", "done",
         "finished", "true", "1"),
        Status.SUCCESS,
    ),
    **dict.fromkeys(
        ("failed", "failure", "fail", "error", "errored", "canceled", "cancelled", "aborted",
         "incident", "false", "0"),
        Status.FAILED,
    ),
    **dict.fromkeys(("running", "queued", "pending", "started", "planning", "blocked"), None),
}  # fmt: skip


@dataclass(frozen=True)
class GenericReader(TabularReader):
    """JSON lines (``kinds=("jsonl",)``) or CSV (``kinds=("csv",)``) with a :class:`ColumnMap`.

    A row without a status is a success unless its error column says otherwise.
    Timestamps without a zone are taken as UTC.
    """

    columns: ColumnMap = field(default_factory=ColumnMap)

    def required_columns(self) -> tuple[tuple[str, ...], ...]:
        return (self.columns.query_text,)

    def to_record(self, line: int, row: Row, stats: ReadStats) -> LogRecord | None:
        cols = self.columns
        sql = text(first_value(row, cols.query_text))
        error = text(first_value(row, cols.error))
        status = _status(first_value(row, cols.status), error)
        if sql is None or status is None:
            return None
        return LogRecord(
            query_text=sql,
            line=line,
            status=status,
            user=text(first_value(row, cols.user)),
            start_time=timestamp(first_value(row, cols.start_time), line, stats),
            database=text(first_value(row, cols.database)),
            schema=text(first_value(row, cols.schema)),
            error=error,
            query_id=text(first_value(row, cols.query_id)),
            dialect=self.dialect,
        )


def _status(value: object, error: str | None) -> Status | None:
    word = text(value)
    if word is None:
        return Status.FAILED if error else Status.SUCCESS
    try:
        return _STATUS[word.lower()]
    except KeyError:
        known = ", ".join(k for k in _STATUS if not k.isdigit())
        raise BadRow(f"unknown status {word!r} (known: {known})") from None


def generic_reader(kind: Kind, columns: ColumnMap | None = None) -> GenericReader:
    """The ``jsonl`` or ``csv`` reader, with ``columns`` or the default mapping."""
    return GenericReader(name=kind, dialect=None, kinds=(kind,), columns=columns or ColumnMap())
