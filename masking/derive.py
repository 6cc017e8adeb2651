"""Step 4 of enforcement: the derived table that stands in for a base table.

``(SELECT <masked columns> FROM schema.table WHERE <row filters> AND <retention>
OFFSET 0) AS alias``: the query around it sees only masked values of readable columns
and only the rows the policy lets through, wherever it uses the table.

``OFFSET 0`` is the optimization fence: PostgreSQL and DuckDB never push the user's
predicates below a LIMIT/OFFSET, so a leaky predicate (a failing cast, a division)
cannot run on rows a filter hides, PostgreSQL's security-barrier semantics. It is only
added when there is a filter to protect; other dialects get the same SQL where they
accept it (see :data:`FENCED_DIALECTS`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import sqlglot
from sqlglot import exp

from masking.errors import denied
from masking.functions import MaskSecrets, mask_expression
from policies.decide import MaskDecision, TableDecision
from policies.model import RetentionRule, RowFilter

#: Dialects where ``OFFSET 0`` is accepted alone and fences predicate push-down.
FENCED_DIALECTS = frozenset({"postgres", "duckdb", "redshift", "trino"})

_KEEP = re.compile(r"^\s*(\d+)\s*([hdwmy])\s*$")
_UNITS = {"h": ("HOUR", 1), "d": ("DAY", 1), "w": ("DAY", 7), "m": ("MONTH", 1), "y": ("YEAR", 1)}


def derived_table(
    source: exp.Expr,
    decision: TableDecision,
    *,
    dialect: str,
    secrets: MaskSecrets,
    alias: exp.TableAlias | None,
) -> exp.Subquery:
    """The derived table for one reference to ``decision.table``.

    ``source`` is what the inner SELECT reads: the base table (without its alias) or a
    view's expanded query. ``alias`` is the reference's alias (or the table's own name).
    """
    inner = masked_select(decision, dialect=dialect, secrets=secrets)
    return exp.Subquery(this=inner.from_(source, copy=False), alias=alias)


def masked_select(decision: TableDecision, *, dialect: str, secrets: MaskSecrets) -> exp.Select:
    """The derived table's SELECT without its FROM: masked columns, filters, fence.

    It depends on the decision alone (not on the reference), so the rewriter builds it
    once per user and table and gives each reference its own copy; building it costs
    several times the copy (a mask per column, a parse per row filter).
    """
    projections = [
        _projection(c.name, c.data_type, c.mask, dialect, secrets)
        for c in decision.columns
        if c.readable
    ]
    inner = exp.select(*projections)
    predicates = [
        *(row_filter_predicate(f, decision, dialect) for f in decision.row_filters),
        *(retention_predicate(r) for r in decision.retention),
    ]
    if predicates:
        inner = inner.where(exp.and_(*predicates), copy=False)
        if dialect in FENCED_DIALECTS:
            inner.set("offset", exp.Offset(expression=exp.Literal.number(0)))
    return inner


def _projection(
    name: str,
    data_type: str,
    mask: MaskDecision | None,
    dialect: str,
    secrets: MaskSecrets,
) -> exp.Expr:
    column = exp.column(name, quoted=True)
    if mask is None:
        return column
    masked = mask_expression(
        column,
        method=mask.method,
        params=mask.params,
        data_type=data_type,
        dialect=dialect,
        secrets=secrets,
    )
    return exp.alias_(masked, name, quoted=True)


def row_filter_predicate(rule: RowFilter, decision: TableDecision, dialect: str) -> exp.Expr:
    """The rule's predicate with the session's user and attributes filled in as literals.

    ``current_user`` inside the warehouse is Veil's service account, so every user
    reference is replaced by the Veil user's name; ``current_user_attr('k')`` becomes
    the user's attribute ``k`` from the policy, or NULL (no rows) when it has none.
    """
    predicate = sqlglot.parse_one(rule.where, read=dialect)
    return exp.Paren(this=bind_user(predicate, decision.user, decision.attributes))


def bind_user(expression: exp.Expr, user: str, attributes: Mapping[str, str]) -> exp.Expr:
    """``expression`` with user functions replaced by literals (see row_filter_predicate)."""

    def replace(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.CurrentUser | exp.SessionUser):
            return exp.Literal.string(user)
        if (
            isinstance(node, exp.Column)
            and not node.table
            and node.name.lower()
            in (
                "current_user",
                "session_user",
                "user",
            )
        ):
            return exp.Literal.string(user)
        if isinstance(node, exp.Anonymous) and str(node.name).lower() == "current_user_attr":
            args = node.expressions
            if len(args) != 1 or not isinstance(args[0], exp.Literal) or not args[0].is_string:
                raise denied("current_user_attr() takes one string literal, the attribute name")
            value = attributes.get(args[0].name)
            return exp.Literal.string(value) if value is not None else exp.null()
        return node

    return expression.copy().transform(replace, copy=False)


def retention_predicate(rule: RetentionRule) -> exp.Expr:
    """``column >= CURRENT_TIMESTAMP - INTERVAL keep``: rows younger than the period."""
    count, unit = keep_interval(rule.keep)
    return exp.GTE(
        this=exp.column(rule.column, quoted=True),
        expression=exp.Sub(
            this=exp.CurrentTimestamp(),
            expression=exp.Interval(this=exp.Literal.string(str(count)), unit=exp.var(unit)),
        ),
    )


def keep_interval(keep: str) -> tuple[int, str]:
    """``"90d"`` → ``(90, "DAY")``; weeks become days."""
    match = _KEEP.match(keep)
    if match is None:
        raise ValueError(f"bad retention period {keep!r}")
    unit, factor = _UNITS[match.group(2)]
    return int(match.group(1)) * factor, unit


def strip_qualifiers(expression: exp.Expr, tables: Iterable[exp.Table]) -> None:
    """Drop schema/catalog qualifiers from column references to the given tables.

    ``sales.customers.email`` must become ``customers.email`` once ``sales.customers``
    is a derived table named ``customers``.
    """
    names = {(t.db.lower(), t.name.lower()) for t in tables if t.db and not t.alias}
    if not names:
        return
    for column in expression.find_all(exp.Column):
        if column.args.get("db") is not None and (column.db.lower(), column.table.lower()) in names:
            column.set("db", None)
            column.set("catalog", None)
