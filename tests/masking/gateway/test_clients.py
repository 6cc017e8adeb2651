"""psql and SQLAlchemy Core (psycopg driver) against the gateway."""

from __future__ import annotations

import os
import subprocess

import sqlalchemy as sa

from tests.masking.gateway.conftest import MASKED_EMAILS, PASSWORDS, Running


def psql(gateway: Running, *args: str, user: str = "alice") -> subprocess.CompletedProcess[str]:
    dsn = f"host=127.0.0.1 port={gateway.port} user={user} dbname=wh sslmode=disable"
    env = {**os.environ, "PGPASSWORD": PASSWORDS[user], "PGCONNECT_TIMEOUT": "30"}
    return subprocess.run(
        ["psql", dsn, "-X", "-A", "-t", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_psql_reads_masked_rows(gateway: Running) -> None:
    done = psql(gateway, "-c", "SELECT email FROM crm.customers ORDER BY id")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == MASKED_EMAILS


def test_psql_shows_the_refusal_and_its_sqlstate(gateway: Running) -> None:
    done = psql(gateway, "-v", "VERBOSITY=verbose", "-c", "SELECT born FROM crm.customers")
    assert done.returncode == 1
    assert "ERROR:  42501: permission denied for column born" in done.stderr


def test_psql_copy_is_refused(gateway: Running) -> None:
    done = psql(gateway, "-c", r"\copy crm.customers TO STDOUT")
    assert done.returncode == 1 and "COPY is refused" in done.stderr


def test_sqlalchemy_core_with_psycopg(gateway: Running) -> None:
    url = sa.URL.create(
        "postgresql+psycopg",
        username="alice",
        password=PASSWORDS["alice"],
        host="127.0.0.1",
        port=gateway.port,
        database="wh",
        query={"sslmode": "disable"},
    )
    # The default use_native_hstore=True makes psycopg look hstore up in pg_type, which
    # the shadow catalog answers (no hstore).
    engine = sa.create_engine(url)
    customers = sa.table("customers", sa.column("id"), sa.column("email"), schema="crm")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(customers.c.email)
                .where(customers.c.id >= sa.bindparam("low"))
                .order_by(customers.c.id),
                {"low": 1},
            ).all()
    finally:
        engine.dispose()
    assert [r.email for r in rows] == MASKED_EMAILS


def test_psql_catalog_commands_list_only_readable_tables(gateway: Running) -> None:
    # \dt is answered from alice's shadow catalog (masking.gateway.introspection), not
    # from the warehouse's raw pg_catalog: test_introspection.py covers the details.
    done = psql(gateway, "-c", r"\dt")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["crm|customers|table|alice", "sales|orders|table|alice"]
