"""An Enforcer keeps each user's decision and derived-table SELECT per table; keeping them
must change nothing: a warm enforcer rewrites exactly as a new one does."""

from __future__ import annotations

from collections import Counter

import pytest

from masking.errors import Refused
from masking.rewrite import Enforcer
from policies.decide import Decider, TableDecision
from policies.document import parse_policy
from policies.facts import TableFacts, WarehouseFacts
from tests.masking.test_rewrite_golden import CASES, DIALECTS
from tests.masking.world import POLICY, SECRETS, enforcer, tables


def _outcome(enforce: Enforcer, sql: str, user: str) -> object:
    try:
        result = enforce.rewrite(sql, user)
    except Refused as e:
        return ("refused", e.sqlstate, e.message)
    return (result.sql, result.kind, result.tables, result.notices, dict(result.masked))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_warm_enforcer_rewrites_exactly_as_a_new_one(dialect: str) -> None:
    warm = enforcer(dialect)
    for _ in range(2):
        for case_id, user, dialects, sql in CASES:
            if dialect in dialects:
                fresh = _outcome(enforcer(dialect), sql, user)
                assert _outcome(warm, sql, user) == fresh, case_id


class _CountingDecider(Decider):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.calls: Counter[tuple[str, str]] = Counter()

    def table(self, user: str, table: TableFacts) -> TableDecision:
        self.calls[(user, table.qualified)] += 1
        return super().table(user, table)


def test_each_user_and_table_is_decided_once() -> None:
    facts = WarehouseFacts("demo", "postgres", tables())
    decider = _CountingDecider(parse_policy(POLICY, catalog=[facts]))
    enforce = Enforcer(facts, decider, SECRETS)
    self_join = "SELECT a.email, b.ssn FROM sales.customers a JOIN sales.customers b ON a.id = b.id"
    first = enforce.rewrite(self_join, "alice").sql
    assert enforce.rewrite(self_join, "alice").sql == first
    enforce.rewrite("SELECT o.amount FROM sales.orders o", "alice")
    enforce.rewrite("SELECT email FROM sales.customers", "bob")
    assert decider.calls == {
        ("alice", "sales.customers"): 1,
        ("alice", "sales.orders"): 1,
        ("bob", "sales.customers"): 1,
    }
    # Both references got a derived table of their own.
    assert first.count('FROM "sales"."customers"') == 2
