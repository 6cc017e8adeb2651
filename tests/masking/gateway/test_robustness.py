"""Limits, idle timeout, cancellation and shutdown, on gateways of their own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from masking.gateway import GatewayConfig
from tests.masking.gateway.conftest import Running, build_catalog, start_gateway

#: Billions of rows from three: runs until cancelled.
SLOW = "SELECT count(*) FROM " + ", ".join(f"crm.customers c{i}" for i in range(24))


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Running]:
    store = build_catalog(tmp_path)
    running = start_gateway(
        tmp_path, store, GatewayConfig(port=0, max_connections=2, idle_timeout=0.5)
    )
    yield running
    running.stop()
    running.gateway.audit.close()
    store.close()


def test_past_the_connection_limit_clients_get_53300(small: Running) -> None:
    with (
        psycopg.connect(small.dsn(), autocommit=True) as one,
        psycopg.connect(small.dsn(), autocommit=True) as two,
    ):
        with pytest.raises(psycopg.OperationalError) as caught:
            psycopg.connect(small.dsn())
        assert "too many clients" in str(caught.value)
        assert one.execute("SELECT 1").fetchone() == (1,)
        assert two.execute("SELECT 2").fetchone() == (2,)


def test_an_idle_client_is_closed_with_57P05(small: Running) -> None:
    conn = psycopg.connect(small.dsn(), autocommit=True)
    try:
        threading.Event().wait(2)  # longer than the idle timeout
        with pytest.raises(psycopg.OperationalError) as caught:
            conn.execute("SELECT 1")
        assert "idle-session timeout" in str(caught.value)
    finally:
        conn.close()


def test_cancel_request_interrupts_the_warehouse_query(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True) as conn:
        # Cancel repeatedly until the query has surely started, then stop.
        stop = threading.Event()

        def cancel() -> None:
            while not stop.wait(0.2):
                conn.cancel_safe()

        canceller = threading.Thread(target=cancel)
        canceller.start()
        try:
            with pytest.raises(psycopg.errors.QueryCanceled) as caught:
                conn.execute(SLOW)
        finally:
            stop.set()
            canceller.join()
        assert caught.value.sqlstate == "57014"
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_sigterm_stops_accepting_and_exits_cleanly(tmp_path: Path) -> None:
    build_catalog(tmp_path).close()
    env = {
        **os.environ,
        "VEIL_CATALOG_URL": f"sqlite:///{tmp_path / 'catalog.db'}",
        "VEIL_HOME": str(tmp_path / ".veil"),
    }
    code = "from cli.main import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "proxy", "--warehouse", "wh", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "Veil gateway for warehouse wh on 127.0.0.1:" in first, proc.stderr
        port = int(first.rsplit(":", 1)[1])
        assert "psql" in proc.stdout.readline()
        dsn = f"host=127.0.0.1 port={port} user=alice password=alice-pw dbname=wh sslmode=disable"
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM crm.customers").fetchone() == (3,)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            assert "Gateway stopped." in out
            with pytest.raises(psycopg.OperationalError):
                conn.execute("SELECT 1")
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(dsn, connect_timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
