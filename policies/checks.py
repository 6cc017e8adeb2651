"""Checks of a read policy against SQL and the catalog, before it may be applied.

Enforcement fails closed, so a policy that would fail at query time must fail here
instead: a row filter the warehouse cannot parse would refuse every query on its table,
and a retention rule on a missing column would hide nothing. Each SQL text is parsed
in the dialect of every warehouse its rule can apply to (sqlglot), and must be a
single expression without subqueries, aggregates, window functions or parameters,
calling only allowlisted functions (:mod:`policies.allowlist`). A custom mask may read
only ``value``; a row filter may call ``current_user_attr('key')`` and
``current_user``. With a catalog, the tables and columns rules name must exist (glob
patterns may match nothing yet: they are meant for tables to come), and retention
columns must be dates or timestamps.
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import re
from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa
import sqlglot
from sqlalchemy.orm import Session
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, SqlglotError

from catalog.errors import UsageError
from catalog.store.models import WarehouseRow
from policies.allowlist import disallowed_functions
from policies.errors import ProblemCollector
from policies.facts import TableFacts, WarehouseFacts, load_warehouse_facts
from policies.model import Policy
from policies.patterns import Pattern, parse_pattern

__all__ = ["check_policy", "load_catalog"]

#: Veil's own function in row filters: the user's attribute from the policy.
USER_ATTRIBUTE_FUNCTION = "current_user_attr"

_GLOB_CHARS = frozenset("*?[")
_TEMPORAL = re.compile(
    r"^\s*(date|datetime|datetime2|smalldatetime|datetimeoffset|timestamp\w*)\b(?!\s*range)",
    re.IGNORECASE,
)
# Nodes that make a text more than one expression over one row.
_STATEMENTS: tuple[type[exp.Expr], ...] = (
    exp.Query,
    exp.Subquery,
    exp.DDL,
    exp.DML,
    exp.Command,
    exp.Block,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Use,
    exp.Set,
)


def load_catalog(session: Session) -> tuple[WarehouseFacts, ...]:
    """Every warehouse of the catalog with its live tables and columns."""
    names = session.scalars(sa.select(WarehouseRow.name).order_by(WarehouseRow.name)).all()
    return tuple(load_warehouse_facts(session, name) for name in names)


def check_policy(
    policy: Policy,
    problems: ProblemCollector,
    *,
    dialect: str = "postgres",
    warehouses: Iterable[WarehouseFacts] | None = None,
    dialect_for: Callable[[str], str] | None = None,
) -> None:
    """Add a problem for every SQL text or catalog reference of ``policy`` that is wrong.

    ``dialect`` is used where no catalog warehouse decides: without a catalog, or for
    rules whose warehouse the catalog does not know.
    """
    known = None if warehouses is None else tuple(warehouses)
    if known is not None and dialect_for is not None:
        known = tuple(dataclasses.replace(w, dialect=dialect_for(w.warehouse)) for w in known)
    for d in {dialect, *(w.dialect for w in known or ())}:
        try:
            Dialect.get_or_raise(d)
        except ValueError as e:
            raise UsageError(f"unknown SQL dialect {d!r}") from e
    _Checker(problems, dialect, known).run(policy)


class _Checker:
    def __init__(
        self,
        problems: ProblemCollector,
        dialect: str,
        warehouses: tuple[WarehouseFacts, ...] | None,
    ) -> None:
        self.p = problems
        self.dialect = dialect
        self.warehouses = warehouses

    def run(self, policy: Policy) -> None:
        for rule in policy.masks:
            loc = f"masks[{rule.index}]"
            target = rule.column or rule.table
            pattern = parse_pattern(target) if target else None
            if pattern is not None:
                self.check_reference(pattern, f"{loc}.{'column' if rule.column else 'table'}")
            expression = rule.params.get("expression")
            if rule.method == "custom" and isinstance(expression, str):
                for d in self.dialects(pattern):
                    self.check_sql(expression, d, f"{loc}.expression", custom_mask=True)
        for row_filter in policy.row_filters:
            loc = f"row_filters[{row_filter.index}]"
            pattern = parse_pattern(row_filter.table)
            tables = self.check_reference(pattern, f"{loc}.table")
            for d in self.dialects(pattern):
                tree = self.check_sql(row_filter.where, d, f"{loc}.where", custom_mask=False)
                if tree is not None:
                    self.check_filter_columns(tree, tables, f"{loc}.where")
        for retention in policy.retention:
            loc = f"retention[{retention.index}]"
            tables = self.check_reference(parse_pattern(retention.table), f"{loc}.table")
            for table in tables:
                self.check_retention_column(table, retention.column, f"{loc}.column")

    # -- dialects ------------------------------------------------------------------------

    def dialects(self, pattern: Pattern | None) -> list[str]:
        """The dialects a rule's SQL must parse in: those of the warehouses it covers."""
        found = {
            w.dialect
            for w in self.warehouses or ()
            if pattern is None
            or pattern.warehouse is None
            or fnmatch.fnmatchcase(w.warehouse.lower(), pattern.warehouse)
        }
        return sorted(found) or [self.dialect]

    # -- SQL -----------------------------------------------------------------------------

    def check_sql(self, text: str, dialect: str, loc: str, *, custom_mask: bool) -> exp.Expr | None:
        """The parsed expression, or None after adding the problems that make it unusable."""
        what = "custom mask expression" if custom_mask else "row filter"
        try:
            parsed = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
        except SqlglotError as e:
            self.p.add(loc, f"{what} is not valid {dialect} SQL: {_parse_error(e)}")
            return None
        if len(parsed) != 1:
            self.p.add(loc, f"{what} must be one SQL expression, found {len(parsed)}")
            return None
        tree = parsed[0]
        before = len(self.p)
        statement = next(iter(tree.find_all(*_STATEMENTS)), None)
        if statement is not None:  # the rest would only describe the subquery
            kind = "subqueries" if isinstance(statement, exp.Query | exp.Subquery) else "statements"
            self.p.add(loc, f"{what} may not contain {kind}")
            return None
        if any(tree.find_all(exp.AggFunc, exp.Window)):
            self.p.add(loc, f"{what} may not use aggregate or window functions")
        if any(tree.find_all(exp.Placeholder, exp.Parameter)):
            self.p.add(loc, f"{what} may not contain parameters")
        if any(tree.find_all(exp.Star)):
            self.p.add(loc, f"{what} may not use *")
        if custom_mask:
            others = sorted(
                {c.sql(dialect=dialect) for c in tree.find_all(exp.Column) if not _is_value(c)}
            )
            if others:
                self.p.add(
                    loc, f"a custom mask may only use the column `value`, not {', '.join(others)}"
                )
        else:
            self.check_user_attributes(tree, loc)
        banned = [
            f
            for f in disallowed_functions(tree, dialect)
            if custom_mask or f != USER_ATTRIBUTE_FUNCTION
        ]
        if banned:
            self.p.add(loc, f"{what} calls functions Veil does not allow: {', '.join(banned)}")
        return tree if len(self.p) == before else None

    def check_user_attributes(self, tree: exp.Expr, loc: str) -> None:
        for call in tree.find_all(exp.Anonymous):
            if str(call.name).lower() != USER_ATTRIBUTE_FUNCTION:
                continue
            args = call.expressions
            if len(args) != 1 or not (isinstance(args[0], exp.Literal) and args[0].is_string):
                self.p.add(
                    loc,
                    f"{USER_ATTRIBUTE_FUNCTION} takes one quoted attribute name, "
                    f"e.g. {USER_ATTRIBUTE_FUNCTION}('region')",
                )

    # -- catalog -------------------------------------------------------------------------

    def check_reference(self, pattern: Pattern, loc: str) -> list[TableFacts]:
        """Tables a literal table or column pattern names; a problem if there are none.

        Glob patterns are not checked (they may be meant for tables still to come).
        """
        if self.warehouses is None or not _literal(pattern):
            return []
        warehouses = [
            w
            for w in self.warehouses
            if pattern.warehouse is None or w.warehouse.lower() == pattern.warehouse
        ]
        if pattern.warehouse is not None and not warehouses:
            known = ", ".join(w.warehouse for w in self.warehouses) or "none yet"
            self.p.add(loc, f"no warehouse {pattern.warehouse!r} in the catalog (known: {known})")
            return []
        schema, table = pattern.parts[0], pattern.parts[1]
        tables = [
            t
            for w in warehouses
            for t in w.tables
            if t.schema.lower() == schema and t.name.lower() == table
        ]
        if not tables:
            names = {f"{t.schema}.{t.name}".lower() for w in warehouses for t in w.tables}
            close = difflib.get_close_matches(f"{schema}.{table}", sorted(names), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else " (scan the warehouse first?)"
            self.p.add(loc, f"no table {schema}.{table} in the catalog{hint}")
            return []
        if pattern.depth == 3:
            column = pattern.parts[2]
            for t in tables:
                if t.column(column) is None:
                    self.p.add(loc, _no_column(t, column))
        return tables

    def check_filter_columns(self, tree: exp.Expr, tables: Sequence[TableFacts], loc: str) -> None:
        names = sorted({c.name for c in tree.find_all(exp.Column) if c.name})
        for t in tables:
            for name in names:
                if t.column(name) is None:
                    self.p.add(loc, _no_column(t, name))

    def check_retention_column(self, table: TableFacts, column: str, loc: str) -> None:
        found = table.column(column)
        if found is None:
            self.p.add(loc, _no_column(table, column))
        elif not _TEMPORAL.match(found.data_type):
            self.p.add(
                loc,
                f"column {_qualified(table)}.{found.name} is {found.data_type}, not a date or "
                "timestamp: retention needs the time each row was made",
            )


def _literal(pattern: Pattern) -> bool:
    parts = (*pattern.parts, pattern.warehouse or "")
    return not any(c in _GLOB_CHARS for part in parts for c in part)


def _qualified(table: TableFacts) -> str:
    return f"{table.warehouse}.{table.schema}.{table.name}"


def _no_column(table: TableFacts, column: str) -> str:
    close = difflib.get_close_matches(column.lower(), [c.name.lower() for c in table.columns], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"table {_qualified(table)} has no column {column!r}{hint}"


def _is_value(column: exp.Column) -> bool:
    return not column.table and column.name.lower() == "value"


def _parse_error(e: SqlglotError) -> str:
    """The first error's description and position, without the echoed SQL."""
    if isinstance(e, ParseError) and e.errors:
        first = e.errors[0]
        line, col = first.get("line"), first.get("col")
        where = ""
        if line == 1 and col:
            where = f" (at column {col} of the SQL)"
        elif line and col:
            where = f" (at line {line}, column {col} of the SQL)"
        return f"{first.get('description') or 'cannot parse'}{where}"
    return str(e).splitlines()[0] if str(e) else type(e).__name__
