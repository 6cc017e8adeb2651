"""Gateway users: who may log in to the gateway, and how they prove it.

Two sources, each the authority for one thing. The policy (YAML, versioned, in git)
says who a user *is*: their roles and attributes, hence what they see. A gateway user
record says how they *log in*: a SCRAM-SHA-256 verifier (:mod:`policies.credentials`),
never the password. So ``veil user add alice`` requires ``alice`` to be a user of the
policy in force, and ``--role R`` is a check, not an assignment: the command refuses
when the policy does not give alice role R (roles change only through ``veil policy
apply``, where they are reviewed and versioned). A login whose user a later policy
drops still authenticates but is granted nothing; ``veil user list`` flags it.

Credentials live in policies/ rather than catalog/ because checking them against the
policy in force needs :mod:`policies.store`, and catalog/ may not import policies/.
The gateway (masking/) reads verifiers with :func:`find_verifier` and the key for
unknown users' fake salts with :func:`mock_auth_key`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from catalog.errors import NotFoundError, UsageError
from catalog.store import Store
from catalog.store.models import GatewaySecretRow, GatewayUserRow, utcnow
from policies.credentials import DEFAULT_ITERATIONS, MAX_PASSWORD_BYTES, ScramVerifier
from policies.model import PolicyVersion
from policies.rbac import Rbac
from policies.store import current_policy

__all__ = [
    "GatewayUser",
    "add_user",
    "check_password",
    "find_verifier",
    "list_users",
    "mock_auth_key",
    "remove_user",
    "set_password",
]

_MOCK_KEY = "scram_mock_key"


@dataclass(frozen=True)
class GatewayUser:
    """A gateway login as listed: when it was made and changed, and what the policy in
    force says about the user (``in_policy`` False: the login works, nothing is granted)."""

    name: str
    created_at: dt.datetime
    created_by: str
    password_changed_at: dt.datetime
    in_policy: bool
    roles: tuple[str, ...]  # from the policy in force, inherited ones included


def check_password(password: str) -> None:
    """Refuse passwords no PostgreSQL client could send. Never quotes the password."""
    if not password:
        raise UsageError("the password is empty")
    if "\0" in password:
        raise UsageError("the password contains a NUL character, which clients cannot send")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise UsageError(
            f"the password is longer than {MAX_PASSWORD_BYTES} bytes, which libpq refuses"
        )


def add_user(
    store: Store,
    name: str,
    password: str,
    *,
    by: str,
    roles: tuple[str, ...] = (),
    iterations: int = DEFAULT_ITERATIONS,
) -> GatewayUser:
    """Create the login ``name``, a user of the policy in force holding every role of
    ``roles``. Stores only the verifier of ``password``."""
    version = current_policy(store)
    held = _check_policy_user(version, name, roles)
    check_password(password)
    verifier = _derive(password, iterations)
    now = utcnow()
    try:
        with store.session() as session:
            session.add(
                GatewayUserRow(
                    name=name,
                    verifier=str(verifier),
                    created_at=now,
                    created_by=by,
                    password_changed_at=now,
                )
            )
            session.flush()
    except sa_exc.IntegrityError:
        raise UsageError(
            f"gateway user {name!r} already exists",
            hint=f"Change its password with: veil user passwd {name}",
        ) from None
    return GatewayUser(name, now, by, now, True, held)


def set_password(
    store: Store, name: str, password: str, *, iterations: int = DEFAULT_ITERATIONS
) -> None:
    """Replace ``name``'s verifier (with a new salt)."""
    check_password(password)
    verifier = _derive(password, iterations)
    with store.session() as session:
        row = _row(session, name)
        row.verifier = str(verifier)
        row.password_changed_at = utcnow()


def remove_user(store: Store, name: str) -> None:
    """Delete the login ``name``; the policy's user entry is not touched."""
    with store.session() as session:
        session.delete(_row(session, name))


