"""Bring the catalog store's schema up to date, safely, on every start.

Runs Alembic programmatically. Three rules: a store written by a newer Veil is never
touched (its revision is unknown here); a SQLite store is copied aside before any
upgrade of existing data, so a failed or unwanted migration loses nothing; and on
PostgreSQL an advisory lock makes concurrent starts (several gateways) migrate once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from catalog.errors import CatalogStoreError

_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
#: Arbitrary constant key for pg_advisory_lock: "veil" in ASCII.
_PG_LOCK_KEY = 0x7665696C


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade_store(engine: Engine) -> str | None:
    """Upgrade the store to the newest schema. Returns the path of a backup, if one was made."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()
        try:
            current = current_revision(conn)
            if current == head:
                return None
            if current is not None and current not in {r.revision for r in script.walk_revisions()}:
                raise CatalogStoreError(
                    f"the catalog store is at schema revision {current}, which this version of "
                    "Veil does not know",
                    hint="It was written by a newer Veil: upgrade Veil, or point VEIL_CATALOG_URL "
                    "at another store.",
                )
            backup = _backup_sqlite(engine, current) if current is not None else None
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
            return backup
        finally:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                conn.commit()


def _backup_sqlite(engine: Engine, revision: str) -> str | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    source = Path(database)
    target = source.with_name(f"{source.name}.before-{revision}.bak")
    shutil.copy2(source, target)
    return str(target)
