"""Alembic environment for the catalog store.

Veil runs migrations itself (catalog.store.open_store) on a connection it passes in
``config.attributes["connection"]``; there is no alembic.ini to point at a database.
"""

from alembic import context

from catalog.store.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
