"""Decisions: PRODUCT.md's masking precedence, grants, row filters and retention."""

from __future__ import annotations

import pytest

from catalog.model import PiiInfo
from policies.decide import Decider
from policies.document import parse_policy
from policies.explain import explain
from policies.facts import ColumnFacts, TableFacts, WarehouseFacts

PII = "pii", "pii.email_address"


def _table(*columns: ColumnFacts, schema: str = "sales", name: str = "customers") -> TableFacts:
    return TableFacts("wh", schema, name, columns=columns)


def _decider(masks: str, extra: str = "", defaults: str = "") -> Decider:
    text = f"""
version: 1
roles: {{analyst: {{}}, senior: {{inherits: [analyst]}}, officer: {{}}}}
users:
  alice: {{roles: [analyst]}}
  sam: {{roles: [senior]}}
  olga: {{roles: [officer]}}
  both: {{roles: [analyst, officer]}}
grants:
  - {{role: analyst, resource: "*", actions: [select]}}
  - {{role: officer, resource: "*", actions: [select]}}
masks:
{masks or "  []"}
{extra}
defaults: {{pii_mask: redact{defaults}}}
"""
    return Decider(parse_policy(text))


EMAIL = ColumnFacts(
    "email", "VARCHAR", frozenset(PII), (PiiInfo("EMAIL_ADDRESS", 0.9, "confirmed"),)
)
SSN = ColumnFacts(
    "ssn", "VARCHAR", frozenset({"pii", "pii.us_ssn"}), (PiiInfo("US_SSN", 0.9, "confirmed"),)
)
SUGGESTED = ColumnFacts("ip", "VARCHAR", frozenset(), (PiiInfo("IP_ADDRESS", 0.7, "suggested"),))
PLAIN = ColumnFacts("id", "INTEGER")
TAGGED = ColumnFacts("note", "VARCHAR", frozenset({"pii"}))

# (case, masks YAML lines, user, column, expected method or None for raw)
PRECEDENCE = [
    ("tag rule", "  - {tag: pii, method: hash}", "alice", EMAIL, "hash"),
    (
        "specific tag beats broad tag",
        "  - {tag: pii, method: redact}\n  - {tag: pii.email_address, method: email}",
        "alice",
        EMAIL,
        "email",
    ),
    (
        "table rule beats tag rule",
        "  - {tag: pii.email_address, method: null}\n  - {table: sales.customers, method: hash}",
        "alice",
        EMAIL,
        "hash",
    ),
    (
        "column rule beats table rule",
        "  - {table: sales.customers, method: null}\n"
        "  - {column: sales.customers.email, method: email}",
        "alice",
        EMAIL,
        "email",
    ),
    (
        "strictest among equals",
        "  - {tag: pii, method: partial, show_last: 2}\n  - {tag: pii, method: null}",
        "alice",
        EMAIL,
        "null",
    ),
    (
        "exempt role sees raw",
        "  - {tag: pii.email_address, method: email, exempt: [officer]}",
        "olga",
        EMAIL,
        None,
    ),
    (
        "exemption is by role, not inherited upward",
        "  - {tag: pii, method: redact, exempt: [senior]}",
        "alice",
        EMAIL,
        "redact",
    ),
    (
        "inherited role's exemption counts",
        "  - {tag: pii, method: redact, exempt: [analyst]}",
        "sam",
        EMAIL,
        None,
    ),
    (
        "exempt from the winning rule only if exempt from all its equals",
        "  - {tag: pii, method: hash, exempt: [officer]}\n  - {tag: pii, method: redact}",
        "olga",
        EMAIL,
        "redact",
    ),
    ("confirmed PII without a rule gets the default", "", "alice", SSN, "redact"),
    (
        "suggested PII is masked like confirmed",
        "  - {tag: pii.ip_address, method: hash}",
        "alice",
        SUGGESTED,
        "hash",
    ),
    ("suggested PII without a rule gets the default", "", "alice", SUGGESTED, "redact"),
    ("a manual pii tag is a tag", "  - {tag: pii, method: null}", "alice", TAGGED, "null"),
    ("no PII, no rule: raw", "  - {tag: pii, method: null}", "alice", PLAIN, None),
    (
        "glob column rule",
        "  - {column: 'sales.*.id', method: bucket, size: 10}",
        "alice",
        PLAIN,
        "bucket",
    ),
    ("other schema not covered", "  - {column: 'hr.*.id', method: null}", "alice", PLAIN, None),
]


@pytest.mark.parametrize(
    ("masks", "user", "column", "expected"),
    [case[1:] for case in PRECEDENCE],
    ids=[case[0] for case in PRECEDENCE],
)
def test_mask_precedence(masks: str, user: str, column: ColumnFacts, expected: str | None) -> None:
    decision = _decider(masks).table(user, _table(column, PLAIN))
    found = decision.column(column.name)
    assert found is not None and found.readable
    assert (found.mask.method if found.mask else None) == expected, found.reason


def test_mask_suggested_false_leaves_suggestions_raw() -> None:
    decider = _decider("", defaults=", mask_suggested: false")
    found = decider.table("alice", _table(SUGGESTED)).column("ip")
    assert found is not None and found.mask is None


def test_row_filters_of_all_roles_apply_together() -> None:
    extra = """row_filters:
  - {table: sales.customers, role: analyst, where: "region = 'EU'"}
  - {table: sales.customers, role: officer, where: "active"}
  - {table: sales.customers, where: "NOT deleted"}
retention:
  - {table: sales.customers, column: created_at, keep: 30d}"""
    decider = _decider("", extra)
    table = _table(PLAIN, ColumnFacts("created_at", "TIMESTAMP"))
    alice = decider.table("alice", table)
    both = decider.table("both", table)
    assert {f.where for f in alice.row_filters} == {"region = 'EU'", "NOT deleted"}
    assert {f.where for f in both.row_filters} == {"region = 'EU'", "active", "NOT deleted"}
    assert [r.keep for r in alice.retention] == ["30d"]


def test_unknown_user_reads_nothing() -> None:
    decision = _decider("").table("nobody", _table(EMAIL, PLAIN))
    assert not decision.readable
    assert "not in the policy" in decision.columns[0].reason


def test_explain_says_which_rule_and_why() -> None:
    decider = _decider("  - {tag: pii.email_address, method: email, exempt: [officer]}")
    table = _table(EMAIL, PLAIN)
    masked = explain(decider, table, "email", "alice")
    assert masked.allowed and masked.mask is not None
    assert "masks[0]" in masked.sentence() and "email_address (confirmed)" in masked.sentence()
    raw = explain(decider, table, "email", "olga")
    assert raw.mask is None and "exempt" in raw.reason
    assert raw.to_json()["mask"] is None


def test_facts_find_ignores_case_but_prefers_exact() -> None:
    facts = WarehouseFacts(
        "wh", "postgres", (_table(PLAIN, name="Orders"), _table(PLAIN, name="orders"))
    )
    found = facts.find("sales", "Orders")
    assert found is not None and found.name == "Orders"
    assert facts.find("SALES", "ORDERS") is None  # two candidates, none exact: ambiguous
