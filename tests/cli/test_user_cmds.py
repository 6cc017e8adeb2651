"""`veil user …` driven like a platform admin: logins for policy users, passwords from
stdin or a hidden prompt, never echoed, and errors that say how to fix them."""

from __future__ import annotations

import json

import pytest

POLICY = """\
version: 1
roles: {analyst: {}, senior_analyst: {inherits: [analyst]}, privacy_officer: {}}
users: {alice: {roles: [analyst]}, sam: {roles: [senior_analyst]}, bob: {roles: [privacy_officer]}}
"""
SECRET = "correct horse battery staple"


@pytest.fixture
def admin(run, tmp_path):
    """`veil` with a policy of three users applied."""
    (tmp_path / "policy.yaml").write_text(POLICY)
    run("policy", "apply", str(tmp_path / "policy.yaml"))
    return run


def test_add_from_stdin_then_list(admin):
    out = admin(
        "user", "add", "alice", "--role", "analyst", "--password-stdin", input=SECRET + "\n"
    )
    assert out.output == "Added gateway user alice (roles under the policy in force: analyst).\n"
    out = admin(
        "user",
        "add",
        "sam",
        "--role",
        "analyst",
        "--role",
        "senior_analyst",
        "--password-stdin",
        input=SECRET,
    )
    assert "analyst, senior_analyst" in out.output
    listed = admin("user", "list").output.splitlines()
    assert [line.split()[0] for line in listed] == ["alice", "sam"]
    assert listed[0].endswith("analyst") and "password set 20" in listed[0]
    data = json.loads(admin("user", "list", "--format", "json").output)
    assert data[0]["name"] == "alice" and data[0]["roles"] == ["analyst"] and data[0]["in_policy"]
    assert set(data[0]) == {
        "name",
        "roles",
        "in_policy",
        "created_at",
        "created_by",
        "password_changed_at",
    }


def test_the_prompt_asks_twice_and_never_echoes(admin):
    out = admin("user", "add", "bob", input=f"{SECRET}\n{SECRET}\n")
    assert "Password for bob: " in out.output and "Repeat the password: " in out.output
    assert SECRET not in out.output
    assert "Added gateway user bob" in out.output


def test_a_mistyped_confirmation_asks_again(admin):
    out = admin("user", "add", "bob", input=f"{SECRET}\ntypo\n{SECRET}\n{SECRET}\n")
    assert "do not match" in out.output and "Added gateway user bob" in out.output
    assert SECRET not in out.output and "typo" not in out.output


def test_passwd_and_remove(admin):
    admin("user", "add", "alice", "--password-stdin", input="one\n")
    out = admin("user", "passwd", "alice", "--password-stdin", input="two\n")
    assert out.output == "Changed the password of gateway user alice.\n"
    assert admin("user", "remove", "alice").output == "Removed gateway user alice.\n"
    assert admin("user", "list").output == "No gateway users yet. Add one: veil user add NAME\n"


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (
            ("add", "carol"),
            "pw\n",
            "Error: 'carol' is not a user of the policy in force (version 1)",
        ),
        (
            ("add", "alice", "--role", "privacy_officer"),
            "pw\n",
            "does not give alice the role privacy_officer",
        ),
        (
            ("add", "alice", "--role", "analist"),
            "pw\n",
            "unknown role 'analist'; did you mean 'analyst'?",
        ),
        (("add", "alice"), "\n", "Error: the password is empty"),
        (("add", "alice"), "line one\nline two\n", "reads one line"),
        (
            ("add", "alice", "--iterations", "100"),
            "pw\n",
            "100 is not in the range 4096<=x<=10000000",
        ),
        (("passwd", "nobody"), "pw\n", "Error: no gateway user 'nobody'"),
        (("remove", "nobody"), None, "Error: no gateway user 'nobody'"),
    ],
)
def test_mistakes_exit_with_a_message_and_no_traceback(admin, args, stdin, expected):
    code = 2 if "--iterations" in args else 1
    result = admin(
        "user", *args, *(("--password-stdin",) if stdin is not None else ()), input=stdin, code=code
    )
    assert expected in result.output and "Traceback" not in result.output
    assert "line one" not in result.output


def test_a_second_login_for_the_same_user_points_to_passwd(admin):
    admin("user", "add", "alice", "--password-stdin", input="pw\n")
    result = admin("user", "add", "alice", "--password-stdin", input="pw2\n", code=1)
    assert "Error: gateway user 'alice' already exists" in result.output
    assert "veil user passwd alice" in result.output


def test_users_the_policy_drops_are_flagged(admin, tmp_path):
    admin("user", "add", "bob", "--password-stdin", input="pw\n")
    (tmp_path / "policy.yaml").write_text(POLICY.replace(", bob: {roles: [privacy_officer]}", ""))
    admin("policy", "apply", str(tmp_path / "policy.yaml"))
    assert "(not in the policy: granted nothing)" in admin("user", "list").output


def test_debug_output_never_holds_the_password(admin):
    result = admin("--debug", "user", "add", "alice", "--password-stdin", input=SECRET + "\n")
    assert SECRET not in result.output
