"""A real gateway on a free port over a real DuckDB warehouse and SQLite catalog
(``gateway``), and one relaying to a real PostgreSQL warehouse (``relay``).

The warehouse is tests/warehouses.py's; it is scanned into the catalog, its email
column confirmed as PII, a policy applied and logins added, exactly as an admin would.
The server runs in a background thread with its own event loop.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from catalog.config import load_settings
from catalog.pii.review import confirm
from catalog.scan import scan_warehouse
from catalog.store import Store, open_store
from masking.gateway import Gateway, GatewayConfig, open_gateway
from policies.audit import StoredRecord, read_records
from policies.store import apply_policy
from policies.users import add_user
from tests import warehouses

POLICY = """\
version: 1
roles: {analyst: {}, privacy_officer: {}}
users: {alice: {roles: [analyst]}, bob: {roles: [privacy_officer]}}
grants:
  - {role: analyst, resource: "crm.*", actions: [select]}
  - {role: analyst, resource: "sales.*", actions: [select]}
  - {role: analyst, resource: "crm.customers.born", actions: [select], effect: deny}
  - {role: privacy_officer, resource: "*", actions: [select]}
masks:
  - {tag: pii.email_address, method: email, exempt: [privacy_officer]}
row_filters:
  - {table: "sales.orders", role: analyst, where: "total < 50"}
defaults: {pii_mask: redact, unknown_columns: deny}
"""
PASSWORDS = {"alice": "alice-pw", "bob": "bob-pw"}
MASKED_EMAILS = ["***@example.com", "***@example.org", "***@example.net"]
RAW_EMAILS = ["ann@example.com", "bo@example.org", "cy@example.net"]


@dataclass
class Running:
    gateway: Gateway
    store: Store
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread

    @property
    def port(self) -> int:
        return self.gateway.port

    def dsn(self, user: str = "alice", password: str | None = None) -> str:
        pw = PASSWORDS[user] if password is None else password
        return (
            f"host=127.0.0.1 port={self.port} user={user} password={pw} dbname=wh sslmode=disable"
        )

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.gateway.shutdown(), self.loop).result(60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def wait_for_record(running: Running, match: Callable[[StoredRecord], bool]) -> StoredRecord:
    """The first stored record that matches; outcome records are written a moment after
    the statement's reply, so look again for up to 30 s."""
    for _ in range(300):
        found = next((r for r in read_records(running.store) if match(r)), None)
        if found is not None:
            return found
        time.sleep(0.1)
    raise AssertionError("no matching audit record")


def build_catalog(folder: Path, url: str | None = None) -> Store:
    """The catalog of the warehouse at ``url`` (default: a fresh sample DuckDB file),
    scanned as "wh", email confirmed, POLICY applied, PASSWORDS' logins added."""
    url = url or warehouses.duckdb_warehouse(folder / "wh.duckdb")
    store = open_store(f"sqlite:///{folder / 'catalog.db'}")
    scan_warehouse(store, url, "wh")
    confirm(store, "wh.crm.customers.email", entity="EMAIL_ADDRESS", by="steward")
    apply_policy(store, POLICY, by="admin")
    for user, password in PASSWORDS.items():
        add_user(store, user, password, by="admin")
    return store


def start_gateway(folder: Path, store: Store, config: GatewayConfig) -> Running:
    settings = load_settings(None, overrides={"home": str(folder / ".veil")})
    gateway = open_gateway(store, settings, "wh", config)
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(gateway.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="gateway", daemon=True)
    thread.start()
    assert started.wait(30)
    return Running(gateway, store, loop, thread)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("gateway")
    store = build_catalog(folder)
    running = start_gateway(folder, store, GatewayConfig(port=0, batch_rows=2))
    yield running
    running.stop()
    running.gateway.audit.close()
    store.close()


#: The PostgreSQL warehouse's extra table of typed values (numeric, timestamptz, uuid).
TYPED = [
    "CREATE TABLE sales.payments (id integer PRIMARY KEY, amount numeric(10,2), "
    "paid_at timestamptz, ref uuid, email text)",
    "INSERT INTO sales.payments VALUES "
    "(1, 12.50, '2024-03-01 10:00:00+00', '6f1c1e1a-0000-4000-8000-000000000001', "
    "'ann@example.com'), "
    "(2, 99.99, '2024-03-02 11:30:00+00', '6f1c1e1a-0000-4000-8000-000000000002', "
    "'bo@example.org')",
]


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[Running]:
    """The gateway over the sample plus TYPED in a fresh PostgreSQL database: relayed."""
    from tests import pg

    folder = tmp_path_factory.mktemp("relay")
    url = warehouses.postgres_warehouse(pg.create_database(pg_server))
    warehouses.apply(url, TYPED)
    store = build_catalog(folder, url)
    confirm(store, "wh.sales.payments.email", entity="EMAIL_ADDRESS", by="steward")
    running = start_gateway(folder, store, GatewayConfig(port=0))
    yield running
    running.stop()
    running.gateway.audit.close()
    store.close()
    pg.drop_database(pg_server, url)
