"""`veil pii …` driven like a steward: review list, confirm, reject, errors, help."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from catalog.model import PiiSuggestion
from catalog.pii import ColumnKey, record_suggestions
from catalog.store import open_store
from cli.main import cli
from tests import warehouses

EMAIL = PiiSuggestion(
    "EMAIL_ADDRESS",
    0.98,
    {"samples": 100, "hits": 98, "signals": ["values: 98/100", "name: 'email'"]},
    "a**@e******.com",
)
NAME = PiiSuggestion("PERSON", 0.81, {"samples": 3, "hits": 2, "signals": []}, "A** L**")


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke `veil` in-process with an isolated home, catalog and environment."""
    for var in list(os.environ):
        if var.startswith("VEIL_") and var != "VEIL_TEST_PG_URL":
            monkeypatch.delenv(var)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(cli, ["--home", str(tmp_path / ".veil"), *args])
        assert result.exit_code == code, (result.output, result.exception)
        return result

    return invoke


@pytest.fixture
def suggested(run, tmp_path):
    """The sample warehouse scanned as `dw`, with classifier suggestions on two columns."""
    run("scan", "--warehouse", warehouses.duckdb_warehouse(tmp_path / "dw.duckdb"), "--name", "dw")
    store = open_store(f"sqlite:///{tmp_path / '.veil' / 'catalog.db'}")
    try:
        record_suggestions(
            store,
            [
                (ColumnKey("dw", "crm", "customers", "email"), EMAIL, "fp1"),
                (ColumnKey("dw", "crm", "customers", "full_name"), NAME, "fp2"),
                (ColumnKey("dw", "crm", "customers", "balance"), None, "fp3"),
            ],
        )
    finally:
        store.close()
    return run


def _pii(run, column: str) -> dict | None:
    doc = json.loads(run("catalog", "export", "--format", "json").output)
    table, name = column.rsplit(".", 1)
    schema, table = table.split(".")
    found = next(t for t in doc["tables"] if (t["schema"], t["name"]) == (schema, table))
    return next(c for c in found["columns"] if c["name"] == name)


def test_list_shows_the_review_queue_as_a_table(suggested):
    out = suggested("pii", "list").output
    lines = out.splitlines()
    assert lines[0].split() == [
        "COLUMN",
        "ENTITY",
        "SCORE",
        "STATUS",
        "SOURCE",
        "EXAMPLE",
        "EVIDENCE",
    ]
    assert lines[1].split()[:6] == [
        "dw.crm.customers.email",
        "EMAIL_ADDRESS",
        "0.98",
        "suggested",
        "classifier",
        "a**@e******.com",
    ]
    assert lines[1].endswith("98/100 values match; name: email")
    assert "dw.crm.customers.full_name" in lines[2] and "2/3 values match" in lines[2]
    assert len(lines) == 3


def test_confirm_change_type_and_reject_end_to_end(suggested, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "os-steward")
    out = suggested("pii", "confirm", "crm.customers.email", "--note", "JIRA-7").output
    assert "Confirmed dw.crm.customers.email as EMAIL_ADDRESS (tags: pii, pii.email_address)" in out
    email = _pii(suggested, "crm.customers.email")
    assert email["pii"] == {"entity": "EMAIL_ADDRESS", "score": 0.98, "status": "confirmed"}
    assert email["tags"] == ["pii", "pii.email_address"]

    out = suggested("pii", "confirm", "dw.crm.customers.full_name", "--entity", "email address")
    assert "as EMAIL_ADDRESS (tags: pii, pii.email_address)" in out.output
    out = suggested("pii", "confirm", "crm.customers.full_name", "--entity", "person", "--by", "bo")
    assert "as PERSON (tags: pii, pii.person)" in out.output
    assert _pii(suggested, "crm.customers.full_name")["tags"] == ["pii", "pii.person"]

    out = suggested("pii", "reject", "crm.customers.email", "--by", "bo", "--note", "test data")
    assert "Rejected EMAIL_ADDRESS on dw.crm.customers.email" in out.output
    email = _pii(suggested, "crm.customers.email")
    assert email["pii"]["status"] == "rejected" and email["tags"] == []

    listed = json.loads(suggested("pii", "list", "--format", "json").output)
    by_column = {r["column"]: r for r in listed}
    assert by_column["dw.crm.customers.email"]["decided_by"] == "bo"
    assert by_column["dw.crm.customers.email"]["note"] == "test data"
    assert by_column["dw.crm.customers.full_name"]["decided_by"] == "bo"
    confirmed = json.loads(
        suggested("pii", "list", "--status", "confirmed", "--format", "json").output
    )
    assert [r["column"] for r in confirmed] == ["dw.crm.customers.full_name"]
    assert confirmed[0]["entity"] == "PERSON" and "changed_from" not in confirmed[0]["evidence"]


def test_by_defaults_to_the_os_user(suggested, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "os-steward")
    suggested("pii", "confirm", "crm.customers.email")
    [record] = json.loads(
        suggested("pii", "list", "--status", "confirmed", "--format", "json").output
    )
    assert record["decided_by"] == "os-steward" and record["decided_at"]


def test_list_json_has_every_field_and_no_raw_values(suggested):
    listed = json.loads(suggested("pii", "list", "--format", "json").output)
    assert set(listed[0]) == {
        "column",
        "entity",
        "score",
        "status",
        "source",
        "evidence",
        "summary",
        "masked_example",
        "created_at",
        "decided_by",
        "decided_at",
        "note",
    }
    blob = json.dumps(listed)
    for raw in ("ann@example.com", "bo@example.org", "Ann Lee", "Bo Ek"):
        assert raw not in blob


def test_empty_lists_say_so(suggested):
    assert "No rejected PII." in suggested("pii", "list", "--status", "rejected").output
    assert (
        json.loads(suggested("pii", "list", "--status", "rejected", "--format", "json").output)
        == []
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["pii", "confirm", "crm.customers.born"],
            "Error: dw.crm.customers.born has no PII suggestion to confirm",
        ),
        (
            ["pii", "confirm", "crm.customers.email", "--entity", "EMAIL_ADRESS"],
            "did you mean 'EMAIL_ADDRESS'?",
        ),
        (
            ["pii", "reject", "crm.customers.born"],
            "Error: nothing to reject on dw.crm.customers.born",
        ),
        (["pii", "reject", "crm.customers.nope"], "Error: table dw.crm.customers has no column"),
        (["pii", "confirm", "crm.customers"], "Error: 'crm.customers' does not name a column"),
        (["pii", "list", "--warehouse", "nope"], "Error: no warehouse named 'nope'"),
    ],
)
def test_steward_mistakes_exit_1_with_a_sentence(suggested, args, message):
    result = suggested(*args, code=1)
    assert message in result.output and "Traceback" not in result.output


def test_an_unknown_status_is_a_usage_error(suggested):
    result = suggested("pii", "list", "--status", "maybe", code=2)
    assert "'maybe' is not one of 'suggested', 'confirmed', 'rejected'" in result.output


@pytest.mark.parametrize(
    "command", [["pii"], ["pii", "list"], ["pii", "confirm"], ["pii", "reject"]], ids=" ".join
)
def test_every_pii_command_has_help_with_examples(run, command):
    out = run(*command, "--help").output
    assert "Usage: " in out and "veil pii" in out and len(out.splitlines()) > 6
