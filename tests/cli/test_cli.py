"""The veil command, driven like a user: exit codes, messages, JSON shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import warehouses


@pytest.fixture
def dw(tmp_path):
    return warehouses.duckdb_warehouse(tmp_path / "dw.duckdb")


def test_scan_prints_a_summary_and_rescan_reports_drift(run, dw):
    out = run("scan", "--warehouse", dw, "--name", "dw").output
    assert "Catalogued warehouse dw: 3 schemas, 2 tables, 1 views, 12 columns, 8 rows" in out
    warehouses.apply(dw, warehouses.DRIFT)
    out = run("scan", "--warehouse", "dw").output  # by name, the second time
    assert "Re-scanned warehouse dw" in out
    assert "6 schema changes since the last scan:" in out
    assert "column crm.customers.phone added (VARCHAR)" in out
    changes = json.loads(run("catalog", "changes", "--format", "json").output)
    assert {c["kind"] for c in changes} >= {"column_added", "column_removed", "table_added"}


def test_scan_json_summary(run, dw):
    data = json.loads(run("scan", "--warehouse", dw, "--format", "json").output)
    assert data["warehouse"] == "dw" and data["tables"] == 2 and data["first_scan"] is True


def test_export_json_has_the_stable_shape(run, dw):
    run("scan", "--warehouse", dw, "--name", "dw")
    run("catalog", "tag", "crm.customers.email", "pii", "pii.email_address")
    doc = json.loads(run("catalog", "export", "--format", "json").output)
    assert set(doc) == {"tables"}
    for table in doc["tables"]:
        assert {"warehouse", "schema", "name", "kind", "columns"} <= set(table)
        assert table["kind"] in {"table", "view", "materialized_view"}
        for column in table["columns"]:
            assert {"name", "type", "tags", "pii"} <= set(column)
            assert isinstance(column["tags"], list)
            assert column["pii"] is None or set(column["pii"]) == {"entity", "score", "status"}
    customers = next(t for t in doc["tables"] if t["name"] == "customers")
    assert customers["warehouse"] == "dw" and customers["schema"] == "crm"
    email = next(c for c in customers["columns"] if c["name"] == "email")
    assert email["tags"] == ["pii", "pii.email_address"] and email["type"] == "VARCHAR"


def test_export_to_a_file(run, dw, tmp_path):
    run("scan", "--warehouse", dw)
    result = run("catalog", "export", "--output", str(tmp_path / "out.json"))
    assert "Wrote 3 tables" in result.output
    assert len(json.loads((tmp_path / "out.json").read_text())["tables"]) == 3


def test_search_show_and_curation(run, dw):
    run("scan", "--warehouse", dw, "--name", "dw")
    assert (
        "Described dw.crm.customers.email"
        in run("catalog", "describe", "crm.customers.email", "Where receipts go").output
    )
    assert (
        "dw.crm.customers owner: crm-team"
        in run("catalog", "owner", "crm.customers", "crm-team").output
    )
    run("catalog", "tag", "crm.customers", "Gold")
    hits = json.loads(run("catalog", "search", "receipts", "--format", "json").output)
    assert hits[0]["name"] == "dw.crm.customers.email" and hits[0]["matched"] == ["description"]
    shown = run("catalog", "show", "crm.customers").output
    assert "table dw.crm.customers  (3 rows)" in shown
    assert "owner: crm-team" in shown and "tags: gold" in shown
    assert "email" in shown and "Where receipts go" in shown
    assert "SELECT" in run("catalog", "show", "sales.big_customers").output
    assert "Removed gold" in run("catalog", "tag", "crm.customers", "gold", "--remove").output
    assert "Nothing in the catalog matches" in run("catalog", "search", "zzzz").output


def test_warehouse_list_hides_passwords(run, pg_database):
    url = warehouses.postgres_warehouse(pg_database).replace("postgres@", "postgres:Sekr3t@", 1)
    run("scan", "--warehouse", url, "--name", "pg")  # trust auth ignores the password
    listed = run("warehouse", "list").output
    assert "pg" in listed and "***" in listed and "Sekr3t" not in listed
    assert "Sekr3t" not in run("warehouse", "list", "--format", "json").output


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["scan", "--warehouse", "duckdb:///missing.duckdb"],
            "Error: no DuckDB database at missing.duckdb",
        ),
        (
            ["scan", "--warehouse", "nope"],
            "Error: 'nope' is neither a database URL nor a warehouse",
        ),
        (
            ["scan", "--warehouse", "snowflake://u:Sekr3t@acct/db"],
            "pip install snowflake-sqlalchemy",
        ),
        (
            ["scan", "--warehouse", "postgresql+psycopg://u:Sekr3t@127.0.0.1:1/db"],
            "Error: cannot reach postgresql server 127.0.0.1:1",
        ),
        (["catalog", "show", "no.such"], "Error: no table or view 'no.such' in the catalog"),
        (["catalog", "export", "--warehouse", "nope"], "Error: no warehouse named 'nope'"),
        (["catalog", "tag", "x.y", "Not A Tag!"], "Error: 'Not A Tag!' is not a valid tag"),
        (
            ["--catalog-url", "mysql://x/y", "catalog", "export"],
            "Error: the catalog store must be SQLite or PostgreSQL",
        ),
    ],
)
def test_user_errors_exit_1_with_a_sentence_and_no_traceback(run, args, message):
    result = run(*args, code=1)
    assert message in result.output
    assert "Traceback" not in result.output and "Sekr3t" not in result.output


def test_bad_config_file_is_explained(run, tmp_path):
    (tmp_path / "veil.yaml").write_text("catalog_ur: x\n")
    result = run("catalog", "export", code=1)
    assert (
        "unknown setting 'catalog_ur'" in result.output
        and "did you mean 'catalog_url'" in result.output
    )


def test_config_show_hides_secrets(run):
    out = run("--catalog-url", "postgresql+psycopg://u:Sekr3t@h/db", "config", "show").output
    assert "catalog_url" in out and "u:***@h/db" in out and "Sekr3t" not in out
    assert "command line" in out


def _veil(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "veil"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("VEIL_")}
    full_env.update(env or {})
    return subprocess.run(
        [str(exe), *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300
    )


def test_real_command_debug_flag_shows_the_traceback(tmp_path):
    plain = _veil("scan", "--warehouse", "duckdb:///missing.duckdb", cwd=tmp_path)
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert "Error: no DuckDB database" in plain.stderr
    debug = _veil("--debug", "scan", "--warehouse", "duckdb:///missing.duckdb", cwd=tmp_path)
    assert (
        debug.returncode == 1 and "Traceback" in debug.stderr and "WarehouseError" in debug.stderr
    )


def test_real_command_with_a_postgresql_catalog(tmp_path, dw, pg_database):
    env = {"VEIL_CATALOG_URL": pg_database}
    scanned = _veil("scan", "--warehouse", dw, "--name", "dw", cwd=tmp_path, env=env)
    assert scanned.returncode == 0, scanned.stderr
    exported = _veil("catalog", "export", cwd=tmp_path, env=env)
    assert len(json.loads(exported.stdout)["tables"]) == 3
    assert not (tmp_path / ".veil" / "catalog.db").exists()


COMMANDS = [
    [],
    ["scan"],
    ["warehouse"],
    ["warehouse", "list"],
    ["catalog"],
    ["catalog", "export"],
    ["catalog", "search"],
    ["catalog", "show"],
    ["catalog", "describe"],
    ["catalog", "owner"],
    ["catalog", "tag"],
    ["catalog", "changes"],
    ["demo"],
    ["classify"],
    ["pii"],
    ["pii", "list"],
    ["pii", "confirm"],
    ["pii", "reject"],
    ["config"],
    ["config", "show"],
    ["audit"],
    ["audit", "verify"],
    ["audit", "tail"],
    ["user"],
    ["user", "add"],
    ["user", "list"],
    ["user", "passwd"],
    ["user", "remove"],
    ["proxy"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "veil")
def test_every_command_has_help(run, command):
    out = run(*command, "--help").output
    assert "Usage: " in out and len(out.splitlines()) > 4


def test_debug_never_logs_secrets_or_rows(tmp_path):
    from tests.catalog.classify.test_run import duckdb_pii

    url = duckdb_pii(tmp_path / "pii.duckdb")
    env = {"VEIL_CATALOG_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    scanned = _veil("--debug", "scan", "--warehouse", url, "--name", "wh", cwd=tmp_path, env=env)
    classified = _veil("--debug", "classify", "--workers", "1", cwd=tmp_path, env=env)
    assert scanned.returncode == 0 and classified.returncode == 0, classified.stderr
    logged = scanned.stderr + classified.stderr
    assert "person.1@mailhost" not in logged and "INSERT INTO" not in logged
