"""The catalog store on SQLite and PostgreSQL: migrations, sessions, refusal of newer stores."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from catalog.errors import CatalogStoreError
from catalog.store import open_store
from catalog.store.migrate import current_revision, head_revision
from catalog.store.models import Base, WarehouseRow


def test_migrations_build_exactly_the_models(store):
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert current_revision(conn) == head_revision()


def test_reopening_keeps_data_and_does_not_migrate_again(store):
    with store.session() as session:
        session.add(WarehouseRow(name="w", url="duckdb:///x.duckdb", dialect="duckdb"))
    url = store.engine.url.render_as_string(hide_password=False)
    again = open_store(url)
    with again.session() as session:
        assert session.scalars(sa.select(WarehouseRow.name)).all() == ["w"]
    again.close()


def test_sessions_roll_back_on_error(store):
    with pytest.raises(RuntimeError), store.session() as session:
        session.add(WarehouseRow(name="w", url="duckdb:///x.duckdb", dialect="duckdb"))
        session.flush()
        raise RuntimeError("boom")
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(WarehouseRow)) == 0


def test_timestamps_come_back_timezone_aware(store):
    with store.session() as session:
        session.add(WarehouseRow(name="w", url="duckdb:///x.duckdb", dialect="duckdb"))
    with store.session() as session:
        created = session.scalars(sa.select(WarehouseRow.created_at)).one()
    assert created.utcoffset() is not None and created.utcoffset().total_seconds() == 0


def test_a_store_from_a_newer_veil_is_refused_untouched(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    open_store(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(CatalogStoreError, match=r"newer Veil|does not know"):
        open_store(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == (
            "9999_future"
        )
    engine.dispose()


@pytest.mark.parametrize(
    "url, message",
    [
        ("not a url", "is not a database URL"),
        ("mysql://u@h/db", "must be SQLite or PostgreSQL"),
        ("postgresql+psycopg://postgres@127.0.0.1:1/x", "cannot open the catalog store"),
        ("postgresql+psycopg://u:hunter2@127.0.0.1:1/x", "u:\\*\\*\\*@"),
    ],
)
def test_unusable_store_urls_fail_clearly(url, message):
    with pytest.raises(CatalogStoreError, match=message) as info:
        open_store(url)
    assert "hunter2" not in str(info.value)


def test_sqlite_store_directory_is_created(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'deep' / 'er' / 'catalog.db'}")
    s.close()
    assert (tmp_path / "deep" / "er" / "catalog.db").exists()
