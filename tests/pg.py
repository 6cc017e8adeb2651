"""A real PostgreSQL server for tests: the configured one, the local one, or a private one.

Order: ``$VEIL_TEST_PG_URL``; else ``postgres@127.0.0.1:5432`` (trust auth, as on the
project's machines); else, if PostgreSQL's server binaries are installed, a private
throwaway cluster in a temporary directory on a free port, stopped at exit. Tests
create their own uniquely named databases and drop them.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def libpq(url: str) -> str:
    """SQLAlchemy URL → libpq URL (drop the +driver part)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def reachable(url: str) -> str | None:
    """None when a connection works, else the reason."""
    try:
        with psycopg.connect(libpq(url), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except psycopg.Error as e:
        return str(e).strip().splitlines()[0]


def server_url() -> tuple[str | None, str]:
    """(URL of a usable server, or None; explanation)."""
    configured = os.environ.get("VEIL_TEST_PG_URL")
    if configured:
        problem = reachable(configured)
        return (configured, "") if problem is None else (None, f"VEIL_TEST_PG_URL: {problem}")
    problem = reachable(DEFAULT_URL)
    if problem is None:
        return DEFAULT_URL, ""
    private, why = start_private_cluster()
    if private:
        return private, ""
    return None, f"no PostgreSQL at 127.0.0.1:5432 ({problem}) and {why}"


def start_private_cluster() -> tuple[str | None, str]:
    """initdb + pg_ctl start in a temp dir; returns (url, '') or (None, reason)."""
    bindir = _bindir()
    if bindir is None:
        return None, "no PostgreSQL server binaries (install the postgresql package)"
    data = Path(tempfile.mkdtemp(prefix="veil-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return None, "running as root and there is no 'postgres' user for initdb"
        shutil.chown(data, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    try:
        subprocess.run(
            [
                *run_as,
                str(bindir / "initdb"),
                "-D",
                str(data / "db"),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *run_as,
                str(bindir / "pg_ctl"),
                "-D",
                str(data / "db"),
                "-w",
                "-l",
                str(data / "log"),
                "-o",
                f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
                "start",
            ],
            check=True,
            capture_output=True,
        )
    except (subprocess.CalledProcessError, OSError) as e:
        return None, f"starting a private cluster failed: {e}"

    def stop() -> None:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(data, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", ""


def create_database(server: str, prefix: str = "veil_test") -> str:
    """Create a uniquely named database; returns its SQLAlchemy URL."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq(server), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base, _, _ = server.rpartition("/")
    return f"{base}/{name}"


def drop_database(server: str, url: str) -> None:
    name = url.rpartition("/")[2]
    with psycopg.connect(libpq(server), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _bindir() -> Path | None:
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
        path = Path(out.stdout.strip())
        if (path / "initdb").exists():
            return path
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return candidates[-1].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
