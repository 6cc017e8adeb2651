"""Errors of the policy store: a policy document that cannot be applied, and why.

A policy is validated as a whole and every problem is reported at once, each with where
it is (``masks[2].method``) and, when known, its line in the file: an admin fixing a
file should see the full list on the first try, not one complaint per attempt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from catalog.errors import VeilError

__all__ = ["PolicyError", "Problem", "ProblemCollector"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a policy document.

    ``location`` is a path into the document: top-level keys, then ``.key`` for mapping
    entries and ``[i]`` (0-based, file order) for list items, e.g. ``masks[2].method``
    or ``users.alice.roles[0]``. ``line`` is the 1-based line of the YAML text.
    """

    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{self.location}: {self.message}{where}"


class PolicyError(VeilError):
    """A policy document is invalid; ``problems`` lists everything wrong with it.

    The policy in force is never touched when this is raised. The SQLSTATE is
    ``F0000`` (config_file_error): a policy is configuration. Over HTTP it is the
    client's mistake, so 400.
    """

    sqlstate = "F0000"
    http_status = 400

    def __init__(self, problems: Iterable[Problem], *, source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        count = len(self.problems)
        what = source or "the policy"
        head = f"{what} has {count} problem{'s' if count != 1 else ''}"
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(
            f"{head}:\n{lines}" if lines else head,
            hint="Nothing was applied; the policy in force is unchanged.",
        )


class ProblemCollector:
    """Gathers problems while a document is read; line numbers come from the YAML map.

    ``lines`` maps locations to the line they start on. A location without an entry
    (a missing key, say) takes the line of its nearest parent that has one.
    """

    def __init__(self, lines: dict[str, int] | None = None) -> None:
        self.lines: dict[str, int] = lines if lines is not None else {}
        self._problems: list[Problem] = []

    def add(self, location: str, message: str, *, line: int | None = None) -> None:
        found = line if line is not None else self._line(location)
        self._problems.append(Problem(location, message, found))

    def __bool__(self) -> bool:
        return bool(self._problems)

    def __len__(self) -> int:
        return len(self._problems)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """In file order (stable for problems on the same line or without one)."""
        order = sorted(enumerate(self._problems), key=lambda ip: (ip[1].line or 0, ip[0]))
        return tuple(p for _, p in order)

    def raise_if_any(self, *, source: str | None = None) -> None:
        if self._problems:
            raise PolicyError(self.problems, source=source)

    def _line(self, location: str) -> int | None:
        while location:
            if location in self.lines:
                return self.lines[location]
            cut = max(location.rfind("."), location.rfind("["))
            if cut <= 0:
                return None
            location = location[:cut]
        return None
