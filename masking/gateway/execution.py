"""Prepared statements, portals and cursors: what a session keeps between messages.

A :class:`Prepared` statement is enforced once, when it is parsed (its ``$n``
placeholders survive the rewrite); each :class:`Portal` binds parameter values to one
and holds the running :class:`~masking.gateway.backend.Result` while its rows are
fetched, so ``Execute`` with a row limit can stop (PortalSuspended) and resume. A
cursor declared with ``DECLARE … CURSOR FOR`` is a :class:`Cursor`: the gateway runs
its (enforced) query and answers ``FETCH``, ``MOVE`` and ``CLOSE`` itself.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from masking.gateway.backend import Result
from masking.pgwire.types import ResultColumn, RowEncoder, type_by_name
from masking.rewrite import Rewritten
from masking.statements import Kind

__all__ = [
    "Cursor",
    "LocalResult",
    "Portal",
    "Prepared",
    "command_tag",
    "cursor_name",
    "inner_query",
    "parse_fetch",
    "placeholder_count",
]

_PLACEHOLDER = re.compile(r"\$(\d+)")
_NAME = r'("(?:[^"]|"")*"|[A-Za-z_][\w$]*)'


def placeholder_count(sql: str) -> int:
    """The highest ``$n`` in ``sql`` (0 when none)."""
    return max((int(n) for n in _PLACEHOLDER.findall(sql)), default=0)


def _unquote(name: str) -> str:
    if name.startswith('"'):
        return name[1:-1].replace('""', '"')
    return name.lower()


def cursor_name(declare: str) -> str:
    """The cursor a ``DECLARE name … CURSOR FOR`` statement names."""
    match = re.match(rf"\s*declare\s+{_NAME}", declare, re.IGNORECASE)
    if match is None:
        raise ValueError("not a DECLARE statement")
    return _unquote(match.group(1))


def inner_query(declare: str) -> str:
    """The query after ``FOR`` of an (enforced) ``DECLARE … CURSOR FOR <query>``."""
    match = re.search(r"\bFOR\b", declare, re.IGNORECASE)
    if match is None:
        raise ValueError("not a DECLARE … FOR statement")
    return declare[match.end() :].strip()


_FETCH = re.compile(
    rf"^\s*(?P<verb>fetch|move)\s+(?:(?P<dir>next|prior|first|last|forward|absolute|relative)\s+)?"
    rf"(?P<count>(?:all|[+-]?\d+)\s+)?(?:(?:from|in)\s+)?{_NAME}\s*;?\s*$",
    re.IGNORECASE,
)


def parse_fetch(sql: str) -> tuple[str, int | None, str]:
    """(verb, row count or None for ALL, cursor name) of a forward FETCH or MOVE.
    Raises ValueError for directions other than forward."""
    match = _FETCH.match(sql)
    if match is None:
        raise ValueError("only FETCH [FORWARD] [n | ALL] [FROM] cursor is supported")
    direction = (match.group("dir") or "forward").lower()
    if direction not in ("next", "forward"):
        raise ValueError(f"FETCH {direction.upper()} is not supported: cursors are forward-only")
    count_text = (match.group("count") or "1").strip().lower()
    count = None if count_text == "all" else int(count_text)
    if count is not None and count < 0:
        raise ValueError("cursors are forward-only")
    return match.group("verb").upper(), count, _unquote(match.group(4))


def command_tag(rewritten: Rewritten, rows: int, sql: str) -> str:
    """The CommandComplete tag PostgreSQL would send for a statement of this kind."""
    kind = rewritten.kind
    if kind is Kind.QUERY:
        return f"SELECT {rows}"
    if kind is Kind.INSERT:
        return f"INSERT 0 {rows}"
    if kind in (Kind.UPDATE, Kind.DELETE):
        return f"{kind.value.upper()} {rows}"
    if kind is Kind.CURSOR:
        return "DECLARE CURSOR"
    if kind is Kind.EXPLAIN:
        return "EXPLAIN"
    words = sql.split()
    return " ".join(w.upper() for w in words[:2]) if kind is Kind.DDL else words[0].upper()


class LocalResult:
    """Rows the gateway answers itself (SHOW, FETCH of a cursor)."""

    def __init__(self, columns: tuple[ResultColumn, ...] | None, rows: Sequence[tuple[Any, ...]]):
        self.columns = columns
        self._rows = list(rows)
        self._at = 0

    @classmethod
    def text(cls, names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> LocalResult:
        text = type_by_name("text")
        return cls(tuple(ResultColumn(n, text) for n in names), rows)

    def fetch(self, size: int) -> list[tuple[Any, ...]]:
        rows = self._rows[self._at : self._at + size]
        self._at += len(rows)
        return rows

    def close(self) -> None:
        self._rows = []


class CappedResult:
    """At most ``limit`` rows of another result (FETCH n from a cursor); the underlying
    result stays open."""

    def __init__(self, result: Result, limit: int | None) -> None:
        self.columns = result.columns
        self._result = result
        self._left = limit

    def fetch(self, size: int) -> list[tuple[Any, ...]]:
        if self._left is not None:
            size = min(size, self._left)
            if size <= 0:
                return []
        rows = self._result.fetch(size)
        if self._left is not None:
            self._left -= len(rows)
        return rows

    def close(self) -> None:
        pass


@dataclass
class Prepared:
    name: str
    sql: str
    rewritten: Rewritten
    param_types: tuple[int, ...]
    param_count: int
    columns: tuple[ResultColumn, ...] | None = None
    described: bool = False


@dataclass
class Portal:
    name: str
    prepared: Prepared
    params: tuple[object, ...] = ()
    result_formats: tuple[int, ...] = ()
    result: Result | None = None
    encoder: RowEncoder | None = None
    tag: str | None = None  # set for statements answered without a result
    audit_seq: int | None = None
    rows: int = 0
    started: float = field(default_factory=time.perf_counter)
    pending: list[tuple[Any, ...]] = field(default_factory=list)
    done: bool = False
    #: For a FETCH: the declared cursor its rows come from.
    cursor: Cursor | None = None


@dataclass
class Cursor:
    name: str
    result: Result
    audit_seq: int | None
    rows: int = 0
    started: float = field(default_factory=time.perf_counter)
