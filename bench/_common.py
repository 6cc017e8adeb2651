"""Helpers every benchmark shares: timing, the machine, scratch PostgreSQL databases, README.

Benchmarks here run on shared 2-core machines where absolute times swing by tens of
percent from one minute to the next. So each benchmark measures its own baseline in the
same process, interleaved with the thing it measures, repeats the pair and reports
medians; the ratio to the baseline is the figure to compare across machines and days,
the seconds are there to check it.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shlex
import signal
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import psycopg
from psycopg import sql

T = TypeVar("T")

BENCH_DIR = Path(__file__).resolve().parent
README = BENCH_DIR / "README.md"
DEFAULT_PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

_INTRO = """\
# Veil benchmarks

Each benchmark is a script in this directory, run from the repository root:

| benchmark | full run (writes its section below) | smoke run (a few seconds, writes nothing) |
| --- | --- | --- |
| catalog scan | `.venv/bin/python bench/scan.py` | `.venv/bin/python bench/scan.py --quick` |
| PII classification | `.venv/bin/python bench/classify.py` | `.venv/bin/python bench/classify.py --quick` |
| column lineage | `.venv/bin/python bench/lineage.py` | `.venv/bin/python bench/lineage.py --quick` |
| query rewrite | `.venv/bin/python bench/rewrite.py` | `.venv/bin/python bench/rewrite.py --quick` |
| masking gateway (pgbench, streaming) | `.venv/bin/python bench/gateway.py` | `.venv/bin/python bench/gateway.py --quick` |

`--help` lists each script's options. PostgreSQL is the local server at 127.0.0.1:5432
(user `postgres`, trust auth) unless `$VEIL_TEST_PG_URL` names another; benchmarks create
uniquely named scratch databases there and drop them when they finish, even on error.

**How to read the figures.** The machines these run on are shared and have 2 cores, so
absolute times move by tens of percent between runs. Every benchmark therefore measures
a baseline in the same process, interleaved with what it measures, repeats both and
reports medians; the *ratio* to that same-run baseline is the figure to compare, and the
raw seconds are given so the ratio can be checked. Each section names the exact command,
the machine (`nproc`, CPU model, Python) and the date of its run, and is replaced
whenever its benchmark runs again; other sections are left as they are.
"""  # noqa: E501 (a markdown table row is as long as its commands)


@dataclass
class Samples:
    """Repeated measurements of one thing, in seconds."""

    values: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.values.append(seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def spread(self) -> str:
        """``min-max`` of the runs, for judging how noisy the median is."""
        if len(self.values) < 2:
            return "-"
        return f"{min(self.values):.2f}-{max(self.values):.2f}"


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Call ``fn`` and return its result with the wall-clock seconds it took."""
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


@dataclass(frozen=True)
class Machine:
    """What a figure was measured on, as ``nproc``, /proc/cpuinfo and Python report it."""

    cpus: int
    cpu_model: str
    python: str
    system: str
    date: str
    packages: dict[str, str]

    def markdown(self) -> str:
        versions = ", ".join(f"{name} {version}" for name, version in self.packages.items())
        return (
            f"{self.cpus} CPUs (`nproc`), {self.cpu_model}; Python {self.python} on "
            f"{self.system}; {versions}; run on {self.date} (UTC)"
        )


def machine(packages: Sequence[str] = ()) -> Machine:
    """The machine this process runs on, with the versions of ``packages``."""
    return Machine(
        cpus=len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count() or 0,
        cpu_model=_cpu_model(),
        python=platform.python_version(),
        system=f"{platform.system()} {platform.machine()}",
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        packages={name: _version(name) for name in packages},
    )


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else "unknown CPU"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def command_line(argv: Sequence[str] | None = None) -> str:
    """The command as typed from the repository root, for the README."""
    args = sys.argv[1:] if argv is None else argv
    script = Path(sys.argv[0]).resolve()
    try:
        shown = script.relative_to(BENCH_DIR.parent)
    except ValueError:
        shown = script
    return shlex.join([".venv/bin/python", str(shown), *args])


# --- PostgreSQL scratch databases ---------------------------------------------------------


def pg_server_url() -> str:
    """SQLAlchemy URL of the server's maintenance database: ``$VEIL_TEST_PG_URL`` or local."""
    return os.environ.get("VEIL_TEST_PG_URL") or DEFAULT_PG_SERVER


def libpq(url: str) -> str:
    """SQLAlchemy URL → libpq URL (psycopg does not understand ``+psycopg``)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url, count=1)


def pg_server_version(server: str) -> str:
    with psycopg.connect(libpq(server), connect_timeout=10) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else "unknown"


@contextmanager
def scratch_pg_database(server: str, prefix: str) -> Iterator[str]:
    """A new, uniquely named database on ``server``; yields its URL and drops it afterwards.

    The drop runs however the block ends (an error, Ctrl-C, or SIGTERM once
    :func:`exit_on_sigterm` is installed) and uses ``WITH (FORCE)`` so a connection
    left open by the code under test cannot keep the database alive.
    """
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq(server), autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{server.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(libpq(server), autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so ``finally`` blocks (database drops) still run."""

    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


# --- Output -------------------------------------------------------------------------------


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain, aligned table for the terminal."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
        for row in [headers, ["-" * w for w in widths], *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join("---" for _ in headers) + " |",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    return "\n".join(lines)


def write_readme_section(heading: str, body: str, readme: Path = README) -> None:
    """Replace the ``## heading`` section of ``readme`` with ``body`` (or append it).

    The section runs to the next ``## `` heading or the end of the file; everything
    else is kept byte for byte, so each benchmark owns exactly its own section. A
    missing README is created with the shared introduction.
    """
    title = f"## {heading}"
    text = readme.read_text() if readme.exists() else _INTRO
    lines = text.splitlines()
    section = [title, "", *body.strip("\n").splitlines(), ""]
    start = next((i for i, line in enumerate(lines) if line.strip() == title), None)
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", *section]
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines[start:end] = section
    readme.write_text("\n".join(lines).rstrip("\n") + "\n")
