"""The canonical form of a policy: one normalized YAML text per meaning.

Versions are compared and diffed by this text, so it is deterministic and says
everything: every section and every default is written out, names are sorted, and
lists whose order means nothing (grants, row filters, retention rules; roles, actions
and exempt roles inside them) are sorted by the keys below, which
:mod:`policies.document` also sorts by when reading. Masks keep their order: people
read them top to bottom. ``parse_policy(canonical_yaml(p)) == p`` for any policy
``p`` that :func:`policies.document.parse_policy` returned.
"""

from __future__ import annotations

from typing import Any

import yaml

from policies.methods import METHODS
from policies.model import Action, Grant, MaskRule, Policy, RetentionRule, RowFilter, User

__all__ = [
    "FORMAT_VERSION",
    "MASK_TARGETS",
    "canonical_yaml",
    "grant_key",
    "retention_key",
    "row_filter_key",
]

#: The only policy format so far (the document's ``version:``).
FORMAT_VERSION = 1
#: The keys a mask rule names its target by; exactly one is given.
MASK_TARGETS = ("tag", "table", "column")


def grant_key(g: Grant) -> tuple[str, str, str, tuple[int, ...]]:
    """Grants sort by role, resource, effect, then actions in :class:`Action` order."""
    order = list(Action)
    return (g.role, g.resource, g.effect.value, tuple(sorted(order.index(a) for a in g.actions)))


def row_filter_key(f: RowFilter) -> tuple[str, str, str]:
    return (f.table, f.role or "", f.where)


def retention_key(r: RetentionRule) -> tuple[str, str, str, str]:
    return (r.table, r.column, r.keep, r.action.value)


class _Flow(list[Any]):
    """A list written on one line: ``[select, insert]``."""


class _CanonicalDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # list items indented under their key


_CanonicalDumper.add_representer(
    _Flow,
    lambda dumper, data: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", list(data), flow_style=True
    ),
)


def canonical_yaml(policy: Policy) -> str:
    """The policy written in one normalized way: what versions store and diff.

    Every section and every default is written out; names and unordered lists are
    sorted; masks keep their order. ``parse_policy(canonical_yaml(p)) == p`` for any
    policy ``p`` that parse_policy returned.
    """
    doc: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "roles": {
            name: ({"inherits": _Flow(sorted(role.inherits))} if role.inherits else {})
            for name, role in sorted(policy.roles.items())
        },
        "users": {name: _user(user) for name, user in sorted(policy.users.items())},
        "grants": [_grant(g) for g in sorted(policy.grants, key=grant_key)],
        "masks": [_mask(m) for m in policy.masks],
        "row_filters": [_row_filter(f) for f in sorted(policy.row_filters, key=row_filter_key)],
        "retention": [_retention(r) for r in sorted(policy.retention, key=retention_key)],
        "defaults": {
            "pii_mask": policy.defaults.pii_mask,
            "unknown_columns": policy.defaults.unknown_columns.value,
            "mask_suggested": policy.defaults.mask_suggested,
        },
    }
    return yaml.dump(
        doc,
        Dumper=_CanonicalDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=100_000,
    )


def _user(user: User) -> dict[str, Any]:
    out: dict[str, Any] = {"roles": _Flow(sorted(user.roles))}
    if user.attributes:
        out["attributes"] = dict(sorted(user.attributes.items()))
    return out


def _grant(g: Grant) -> dict[str, Any]:
    return {
        "role": g.role,
        "resource": g.resource,
        "actions": _Flow([a.value for a in Action if a in g.actions]),
        "effect": g.effect.value,
    }


def _mask(m: MaskRule) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in MASK_TARGETS:
        if getattr(m, key) is not None:
            out[key] = getattr(m, key)
    out["method"] = m.method
    spec = METHODS.get(m.method)
    order = [p.name for p in spec.params] if spec else []
    for name in sorted(m.params, key=lambda n: (order.index(n) if n in order else len(order), n)):
        out[name] = m.params[name]
    if m.exempt:
        out["exempt"] = _Flow(sorted(m.exempt))
    return out


def _row_filter(f: RowFilter) -> dict[str, Any]:
    out: dict[str, Any] = {"table": f.table}
    if f.role is not None:
        out["role"] = f.role
    out["where"] = f.where
    return out


def _retention(r: RetentionRule) -> dict[str, Any]:
    return {"table": r.table, "column": r.column, "keep": r.keep, "action": r.action.value}
