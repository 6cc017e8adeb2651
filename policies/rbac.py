"""Who may do what: a small typed facade over pycasbin, built from a :class:`Policy`.

STYLE.md keeps casbin behind this module: its API is untyped and stringly, and callers
should ask questions in Veil's terms (a user, a :class:`ResourceName`, an
:class:`Action`) and get an answer that says why (:class:`GrantDecision`).

The casbin model is RBAC with a role hierarchy (``g``: user → role, role → inherited
role) and allow/deny effects, deny winning (``some(allow) && !some(deny)``). Objects
are matched by Veil's resource patterns (:mod:`policies.patterns`): a grant on
``sales.customers`` covers the table and each of its columns; a grant on a column
pattern covers that column only. Matching ignores case. Users not in the policy have
no roles and are granted nothing.

A table as a whole may be read when at least one of its columns may:
:meth:`Rbac.check_table_select` answers that, given the table's columns from the
catalog. :meth:`Rbac.check` on a table (``column`` None) answers for grants at table
level or above only, which is what writes and DDL need.

>>> from policies.document import parse_policy
>>> rbac = Rbac.from_policy(parse_policy('''
... version: 1
... roles: {analyst: {}, senior_analyst: {inherits: [analyst]}}
... users: {alice: {roles: [senior_analyst]}}
... grants:
...   - {role: analyst, resource: "sales.*", actions: [select]}
...   - {role: analyst, resource: "sales.customers.ssn", actions: [select], effect: deny}
... '''))
>>> rbac.roles_of("alice")
('analyst', 'senior_analyst')
>>> rbac.check("alice", ResourceName("dw", "sales", "orders", "total"), Action.SELECT).reason
'allowed by grant analyst → sales.* [select]'
>>> rbac.check("alice", ResourceName("dw", "Sales", "Customers", "SSN"), "select").allowed
False
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import casbin

from policies.model import Action, Effect, Grant, Policy
from policies.patterns import Pattern, ResourceName, parse_pattern

__all__ = ["GrantDecision", "Rbac", "ResourceName", "describe_grant"]

_MODEL = """
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.sub, p.sub) && veil_covers(r.obj, p.obj) && r.act == p.act
"""

#: Decisions remembered per Rbac (one policy version); cleared when full.
_CACHE_SIZE = 100_000


@dataclass(frozen=True)
class GrantDecision:
    """Whether an action is allowed, the grant that decided it, and a sentence saying so."""

    allowed: bool
    rule: Grant | None
    reason: str


def describe_grant(grant: Grant) -> str:
    """``analyst → sales.* [select, insert]`` (plus ``(deny)`` for deny grants)."""
    actions = ", ".join(a.value for a in Action if a in grant.actions)
    deny = " (deny)" if grant.effect is Effect.DENY else ""
    return f"{grant.role} → {grant.resource} [{actions}]{deny}"


class Rbac:
    """The grants of one policy version, queryable. Build once per version (cheap to ask).

    Decisions are cached: a policy version never changes, so neither do its answers.
    Safe to share between threads: casbin is only asked under a lock.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._patterns: dict[str, Pattern] = {}
        self._rules: dict[tuple[str, str, str, str], Grant] = {}
        self._grants: list[tuple[Grant, Pattern]] = []
        self._cache: dict[tuple[str, ResourceName, Action], GrantDecision] = {}
        self._lock = threading.RLock()
        self._enforcer = _build_enforcer(policy, self._covers, self._add_rule)

    @classmethod
    def from_policy(cls, policy: Policy) -> Rbac:
        return cls(policy)

    def roles_of(self, user: str) -> tuple[str, ...]:
        """The user's roles, inherited ones included, sorted; () for unknown users."""
        if user not in self.policy.users:
            return ()
        with self._lock:
            found = self._enforcer.get_implicit_roles_for_user(_user(user))
        return tuple(sorted(r.removeprefix("role:") for r in found))

    def check(self, user: str, resource: ResourceName, action: Action | str) -> GrantDecision:
        """May ``user`` do ``action`` on ``resource``? Deny grants win over allow grants."""
        act = Action(action)
        key = (user, resource, act)
        found = self._cache.get(key)
        if found is None:
            with self._lock:
                if len(self._cache) >= _CACHE_SIZE:
                    self._cache.clear()
                found = self._cache[key] = self._decide(user, resource, act)
        return found

    def check_table_select(
        self, user: str, table: ResourceName, columns: Iterable[str]
    ) -> GrantDecision:
        """May ``user`` select from ``table``, i.e. read at least one of its ``columns``?

        ``columns`` are the table's columns (from the catalog). With none, the answer is
        the table-level check.
        """
        names = list(columns)
        whole = ResourceName(table.warehouse, table.schema, table.table)
        table_level = self.check(user, whole, Action.SELECT)
        if not names:
            return table_level
        decisions = [self.check(user, _column(whole, c), Action.SELECT) for c in names]
        allowed = [d for d in decisions if d.allowed]
        if len(allowed) == len(names) and table_level.allowed:
            return table_level
        if allowed:
            return GrantDecision(
                True,
                allowed[0].rule,
                f"{allowed[0].reason} (select on {len(allowed)} of {len(names)} columns "
                f"of {whole})",
            )
        if not table_level.allowed:
            return table_level
        denied = next((d for d in decisions if d.rule is not None), decisions[0])
        return GrantDecision(
            False, denied.rule, f"no column of {whole} may be selected: {denied.reason}"
        )

    # -- internals -----------------------------------------------------------------------

    def _add_rule(self, grant: Grant, action: Action) -> list[str]:
        pattern = self._patterns.get(grant.resource)
        if pattern is None:
            pattern = self._patterns[grant.resource] = parse_pattern(grant.resource)
        if not self._grants or self._grants[-1][0] is not grant:
            self._grants.append((grant, pattern))
        rule = [_role(grant.role), grant.resource, action.value, grant.effect.value]
        self._rules.setdefault((rule[0], rule[1], rule[2], rule[3]), grant)
        return rule

    def _covers(self, resource: ResourceName, pattern: str) -> bool:
        return self._patterns[pattern].covers(resource)

    def _decide(self, user: str, resource: ResourceName, action: Action) -> GrantDecision:
        if user not in self.policy.users:
            return GrantDecision(False, None, f"user {user!r} is not in the policy")
        roles = self.roles_of(user)
        if not roles:
            return GrantDecision(False, None, f"user {user!r} has no roles")
        allowed, explain = self._enforcer.enforce_ex(_user(user), resource, action.value)
        if not allowed:
            if explain:
                rule = self._rules[(explain[0], explain[1], explain[2], explain[3])]
                return GrantDecision(False, rule, f"denied by grant {describe_grant(rule)}")
            return GrantDecision(
                False,
                None,
                f"no grant gives role{'s' if len(roles) > 1 else ''} {', '.join(roles)} "
                f"{action.value} on {resource}",
            )
        rule = self._explain_allow(roles, resource, action)
        return GrantDecision(True, rule, f"allowed by grant {describe_grant(rule)}")

    def _explain_allow(
        self, roles: tuple[str, ...], resource: ResourceName, action: Action
    ) -> Grant:
        """The most specific allow grant casbin's decision rests on (casbin's explanation
        only names deny rules under this effect)."""
        held = set(roles)
        matching = [
            (pattern.depth, -i, grant)
            for i, (grant, pattern) in enumerate(self._grants)
            if grant.effect is Effect.ALLOW
            and grant.role in held
            and action in grant.actions
            and pattern.covers(resource)
        ]
        return max(matching, key=lambda m: (m[0], m[1]))[2]


def _build_enforcer(
    policy: Policy,
    covers: Callable[[ResourceName, str], bool],
    rule_of: Callable[[Grant, Action], list[str]],
) -> casbin.Enforcer:
    enforcer = casbin.Enforcer(casbin.Enforcer.new_model(text=_MODEL))
    enforcer.add_function("veil_covers", covers)
    # casbin follows at most 10 links by default; a deeper hierarchy would silently drop
    # inherited grants (and inherited denies), so allow as many links as there are roles.
    enforcer.get_role_manager().max_hierarchy_level = len(policy.roles) + 2
    links = [[_user(u.name), _role(r)] for u in policy.users.values() for r in u.roles]
    links += [
        [_role(r.name), _role(parent)] for r in policy.roles.values() for parent in r.inherits
    ]
    if links:
        enforcer.add_grouping_policies(links)
    rules = [rule_of(g, a) for g in policy.grants for a in Action if a in g.actions]
    if rules:
        enforcer.add_policies(rules)
    return enforcer


def _user(name: str) -> str:
    return f"user:{name}"


def _role(name: str) -> str:
    return f"role:{name}"


def _column(table: ResourceName, column: str) -> ResourceName:
    return ResourceName(table.warehouse, table.schema, table.table, column)
