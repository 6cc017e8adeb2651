"""``veil policy explain``: the sentence a steward or auditor needs about one column.

Built from the same :class:`~policies.decide.Decider` the gateway uses, so the
explanation cannot drift from what enforcement does.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.errors import NotFoundError
from policies.decide import Decider, MaskDecision
from policies.facts import TableFacts

_RETENTION_VERB = {"hide": "hidden", "purge": "hidden and purged by retention enforce"}


@dataclass(frozen=True)
class Explanation:
    user: str
    roles: tuple[str, ...]
    column: str  # warehouse.schema.table.column
    allowed: bool
    reason: str
    mask: MaskDecision | None
    row_filters: tuple[str, ...]
    retention: tuple[str, ...]
    tags: tuple[str, ...]
    pii: tuple[str, ...]  # "email_address (confirmed)"
    policy_version: int | None = None

    def sentence(self) -> str:
        """One paragraph: allowed or not, the mask, the rows, and the rules behind them."""
        roles = ", ".join(self.roles) or "no roles"
        lines = [f"{self.user} ({roles}) reading {self.column}:"]
        if not self.allowed:
            lines.append(f"  refused: {self.reason}")
        else:
            what = f"masked with {self.mask.method}" if self.mask else "raw values"
            lines.append(f"  allowed, {what}: {self.reason}")
            lines.extend(f"  rows filtered: {f}" for f in self.row_filters)
            lines.extend(f"  retention: {r}" for r in self.retention)
            if not self.row_filters and not self.retention:
                lines.append("  rows: all (no row filter or retention rule applies)")
        if self.pii:
            lines.append(f"  PII: {', '.join(self.pii)}")
        if self.tags:
            lines.append(f"  tags: {', '.join(self.tags)}")
        if self.policy_version is not None:
            lines.append(f"  policy version {self.policy_version}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        return {
            "user": self.user,
            "roles": list(self.roles),
            "column": self.column,
            "allowed": self.allowed,
            "reason": self.reason,
            "mask": (
                {
                    "method": self.mask.method,
                    "params": dict(self.mask.params),
                    "rule": self.mask.rule.index if self.mask.rule else None,
                }
                if self.mask
                else None
            ),
            "row_filters": list(self.row_filters),
            "retention": list(self.retention),
            "tags": list(self.tags),
            "pii": list(self.pii),
            "policy_version": self.policy_version,
        }


def explain(
    decider: Decider,
    table: TableFacts,
    column: str,
    user: str,
    *,
    policy_version: int | None = None,
) -> Explanation:
    """Explain what ``user`` sees of ``table.column`` under ``decider``'s policy."""
    decision = decider.table(user, table)
    found = decision.column(column)
    facts = table.column(column)
    if found is None or facts is None:
        raise NotFoundError(f"table {table.qualified} has no column {column!r}")
    filters = tuple(
        f"only rows where {f.where} (row_filters[{f.index}]"
        + (f", role {f.role})" if f.role else ", everyone)")
        for f in decision.row_filters
    )
    retention = tuple(
        f"rows whose {r.column} is older than {r.keep} are {_RETENTION_VERB[r.action]} "
        f"(retention[{r.index}])"
        for r in decision.retention
    )
    return Explanation(
        user=user,
        roles=decision.roles,
        column=f"{table.warehouse}.{table.qualified}.{facts.name}",
        allowed=found.readable,
        reason=found.reason,
        mask=found.mask,
        row_filters=filters,
        retention=retention,
        tags=tuple(sorted(facts.tags)),
        pii=tuple(f"{p.entity.lower()} ({p.status})" for p in found.pii),
        policy_version=policy_version,
    )
