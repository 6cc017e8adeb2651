"""Pure helpers over sqlglot scopes and expressions, shared by tracing (lineage.trace).

Nothing here resolves a column to a table or keeps state: these answer structural
questions (what a scope outputs, which projection makes a name, how a value at one node
flows into its projection) so the tracer can stay about following values.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from lineage.model import EdgeKind

#: Window functions that pick one row's value: a copy, not an aggregate.
_NAVIGATION = (exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue, exp.NthValue)

#: Table functions whose alias names their output columns.
UDTF_TYPES = (exp.Unnest, exp.Lateral, exp.Explode, exp.TableFromRows)


def is_star(projection: exp.Expr) -> bool:
    """``*`` or ``t.*`` (with or without EXCEPT/REPLACE), as a projection."""
    return isinstance(projection, exp.Star) or (
        isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
    )


def is_table(node: object) -> bool:
    """A stored table or view, not a table function (``FROM generate_series(1, 9) g``,
    ``JOIN s.my_fn(?) f``: sqlglot wraps those in a Table too)."""
    return isinstance(node, exp.Table) and not isinstance(node.this, exp.Func)


def set_branches(scope: Scope) -> list[Scope]:
    branches = getattr(scope, "set_operation_scopes", None) or getattr(scope, "union_scopes", [])
    return list(branches)


def by_name(scope: Scope) -> bool:
    """DuckDB's ``UNION [ALL] BY NAME``: branches line up by column name, not position."""
    expression = scope.expression
    return isinstance(expression, exp.SetOperation) and bool(expression.args.get("by_name"))


def output_names(scope: Scope) -> list[str]:
    """The scope's output column names in order (``*`` for an unexpanded star)."""
    expression = scope.expression
    if isinstance(expression, exp.SetOperation):
        branches = set_branches(scope)
        if not branches:
            return []
        if not by_name(scope):
            # The first branch names the columns; a VALUES anchor names none, so then
            # the first branch that does.
            return next((n for n in map(output_names, branches) if n), [])
        # BY NAME: the first branch's names, then each name a later branch adds.
        merged: dict[str, None] = {}
        for branch in branches:
            merged.update(dict.fromkeys(output_names(branch)))
        return list(merged)
    if isinstance(expression, exp.Select):
        return ["*" if is_star(p) else p.alias_or_name for p in expression.selects]
    return []


def output_identifiers(scope: Scope) -> list[exp.Identifier | str]:
    """The identifier naming each output column (quoted or not), for target names."""
    expression = scope.expression
    if isinstance(expression, exp.SetOperation):
        branches = set_branches(scope)
        if by_name(scope):
            return list(output_names(scope))
        return output_identifiers(branches[0]) if branches else []
    if not isinstance(expression, exp.Select):
        return []
    result: list[exp.Identifier | str] = []
    for projection in expression.selects:
        alias = projection.args.get("alias") if isinstance(projection, exp.Alias) else None
        node = alias if alias is not None else getattr(projection, "this", None)
        if isinstance(node, exp.TableAlias):
            node = node.this
        result.append(node if isinstance(node, exp.Identifier) else projection.alias_or_name)
    return result


def alias_columns(expression: exp.Expr) -> list[str]:
    """Column names a table alias gives (``AS t(k, v)``, ``LATERAL VIEW … t AS a, b``),
    plus an UNNEST's ``WITH OFFSET``/``WITH ORDINALITY`` column."""
    alias = expression.args.get("alias")
    names = [c.name for c in alias.args.get("columns") or []] if alias is not None else []
    offset = expression.args.get("offset") if isinstance(expression, exp.Unnest) else None
    if isinstance(offset, exp.Identifier):
        names.append(offset.name)
    return names


