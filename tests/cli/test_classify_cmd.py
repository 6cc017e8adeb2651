"""`veil classify` through the CLI: summary, JSON, dry run, errors."""

from __future__ import annotations

import json

from tests.catalog.classify.test_run import duckdb_pii


def test_classify_text_summary_then_review(run, tmp_path):
    run("scan", "--warehouse", duckdb_pii(tmp_path / "pii.duckdb"), "--name", "wh")
    out = run("classify", "--workers", "1").output
    assert "Classified 7 columns in 1 tables" in out and "5 look like personal data" in out
    assert "Recorded: 5 new" in out
    listed = json.loads(run("pii", "list", "--format", "json").output)
    assert {r["entity"] for r in listed} == {
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "US_SSN",
        "PERSON",
        "DATE_OF_BIRTH",
    }
    again = run("classify", "--workers", "1").output
    assert "0 new, 0 updated, 5 unchanged" in again


def test_classify_json_and_dry_run_record_nothing(run, tmp_path):
    run("scan", "--warehouse", duckdb_pii(tmp_path / "pii.duckdb"), "--name", "wh")
    data = json.loads(
        run("classify", "--dry-run", "--format", "json", "--table", "crm.people").output
    )
    assert data["recorded"] is None and data["columns"] == 7
    email = next(s for s in data["suggestions"] if s["column"] == "wh.crm.people.email")
    assert email["entity"] == "EMAIL_ADDRESS" and "@" in email["masked_example"]
    assert "person." not in json.dumps(data)  # masked, never raw
    assert json.loads(run("pii", "list", "--format", "json").output) == []


def test_classify_errors(run, tmp_path):
    assert "no warehouse named 'nope'" in run("classify", "--warehouse", "nope", code=1).output
    run("scan", "--warehouse", duckdb_pii(tmp_path / "pii.duckdb"), "--name", "wh")
    assert (
        "no such table in the catalog: crm.nope"
        in run("classify", "--table", "crm.nope", code=1).output
    )
