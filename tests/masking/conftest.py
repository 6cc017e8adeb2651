"""Fixtures for masking tests. The ``--update-goldens`` switch and its
``update_goldens`` fixture come from tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import pg


@pytest.fixture(scope="module")
def pg_module_database(pg_server: str) -> Iterator[str]:
    """One fresh PostgreSQL database shared by a module's tests (read-mostly data)."""
    url = pg.create_database(pg_server, prefix="veil_mask")
    yield url
    pg.drop_database(pg_server, url)
