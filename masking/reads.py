"""What a statement reads, for the audit log: its columns, and how each PII one was served.

The audit record of a statement lists the columns it reads (``columns_read``) and, for
each of those that holds personal data, the mask it was read through or ``"none"``
when the user's role reads it raw (``pii_columns``): an auditor's access report counts
raw reads of PII by exempt roles as much as masked ones.

Columns are found by name in the statement as the user wrote it (before enforcement
replaces its tables): a column of a table the statement reads counts as read when the
statement names it, unqualified or qualified by the table's name or alias, or selects
``*`` (or ``alias.*``) over it. ``count(*)`` reads no column. When two tables have a
column of the same name and the statement names it unqualified, both count; of a table
read through a view, every column the user may read counts. So the record may say a
statement read more than it did, never less.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlglot import exp

from policies.decide import TableDecision

__all__ = ["References", "columns_read", "references"]


@dataclass(frozen=True)
class References:
    """Column names a statement uses, with the qualifier they were written with."""

    #: (qualifier or None, column name), both lower-cased.
    names: frozenset[tuple[str | None, str]]
    #: Qualifiers of ``alias.*`` projections, lower-cased; None for a bare ``*``.
    stars: frozenset[str | None]
    #: Each table's name (lower-cased) → the names it is known by in the statement.
    aliases: Mapping[str, frozenset[str]]


def references(expression: exp.Expr) -> References:
    """The column references of ``expression`` (not modified)."""
    names: set[tuple[str | None, str]] = set()
    stars: set[str | None] = set()
    aliases: dict[str, set[str]] = {}
    for node in expression.walk():
        if isinstance(node, exp.Column):
            if isinstance(node.this, exp.Star):
                stars.add(node.table.lower() or None)
            elif node.name:
                names.add((node.table.lower() or None, node.name.lower()))
        elif isinstance(node, exp.Star) and _projected(node):
            stars.add(None)
        elif isinstance(node, exp.Table) and node.name:
            known = aliases.setdefault(node.name.lower(), set())
            known.add(node.name.lower())
            if node.alias:
                known.add(node.alias.lower())
    return References(
        frozenset(names), frozenset(stars), {k: frozenset(v) for k, v in aliases.items()}
    )


def _projected(star: exp.Star) -> bool:
    """A bare ``*`` in a select list (not ``count(*)``)."""
    parent = star.parent
    return isinstance(parent, exp.Select) and star.arg_key == "expressions"


def columns_read(
    refs: References, decisions: Iterable[TableDecision]
) -> tuple[tuple[str, ...], dict[str, str]]:
    """(columns read as ``schema.table.column``, PII ones → mask method or "none")."""
    read: list[str] = []
    pii: dict[str, str] = {}
    for decision in decisions:
        facts = decision.table
        known = refs.aliases.get(facts.name.lower())
        if known is None:  # read through a view: any column the view's query may use
            everything = True
            known = frozenset()
        else:
            everything = None in refs.stars or bool(known & refs.stars)
        for column in decision.columns:
            if not column.readable:
                continue
            name = column.name.lower()
            used = (None, name) in refs.names or any((q, name) in refs.names for q in known)
            if not (everything or used):
                continue
            qualified = f"{facts.qualified}.{column.name}"
            read.append(qualified)
            if column.mask is not None:
                pii[qualified] = column.mask.method
            elif column.pii:
                pii[qualified] = "none"
    return tuple(read), pii
