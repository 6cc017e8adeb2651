"""Resource patterns: ``[warehouse:]schema[.table[.column]]`` with shell globs per part.

One parser and one matcher for grants, masks, row filters and retention rules, so a
pattern means the same thing wherever a policy uses it. A pattern with fewer parts
covers everything below it (``sales.*`` covers every table of ``sales`` and their
columns); matching ignores case, as unquoted SQL names do.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from catalog.errors import UsageError
from catalog.names import split_name

_GLOB = re.compile(r"^[^\s]+$")


@dataclass(frozen=True)
class ResourceName:
    """A concrete catalog object: a table (``column`` None) or one of its columns."""

    warehouse: str
    schema: str
    table: str
    column: str | None = None

    def __str__(self) -> str:
        parts = [self.schema, self.table] + ([self.column] if self.column else [])
        return ".".join(parts)


@dataclass(frozen=True)
class Pattern:
    """A parsed resource pattern; ``parts`` are lowercased globs, schema first."""

    text: str
    warehouse: str | None
    parts: tuple[str, ...]

    def covers(self, name: ResourceName) -> bool:
        """True when ``name`` is this pattern's object or lies below it."""
        if self.warehouse is not None and not _glob(self.warehouse, name.warehouse):
            return False
        values = [name.schema, name.table] + ([name.column] if name.column is not None else [])
        if len(self.parts) > len(values):
            return False  # a column pattern never covers a whole table
        return all(_glob(p, v) for p, v in zip(self.parts, values, strict=False))

    @property
    def depth(self) -> int:
        """1 schema, 2 table, 3 column: how specific the pattern is."""
        return len(self.parts)


def parse_pattern(text: str) -> Pattern:
    """Parse a resource pattern, or raise :class:`UsageError` saying what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise UsageError("a resource pattern must be a non-empty string like 'sales.*'")
    warehouse: str | None = None
    rest = text.strip()
    if ":" in rest:
        warehouse, _, rest = rest.partition(":")
        if not warehouse or not _GLOB.match(warehouse):
            raise UsageError(f"bad warehouse in resource pattern {text!r}")
    try:
        parts = split_name(rest)
    except UsageError as e:
        raise UsageError(f"bad resource pattern {text!r}: {e}") from None
    if not 1 <= len(parts) <= 3:
        raise UsageError(
            f"bad resource pattern {text!r}: expected schema, schema.table or "
            "schema.table.column (globs allowed, e.g. 'sales.*')"
        )
    return Pattern(text, warehouse.lower() if warehouse else None, tuple(p.lower() for p in parts))


def _glob(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value.lower(), pattern)
