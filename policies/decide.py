"""Decisions: for one user and one table, what each column shows and which rows flow.

This is PRODUCT.md's enforcement semantics as a pure function of a :class:`Policy`, its
RBAC facade and the catalog's :class:`~policies.facts.TableFacts`. Every decision
carries the sentence that explains it, because stewards and auditors must be able to
ask *why* (``veil policy explain``) and the gateway names the reason in every refusal.

Masking precedence (PRODUCT.md): a column rule beats a table rule beats a tag rule;
among tag rules a more specific tag (``pii.email_address``) beats a broader one
(``pii``); among equals the strictest method wins (policies.methods strictness). A
user holding an exempt role of the winning rule sees raw values. A column that carries
PII (confirmed, or suggested while ``defaults.mask_suggested`` holds) and that no rule
covers gets ``defaults.pii_mask``. Suggested PII counts as the tags ``pii`` and
``pii.<entity>`` for rule matching, so it is masked exactly as if confirmed.

Row filters of all the user's roles (and role-less ones) apply together (AND): holding
one more role never widens what a row filter hides. Retention rules apply to everyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from catalog.model import PiiInfo, PiiStatus
from policies.methods import METHODS, resolved_params
from policies.model import Action, MaskRule, Policy, RetentionRule, RowFilter
from policies.patterns import ResourceName, parse_pattern
from policies.rbac import GrantDecision, Rbac

from .facts import ColumnFacts, TableFacts


@dataclass(frozen=True)
class MaskDecision:
    """The mask a column gets: method, completed parameters, and the rule behind it."""

    method: str
    params: Mapping[str, object]
    rule: MaskRule | None  # None: the policy's default PII mask
    reason: str


@dataclass(frozen=True)
class ColumnDecision:
    name: str
    data_type: str
    readable: bool
    mask: MaskDecision | None  # None: raw (or unreadable)
    reason: str  # why readable or not, and why masked or raw
    pii: tuple[PiiInfo, ...] = ()


@dataclass(frozen=True)
class TableDecision:
    """What one user sees of one table."""

    table: TableFacts
    user: str
    roles: tuple[str, ...]
    columns: tuple[ColumnDecision, ...]
    row_filters: tuple[RowFilter, ...] = ()
    retention: tuple[RetentionRule, ...] = ()
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def readable(self) -> bool:
        return any(c.readable for c in self.columns)

    @property
    def hidden(self) -> tuple[ColumnDecision, ...]:
        return tuple(c for c in self.columns if not c.readable)

    def column(self, name: str) -> ColumnDecision | None:
        facts = self.table.column(name)
        if facts is None:
            return None
        return next(c for c in self.columns if c.name == facts.name)


class Decider:
    """Decisions for one policy version. Build once per version; cheap to call."""

    def __init__(self, policy: Policy, rbac: Rbac | None = None) -> None:
        self.policy = policy
        self.rbac = rbac if rbac is not None else Rbac.from_policy(policy)
        self._mask_patterns = {
            r.index: parse_pattern(r.column or r.table or "")
            for r in policy.masks
            if r.column is not None or r.table is not None
        }
        self._filter_patterns = {f.index: parse_pattern(f.table) for f in policy.row_filters}
        self._retention_patterns = {r.index: parse_pattern(r.table) for r in policy.retention}

    def roles_of(self, user: str) -> tuple[str, ...]:
        return self.rbac.roles_of(user)

    def check(self, user: str, table: TableFacts, action: Action) -> GrantDecision:
        """May ``user`` do ``action`` on ``table`` as a whole (writes, DDL)?"""
        return self.rbac.check(user, _resource(table), action)

    def table(self, user: str, table: TableFacts) -> TableDecision:
        """What ``user`` may read of ``table``: per column, readable and masked or not."""
        roles = self.roles_of(user)
        columns = tuple(self._column(user, roles, table, c) for c in table.columns)
        return TableDecision(
            table=table,
            user=user,
            roles=roles,
            columns=columns,
            row_filters=self._row_filters(roles, table),
            retention=self._retention(table),
            attributes=self._attributes(user),
        )

    # -- columns -------------------------------------------------------------------------

    def _column(
        self, user: str, roles: tuple[str, ...], table: TableFacts, column: ColumnFacts
    ) -> ColumnDecision:
        pii = self._pii_in_force(column)
        grant = self.rbac.check(user, _resource(table, column.name), Action.SELECT)
        if not grant.allowed:
            return ColumnDecision(column.name, column.data_type, False, None, grant.reason, pii)
        mask, why = self._mask(roles, table, column, pii)
        reason = f"{grant.reason}; {mask.reason if mask is not None else why}"
        return ColumnDecision(column.name, column.data_type, True, mask, reason, pii)

    def _pii_in_force(self, column: ColumnFacts) -> tuple[PiiInfo, ...]:
        keep_suggested = self.policy.defaults.mask_suggested
        return tuple(
            p
            for p in column.pii
            if p.status == PiiStatus.CONFIRMED or (keep_suggested and p.status == "suggested")
        )

    def _mask(
        self,
        roles: tuple[str, ...],
        table: TableFacts,
        column: ColumnFacts,
        pii: tuple[PiiInfo, ...],
    ) -> tuple[MaskDecision | None, str]:
        tags = set(column.tags)
        for p in pii:
            tags.update(("pii", f"pii.{p.entity.lower()}"))
        group = self._winning_rules(table, column, tags)
        if group:
            applicable = [r for r in group if not set(r.exempt) & set(roles)]
            if not applicable:
                rule = group[0]
                via = sorted(set(rule.exempt) & set(roles))
                return None, (
                    f"raw: role {', '.join(via)} is exempt from masks[{rule.index}] "
                    f"({rule.target}, {rule.method})"
                )
            rule = min(applicable, key=lambda r: (METHODS[r.method].strictness, r.index))
            params = resolved_params(METHODS[rule.method], rule.params)
            return MaskDecision(rule.method, params, rule, _rule_reason(rule, pii)), ""
        if pii:
            method = self.policy.defaults.pii_mask
            entity = ", ".join(p.entity.lower() for p in pii)
            status = "confirmed" if pii[0].status == PiiStatus.CONFIRMED else "suggested"
            reason = f"masked with the default {method}: {status} PII ({entity}) and no rule"
            params = resolved_params(METHODS[method], {})
            return MaskDecision(method, params, None, reason), ""
        return None, "raw: no masking rule applies and no PII is recorded"

    def _winning_rules(
        self, table: TableFacts, column: ColumnFacts, tags: set[str]
    ) -> list[MaskRule]:
        """The rules of the most specific level that covers this column, in file order."""
        name = _resource(table, column.name)
        by_level: dict[tuple[int, int], list[MaskRule]] = {}
        for rule in self.policy.masks:
            level = self._level(rule, name, tags)
            if level is not None:
                by_level.setdefault(level, []).append(rule)
        if not by_level:
            return []
        return by_level[max(by_level)]

    def _level(self, rule: MaskRule, name: ResourceName, tags: set[str]) -> tuple[int, int] | None:
        if rule.column is not None:
            return (3, 0) if self._mask_patterns[rule.index].covers(name) else None
        if rule.table is not None:
            pattern = self._mask_patterns[rule.index]
            return (2, 0) if pattern.covers(name) else None
        assert rule.tag is not None
        tag = rule.tag.lower()
        if any(t.lower() == tag or t.lower().startswith(tag + ".") for t in tags):
            return (1, tag.count(".") + 1)
        return None

    # -- rows ----------------------------------------------------------------------------

    def _row_filters(self, roles: tuple[str, ...], table: TableFacts) -> tuple[RowFilter, ...]:
        name = _resource(table)
        return tuple(
            f
            for f in self.policy.row_filters
            if (f.role is None or f.role in roles) and self._filter_patterns[f.index].covers(name)
        )

    def _retention(self, table: TableFacts) -> tuple[RetentionRule, ...]:
        name = _resource(table)
        return tuple(
            r for r in self.policy.retention if self._retention_patterns[r.index].covers(name)
        )

    def _attributes(self, user: str) -> Mapping[str, str]:
        found = self.policy.users.get(user)
        return dict(found.attributes) if found is not None else {}


def _resource(table: TableFacts, column: str | None = None) -> ResourceName:
    return ResourceName(table.warehouse, table.schema, table.name, column)


def _rule_reason(rule: MaskRule, pii: Iterable[PiiInfo]) -> str:
    suggested = [p.entity.lower() for p in pii if p.status == "suggested"]
    extra = f" (suggested PII: {', '.join(suggested)}, masked until reviewed)" if suggested else ""
    return f"masked with {rule.method} by masks[{rule.index}] ({rule.target}){extra}"
