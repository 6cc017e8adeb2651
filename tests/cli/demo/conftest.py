"""Fixtures for the demo generator: small warehouses are built once per session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from cli.demo import DemoWarehouse, build_warehouse

SMALL_SCALE = 0.05


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouse:
    """A read-only-by-convention warehouse at 5% scale; tests that write build their own."""
    return build_warehouse(tmp_path_factory.mktemp("small") / "demo.duckdb", scale=SMALL_SCALE)


@pytest.fixture(scope="session")
def small_con(small_warehouse: DemoWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(small_warehouse.path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def small_scale() -> float:
    return SMALL_SCALE


def _build_small(path: Path, *, seed: int = 7) -> DemoWarehouse:
    return build_warehouse(path, seed=seed, scale=SMALL_SCALE)


@pytest.fixture
def build_small() -> Callable[..., DemoWarehouse]:
    """Build a fresh small warehouse at a path of the test's choosing (it may modify it)."""
    return _build_small


@pytest.fixture(scope="module")
def build_small_module() -> Callable[..., DemoWarehouse]:
    """``build_small`` for module-scoped fixtures."""
    return _build_small