def known_columns(scope: Scope) -> set[str] | None:
    """Lowercased names a derived source outputs, or None when they are not all known
    (an unexpanded star, a table function without a column alias)."""
    expression = scope.expression
    if isinstance(expression, exp.Query):
        names = output_names(scope)
        return None if not names or "*" in names else {n.lower() for n in names}
    names = alias_columns(expression)
    return {n.lower() for n in names} or None


def projection(scope: Scope, name: str, position: int | None) -> exp.Expr | None:
    """The projection making output ``name`` (the one at ``position`` when names repeat)."""
    expression = scope.expression
    if not isinstance(expression, exp.Select):
        return None
    selects = expression.selects
    if position is not None and position < len(selects) and selects[position].alias_or_name == name:
        return selects[position]
    for candidate in selects:
        if candidate.alias_or_name == name and not is_star(candidate):
            return candidate
    lowered = name.lower()  # a name from elsewhere (a schema, a PIVOT) may differ in case
    for candidate in selects:
        if candidate.alias_or_name.lower() == lowered and not is_star(candidate):
            return candidate
    return None


def stars(scope: Scope) -> list[exp.Star | exp.Column]:
    """The star projections of a SELECT scope."""
    expression = scope.expression
    if not isinstance(expression, exp.Select):
        return []
    return [p for p in expression.selects if isinstance(p, exp.Star | exp.Column) and is_star(p)]


def star_modifier(star: exp.Star | exp.Column, name: str) -> tuple[bool, exp.Expr | None]:
    """How ``* EXCEPT (…)`` / ``* REPLACE (… AS name)`` treat ``name``: (excluded, the
    replacing expression)."""
    node = star.this if isinstance(star, exp.Column) else star
    lowered = name.lower()
    for item in node.args.get("except_") or []:  # EXCEPT (BigQuery) / EXCLUDE (DuckDB, …)
        if isinstance(item, exp.Expr) and item.name.lower() == lowered:
            return True, None
    for item in node.args.get("replace") or []:
        if isinstance(item, exp.Alias) and item.alias.lower() == lowered:
            return False, item.this
    return False, None


