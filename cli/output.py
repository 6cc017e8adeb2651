"""Terminal output: consoles, progress bars and small formatting helpers for commands.

Results go to stdout (so they can be piped); progress, notes and errors go to stderr.
Progress bars only draw on a terminal: piped or captured output stays clean.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


@cache
def err_console() -> Console:
    return Console(stderr=True, highlight=False)


def out_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8 and unescaped, one trailing newline."""
    import click

    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


class PhaseProgress:
    """One progress bar per phase, fed by library callbacks ``(phase, done, total, item)``."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, done: int, total: int | None, item: str) -> None:
        task = self._tasks.get(phase)
        if task is None:
            for other in self._tasks.values():
                self._progress.update(other, completed=self._progress.tasks[other].total or 1)
            task = self._progress.add_task(phase, total=total)
            self._tasks[phase] = task
        self._progress.update(task, completed=done, total=total, item=item)


@contextmanager
def phase_progress() -> Iterator[PhaseProgress]:
    """A progress display for long library calls; silent when stderr is not a terminal."""
    console = err_console()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("[dim]{task.fields[item]}", justify="left"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with progress:
        yield PhaseProgress(progress)
