"""Policies: policies as code (YAML), the versioned policy store, RBAC and decisions.

Import what you need from the modules; this list says what the package offers:
:mod:`policies.document` (YAML ⇄ :class:`~policies.model.Policy`), :mod:`policies.store`
(numbered versions), :mod:`policies.rbac` (casbin behind a typed facade),
:mod:`policies.audit` (the hash-chained audit log) and :mod:`policies.audit_verify`.
"""

__all__ = [
    "ApplyResult",
    "AuditDecision",
    "AuditKind",
    "AuditLog",
    "AuditRecord",
    "AuditUnavailable",
    "GrantDecision",
    "PolicyError",
    "PolicyVersionInfo",
    "Problem",
    "Rbac",
    "ResourceName",
    "apply_policy",
    "canonical_yaml",
    "current_policy",
    "current_version_number",
    "parse_policy",
    "policy_diff",
    "policy_history",
    "policy_version",
    "verify_chain",
]

from policies.audit import AuditDecision, AuditKind, AuditLog, AuditRecord, AuditUnavailable
from policies.audit_verify import verify_chain
from policies.document import canonical_yaml, parse_policy
from policies.errors import PolicyError, Problem
from policies.rbac import GrantDecision, Rbac, ResourceName
from policies.store import (
    ApplyResult,
    PolicyVersionInfo,
    apply_policy,
    current_policy,
    current_version_number,
    policy_diff,
    policy_history,
    policy_version,
)
