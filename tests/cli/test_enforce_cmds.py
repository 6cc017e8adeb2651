"""`veil policy explain` and `veil rewrite` through the real CLI, store and warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests import warehouses

POLICY = """\
version: 1
roles: {analyst: {}, privacy_officer: {}}
users: {alice: {roles: [analyst]}, bob: {roles: [privacy_officer]}}
grants:
  - {role: analyst, resource: "crm.*", actions: [select]}
  - {role: analyst, resource: "sales.*", actions: [select]}
  - {role: analyst, resource: "crm.customers.born", actions: [select], effect: deny}
  - {role: privacy_officer, resource: "*", actions: [select]}
masks:
  - {tag: pii.email_address, method: email, exempt: [privacy_officer]}
row_filters:
  - {table: "sales.orders", role: analyst, where: "total < 50"}
defaults: {pii_mask: redact, unknown_columns: deny}
"""


@pytest.fixture
def cataloged(run, tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    url = warehouses.duckdb_warehouse(path)
    run("scan", "--warehouse", url, "--name", "wh")
    run("pii", "confirm", "wh.crm.customers.email", "--entity", "EMAIL_ADDRESS")
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    run("policy", "apply", str(policy))
    return path


def test_explain_names_mask_rule_and_reason(run, cataloged: Path) -> None:
    out = run("policy", "explain", "--user", "alice", "--column", "crm.customers.email").output
    assert "masked with email" in out
    assert "masks[0]" in out
    assert "email_address (confirmed)" in out


def test_explain_json_for_exempt_and_denied(run, cataloged: Path) -> None:
    bob = json.loads(
        run(
            "policy",
            "explain",
            "--user",
            "bob",
            "--column",
            "crm.customers.email",
            "--format",
            "json",
        ).output
    )
    assert bob["allowed"] is True and bob["mask"] is None
    assert "exempt" in bob["reason"]
    alice = json.loads(
        run(
            "policy",
            "explain",
            "--user",
            "alice",
            "--column",
            "crm.customers.born",
            "--format",
            "json",
        ).output
    )
    assert alice["allowed"] is False and "deny" in alice["reason"]


def test_explain_shows_row_filter(run, cataloged: Path) -> None:
    out = run("policy", "explain", "--user", "alice", "--column", "sales.orders.total").output
    assert "total < 50" in out


def test_rewrite_runs_masked_on_the_real_warehouse(run, cataloged: Path) -> None:
    out = run(
        "rewrite",
        "--warehouse",
        "wh",
        "--user",
        "alice",
        "SELECT id, email FROM crm.customers ORDER BY id",
    ).output
    sql = out.strip().rstrip(";")
    with duckdb.connect(str(cataloged), read_only=True) as conn:
        rows = conn.execute(sql).fetchall()
    assert rows == [(1, "***@example.com"), (2, "***@example.org"), (3, "***@example.net")]


def test_rewrite_refusal_exits_1_with_sqlstate(run, cataloged: Path) -> None:
    out = run(
        "rewrite",
        "--warehouse",
        "wh",
        "--user",
        "alice",
        "SELECT born FROM crm.customers; SELECT pg_sleep(1)",
        code=1,
    ).output
    assert "refused (42501): permission denied for column born" in out
    assert "pg_sleep" in out


def test_rewrite_without_policy_refuses_everything(run, tmp_path: Path) -> None:
    url = warehouses.duckdb_warehouse(tmp_path / "w2.duckdb")
    run("scan", "--warehouse", url, "--name", "w2")
    out = run("rewrite", "--warehouse", "w2", "--user", "alice", "SELECT 1", code=1).output
    assert "no policy has been applied" in out


def test_copy_made_outside_veil_is_masked_after_the_next_scan(
    run, cataloged: Path, tmp_path: Path
) -> None:
    """Lineage seen before the copy existed: the re-scan propagates PII, so it is masked."""
    log = tmp_path / "log.jsonl"
    log.write_text(
        json.dumps(
            {
                "query_text": "CREATE TABLE sales.contacts AS SELECT id, email FROM crm.customers",
                "user_name": "etl",
                "status": "success",
                "query_id": "1",
            }
        )
        + "\n"
    )
    run("lineage", "ingest", "--warehouse", "wh", "--format", "jsonl", str(log))
    with duckdb.connect(str(cataloged)) as conn:
        conn.execute("CREATE TABLE sales.contacts AS SELECT id, email FROM crm.customers")
    out = run("scan", "--warehouse", "wh").output
    assert "PII propagated along lineage to 1 newly seen columns" in out
    sql = run(
        "rewrite", "--warehouse", "wh", "--user", "alice", "SELECT email FROM sales.contacts"
    ).output
    with duckdb.connect(str(cataloged), read_only=True) as conn:
        rows = conn.execute(sql.strip().rstrip(";")).fetchall()
    assert sorted(rows) == [("***@example.com",), ("***@example.net",), ("***@example.org",)]
