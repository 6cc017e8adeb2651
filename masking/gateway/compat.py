"""Answers to the introspection statements drivers send on connect.

SQLAlchemy asks ``select pg_catalog.version()`` and parses "PostgreSQL X.Y" from it;
``pg_catalog.current_schema()`` names the schema unqualified names resolve in. The
warehouse would answer differently (DuckDB says ``v2.0.1``; pg_catalog functions are
not on the rewriter's allowlist), so the gateway answers these exact statements itself.
They read no table; they are audited like any other statement.
"""

from __future__ import annotations

from collections.abc import Callable

from masking.gateway.parameters import SERVER_VERSION, SessionParameters

__all__ = ["VERSION", "answer"]

VERSION = f"PostgreSQL {SERVER_VERSION} on DuckDB, via the Veil masking gateway"


def _version(params: SessionParameters) -> tuple[str, str]:
    return "version", VERSION


def _schema(params: SessionParameters) -> tuple[str, str]:
    return "current_schema", params.default_schema or "public"


_ANSWERS: dict[str, Callable[[SessionParameters], tuple[str, str]]] = {
    "select version()": _version,
    "select pg_catalog.version()": _version,
    "select current_schema()": _schema,
    "select pg_catalog.current_schema()": _schema,
    "select current_schema": _schema,
}


def _normal(sql: str) -> str:
    return " ".join(sql.strip().rstrip(";").split()).lower()


def known(sql: str) -> bool:
    return _normal(sql) in _ANSWERS


def answer_column(sql: str) -> str:
    """The column name of a statement :func:`known` accepts (its answer's first part)."""
    return _ANSWERS[_normal(sql)](SessionParameters())[0]


def answer(sql: str, params: SessionParameters) -> tuple[str, str]:
    """(column name, value) for a statement :func:`known` accepts."""
    return _ANSWERS[_normal(sql)](params)
