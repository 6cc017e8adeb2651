"""Rows of tabular exports: CSV with a header line, or JSON lines, streamed.

Query-history exports (Snowflake, BigQuery, Redshift, and the generic formats) come
as CSV or as newline-delimited JSON depending on the tool that wrote them. Both become
``(line, row)`` pairs here, the row a dict keyed by lowercased column name (Snowflake
writes ``QUERY_TEXT``, its JSON exports ``query_text``: a reader should not care).

The first line decides: a file whose header lacks the columns a format cannot do
without is not that format, and raises :class:`UsageError` naming what is missing;
after that, a bad row (torn quoting, wrong field count, invalid JSON) is skipped and
counted with its line number. A quoted CSV field may span lines (multi-line SQL); a
row's line is the line it starts on.
"""

from __future__ import annotations

import csv
import itertools
import json
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal

from catalog.errors import UsageError
from lineage.readers.records import LogRecord, ReadStats, Source
from lineage.readers.source import DECOMPRESSION_ERRORS, describe, open_source
from lineage.readers.timestamps import parse_timestamp

Row = dict[str, Any]
Kind = Literal["csv", "jsonl"]

#: Largest CSV field accepted (csv's default, 128 KiB, is below real statements).
FIELD_LIMIT = 16 * 1024 * 1024
_DELIMITERS = (",", "\t", "|", ";")


class BadRow(Exception):
    """A row this reader cannot turn into a record; it is skipped with this message."""


def read_rows(
    source: Source,
    *,
    format_name: str,
    required: Sequence[Sequence[str]],
    stats: ReadStats,
    kinds: Collection[Kind] = ("csv", "jsonl"),
) -> Iterator[tuple[int, Row]]:
    """Stream ``(line, row)`` from a CSV or JSON-lines export.

    ``required`` lists groups of alternative column names (lowercase); the header (or
    the first JSON object) must name at least one of each group. ``kinds`` restricts
    which of the two layouts the format accepts.
    """
    with open_source(source) as stream:
        try:
            yield from _rows(stream, source, format_name, required, stats, kinds)
        except DECOMPRESSION_ERRORS as exc:
            raise UsageError(
                f"{format_name}: {describe(source)} is truncated or corrupt ({exc})"
            ) from exc


def _rows(
    stream: Iterable[str],
    source: Source,
    format_name: str,
    required: Sequence[Sequence[str]],
    stats: ReadStats,
    kinds: Collection[Kind],
) -> Iterator[tuple[int, Row]]:
    lines = iter(stream)
    first_no = 0
    for first in lines:
        first_no += 1
        if first.strip():
            break
    else:
        return  # an empty export has no statements, which is not an error
    first = first.lstrip("\ufeff")  # a BOM, when the caller opened the stream without utf-8-sig
    kind = _layout(first, format_name, source, kinds)
    reader = _jsonl_rows if kind == "jsonl" else _csv_rows
    yield from reader(first, lines, first_no, source, format_name, required, stats)


def _layout(first: str, format_name: str, source: Source, kinds: Collection[Kind]) -> Kind:
    start = first.lstrip()[:1]
    if start == "[":
        raise UsageError(
            f"{format_name}: {describe(source)} is a JSON array; export newline-delimited "
            "JSON (one object per line) so it can be streamed"
        )
    kind: Kind = "jsonl" if start == "{" else "csv"
    if kind not in kinds:
        found = (
            "JSON lines" if kind == "jsonl" else "not JSON lines (its first line is not an object)"
        )
        wanted = " or ".join(sorted(kinds))
        raise UsageError(
            f"{format_name}: {describe(source)} is {found}; this format reads {wanted}"
        )
    return kind


def _jsonl_rows(
    first: str,
    rest: Iterator[str],
    first_no: int,
    source: Source,
    format_name: str,
    required: Sequence[Sequence[str]],
    stats: ReadStats,
) -> Iterator[tuple[int, Row]]:
    checked = False
    for number, raw in enumerate(itertools.chain((first,), rest), first_no):
        if not raw or raw.isspace():
            continue
        try:
            obj = json.loads(raw)
        except ValueError as exc:
            stats.skip(number, f"not valid JSON ({getattr(exc, 'msg', exc)})")
            continue
        if not isinstance(obj, dict):
            stats.skip(number, f"a JSON {type(obj).__name__}, not an object")
            continue
        row = {str(key).lower(): value for key, value in obj.items()}
        if not checked:
            check_columns(row, required, format_name, source, what="first JSON object")
            checked = True
        yield number, row


