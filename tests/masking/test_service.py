"""Enforcement over a real catalog store: current policy, catalog changes, the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.config import load_settings
from catalog.pii import confirm, reject
from catalog.scan import scan_warehouse
from catalog.store import Store
from masking.errors import Refused
from masking.service import Enforcement, mask_secrets
from policies.store import apply_policy
from tests import warehouses
from tests.masking.world import SECRETS

POLICY = """\
version: 1
roles: {analyst: {}}
users: {alice: {roles: [analyst]}}
grants:
  - {role: analyst, resource: "*", actions: [select]}
masks:
  - {tag: pii.email_address, method: email}
"""
QUERY = "SELECT email FROM crm.customers"


@pytest.fixture
def enforcement(store: Store, tmp_path: Path) -> Enforcement:
    url = warehouses.duckdb_warehouse(tmp_path / "wh.duckdb")
    scan_warehouse(store, url, "wh")
    return Enforcement(store, "wh", SECRETS, check_interval=0)


def test_no_policy_refuses_everything(enforcement: Enforcement) -> None:
    with pytest.raises(Refused, match="no policy has been applied"):
        enforcement.rewrite(QUERY, "alice")


def test_confirming_pii_takes_effect_on_the_next_statement(
    store: Store, enforcement: Enforcement
) -> None:
    apply_policy(store, POLICY, by="admin")
    assert "REGEXP" not in enforcement.rewrite(QUERY, "alice").sql.upper()
    confirm(store, "wh.crm.customers.email", entity="EMAIL_ADDRESS", by="steward")
    assert "@" in enforcement.rewrite(QUERY, "alice").sql  # the email mask keeps '@domain'
    reject(store, "wh.crm.customers.email", by="steward")
    assert (
        enforcement.rewrite(QUERY, "alice").sql
        == 'SELECT email FROM (SELECT "id", "email", "full_name", "born", "balance" FROM "crm"."customers") AS customers'
    )


def test_new_policy_version_invalidates_cached_rewrites(
    store: Store, enforcement: Enforcement
) -> None:
    apply_policy(store, POLICY, by="admin")
    enforcement.rewrite(QUERY, "alice")
    enforcement.rewrite(QUERY, "alice")
    assert (enforcement.hits, enforcement.misses) == (1, 1)
    apply_policy(store, POLICY.replace("[select]", "[insert]"), by="admin")
    with pytest.raises(Refused, match="permission denied"):
        enforcement.rewrite(QUERY, "alice")
    assert enforcement.policy_version == 2


def test_cache_is_per_user_and_default_schema(store: Store, enforcement: Enforcement) -> None:
    apply_policy(store, POLICY, by="admin")
    enforcement.rewrite("SELECT email FROM customers", "alice", default_schema="crm")
    with pytest.raises(Refused, match="not in the Veil catalog"):
        enforcement.rewrite("SELECT email FROM customers", "alice", default_schema="sales")
    with pytest.raises(Refused, match=r"no roles|not in the policy"):
        enforcement.rewrite("SELECT email FROM customers", "mallory", default_schema="crm")


def test_generated_mask_keys_are_private_and_stable(tmp_path: Path) -> None:
    settings = load_settings(environ={"VEIL_HOME": str(tmp_path / "home")})
    first = mask_secrets(settings)
    second = mask_secrets(settings)
    assert first == second and len(first.salt) == 64 and first.salt != first.token_key
    keys = tmp_path / "home" / "mask-keys.json"
    assert keys.stat().st_mode & 0o777 == 0o600


def test_configured_mask_keys_win(tmp_path: Path) -> None:
    settings = load_settings(
        environ={
            "VEIL_HOME": str(tmp_path),
            "VEIL_MASK_SALT": "s1",
            "VEIL_MASK_TOKEN_KEY": "k1",
        }
    )
    secrets = mask_secrets(settings)
    assert (secrets.salt, secrets.token_key) == ("s1", "k1")
    assert not (tmp_path / "mask-keys.json").exists()
