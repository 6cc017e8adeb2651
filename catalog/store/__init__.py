"""The catalog store: where Veil keeps what it knows (SQLite by default, or PostgreSQL).

Open it with :func:`open_store`; it upgrades its own schema first. Work happens in
:meth:`Store.session` blocks, which commit on success and roll back on any error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from catalog.connect import redact_url
from catalog.errors import CatalogStoreError, VeilError
from catalog.store.migrate import upgrade_store

__all__ = ["Store", "open_store"]


class Store:
    """A handle on the catalog store: an engine and a session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        """The store's URL with any password hidden."""
        return redact_url(self.engine.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except sa_exc.OperationalError as e:
            session.rollback()
            raise CatalogStoreError(
                f"the catalog store at {self.url} failed: {_first_line(e)}",
                hint="Check that it is reachable and not locked by another process.",
            ) from e
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, upgrade: bool = True) -> Store:
    """Open (creating if needed) the catalog store at ``url`` and migrate it to this version."""
    engine = _create_engine(url)
    try:
        if upgrade:
            upgrade_store(engine)
    except VeilError:
        engine.dispose()
        raise
    except sa_exc.DBAPIError as e:
        engine.dispose()
        raise CatalogStoreError(
            f"cannot open the catalog store at {redact_url(url)}: {_first_line(e)}",
            hint="Set VEIL_CATALOG_URL (or catalog_url in veil.yaml) to a reachable database.",
        ) from e
    return Store(engine)


def _create_engine(url: str) -> Engine:
    try:
        parsed = sa.make_url(url)
    except sa_exc.ArgumentError:
        raise CatalogStoreError(
            f"catalog_url {redact_url(url)!r} is not a database URL",
            hint="Use sqlite:///path/catalog.db or postgresql+psycopg://user@host/db.",
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise CatalogStoreError(
            f"the catalog store must be SQLite or PostgreSQL, not {backend}",
            hint="Use sqlite:///path/catalog.db or postgresql+psycopg://user@host/db.",
        )
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        kwargs["pool_pre_ping"] = True
        kwargs["connect_args"] = {"connect_timeout": 10}
    engine = sa.create_engine(parsed, **kwargs)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _first_line(e: BaseException) -> str:
    text = str(getattr(e, "orig", None) or e).strip()
    return text.splitlines()[0] if text else type(e).__name__
