"""Fixtures for the wire-protocol tests: one PostgreSQL connection as the oracle."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from tests import pg


@pytest.fixture(scope="module")
def oracle(pg_server: str) -> Iterator[psycopg.Connection]:
    """A connection to real PostgreSQL with the session formats the encoders assume."""
    with psycopg.connect(pg.libpq(pg_server), autocommit=True) as conn:
        conn.execute(
            "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres';"
            " SET extra_float_digits = 1; SET bytea_output = 'hex'"
        )
        yield conn
