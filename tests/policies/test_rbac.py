"""The casbin facade: roles with inheritance, allow and deny grants on resource patterns."""

from __future__ import annotations

import textwrap

import pytest

from policies.document import parse_policy
from policies.model import Action, Effect
from policies.rbac import Rbac, ResourceName

POLICY = parse_policy(
    textwrap.dedent("""\
    version: 1
    roles:
      analyst: {}
      senior_analyst: {inherits: [analyst]}
      lead: {inherits: [senior_analyst]}
      privacy_officer: {}
      etl: {}
      support: {}
      nobody_role: {}
    users:
      alice: {roles: [analyst]}
      sam: {roles: [senior_analyst]}
      lee: {roles: [lead]}
      pat: {roles: [privacy_officer, analyst]}
      job: {roles: [etl]}
      sue: {roles: [support]}
      ghost: {}
    grants:
      - {role: analyst, resource: "sales.*", actions: [select]}
      - {role: analyst, resource: "sales.customers.ssn", actions: [select], effect: deny}
      - {role: senior_analyst, resource: "hr.employees", actions: [select]}
      - {role: senior_analyst, resource: "hr.employees.salary", actions: [select], effect: deny}
      - {role: lead, resource: "hr.employees.salary", actions: [select]}
      - {role: privacy_officer, resource: "*", actions: [select]}
      - {role: etl, resource: "dw:staging.*", actions: [select, insert, update, delete, ddl]}
      - {role: etl, resource: "mart.fact_?", actions: [insert]}
      - {role: support, resource: "crm.tickets.body", actions: [select]}
      - {role: support, resource: "crm.tickets.[is]*", actions: [select]}
    """)
)
RBAC = Rbac.from_policy(POLICY)


def r(schema: str, table: str, column: str | None = None, warehouse: str = "dw") -> ResourceName:
    return ResourceName(warehouse, schema, table, column)


@pytest.mark.parametrize(
    "user, roles",
    [
        ("alice", ("analyst",)),
        ("sam", ("analyst", "senior_analyst")),
        ("lee", ("analyst", "lead", "senior_analyst")),
        ("pat", ("analyst", "privacy_officer")),
        ("ghost", ()),
        ("mallory", ()),  # not in the policy
        ("analyst", ()),  # a role's name is not a user
    ],
)
def test_roles_include_inherited_ones_sorted(user, roles):
    assert RBAC.roles_of(user) == roles


CASES = [
    # table grants cover the table and its columns
    ("alice", r("sales", "orders"), "select", True),
    ("alice", r("sales", "orders", "total"), "select", True),
    ("alice", r("sales", "orders"), "insert", False),
    ("alice", r("crm", "customers"), "select", False),
    # a deny on one column
    ("alice", r("sales", "customers", "ssn"), "select", False),
    ("alice", r("sales", "customers", "email"), "select", True),
    ("alice", r("sales", "customers"), "select", True),  # table level: the deny is a column's
    # hierarchy: inherited allows and denies, and an allow for a deeper role
    ("sam", r("sales", "customers", "email"), "select", True),
    ("sam", r("sales", "customers", "ssn"), "select", False),
    ("sam", r("hr", "employees", "name"), "select", True),
    ("sam", r("hr", "employees", "salary"), "select", False),
    ("lee", r("hr", "employees", "salary"), "select", False),  # deny wins over lead's allow
    ("alice", r("hr", "employees", "name"), "select", False),  # not inherited downwards
    # deny from one role beats allow from another
    ("pat", r("sales", "customers", "ssn"), "select", False),
    ("pat", r("hr", "employees", "salary"), "select", True),
    # case is ignored
    ("alice", r("SALES", "Orders", "TOTAL"), "select", True),
    ("alice", r("Sales", "CUSTOMERS", "Ssn"), "select", False),
    ("job", r("STAGING", "x"), "ddl", True),
    # warehouse-prefixed patterns
    ("job", r("staging", "loads", "id"), "delete", True),
    ("job", r("staging", "loads", "id", warehouse="lake"), "delete", False),
    ("job", r("staging", "loads", warehouse="DW"), "insert", True),
    # globs
    ("job", r("mart", "fact_a"), "insert", True),
    ("job", r("mart", "fact_ab"), "insert", False),
    ("job", r("mart", "fact_a"), "select", False),
    ("sue", r("crm", "tickets", "id"), "select", True),
    ("sue", r("crm", "tickets", "status"), "select", True),
    ("sue", r("crm", "tickets", "author"), "select", False),
    # a column grant covers that column only, not its table
    ("sue", r("crm", "tickets", "body"), "select", True),
    ("sue", r("crm", "tickets"), "select", False),
    # nobody else gets anything
    ("ghost", r("sales", "orders"), "select", False),
    ("mallory", r("sales", "orders"), "select", False),
]


@pytest.mark.parametrize("user, resource, action, allowed", CASES)
def test_checks(user, resource, action, allowed):
    decision = RBAC.check(user, resource, action)
    assert decision.allowed is allowed, decision.reason
    assert RBAC.check(user, resource, Action(action)) == decision


