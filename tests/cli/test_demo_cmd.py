"""`veil demo` end to end, through the installed console script."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
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
    first = _veil("demo", "--scale", "0.05", "--statements", "500", "--no-serve", cwd=tmp_path)
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

    again = _veil("demo", "--scale", "0.05", "--statements", "500", "--no-serve", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "No schema changes since the last scan." in again.stdout
    # Logins exist for every role, with a fresh password each run.
    assert "veil proxy --warehouse demo --port 6543" in again.stdout
    assert _psql_line(first.stdout) != _psql_line(again.stdout)


def _psql_line(stdout: str) -> str:
    found = re.search(r'^(?:Then|Try): (psql ".*")$', stdout, re.MULTILINE)
    assert found, stdout
    return found.group(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_serves_the_gateway_and_its_psql_line_works(tmp_path):
    port = _free_port()
    exe = Path(sys.executable).parent / "veil"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEIL_")}
    args = ["demo", "--scale", "0.05", "--statements", "500", "--port-proxy", str(port)]
    served = subprocess.Popen(
        [str(exe), *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        out = ""
        assert served.stdout is not None
        for line in served.stdout:  # the demo builds, then prints the line once serving
            out += line
            if line.startswith("Serving until"):
                break
        line = _psql_line(out)
        assert f"port={port} user=alice" in line
        sql = "SELECT email FROM crm.customers ORDER BY customer_id LIMIT 3"
        done = subprocess.run(
            f"{line} -X -A -t -v ON_ERROR_STOP=1 -c '{sql}' -c 'SELECT card_number FROM sales.payments'",
            shell=True,
            capture_output=True,
            text=True,
            timeout=120,
            env={k: v for k, v in os.environ.items() if not k.startswith("PG")},
        )
        emails = done.stdout.split()
        assert len(emails) == 3 and all(e.startswith("***@") for e in emails), done
        assert "permission denied for column card_number" in done.stderr
    finally:
        served.send_signal(signal.SIGTERM)
        rest, _ = served.communicate(timeout=60)
    assert served.returncode == 0
    assert "Gateway stopped." in rest
