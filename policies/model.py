"""Domain records of a policy: who may do what, and what they see when they do.

Plain frozen dataclasses with no I/O. A :class:`Policy` is what one version of the
policy YAML (PRODUCT.md, version 1) says once parsed and validated; nothing here knows
about casbin, SQLAlchemy or SQL generation. The YAML's spelling is kept in field names
(``show_last``, ``keep``, ``exempt``) so the file, the records and the docs agree.

Names and patterns
------------------
A *resource pattern* names catalog objects: ``[warehouse:]schema[.table[.column]]``,
where each dot-separated part may use shell globs (``*``, ``?``, ``[abc]``). A pattern
with fewer parts covers everything below it: ``sales.*`` covers every table of schema
``sales`` and all their columns; ``*`` covers every schema. Without ``warehouse:`` a
pattern applies in every warehouse. Matching ignores case, as unquoted SQL names do.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Action(StrEnum):
    """What a grant allows. ``ddl`` covers CREATE/ALTER/DROP (e.g. CTAS into a sandbox)."""

    SELECT = "select"
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    DDL = "ddl"


class Effect(StrEnum):
    """A deny grant wins over any allow: the way to hide one column of a granted table."""

    ALLOW = "allow"
    DENY = "deny"


class RetentionAction(StrEnum):
    """``hide``: queries never see expired rows. ``purge``: the same, and
    ``veil retention enforce`` deletes them."""

    HIDE = "hide"
    PURGE = "purge"


class UnknownColumns(StrEnum):
    """What to do with a column the catalog does not know (added since the last scan)."""

    DENY = "deny"
    ALLOW = "allow"


@dataclass(frozen=True)
class Role:
    name: str
    inherits: tuple[str, ...] = ()


@dataclass(frozen=True)
class User:
    """A policy user. ``attributes`` feed ``current_user_attr('key')`` in row filters."""

    name: str
    roles: tuple[str, ...] = ()
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Grant:
    role: str
    resource: str  # a resource pattern
    actions: frozenset[Action]
    effect: Effect = Effect.ALLOW


@dataclass(frozen=True)
class MaskRule:
    """One masking rule. Exactly one of ``tag``, ``table``, ``column`` is set.

    ``table`` and ``column`` are resource patterns; ``tag`` is a catalog tag such as
    ``pii`` or ``pii.email_address`` (a rule on ``pii`` covers every ``pii.*`` column).
    ``params`` holds the method's parameters as the YAML gave them (``show_last: 4``),
    already validated against the method's registry entry.
    """

    method: str
    tag: str | None = None
    table: str | None = None
    column: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)
    exempt: tuple[str, ...] = ()
    #: Position in the file (0-based), for messages ("masks[2]"). Not part of equality:
    #: two policies that say the same thing are equal however their files are laid out.
    index: int = field(default=0, compare=False)

    @property
    def target(self) -> str:
        if self.column is not None:
            return f"column {self.column}"
        if self.table is not None:
            return f"table {self.table}"
        return f"tag {self.tag}"


@dataclass(frozen=True)
class RowFilter:
    """Rows of ``table`` a role may see: a SQL predicate (the warehouse's dialect).

    ``role`` None applies to everyone. The predicate may call
    ``current_user_attr('key')`` (the user's attribute from the policy) and
    ``current_user`` (the Veil user, not the warehouse's service account).
    """

    table: str
    where: str
    role: str | None = None
    index: int = field(default=0, compare=False)  # position in the file ("row_filters[0]")


class KeepUnit(StrEnum):
    HOURS = "h"
    DAYS = "d"
    WEEKS = "w"
    MONTHS = "m"
    YEARS = "y"


_KEEP = re.compile(r"^([1-9][0-9]{0,5})([hdwmy])$")


@dataclass(frozen=True)
class KeepPeriod:
    """How long rows are kept: ``90d``, ``2w``, ``36h``, ``12m``, ``7y``.

    Months and years are calendar months and years (``cutoff`` clamps to the month's
    last day), so "keep 12m" on 2025-03-31 keeps rows since 2024-03-31, not 360 days.

    >>> KeepPeriod.parse("12m").cutoff(dt.datetime(2025, 3, 31, tzinfo=dt.UTC)).date()
    datetime.date(2024, 3, 31)
    """

    amount: int
    unit: KeepUnit

    @classmethod
    def parse(cls, text: str) -> KeepPeriod:
        """Parse ``keep``; ValueError says what is accepted."""
        match = _KEEP.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise ValueError(
                f"bad period {text!r}: write a whole number and a unit, h (hours), d (days), "
                "w (weeks), m (months) or y (years), e.g. 90d or 7y"
            )
        return cls(int(match.group(1)), KeepUnit(match.group(2)))

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """The oldest moment still kept at ``now``: rows older than this have expired."""
        if self.unit is KeepUnit.HOURS:
            return now - dt.timedelta(hours=self.amount)
        if self.unit is KeepUnit.DAYS:
            return now - dt.timedelta(days=self.amount)
        if self.unit is KeepUnit.WEEKS:
            return now - dt.timedelta(weeks=self.amount)
        months = self.amount * (12 if self.unit is KeepUnit.YEARS else 1)
        year, month = divmod(now.year * 12 + (now.month - 1) - months, 12)
        day = min(now.day, calendar.monthrange(year, month + 1)[1])
        return now.replace(year=year, month=month + 1, day=day)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"


@dataclass(frozen=True)
class RetentionRule:
    """Rows of ``table`` whose ``column`` is older than ``keep`` are hidden (and purged)."""

    table: str
    column: str
    keep: str  # as written: "90d", "12m", "7y", "36h", "2w"
    action: RetentionAction = RetentionAction.HIDE
    index: int = field(default=0, compare=False)  # position in the file ("retention[0]")

    @property
    def period(self) -> KeepPeriod:
        """``keep`` parsed (validated when the policy was applied)."""
        return KeepPeriod.parse(self.keep)


@dataclass(frozen=True)
class Defaults:
    pii_mask: str = "redact"
    unknown_columns: UnknownColumns = UnknownColumns.DENY
    mask_suggested: bool = True


@dataclass(frozen=True)
class Policy:
    """One whole policy document (YAML version 1), validated."""

    roles: Mapping[str, Role] = field(default_factory=dict)
    users: Mapping[str, User] = field(default_factory=dict)
    grants: tuple[Grant, ...] = ()
    masks: tuple[MaskRule, ...] = ()
    row_filters: tuple[RowFilter, ...] = ()
    retention: tuple[RetentionRule, ...] = ()
    defaults: Defaults = field(default_factory=Defaults)
    version: int = 1  # the YAML format version, not the stored policy version


@dataclass(frozen=True)
class PolicyVersion:
    """A stored, numbered version of the policy: every apply makes a new one."""

    number: int
    policy: Policy
    source: str  # the YAML text exactly as applied
    created_at: dt.datetime
    created_by: str
    diff: str  # unified diff of the canonical form against the previous version
