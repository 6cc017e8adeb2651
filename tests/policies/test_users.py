"""Gateway users on SQLite and PostgreSQL: logins for policy users, verifiers only,
roles checked against the policy in force, a stable key for unknown users' salts."""

from __future__ import annotations

import re
import threading

import pytest
import sqlalchemy as sa

from catalog.errors import NotFoundError, UsageError
from catalog.store.models import GatewayUserRow
from policies.credentials import ScramVerifier
from policies.store import apply_policy
from policies.users import (
    add_user,
    check_password,
    find_verifier,
    list_users,
    mock_auth_key,
    remove_user,
    set_password,
)

POLICY = """\
version: 1
roles: {analyst: {}, senior_analyst: {inherits: [analyst]}, privacy_officer: {}}
users:
  alice: {roles: [analyst]}
  sam: {roles: [senior_analyst]}
  bob: {roles: [privacy_officer]}
"""


@pytest.fixture
def store_with_policy(store):
    apply_policy(store, POLICY, by="admin")
    return store


def test_a_login_stores_a_verifier_and_never_the_password(store_with_policy):
    user = add_user(store_with_policy, "alice", "wonderland", by="admin", roles=("analyst",))
    assert (user.name, user.roles, user.in_policy, user.created_by) == (
        "alice",
        ("analyst",),
        True,
        "admin",
    )
    with store_with_policy.session() as session:
        stored = session.scalar(sa.select(GatewayUserRow.verifier))
    assert stored.startswith("SCRAM-SHA-256$4096:") and "wonderland" not in stored
    verifier = find_verifier(store_with_policy, "alice")
    assert verifier is not None and verifier.check_password("wonderland")
    assert not verifier.check_password("Wonderland")
    assert repr(verifier) == "ScramVerifier(iterations=4096, salt=<16 bytes>)"


def test_inherited_roles_count(store_with_policy):
    user = add_user(store_with_policy, "sam", "pw", by="admin", roles=("analyst", "senior_analyst"))
    assert user.roles == ("analyst", "senior_analyst")


@pytest.mark.parametrize(
    ("name", "roles", "message", "hint"),
    [
        (
            "carol",
            (),
            "'carol' is not a user of the policy in force (version 1)",
            "Users now: alice, bob, sam.",
        ),
        ("alicia", (), "did you mean 'alice'?", "Add alicia under users:"),
        (
            "alice",
            ("analist",),
            "unknown role 'analist'; did you mean 'analyst'?",
            "analyst, privacy_officer, senior_analyst",
        ),
        (
            "alice",
            ("privacy_officer",),
            "does not give alice the role privacy_officer; it gives analyst",
            "users.alice.roles",
        ),
    ],
)
def test_logins_must_agree_with_the_policy(store_with_policy, name, roles, message, hint):
    with pytest.raises(UsageError, match=re.escape(message)) as e:
        add_user(store_with_policy, name, "pw", by="admin", roles=roles)
    assert hint in (e.value.hint or "")
    assert find_verifier(store_with_policy, name) is None


def test_without_a_policy_nobody_gets_a_login(store):
    with pytest.raises(UsageError, match="no policy has been applied yet") as e:
        add_user(store, "alice", "pw", by="admin")
    assert "veil policy apply" in (e.value.hint or "")


def test_a_login_exists_once(store_with_policy):
    add_user(store_with_policy, "alice", "one", by="admin")
    with pytest.raises(UsageError, match="gateway user 'alice' already exists") as e:
        add_user(store_with_policy, "alice", "two", by="admin")
    assert e.value.hint == "Change its password with: veil user passwd alice"
    assert find_verifier(store_with_policy, "alice").check_password("one")


def test_changing_a_password_changes_the_salt(store_with_policy):
    add_user(store_with_policy, "bob", "old", by="admin")
    before = find_verifier(store_with_policy, "bob")
    set_password(store_with_policy, "bob", "new", iterations=5000)
    after = find_verifier(store_with_policy, "bob")
    assert after.check_password("new") and not after.check_password("old")
    assert after.salt != before.salt and after.iterations == 5000
    with pytest.raises(
        NotFoundError, match=re.escape("no gateway user 'bobby'; did you mean 'bob'?")
    ):
        set_password(store_with_policy, "bobby", "x")


def test_removing_a_login_leaves_the_policy_alone(store_with_policy):
    add_user(store_with_policy, "alice", "pw", by="admin")
    remove_user(store_with_policy, "alice")
    assert find_verifier(store_with_policy, "alice") is None
    with pytest.raises(NotFoundError, match="no gateway user 'alice'"):
        remove_user(store_with_policy, "alice")


def test_listing_flags_logins_the_policy_no_longer_knows(store_with_policy):
    add_user(store_with_policy, "bob", "pw", by="admin")
    add_user(store_with_policy, "alice", "pw", by="admin")
    apply_policy(store_with_policy, POLICY.replace("  alice: {roles: [analyst]}\n", ""), by="admin")
    listed = {u.name: u for u in list_users(store_with_policy)}
    assert list(listed) == ["alice", "bob"]
    assert not listed["alice"].in_policy and listed["alice"].roles == ()
    assert listed["bob"].in_policy and listed["bob"].roles == ("privacy_officer",)
    assert listed["bob"].password_changed_at.tzinfo is not None


@pytest.mark.parametrize(
    ("password", "message"),
    [("", "empty"), ("a\x00b", "NUL"), ("é" * 513, "longer than 1024 bytes")],
)
def test_passwords_no_client_could_send_are_refused_without_being_quoted(password, message):
    with pytest.raises(UsageError, match=message) as e:
        check_password(password)
    if password:
        assert password not in str(e.value)


def test_iteration_counts_below_the_rfc_minimum_are_refused(store_with_policy):
    with pytest.raises(UsageError, match="iterations must be between 4096"):
        add_user(store_with_policy, "alice", "pw", by="admin", iterations=1000)


def test_a_damaged_verifier_fails_like_an_unknown_user(store_with_policy):
    add_user(store_with_policy, "alice", "pw", by="admin")
    with store_with_policy.session() as session:
        session.execute(sa.update(GatewayUserRow).values(verifier="md5abc"))
    assert find_verifier(store_with_policy, "alice") is None


def test_the_mock_key_is_made_once_and_shared(store):
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(mock_auth_key(store))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results[0]) == 32
    assert mock_auth_key(store) == results[0]


@pytest.mark.parametrize(
    "text",
    [
        "SCRAM-SHA-256$4096:c2FsdA==$" + "A" * 44,
        "SCRAM-SHA-256$4096:c2FsdA==$!!!:!!!",
        "SCRAM-SHA-256$0:c2FsdA==$" + "A" * 43 + "=:" + "A" * 43 + "=",
        "SCRAM-SHA-256$4096:c2FsdA==$YWJj:YWJj",
        "md5d41d8cd98f00b204e9800998ecf8427e",
    ],
)
def test_verifier_texts_that_are_not_verifiers_are_refused_without_echo(text):
    with pytest.raises(ValueError, match="not a SCRAM-SHA-256 verifier") as e:
        ScramVerifier.parse(text)
    assert text not in str(e.value)