def walk(node: exp.Expr) -> Iterable[exp.Expr]:
    """Nodes under ``node``, not descending into nested queries (handled as scopes)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is not node and isinstance(current, exp.Subquery | exp.Select):
            continue
        stack.extend(reversed(list(current.iter_expressions())))


def columns_in(node: exp.Expr) -> list[exp.Column]:
    return [n for n in walk(node) if isinstance(n, exp.Column) and not isinstance(n.this, exp.Star)]


def context(node: exp.Expr, root: exp.Expr) -> EdgeKind | None:
    """How a value at ``node`` flows into ``root``: None when it only filters/partitions."""
    kind = EdgeKind.IDENTITY if node is root else EdgeKind.TRANSFORM
    child, parent = node, node.parent
    while parent is not None and child is not root:
        if isinstance(parent, exp.Window):
            if child is not parent.this:
                return None  # PARTITION BY / ORDER BY
        elif isinstance(parent, exp.If) and child is parent.this:
            return None  # CASE WHEN condition
        elif isinstance(parent, exp.Case) and child is parent.this:
            return None  # CASE operand WHEN …: compared, not copied
        elif isinstance(parent, exp.AggFunc) and not isinstance(parent, _NAVIGATION):
            kind = EdgeKind.AGGREGATE
        elif isinstance(parent, exp.WithinGroup) and child is parent.args.get("expression"):
            if not _ordered_set_input(parent):
                return None  # LISTAGG(x) WITHIN GROUP (ORDER BY y): y only orders
            kind = EdgeKind.AGGREGATE
        elif isinstance(parent, exp.Order) and isinstance(parent.parent, exp.WithinGroup):
            pass  # decided one level up
        elif isinstance(parent, exp.Filter | exp.Order | exp.Ordered) and child is not parent.this:
            return None
        child, parent = parent, parent.parent
    return kind


def _ordered_set_input(within: exp.WithinGroup) -> bool:
    """Whether WITHIN GROUP (ORDER BY x) is the aggregate's input, as for the ordered-set
    aggregates (PERCENTILE_CONT(0.9), PERCENTILE_DISC, MODE(), hypothetical RANK(v)):
    they take no column of their own. LISTAGG(x)/ARRAY_AGG(x) WITHIN GROUP only sort."""
    function = within.this
    return not isinstance(function, exp.Expr) or not columns_in(function)


def grouped_projections(expression: exp.Expr) -> list[exp.Expr]:
    """The projections GROUP BY ALL or GROUP BY 1, 2 refer to (they group, so filter)."""
    group = expression.args.get("group")
    if group is None or not isinstance(expression, exp.Select):
        return []
    selects = expression.selects
    if group.args.get("all"):
        return [p for p in selects if not p.find(exp.AggFunc)]
    picked = []
    for item in group.expressions:
        if isinstance(item, exp.Literal) and item.is_int and 0 < int(item.this) <= len(selects):
            picked.append(selects[int(item.this) - 1])
    return picked


def named_windows(expression: exp.Expr) -> list[exp.Expr]:
    """``WINDOW w AS (PARTITION BY … ORDER BY …)`` definitions: what they partition and
    order by decides rows for every ``OVER w`` (so filter, like an inline window)."""
    nodes: list[exp.Expr] = []
    for window in expression.args.get("windows") or []:
        nodes += window.args.get("partition_by") or []
        if window.args.get("order") is not None:
            nodes.append(window.args["order"])
    return nodes


def is_using_column(node: exp.Expr) -> bool:
    """qualify turns a USING/NATURAL join column into COALESCE(a.c, b.c)."""
    if not isinstance(node, exp.Coalesce):
        return False
    args = [node.this, *node.expressions]
    return all(isinstance(a, exp.Column) for a in args) and len({a.name for a in args}) == 1


def udtf(scope: Scope, alias: str) -> exp.Expr | None:
    """The table function (UNNEST, FLATTEN, EXPLODE, LATERAL VIEW) named ``alias``."""
    for node in scope.expression.find_all(*UDTF_TYPES):
        node_alias = node.args.get("alias")
        if node_alias is not None and (
            node_alias.name == alias
            or any(c.name == alias for c in node_alias.args.get("columns") or [])
        ):
            return node
    return None


def udtf_inputs(function: exp.Expr, name: str) -> list[exp.Column]:
    """The columns a table function's output column ``name`` is computed from.

    A multi-array UNNEST (``UNNEST(a, b) AS t(x, y)``) zips its arrays: ``x`` comes from
    ``a`` alone. An ORDINALITY/OFFSET column comes from none. Any other table function's
    columns are computed from everything passed in.
    """
    node = function.this if isinstance(function, exp.Lateral) else function
    offset = node.args.get("offset") if isinstance(node, exp.Unnest) else None
    if isinstance(offset, exp.Identifier) and offset.name.lower() == name.lower():
        return []  # WITH OFFSET / WITH ORDINALITY: a row number, from no column
    if isinstance(node, exp.Unnest) and len(node.expressions) > 1:
        # CROSS JOIN LATERAL unnest(a, b) AS t(x, y): the alias sits on the LATERAL.
        names = [n.lower() for n in alias_columns(node) or alias_columns(function)]
        if name.lower() in names:
            index = names.index(name.lower())
            return columns_in(node.expressions[index]) if index < len(node.expressions) else []
    return columns_in(function)


def child_scope(scope: Scope, node: exp.Expr) -> Scope | None:
    target = node.this if isinstance(node, exp.Subquery) else node
    for child in scope.subquery_scopes:
        if child.expression is target or child.expression is node:
            return child
    return None


def children(scope: Scope) -> list[Scope]:
    found: list[Scope] = []
    for _alias, (_node, source) in scope.selected_sources.items():
        if isinstance(source, Scope):
            found.append(source)
    found += list(scope.subquery_scopes)
    found += set_branches(scope)
    return found