def list_users(store: Store) -> list[GatewayUser]:
    """Every login, by name, with its roles under the policy in force."""
    version = current_policy(store)
    rbac = Rbac(version.policy) if version is not None else None
    with store.session() as session:
        rows = session.scalars(sa.select(GatewayUserRow).order_by(GatewayUserRow.name)).all()
    return [
        GatewayUser(
            name=row.name,
            created_at=row.created_at,
            created_by=row.created_by,
            password_changed_at=row.password_changed_at,
            in_policy=rbac is not None and row.name in rbac.policy.users,
            roles=rbac.roles_of(row.name) if rbac is not None else (),
        )
        for row in rows
    ]


def find_verifier(store: Store, name: str) -> ScramVerifier | None:
    """The stored verifier of login ``name``, or None when there is no such login (or
    its stored text is damaged: the login then fails like an unknown user's)."""
    with store.session() as session:
        text = session.scalar(sa.select(GatewayUserRow.verifier).where(GatewayUserRow.name == name))
    if text is None:
        return None
    try:
        return ScramVerifier.parse(text)
    except ValueError:
        return None


def mock_auth_key(store: Store) -> bytes:
    """The key unknown users' SCRAM salts derive from: 32 random bytes made once per
    store, so every gateway sharing the store shows the same fake salt for a name."""
    for _ in range(2):
        with store.session() as session:
            row = session.get(GatewaySecretRow, _MOCK_KEY)
            if row is not None:
                return bytes.fromhex(row.value)
        try:
            with store.session() as session:
                session.add(GatewaySecretRow(name=_MOCK_KEY, value=secrets.token_hex(32)))
        except sa_exc.IntegrityError:
            continue  # another gateway made it first: read theirs
    raise AssertionError("unreachable: the key was just stored")


# -- internals ----------------------------------------------------------------------------


def _check_policy_user(
    version: PolicyVersion | None, name: str, roles: tuple[str, ...]
) -> tuple[str, ...]:
    """The roles the policy gives ``name`` (inherited included), or UsageError saying
    how to make the policy and the command agree."""
    if version is None:
        raise UsageError(
            "no policy has been applied yet, so there is no user to give a login",
            hint=f"Add {name} under users: in the policy and apply it: veil policy apply FILE",
        )
    policy = version.policy
    if name not in policy.users:
        known = ", ".join(sorted(policy.users)) or "none"
        raise UsageError(
            f"{name!r} is not a user of the policy in force (version {version.number})"
            + _did_you_mean(name, policy.users),
            hint=f"Add {name} under users: with its roles and apply the policy "
            f"(veil policy apply FILE). Users now: {known}.",
        )
    for role in roles:
        if role not in policy.roles:
            raise UsageError(
                f"unknown role {role!r}" + _did_you_mean(role, policy.roles),
                hint=f"Roles of policy version {version.number}: "
                + (", ".join(sorted(policy.roles)) or "none"),
            )
    held = Rbac(policy).roles_of(name)
    missing = [r for r in roles if r not in held]
    if missing:
        raise UsageError(
            f"the policy in force does not give {name} the role"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}; it gives "
            + (", ".join(held) or "no roles"),
            hint=f"Roles are assigned in the policy: add them to users.{name}.roles and "
            "apply it (veil policy apply FILE), or leave out --role.",
        )
    return held


def _derive(password: str, iterations: int) -> ScramVerifier:
    try:
        return ScramVerifier.derive(password, iterations=iterations)
    except ValueError as e:
        raise UsageError(str(e)) from None


def _row(session: Session, name: str) -> GatewayUserRow:
    row = session.scalars(sa.select(GatewayUserRow).where(GatewayUserRow.name == name)).first()
    if row is None:
        existing = session.scalars(sa.select(GatewayUserRow.name)).all()
        raise NotFoundError(
            f"no gateway user {name!r}" + _did_you_mean(name, existing),
            hint="List them with: veil user list",
        )
    return row


def _did_you_mean(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