@pytest.mark.parametrize(
    "user, resource, action, reason, effect",
    [
        (
            "alice",
            r("sales", "orders", "total"),
            "select",
            "allowed by grant analyst → sales.* [select]",
            Effect.ALLOW,
        ),
        (
            "sam",
            r("sales", "customers", "ssn"),
            "select",
            "denied by grant analyst → sales.customers.ssn [select] (deny)",
            Effect.DENY,
        ),
        (
            "job",
            r("staging", "t"),
            "ddl",
            "allowed by grant etl → dw:staging.* [select, insert, update, delete, ddl]",
            Effect.ALLOW,
        ),
        (
            "sam",
            r("crm", "customers"),
            "select",
            "no grant gives roles analyst, senior_analyst select on crm.customers",
            None,
        ),
        (
            "alice",
            r("sales", "orders"),
            "update",
            "no grant gives role analyst update on sales.orders",
            None,
        ),
        ("ghost", r("sales", "orders"), "select", "user 'ghost' has no roles", None),
        ("mallory", r("sales", "orders"), "select", "user 'mallory' is not in the policy", None),
    ],
)
def test_decisions_say_why(user, resource, action, reason, effect):
    decision = RBAC.check(user, resource, action)
    assert decision.reason == reason
    assert (decision.rule.effect if decision.rule else None) is effect


def test_the_most_specific_allow_explains_a_decision():
    rbac = Rbac.from_policy(
        parse_policy(
            "version: 1\nroles: {a: {}}\nusers: {u: {roles: [a]}}\ngrants:\n"
            "  - {role: a, resource: '*', actions: [select]}\n"
            "  - {role: a, resource: 'sales.orders', actions: [select]}\n"
        )
    )
    assert rbac.check("u", r("sales", "orders", "id"), "select").rule.resource == "sales.orders"


@pytest.mark.parametrize(
    "user, table, columns, allowed, reason",
    [
        (
            "alice",
            r("sales", "customers"),
            ["id", "ssn"],
            True,
            "allowed by grant analyst → sales.* [select] (select on 1 of 2 columns of sales.customers)",
        ),
        (
            "alice",
            r("sales", "orders"),
            ["id", "total"],
            True,
            "allowed by grant analyst → sales.* [select]",
        ),
        # a column grant alone makes the table selectable
        (
            "sue",
            r("crm", "tickets"),
            ["id", "author", "body"],
            True,
            "(select on 2 of 3 columns of crm.tickets)",
        ),
        (
            "sue",
            r("crm", "tickets"),
            ["author"],
            False,
            "no grant gives role support select on crm.tickets",
        ),
        # every column denied: not selectable even though the table is granted
        (
            "alice",
            r("sales", "customers"),
            ["ssn"],
            False,
            "no column of sales.customers may be selected: denied by grant analyst",
        ),
        (
            "alice",
            r("crm", "customers"),
            ["id"],
            False,
            "no grant gives role analyst select on crm.customers",
        ),
        ("alice", r("sales", "orders"), [], True, "allowed by grant analyst → sales.* [select]"),
    ],
)
def test_a_table_may_be_selected_when_one_column_may(user, table, columns, allowed, reason):
    decision = RBAC.check_table_select(user, table, columns)
    assert decision.allowed is allowed and reason in decision.reason, decision.reason


def test_deep_hierarchies_keep_inherited_denies():
    # casbin follows 10 links by default; inherited denies must survive deeper chains.
    depth = 15
    roles = ", ".join(["r0: {}"] + [f"r{i}: {{inherits: [r{i - 1}]}}" for i in range(1, depth)])
    rbac = Rbac.from_policy(
        parse_policy(
            f"version: 1\nroles: {{{roles}}}\nusers: {{u: {{roles: [r{depth - 1}]}}}}\ngrants:\n"
            f"  - {{role: r{depth - 1}, resource: '*', actions: [select]}}\n"
            "  - {role: r0, resource: 'hr.*', actions: [select], effect: deny}\n"
        )
    )
    assert len(rbac.roles_of("u")) == depth
    assert rbac.check("u", r("sales", "t"), "select").allowed
    assert not rbac.check("u", r("hr", "t", "salary"), "select").allowed


def test_user_and_role_names_do_not_collide():
    rbac = Rbac.from_policy(
        parse_policy(
            "version: 1\nroles: {admin: {}, analyst: {}}\n"
            "users: {admin: {roles: [analyst]}}\n"
            "grants: [{role: admin, resource: '*', actions: [ddl]}]\n"
        )
    )
    assert rbac.roles_of("admin") == ("analyst",)
    assert not rbac.check("admin", r("s", "t"), "ddl").allowed


def test_unknown_actions_are_refused_loudly():
    with pytest.raises(ValueError):
        RBAC.check("alice", r("sales", "orders"), "truncate")
