"""What every log reader yields, what it counts, and the seam they all fit.

Readers turn a warehouse's own log format into :class:`LogRecord`, one per statement
the warehouse ran, so lineage ingestion never needs to know where a statement came
from. They stream: a record is yielded as soon as it is complete, and what goes wrong
on the way (a torn line, a row with too few fields) is counted in :class:`ReadStats`
instead of stopping a multi-gigabyte read at line 3,000,000.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Protocol, TextIO

#: A log file (plain or gzip-compressed) by path, or an already open text stream.
Source = str | os.PathLike[str] | TextIO


class Status(StrEnum):
    """How the statement ended. Unfinished statements (running, queued) are not records."""

    SUCCESS = "success"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One statement as the warehouse logged it.

    ``line`` is the 1-based line of the file where the statement's entry starts, so
    a statement that fails to parse can be found again. ``dialect`` is the sqlglot
    dialect the source implies (``None`` for the generic formats: the warehouse's
    own dialect applies). ``database``/``schema`` are the session's defaults when
    the statement ran, which resolve unqualified table names.
    """

    query_text: str
    line: int
    status: Status = Status.SUCCESS
    user: str | None = None
    start_time: datetime | None = None
    database: str | None = None
    schema: str | None = None
    error: str | None = None
    query_id: str | None = None
    dialect: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """What a reader noticed at ``line``: why a row was skipped, or a doubt about a kept one."""

    line: int
    message: str
    skipped: bool = False

    def __str__(self) -> str:
        return f"line {self.line}: {'skipped: ' if self.skipped else ''}{self.message}"


@dataclass
class ReadStats:
    """Counters a reader updates while it streams; read them after the iterator ends.

    * ``records``: statements yielded (``failed`` of them ended in an error);
    * ``skipped``: malformed lines or rows that could not be read at all;
    * ``ignored``: well-formed entries that are not finished statements (connection
      messages, LOAD jobs, queries still running, …).

    ``problems`` keeps the first :attr:`MAX_PROBLEMS` skipped rows and doubts with
    their line numbers: enough to show the user, bounded however broken the file is.
    """

    MAX_PROBLEMS: ClassVar[int] = 100

    records: int = 0
    failed: int = 0
    skipped: int = 0
    ignored: int = 0
    problems: list[Problem] = field(default_factory=list)

    def count(self, record: LogRecord) -> LogRecord:
        self.records += 1
        if record.status is Status.FAILED:
            self.failed += 1
        return record

    def skip(self, line: int, message: str) -> None:
        self.skipped += 1
        self._keep(Problem(line, message, skipped=True))

    def note(self, line: int, message: str) -> None:
        self._keep(Problem(line, message))

    @property
    def skipped_lines(self) -> list[int]:
        """Lines of the skipped rows among the kept problems (the first ``MAX_PROBLEMS``)."""
        return [p.line for p in self.problems if p.skipped]

    def _keep(self, problem: Problem) -> None:
        if len(self.problems) < self.MAX_PROBLEMS:
            self.problems.append(problem)


class LogReader(Protocol):
    """A query-log format: a name users type, a dialect hint, and a streaming reader.

    ``read`` must not load the file whole; it raises :class:`catalog.errors.UsageError`
    when the file is not this format at all (wrong header), and otherwise counts bad
    rows in ``stats`` and keeps going.
    """

    @property
    def name(self) -> str: ...

    @property
    def dialect(self) -> str | None: ...

    def read(self, source: Source, stats: ReadStats | None = None) -> Iterator[LogRecord]: ...
