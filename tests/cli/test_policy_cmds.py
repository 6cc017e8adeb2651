"""`veil policy …` driven like a platform admin: apply, export, history, diff, errors."""

from __future__ import annotations

import json

import pytest

from tests import warehouses

POLICY = """\
# Access to the sample warehouse. Owner: data-platform.
version: 1
roles: {analyst: {}, senior_analyst: {inherits: [analyst]}, privacy_officer: {}}
users: {alice: {roles: [analyst], attributes: {region: EU}}, bob: {roles: [privacy_officer]}}
grants:
  - {role: analyst, resource: "sales.*", actions: [select]}
  - {role: analyst, resource: "crm.customers", actions: [select]}
masks:
  - {tag: pii.email_address, method: email, exempt: [privacy_officer]}
  - {column: "crm.customers.full_name", method: partial, show_last: 4}
  - {tag: pii, method: redact}
row_filters:
  - {table: "sales.orders", role: analyst, where: "total < 100"}
retention:
  - {table: "sales.orders", column: placed_at, keep: 90d, action: hide}
defaults: {pii_mask: redact, unknown_columns: deny}
"""


@pytest.fixture
def admin(run, tmp_path):
    """`veil` with the sample warehouse scanned as `dw`."""
    run("scan", "--warehouse", warehouses.duckdb_warehouse(tmp_path / "dw.duckdb"), "--name", "dw")
    return run


def test_apply_then_export_round_trips_byte_for_byte(admin, tmp_path):
    text = POLICY.replace("\n", "\r\n") + "\n# trailing comment without newline"
    (tmp_path / "policy.yaml").write_bytes(text.encode())
    out = admin("policy", "apply", str(tmp_path / "policy.yaml"), "--by", "alice").output
    assert out.startswith(f"Applied {tmp_path / 'policy.yaml'} as policy version 1 (by alice).\n")
    assert "+++ version 1" in out and "+  - role: analyst\n" in out
    exported = admin("policy", "export").stdout_bytes
    assert exported == text.encode()
    canonical = admin("policy", "export", "--canonical").output
    assert canonical.startswith("version: 1\nroles:\n") and "# Access" not in canonical


def test_applying_the_same_policy_again_changes_nothing(admin, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(POLICY)
    admin("policy", "apply", str(path))
    path.write_text("# reformatted\n" + POLICY.replace("keep: 90d, action: hide", "keep: 90d"))
    out = admin("policy", "apply", str(path)).output
    assert out == f"No change: {path} says what policy version 1 says.\n"
    assert admin("policy", "export").output == POLICY  # the first text stays in force


def test_dry_run_shows_the_diff_and_stores_nothing(admin, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(POLICY)
    out = admin("policy", "apply", str(path), "--dry-run").output
    assert out.startswith(f"{path} is valid; applying it would make policy version 1.\n")
    assert "No policy has been applied yet." in admin("policy", "history").output
    admin("policy", "export", code=1)


def test_an_invalid_file_lists_every_problem_and_exits_1(admin, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        POLICY.replace("method: email", "method: emial")
        .replace("[select]}", "[selct]}", 1)
        .replace("column: placed_at", "column: placed")
        .replace("users: {alice: {roles: [analyst]", "users: {alice: {roles: [analist]")
    )
    result = admin("policy", "apply", str(path), code=1)
    assert f"Error: {path} has 4 problems:\n" in result.output
    for expected in (
        "  users.alice.roles[0]: unknown role 'analist'; did you mean 'analyst'? (line 4)",
        "  grants[0].actions[0]: unknown action 'selct'; did you mean 'select'? (line 6)",
        "  masks[0].method: unknown mask method 'emial'; did you mean 'email'? (line 9)",
        "  retention[0].column: table dw.sales.orders has no column 'placed'; did you mean "
        "'placed_at'? (line 15)",
    ):
        assert expected in result.output
    assert "Nothing was applied; the policy in force is unchanged." in result.output
    assert "Traceback" not in result.output


def test_history_and_diff(admin, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(POLICY)
    admin("policy", "apply", str(path), "--by", "alice")
    path.write_text(POLICY.replace("total < 100", "total < 500"))
    out = admin("policy", "apply", str(path), "--by", "bob").output
    assert "-    where: total < 100\n+    where: total < 500\n" in out
    lines = admin("policy", "history").output.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "1" and lines[0].split()[3:] == ["alice", "+44", "-0"]
    assert lines[1].split()[0] == "2" and lines[1].split()[3:] == ["bob", "+1", "-1"]
    history = json.loads(admin("policy", "history", "--format", "json").output)
    assert [(h["version"], h["created_by"], h["added"], h["removed"]) for h in history] == [
        (1, "alice", 44, 0),
        (2, "bob", 1, 1),
    ]
    assert admin("policy", "diff", "2").output.startswith("--- version 1\n+++ version 2\n")
    back = admin("policy", "diff", "2", "1").output
    assert "-    where: total < 500\n+    where: total < 100\n" in back
    assert admin("policy", "diff", "1", "1").output == "No difference between versions 1 and 1.\n"
    assert admin("policy", "export", "--version", "1").output == POLICY


def test_apply_reads_stdin(admin):
    out = admin("policy", "apply", "-", "--by", "ci", input=POLICY).output
    assert out.startswith("Applied stdin as policy version 1 (by ci).")


@pytest.mark.parametrize(
    "args, message",
    [
        (["policy", "export"], "Error: no policy has been applied yet"),
        (["policy", "export", "--version", "3"], "Error: no policy version 3"),
        (["policy", "diff", "2"], "Error: no policy version 2"),
        (["policy", "apply", "missing.yaml"], "No such file or directory"),
    ],
)
def test_user_errors_are_one_message(admin, args, message):
    result = admin(*args, code=1 if "apply" not in args else 2)
    assert message in result.output and "Traceback" not in result.output


def test_a_file_that_is_not_utf8_is_refused(admin, tmp_path):
    (tmp_path / "latin1.yaml").write_bytes("version: 1\n# Zürich\n".encode("latin-1"))
    result = admin("policy", "apply", str(tmp_path / "latin1.yaml"), code=1)
    assert "is not UTF-8 text" in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["policy"],
        ["policy", "apply"],
        ["policy", "export"],
        ["policy", "history"],
        ["policy", "diff"],
    ],
)
def test_every_policy_command_has_help(run, command):
    out = run(*command, "--help").output
    assert "Usage: " in out and len(out.splitlines()) > 4
