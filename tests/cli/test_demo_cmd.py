"""`veil demo` end to end, through the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _veil(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "veil"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEIL_")}
    return subprocess.run(
        [str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_demo_builds_catalogs_and_is_repeatable(tmp_path):
    first = _veil("demo", "--scale", "0.05", "--statements", "500", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Demo warehouse" in first.stdout and "Catalogued warehouse demo" in first.stdout
    assert "Query log" in first.stdout and "500 statements" in first.stdout
    assert (tmp_path / ".veil" / "demo" / "demo.duckdb").exists()
    lines = (tmp_path / ".veil" / "demo" / "query_log.jsonl").read_text().splitlines()
    assert len(lines) == 500 and json.loads(lines[0])["query_text"]

    exported = json.loads(_veil("catalog", "export", cwd=tmp_path).stdout)
    names = {f"{t['schema']}.{t['name']}" for t in exported["tables"]}
    assert {"crm.customers", "sales.orders", "support.tickets", "hr.employees"} <= names
    assert any(t["kind"] == "view" for t in exported["tables"])

    again = _veil("demo", "--scale", "0.05", "--statements", "500", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "No schema changes since the last scan." in again.stdout
