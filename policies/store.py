"""The policy store: numbered, immutable versions of the policy, newest in force.

``veil policy apply`` validates a document completely (structure, SQL, and against
the catalog) before anything is written; only then is the next version inserted, in
one transaction. An invalid document therefore never replaces the policy in force, and
a document that says exactly what the current version says (same canonical form)
adds no version. Each version keeps the text as applied (for a byte-exact export),
its canonical form, and the diff against the previous version (for history and audit).

Gateways poll :func:`current_version_number` (one primary-key lookup) and reload when
it changes. Two applies at once never get the same number: on PostgreSQL they queue
on an advisory lock; anywhere, the primary key rejects a duplicate and the apply
retries with the next number.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from catalog.errors import NotFoundError, UsageError
from catalog.store import Store
from catalog.store.models import PolicyVersionRow, utcnow
from policies.document import canonical_yaml, parse_policy
from policies.model import Policy, PolicyVersion

__all__ = [
    "ApplyResult",
    "PolicyVersionInfo",
    "apply_policy",
    "current_policy",
    "current_version_number",
    "policy_diff",
    "policy_history",
    "policy_version",
]

#: pg_advisory_xact_lock key serializing applies: "vpol" in ASCII.
_PG_APPLY_LOCK = 0x76706F6C
_ATTEMPTS = 20


@dataclass(frozen=True)
class ApplyResult:
    """What an apply did.

    ``version`` is the new version; or, when nothing changed, the version already in
    force; or, for a dry run, the version that applying would create (not stored).
    """

    version: PolicyVersion
    changed: bool  # the document differs from the policy in force
    dry_run: bool = False

    @property
    def created(self) -> bool:
        """A new version was stored."""
        return self.changed and not self.dry_run


@dataclass(frozen=True)
class PolicyVersionInfo:
    """One line of the history: a version without its texts."""

    number: int
    created_at: dt.datetime  # aware, UTC
    created_by: str
    checksum: str
    added: int  # lines added to the canonical form, from the diff
    removed: int


def apply_policy(
    store: Store,
    text: str,
    *,
    by: str,
    dialect_for: Callable[[str], str] | None = None,
    dry_run: bool = False,
) -> ApplyResult:
    """Validate ``text`` against the catalog and store it as the next version.

    Raises :class:`~policies.errors.PolicyError` listing every problem (nothing is
    stored). ``dialect_for`` maps a warehouse name to the sqlglot dialect its SQL is
    written in (default: the catalog's record of the warehouse).
    """
    if not by.strip() or len(by) > 200:
        raise UsageError("say who applies the policy (--by), in at most 200 characters")
    with store.session() as session:
        policy = parse_policy(text, catalog=session, dialect_for=dialect_for)
    canonical = canonical_yaml(policy)
    checksum = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    for attempt in range(_ATTEMPTS):
        try:
            with store.session() as session:
                _lock(session)
                current = _newest(session)
                if current is not None and current.canonical == canonical:
                    return ApplyResult(_version(current), changed=False, dry_run=dry_run)
                number = current.number + 1 if current is not None else 1
                diff = _diff(
                    current.canonical if current is not None else "",
                    canonical,
                    f"version {current.number}" if current is not None else "no policy",
                    f"version {number}",
                )
                row = PolicyVersionRow(
                    number=number,
                    created_at=utcnow(),
                    created_by=by,
                    source=text,
                    canonical=canonical,
                    diff=diff,
                    checksum=checksum,
                )
                if dry_run:
                    return ApplyResult(_version(row, policy), changed=True, dry_run=True)
                session.add(row)
                session.flush()
                return ApplyResult(_version(row, policy), changed=True)
        except sa_exc.IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def current_version_number(store: Store) -> int:
    """The number of the policy in force, 0 when none was ever applied. One cheap query."""
    with store.session() as session:
        return session.scalar(sa.select(sa.func.max(PolicyVersionRow.number))) or 0


def current_policy(store: Store) -> PolicyVersion | None:
    """The policy in force, or None before the first apply."""
    with store.session() as session:
        row = _newest(session)
        return _version(row) if row is not None else None


def policy_version(store: Store, number: int) -> PolicyVersion:
    """Version ``number``, or NotFoundError saying which versions exist."""
    with store.session() as session:
        row = session.get(PolicyVersionRow, number)
        if row is None:
            newest = session.scalar(sa.select(sa.func.max(PolicyVersionRow.number)))
            raise NotFoundError(
                f"no policy version {number}",
                hint=f"Versions are 1 to {newest}." if newest else "No policy was applied yet.",
            )
        return _version(row)


def policy_history(store: Store) -> list[PolicyVersionInfo]:
    """Every version, oldest first, with who applied it and how much it changed."""
    with store.session() as session:
        rows = session.execute(
            sa.select(
                PolicyVersionRow.number,
                PolicyVersionRow.created_at,
                PolicyVersionRow.created_by,
                PolicyVersionRow.checksum,
                PolicyVersionRow.diff,
            ).order_by(PolicyVersionRow.number)
        ).all()
    return [
        PolicyVersionInfo(number, created_at, created_by, checksum, *_counts(diff))
        for number, created_at, created_by, checksum, diff in rows
    ]


def policy_diff(store: Store, old: int, new: int | None = None) -> str:
    """Unified diff of canonical forms: version ``old`` against its predecessor when
    ``new`` is None, else version ``old`` against version ``new``."""
    if new is None:
        return policy_version(store, old).diff
    return _diff(_canonical(store, old), _canonical(store, new), f"version {old}", f"version {new}")


# -- internals ----------------------------------------------------------------------------


def _lock(session: Session) -> None:
    """Queue concurrent applies on PostgreSQL (released at commit or rollback)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_APPLY_LOCK})


def _canonical(store: Store, number: int) -> str:
    with store.session() as session:
        found = session.scalar(
            sa.select(PolicyVersionRow.canonical).where(PolicyVersionRow.number == number)
        )
    if found is None:
        policy_version(store, number)  # raises, naming the versions that exist
        raise AssertionError("unreachable")
    return found


def _newest(session: Session) -> PolicyVersionRow | None:
    return session.scalars(
        sa.select(PolicyVersionRow).order_by(PolicyVersionRow.number.desc()).limit(1)
    ).first()


def _version(row: PolicyVersionRow, policy: Policy | None = None) -> PolicyVersion:
    return PolicyVersion(
        number=row.number,
        policy=policy if policy is not None else _stored_policy(row.source),
        source=row.source,
        created_at=row.created_at,
        created_by=row.created_by,
        diff=row.diff,
    )


@functools.lru_cache(maxsize=16)
def _stored_policy(source: str) -> Policy:
    """A stored version's policy. It was fully validated when applied, and the catalog
    may have changed since, so only its structure is read again."""
    return parse_policy(source, check_sql=False)


def _diff(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=old_name,
            tofile=new_name,
        )
    )


def _counts(diff: str) -> tuple[int, int]:
    lines = diff.splitlines()
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return added, removed