def _csv_rows(
    first: str,
    rest: Iterator[str],
    first_no: int,
    source: Source,
    format_name: str,
    required: Sequence[Sequence[str]],
    stats: ReadStats,
) -> Iterator[tuple[int, Row]]:
    if csv.field_size_limit() < FIELD_LIMIT:  # process-wide, and only ever raised
        csv.field_size_limit(FIELD_LIMIT)
    lines = itertools.chain((first,), rest)
    reader = csv.reader(lines, delimiter=sniff_delimiter(first), strict=True)
    offset = first_no - 1
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as exc:
        raise UsageError(
            f"{format_name}: the header of {describe(source)} is not CSV ({exc})"
        ) from exc
    check_columns(header, required, format_name, source, what="header")
    width = len(header)
    while True:
        start = reader.line_num + 1 + offset
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            stats.skip(start, f"not valid CSV ({exc})")
            continue
        if len(fields) != width:
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # a blank line
            stats.skip(start, f"{len(fields)} fields where the header has {width}")
            continue
        yield start, dict(zip(header, fields, strict=True))


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a header line: the most frequent of , TAB | ; (comma on a tie).

    Snowsight downloads TSV as well as CSV, and Redshift's UNLOAD writes ``|`` unless
    told otherwise; a header line of plain column names cannot be misread this way.
    """
    return max(_DELIMITERS, key=header_line.count)


def check_columns(
    names: Collection[str],
    required: Sequence[Sequence[str]],
    format_name: str,
    source: Source,
    *,
    what: str,
) -> None:
    """Raise a :class:`UsageError` naming each required column ``names`` lacks."""
    missing = [group for group in required if not any(name in names for name in group)]
    if not missing:
        return
    wanted = " and ".join(
        group[0] if len(group) == 1 else f"{group[0]} (or {', '.join(group[1:])})"
        for group in missing
    )
    shown = sorted(names)
    listed = ", ".join(shown[:15]) + (", …" if len(shown) > 15 else "")
    raise UsageError(
        f"{format_name}: {describe(source)} is not a {format_name} log: its {what} lacks "
        f"{wanted} (found: {listed or 'nothing'})"
    )


def first_value(row: Row, names: Sequence[str]) -> Any:
    """The first non-empty value among ``names`` (aliases in order of preference)."""
    for name in names:
        value = row.get(name)
        if value is not None and value != "":
            return value
    return None


def text(value: Any) -> str | None:
    """A cell as stripped text: ``None`` for empty or NULL (``\\N``), JSON for structures.

    Stripping matters for Redshift, whose CHAR(n) columns arrive space-padded.
    """
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        return stripped if stripped and stripped != "\\N" else None
    if isinstance(value, bool | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def timestamp(
    value: Any, line: int, stats: ReadStats, *, naive_tz: tzinfo = UTC
) -> datetime | None:
    """A start time, or ``None`` with a note: a statement is worth keeping without its time."""
    try:
        return parse_timestamp(value, naive_tz=naive_tz)
    except ValueError as exc:
        stats.note(line, f"start time left empty: {exc}")
        return None


@dataclass(frozen=True)
class TabularReader(ABC):
    """Base of the readers of tabular exports: header check, row loop, counting."""

    name: str
    dialect: str | None

    #: Which layouts the format comes in.
    kinds: tuple[Kind, ...] = ("csv", "jsonl")

    @abstractmethod
    def required_columns(self) -> tuple[tuple[str, ...], ...]:
        """Groups of alternative names; each group must appear in the header."""

    @abstractmethod
    def to_record(self, line: int, row: Row, stats: ReadStats) -> LogRecord | None:
        """The record for ``row``; ``None`` if it is not a finished statement; or ``BadRow``."""

    def read(self, source: Source, stats: ReadStats | None = None) -> Iterator[LogRecord]:
        stats = ReadStats() if stats is None else stats
        rows = read_rows(
            source,
            format_name=self.name,
            required=self.required_columns(),
            stats=stats,
            kinds=self.kinds,
        )
        for line, row in rows:
            try:
                record = self.to_record(line, row, stats)
            except BadRow as exc:
                stats.skip(line, str(exc))
                continue
            if record is None:
                stats.ignored += 1
            else:
                yield stats.count(record)
