"""What a statement reads, for the audit log: its columns, and how each PII one was served.

PRODUCT.md's audit record lists the columns a statement reads, "from lineage of the
query itself, projected columns apart from columns used only in filters, joins and
grouping", and the PII columns among them with how each was masked. So:

- ``projected``: columns whose values flow into the result (or the rows written);
- ``filtered``: columns that only decide which rows flow (WHERE, JOIN … ON, GROUP BY,
  HAVING, EXISTS): a predicate on an email reads the email too, one bit at a time;
- ``pii``: every PII column of either list → the mask it was read through, or
  ``"none"`` when the user's role reads it raw (an access report counts those too).

They come from :func:`lineage.parse.statement_lineage` (indirect edges on) over the
statement as the user wrote it, with the columns the user may read as the schema. When
lineage cannot follow a statement, :func:`references` finds columns by name instead
(every column the statement names, unqualified or by a table's name or alias, and
every column under ``*``), all counted as projected. Of a table read through a view,
every column the user may read counts as projected, since the view's query may use any.
So a record may say a statement read more than it did, never less.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlglot import exp

from lineage.model import EdgeKind
from lineage.parse import statement_lineage
from masking.errors import Refused
from masking.statements import parse_one
from policies.decide import TableDecision

__all__ = ["Reads", "References", "reads_of", "references"]


@dataclass(frozen=True)
class Reads:
    projected: tuple[str, ...] = ()
    filtered: tuple[str, ...] = ()
    pii: Mapping[str, str] = field(default_factory=dict)


def reads_of(
    sql: str,
    dialect: str,
    decisions: Sequence[TableDecision],
    *,
    default_schema: str | None = None,
) -> Reads:
    """The columns ``sql`` reads of the tables it was decided on, as ``schema.table.column``."""
    by_table = {d.table.qualified.lower(): d for d in decisions}
    schema = {d.table.qualified: [c.name for c in d.columns if c.readable] for d in decisions}
    found = statement_lineage(
        sql, dialect, schema=schema, default_schema=default_schema, indirect=True
    )
    projected: set[str] = set()
    filtered: set[str] = set()
    if found.error is None:
        named = {s.lower() for s in found.sources}
        for edge in found.edges:
            (filtered if edge.kind is EdgeKind.FILTER else projected).add(edge.source.lower())
        for table, decision in by_table.items():
            if table not in named:  # read through a view
                projected.update(_all_readable(decision))
    else:
        try:
            refs = references(parse_one(sql, dialect))
        except Refused:  # e.g. an EXPLAIN prefix: everything the user may read counts
            projected = {c for d in decisions for c in _all_readable(d)}
        else:
            projected = {c.lower() for c in _named(refs, decisions)}
    return _resolve(projected, filtered - projected, decisions)


def _all_readable(decision: TableDecision) -> list[str]:
    return [f"{decision.table.qualified}.{c.name}".lower() for c in decision.columns if c.readable]


def _resolve(projected: set[str], filtered: set[str], decisions: Iterable[TableDecision]) -> Reads:
    """Back to catalog spelling, in column order; PII ones with their mask."""
    out_projected: list[str] = []
    out_filtered: list[str] = []
    pii: dict[str, str] = {}
    for decision in decisions:
        for column in decision.columns:
            qualified = f"{decision.table.qualified}.{column.name}"
            key = qualified.lower()
            if key in projected:
                out_projected.append(qualified)
            elif key in filtered:
                out_filtered.append(qualified)
            else:
                continue
            if column.mask is not None:
                pii[qualified] = column.mask.method
            elif column.pii:
                pii[qualified] = "none"
    return Reads(tuple(out_projected), tuple(out_filtered), pii)


# -- by name: when lineage cannot follow the statement ---------------------------------


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
    return isinstance(star.parent, exp.Select) and star.arg_key == "expressions"


def _named(refs: References, decisions: Iterable[TableDecision]) -> list[str]:
    read: list[str] = []
    for decision in decisions:
        facts = decision.table
        known = refs.aliases.get(facts.name.lower())
        if known is None:  # read through a view
            read += [f"{facts.qualified}.{c.name}" for c in decision.columns if c.readable]
            continue
        everything = None in refs.stars or bool(known & refs.stars)
        for column in decision.columns:
            name = column.name.lower()
            used = (None, name) in refs.names or any((q, name) in refs.names for q in known)
            if column.readable and (everything or used):
                read.append(f"{facts.qualified}.{column.name}")
    return read
