"""The policy store on SQLite and PostgreSQL: versions, no-op applies, refusals, diffs, races."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from catalog.errors import NotFoundError
from catalog.scan import scan_warehouse
from catalog.store.models import PolicyVersionRow
from policies.document import canonical_yaml, parse_policy
from policies.errors import PolicyError
from policies.store import (
    apply_policy,
    current_policy,
    current_version_number,
    policy_diff,
    policy_history,
    policy_version,
)
from tests import warehouses

V1 = """\
version: 1
roles: {analyst: {}, privacy_officer: {}}
users: {alice: {roles: [analyst]}}
grants:
  - {role: analyst, resource: "sales.*", actions: [select]}
masks:
  - {tag: pii.email_address, method: email, exempt: [privacy_officer]}
row_filters:
  - {table: sales.orders, role: analyst, where: "total < 100"}
retention:
  - {table: sales.orders, column: placed_at, keep: 90d}
"""
# The same policy, written differently: flow style, other order, defaults spelled out.
V1_AGAIN = """\
version: 1
users:
  alice:
    roles: [analyst]
roles: {privacy_officer: {}, analyst: {}}
retention: [{table: sales.orders, column: placed_at, keep: 90d, action: hide}]
row_filters: [{table: sales.orders, where: "total < 100", role: analyst}]
masks: [{tag: pii.email_address, exempt: [privacy_officer], method: email}]
grants: [{role: analyst, actions: [select], resource: "sales.*", effect: allow}]
defaults: {pii_mask: redact}
"""
V2 = V1.replace("keep: 90d", "keep: 120d")


@pytest.fixture
def catalog(store, tmp_path):
    """The store with the sample warehouse scanned as `dw` (crm.customers, sales.orders)."""
    scan_warehouse(store, warehouses.duckdb_warehouse(tmp_path / "dw.duckdb"), "dw")
    return store


def test_applies_make_numbered_versions(catalog):
    assert current_version_number(catalog) == 0 and current_policy(catalog) is None
    first = apply_policy(catalog, V1, by="alice")
    assert first.created and first.version.number == 1
    assert first.version.created_by == "alice" and first.version.source == V1
    assert first.version.diff.startswith("--- no policy\n+++ version 1\n")
    second = apply_policy(catalog, V2, by="bob")
    assert second.created and second.version.number == 2
    assert current_version_number(catalog) == 2
    current = current_policy(catalog)
    assert current is not None and current.number == 2 and current.source == V2
    assert current.policy == parse_policy(V2)
    assert current.created_at.tzinfo is not None
    assert policy_version(catalog, 1).policy == parse_policy(V1)


def test_the_same_policy_again_makes_no_version(catalog):
    apply_policy(catalog, V1, by="alice")
    again = apply_policy(catalog, V1_AGAIN, by="bob")
    assert not again.changed and not again.created
    assert again.version.number == 1 and again.version.created_by == "alice"
    assert current_version_number(catalog) == 1
    with catalog.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PolicyVersionRow)) == 1


def test_an_invalid_policy_leaves_the_previous_one_in_force(catalog):
    apply_policy(catalog, V1, by="alice")
    bad = V2.replace("placed_at", "placed").replace("method: email", "method: emial")
    with pytest.raises(PolicyError) as info:
        apply_policy(catalog, bad, by="mallory")
    messages = [str(p) for p in info.value.problems]
    assert any("unknown mask method 'emial'" in m for m in messages)
    assert any("has no column 'placed'; did you mean 'placed_at'?" in m for m in messages)
    assert current_version_number(catalog) == 1
    assert current_policy(catalog).source == V1


def test_validation_uses_the_catalog(catalog):
    with pytest.raises(PolicyError, match=r"no table sales\.order in the catalog"):
        apply_policy(
            catalog, V1.replace("table: sales.orders, role", "table: sales.order, role"), by="a"
        )
    with pytest.raises(PolicyError, match="is INTEGER, not a date or timestamp"):
        apply_policy(catalog, V1.replace("column: placed_at", "column: customer_id"), by="a")


def test_a_dry_run_stores_nothing(catalog):
    apply_policy(catalog, V1, by="alice")
    result = apply_policy(catalog, V2, by="bob", dry_run=True)
    assert result.changed and not result.created and result.version.number == 2
    assert "-    keep: 90d\n+    keep: 120d\n" in result.version.diff
    assert current_version_number(catalog) == 1


def test_diffs_and_history(catalog):
    apply_policy(catalog, V1, by="alice")
    apply_policy(catalog, V2, by="bob")
    apply_policy(catalog, V1, by="carol")  # back to the first: a new version all the same
    diff = policy_diff(catalog, 2)
    assert diff.startswith("--- version 1\n+++ version 2\n")
    assert "-    keep: 90d\n+    keep: 120d\n" in diff
    assert policy_diff(catalog, 1, 3) == ""
    assert "+    keep: 90d" in policy_diff(catalog, 2, 3)
    history = policy_history(catalog)
    lines = len(canonical_yaml(parse_policy(V1)).splitlines())
    assert [(h.number, h.created_by, h.added, h.removed) for h in history] == [
        (1, "alice", lines, 0),
        (2, "bob", 1, 1),
        (3, "carol", 1, 1),
    ]
    assert history[0].checksum == history[2].checksum != history[1].checksum


def test_missing_versions_are_named(catalog):
    with pytest.raises(NotFoundError, match="no policy version 1") as info:
        policy_version(catalog, 1)
    assert info.value.hint == "No policy was applied yet."
    apply_policy(catalog, V1, by="alice")
    with pytest.raises(NotFoundError, match="no policy version 7") as info:
        policy_version(catalog, 7)
    assert info.value.hint == "Versions are 1 to 1."


def test_the_source_is_kept_byte_for_byte(catalog):
    text = "# our policy\r\nversion: 1   \r\nroles: {analyst: {}}  # trailing\r\n\r\n"
    apply_policy(catalog, text, by="alice")
    assert current_policy(catalog).source == text


@pytest.mark.postgres
@pytest.mark.parametrize("locking", [True, False], ids=["advisory-lock", "retry-only"])
def test_concurrent_applies_get_distinct_numbers(make_pg_database, tmp_path, monkeypatch, locking):
    from catalog.store import open_store

    if not locking:  # the primary key and the retry alone must also be enough
        monkeypatch.setattr("policies.store._lock", lambda session: None)
    store = open_store(make_pg_database())
    try:
        scan_warehouse(store, warehouses.duckdb_warehouse(tmp_path / "dw.duckdb"), "dw")
        count = 6
        barrier = threading.Barrier(count)
        numbers: list[int] = []
        errors: list[BaseException] = []

        def apply(i: int) -> None:
            try:
                text = V1.replace("keep: 90d", f"keep: {i + 1}d")
                barrier.wait()
                numbers.append(apply_policy(store, text, by=f"user{i}").version.number)
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=apply, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert sorted(numbers) == list(range(1, count + 1))
        # each stored diff is against the version just before it, whoever made that one
        for n in range(2, count + 1):
            assert policy_diff(store, n) == policy_diff(store, n - 1, n)
    finally:
        store.close()


def test_a_store_from_before_policies_is_upgraded_keeping_its_data(tmp_path):
    from alembic import command

    from catalog.store import open_store
    from catalog.store.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        conn.execute(
            sa.text(
                "INSERT INTO warehouses (name, url, dialect, created_at) VALUES ('w', 'duckdb:///x', 'duckdb', '2025-01-01')"
            )
        )
    engine.dispose()
    store = open_store(url)
    try:
        assert current_version_number(store) == 0
        with store.session() as session:
            assert session.scalar(sa.text("SELECT name FROM warehouses")) == "w"
        apply_policy(store, "version: 1\nroles: {analyst: {}}\n", by="alice")
        assert current_version_number(store) == 1
    finally:
        store.close()
