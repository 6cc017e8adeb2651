"""The bulk lineage protocol: one JSON request per line in, one JSON reply per line out.

Request: ``{"id", "sql", "dialect", "schema": {...} | null, "default_db", "default_schema"}``
(``indirect`` optional). Reply: ``{"id", "edges", "sources", "targets", "error"}``. A bad
line (not JSON, not an object, no ``sql``) gets an error reply with whatever ``id`` could
be read; nothing a client sends can stop the stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from lineage.parse import statement_lineage


def answer(line: str, *, indirect: bool = False) -> dict[str, Any]:
    """The reply to one request line."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError as e:
        return _reply(None, error=f"invalid JSON request: {e.msg} at column {e.colno}")
    if not isinstance(request, dict):
        return _reply(None, error="a request must be a JSON object")
    rid = request.get("id")
    sql = request.get("sql")
    if not isinstance(sql, str) or not sql.strip():
        return _reply(rid, error='the request has no "sql" text')
    problem = _check(request)
    if problem:
        return _reply(rid, error=problem)
    result = statement_lineage(
        sql,
        request.get("dialect") or None,
        schema=request.get("schema") or None,
        default_db=request.get("default_db") or None,
        default_schema=request.get("default_schema") or None,
        indirect=bool(request.get("indirect", indirect)),
    )
    return _reply(
        rid,
        edges=[e.as_json() for e in result.edges],
        sources=list(result.sources),
        targets=list(result.targets),
        error=result.error,
    )


def answer_all(lines: Iterable[str], *, indirect: bool = False) -> Iterator[dict[str, Any]]:
    for line in lines:
        if line.strip():
            yield answer(line, indirect=indirect)


def _check(request: Mapping[str, Any]) -> str | None:
    schema = request.get("schema")
    if schema is not None and not _is_schema(schema):
        return '"schema" must map table names to lists of column names'
    for key in ("dialect", "default_db", "default_schema"):
        value = request.get(key)
        if value is not None and not isinstance(value, str):
            return f'"{key}" must be a string or null'
    dialect = request.get("dialect")
    if dialect:
        from sqlglot.dialects.dialect import Dialect

        try:
            Dialect.get_or_raise(dialect)
        except ValueError as e:
            return str(e).splitlines()[0]
    return None


def _is_schema(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, Sequence) and not isinstance(v, str)
        for k, v in value.items()
    )


def _reply(
    rid: object,
    *,
    edges: list[dict[str, str]] | None = None,
    sources: list[str] | None = None,
    targets: list[str] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    return {
        "id": rid,
        "edges": edges or [],
        "sources": sources or [],
        "targets": targets or [],
        "error": error,
    }
