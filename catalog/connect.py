"""Warehouse connections: open a SQLAlchemy engine from a URL, or say clearly why not.

Every way a connection can fail (a malformed URL, a driver that is not installed, a
file that does not exist, a host that does not answer, a refused login, a missing
privilege) becomes one :class:`WarehouseError` sentence that says what to do. URLs are
only ever shown through :func:`redact_url`, so passwords never reach a terminal or a log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine

from catalog.errors import UsageError, WarehouseError

_EXAMPLES = (
    "postgresql+psycopg://user@host:5432/db, duckdb:///path/to/file.duckdb, "
    "sqlite:///path/to/file.db"
)

#: pip packages that provide a SQLAlchemy dialect or driver, by the name SQLAlchemy reports.
_DRIVER_PACKAGES = {
    "snowflake": "snowflake-sqlalchemy",
    "bigquery": "sqlalchemy-bigquery",
    "redshift": "sqlalchemy-redshift",
    "trino": "trino[sqlalchemy]",
    "databricks": "databricks-sqlalchemy",
    "mysql": "pymysql (and use mysql+pymysql://)",
    "psycopg2": "psycopg2-binary, or use postgresql+psycopg:// (installed with Veil)",
    "pymysql": "pymysql",
    "asyncpg": "asyncpg",
    "pg8000": "pg8000",
    "mssql": "pyodbc",
    "oracle": "oracledb",
}

_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def redact_url(url: str | URL) -> str:
    """The URL with its password replaced by ``***``; safe to print and log.

    >>> redact_url("postgresql://ann:s3cret@db:5432/sales")
    'postgresql://ann:***@db:5432/sales'
    """
    text = url.render_as_string(hide_password=False) if isinstance(url, URL) else str(url)
    return _PASSWORD_IN_URL.sub(r"\1***@", text)


def parse_url(url: str) -> URL:
    """Parse a SQLAlchemy URL, or explain what one looks like."""
    try:
        return sa.make_url(url)
    except sa_exc.ArgumentError:
        raise UsageError(
            f"{redact_url(url)!r} is not a database URL",
            hint=f"Use a SQLAlchemy URL such as {_EXAMPLES}.",
        ) from None


def create_warehouse_engine(url: str, *, read_only: bool = True) -> Engine:
    """An engine for the warehouse at ``url``; nothing is created on disk.

    File-based engines (DuckDB, SQLite) would silently create an empty database for a
    mistyped path, so a missing file is an error here. DuckDB files are opened
    read-only by default so a scan does not lock out the writer.
    """
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    connect_args: dict[str, object] = {}
    if backend in ("duckdb", "sqlite"):
        _require_database_file(parsed, backend)
        if backend == "duckdb" and read_only and parsed.database not in (None, "", ":memory:"):
            connect_args["read_only"] = True
    if backend == "postgresql":
        connect_args.setdefault("connect_timeout", 10)
    try:
        return sa.create_engine(parsed, connect_args=connect_args, pool_pre_ping=True)
    except sa_exc.NoSuchModuleError:
        raise _missing_driver(backend, _driver(parsed)) from None
    except ModuleNotFoundError as e:
        raise _missing_driver(backend, e.name or _driver(parsed)) from e


@contextmanager
def warehouse_connection(engine: Engine) -> Iterator[Connection]:
    """Connect, translating connection failures into one actionable sentence."""
    try:
        conn = engine.connect()
    except sa_exc.DBAPIError as e:
        raise explain_db_error(e, engine.url) from e
    with conn:
        yield conn


def explain_db_error(error: sa_exc.DBAPIError, url: URL) -> WarehouseError:
    """Turn a driver error into a WarehouseError a user can act on."""
    text = str(getattr(error, "orig", None) or error)
    lowered = text.lower()
    where = _describe_target(url)
    user = url.username or "(default user)"
    if "authentication failed" in lowered or ("role" in lowered and "does not exist" in lowered):
        return WarehouseError(
            f"{where} refused the login for user {user!r}",
            hint="Check the user name and password in the URL.",
        )
    if "no password supplied" in lowered:
        return WarehouseError(
            f"{where} wants a password for user {user!r} and the URL has none",
            hint="Put it in the URL (postgresql+psycopg://user:password@host/db).",
        )
    if "does not exist" in lowered and "database" in lowered:
        return WarehouseError(
            f"database {url.database!r} does not exist on {where}",
            hint="Check the database name at the end of the URL.",
        )
    if "permission denied" in lowered or "insufficient privilege" in lowered:
        detail = _first_line(text)
        return WarehouseError(
            f"user {user!r} lacks a privilege Veil needs on {where}: {detail}",
            hint="Grant it USAGE on the schemas and SELECT on the tables, or scan as another user.",
        )
    unreachable = (
        "connection refused",
        "could not translate host name",
        "name or service not known",
        "timeout expired",
        "timed out",
        "no route to host",
        "network is unreachable",
        "could not connect",
        "connection to server",
    )
    if any(s in lowered for s in unreachable):
        return WarehouseError(
            f"cannot reach {where}: {_first_line(text)}",
            hint="Check that the server is running and that host and port in the URL are right.",
        )
    if "lock" in lowered and url.get_backend_name() == "duckdb":
        return WarehouseError(
            f"{where} is locked by another process: {_first_line(text)}",
            hint="Stop the process writing to it (or let it finish), then try again.",
        )
    if "file is not a database" in lowered or "not a valid duckdb database" in lowered:
        return WarehouseError(f"{where} is not a {url.get_backend_name()} database file")
    return WarehouseError(f"{where} failed: {_first_line(text)}")


def _require_database_file(url: URL, backend: str) -> None:
    db = url.database
    if db in (None, "", ":memory:") or (db or "").startswith("file:"):
        return
    path = Path(db or "")
    if not path.exists():
        raise WarehouseError(
            f"no {'DuckDB' if backend == 'duckdb' else 'SQLite'} database at {path}",
            hint="Check the path: relative paths start from the current directory, and an "
            f"absolute path needs four slashes ({backend}:////abs/path/file).",
        )
    if path.is_dir():
        raise WarehouseError(f"{path} is a directory, not a database file")


def _driver(url: URL) -> str | None:
    _, _, driver = url.drivername.partition("+")
    return driver or None


def _missing_driver(backend: str, driver: str | None) -> WarehouseError:
    name = driver if driver and driver in _DRIVER_PACKAGES else backend
    package = _DRIVER_PACKAGES.get(name) or _DRIVER_PACKAGES.get(backend)
    hint = (
        f"Install it with: pip install {package}"
        if package
        else "Install the SQLAlchemy dialect for this database, or check the URL's scheme."
    )
    return WarehouseError(f"no installed driver for {backend!r} URLs ({name})", hint=hint)


def _describe_target(url: URL) -> str:
    backend = url.get_backend_name()
    if backend in ("duckdb", "sqlite"):
        return f"{backend} database {url.database}"
    host = url.host or "localhost"
    port = f":{url.port}" if url.port else ""
    return f"{backend} server {host}{port}"


def _first_line(text: str) -> str:
    for line in text.strip().splitlines():
        line = line.strip()
        if line and not line.startswith("(Background on this error"):
            return line
    return text.strip()


#: SQLAlchemy dialect names that sqlglot spells differently.
_SQLGLOT_NAMES = {"postgresql": "postgres", "mssql": "tsql", "awsathena": "athena"}


def sqlglot_dialect(sqlalchemy_dialect: str) -> str:
    """The sqlglot dialect for a warehouse whose SQLAlchemy dialect is ``sqlalchemy_dialect``.

    >>> sqlglot_dialect("postgresql")
    'postgres'
    """
    return _SQLGLOT_NAMES.get(sqlalchemy_dialect, sqlalchemy_dialect)
