"""Tracing: output columns back to physical columns, with how each value was made.

Works on a qualified query (sqlglot's qualify) and its scopes: every output column is
followed through CTEs, derived tables, subqueries and set operations down to table
columns, keeping the strongest kind met on the way (aggregate > transform > identity).
Filter columns (WHERE, JOIN, GROUP BY, HAVING, QUALIFY, CASE conditions, window
partitions) are collected per scope and, with ``indirect``, linked to every target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope

from lineage.model import ColumnEdge, EdgeKind, StatementLineage
from lineage.statements import ParseContext, Plan

#: Window functions that pick one row's value: a copy, not an aggregate.
_NAVIGATION = (exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue, exp.NthValue)

#: Dialects whose unquoted identifiers are stored upper case.
_UPPERCASE_DIALECTS = frozenset({"snowflake", "oracle", "exasol"})


@dataclass
class _Sources:
    """Physical columns feeding one value, each with the strongest kind on its path."""

    columns: dict[str, EdgeKind] = field(default_factory=dict)

    def add(self, column: str, kind: EdgeKind) -> None:
        current = self.columns.get(column)
        if current is None or kind.rank > current.rank:
            self.columns[column] = kind

    def merge(self, other: _Sources, floor: EdgeKind) -> None:
        for column, kind in other.columns.items():
            self.add(column, kind if kind.rank >= floor.rank else floor)


class Tracer:
    def __init__(self, ctx: ParseContext, indirect: bool) -> None:
        self.ctx = ctx
        self.indirect = indirect
        self.warnings: list[str] = []
        self.tables: dict[str, None] = {}
        self._outputs: dict[tuple[int, str], _Sources] = {}
        self._filters: dict[int, set[str]] = {}
        self._using = False

    def target_name(self, plan: Plan) -> str | None:
        return self._table(plan.target, register=False) if plan.target is not None else None

    def run(self, plan: Plan) -> StatementLineage:
        assert plan.query is not None
        # A COALESCE the user wrote (over a FULL JOIN, say) is a transform; one that
        # qualify made from USING/NATURAL is the shared column itself.
        self._using = any(
            j.args.get("using") or str(j.args.get("method") or "").upper() == "NATURAL"
            for j in plan.query.find_all(exp.Join)
        )
        query = _qualify(plan.query, self.ctx)
        root = build_scope(query)
        if root is None:
            return StatementLineage(kind=plan.kind, error="cannot analyse this statement")
        for scope in root.traverse():  # every table read, filters and subqueries included
            for node in scope.sources.values():
                if isinstance(node, exp.Table):
                    self._table(node)
        outputs = _output_names(root)
        identifiers = _output_identifiers(root)
        target_name = self._table(plan.target, register=False) if plan.target is not None else None
        target_columns: list[exp.Identifier | str] = list(plan.target_columns or identifiers)
        edges: list[ColumnEdge] = []
        target_names: list[str] = []
        for position, output in enumerate(outputs):
            if output == "*":
                star_target = f"{target_name}.*" if target_name else "*"
                for source in self._star_sources(root):
                    edges.append(ColumnEdge(source, star_target, EdgeKind.IDENTITY))
                continue
            column = target_columns[position] if position < len(target_columns) else output
            name = (
                _ident(column.name, self.ctx, column)
                if isinstance(column, exp.Identifier)
                else _ident(column, self.ctx)
            )
            target = f"{target_name}.{name}" if target_name else name
            target_names.append(target)
            traced = self._trace(root, output, position)
            for source, kind in sorted(traced.columns.items()):
                edges.append(ColumnEdge(source, target, kind))
        if self.indirect:
            for source in sorted(self._filter_columns(root)):
                for target in target_names:
                    edges.append(ColumnEdge(source, target, EdgeKind.FILTER))
        return StatementLineage(
            edges=tuple(dict.fromkeys(edges)),
            sources=tuple(self.tables),
            targets=(target_name,) if target_name else (),
            kind=plan.kind,
            warnings=tuple(dict.fromkeys(self.warnings)),
        )

    # Output columns of a scope, traced to physical columns.
    def _trace(self, scope: Scope, name: str, position: int | None = None) -> _Sources:
        is_set = isinstance(scope.expression, exp.SetOperation)
        # Output names can repeat (qualify names two casts of ``id`` both "id"): a
        # position, when known, tells them apart.
        key = (id(scope), f"{position}:{name}" if is_set or position is not None else name)
        cached = self._outputs.get(key)
        if cached is not None:
            return cached
        result = _Sources()
        self._outputs[key] = result  # guards recursive CTEs
        if is_set:
            index = position if position is not None else _output_names(scope).index(name)
            for branch in _set_branches(scope):
                names = _output_names(branch)
                if index < len(names):
                    result.merge(self._trace(branch, names[index], index), EdgeKind.IDENTITY)
            return result
        if not isinstance(scope.expression, exp.Select):
            self._trace_table_function(scope, name, result)
            return result
        projection = _projection(scope, name, position)
        if projection is None:
            return result
        self._collect(scope, projection, result)
        return result

    def _trace_table_function(self, scope: Scope, name: str, result: _Sources) -> None:
        """LATERAL (SELECT …): the subquery's column; UNNEST / FLATTEN / EXPLODE and other
        table functions: computed (transform) from every column passed in."""
        subqueries = [
            s
            for s in scope.sources.values()
            if isinstance(s, Scope) and isinstance(s.expression, exp.Query)
        ]
        if subqueries:
            for sub in subqueries:
                result.merge(self._trace(sub, name), EdgeKind.IDENTITY)
            return
        for column in _columns_in(scope.expression):
            self._column(scope, column, EdgeKind.TRANSFORM, result)

    def _collect(self, scope: Scope, projection: exp.Expr, result: _Sources) -> None:
        body = projection.this if isinstance(projection, exp.Alias) else projection
        if isinstance(body, exp.Column) and not isinstance(body.this, exp.Star):
            self._column(scope, body, EdgeKind.IDENTITY, result)
            return
        if self._using and _is_using_column(body):  # JOIN … USING / NATURAL JOIN
            for column in _columns_in(body):
                self._column(scope, column, EdgeKind.IDENTITY, result)
            return
        if isinstance(body, exp.Subquery):  # (SELECT x FROM …) AS y: what x is
            child = _child_scope(scope, body)
            if child is not None and _output_names(child):
                result.merge(self._trace(child, _output_names(child)[0], 0), EdgeKind.IDENTITY)
                return
        for node in _walk(body):
            if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
                context = _context(node, body)
                if context is not None:
                    self._column(scope, node, context, result)
            elif isinstance(node, exp.Subquery | exp.Select) and node is not body:
                child = _child_scope(scope, node)
                if child is not None:
                    names = _output_names(child)
                    if names:
                        floor = _context(node, body) or EdgeKind.TRANSFORM
                        result.merge(self._trace(child, names[0], 0), floor)

    def _column(self, scope: Scope, column: exp.Column, kind: EdgeKind, result: _Sources) -> None:
        source = self._source_of(scope, column)
        if source is None:
            return
        if isinstance(source, Scope):
            result.merge(self._trace(source, column.name), kind)
        elif not isinstance(source, exp.Table):
            # UNNEST / FLATTEN / EXPLODE / a table function: its output is computed from
            # the columns passed in.
            floor = kind if kind.rank > EdgeKind.TRANSFORM.rank else EdgeKind.TRANSFORM
            for inner in _columns_in(source):
                if inner is not column:
                    self._column(scope, inner, floor, result)
        else:
            result.add(f"{self._table(source)}.{_ident(column.name, self.ctx, column.this)}", kind)

    def _source_of(self, scope: Scope, column: exp.Column) -> exp.Expr | Scope | None:
        table = column.table
        sources = scope.sources
        if table:
            source: exp.Expr | Scope | None = sources.get(table)
            if source is None:
                source = _udtf(scope, table)
            if source is None and scope.parent is not None:  # correlated reference
                return self._source_of(scope.parent, column)
            return source if isinstance(source, exp.Expr | Scope) else None
        # An unqualified column comes from the FROM/JOIN sources of its own SELECT (a
        # recursive CTE also sees itself in ``sources``).
        selected = [source for _node, source in scope.selected_sources.values()]
        candidates = [s for s in selected if isinstance(s, exp.Table | Scope)]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            self.warnings.append(f"ambiguous column {column.name!r}: give a schema to resolve it")
        return None

    def _star_sources(self, scope: Scope) -> list[str]:
        stars: list[str] = []
        for projection in (
            scope.expression.selects if isinstance(scope.expression, exp.Select) else []
        ):
            star = (
                projection
                if isinstance(projection, exp.Star)
                else (
                    projection
                    if isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
                    else None
                )
            )
            if star is None:
                continue
            table = star.table if isinstance(star, exp.Column) else ""
            for alias, source in scope.selected_sources.items():
                if table and alias != table:
                    continue
                node = source[1]
                if isinstance(node, exp.Table):
                    stars.append(f"{self._table(node)}.*")
                elif isinstance(node, Scope):
                    stars += self._star_sources(node) or []
        return stars

    def _filter_columns(self, scope: Scope) -> set[str]:
        """Physical columns that decide which rows flow, in this scope and those feeding it."""
        cached = self._filters.get(id(scope))
        if cached is not None:
            return cached
        found: set[str] = set()
        self._filters[id(scope)] = found
        expression = scope.expression
        nodes: list[exp.Expr] = []
        for arg in ("where", "group", "having", "qualify"):
            if expression.args.get(arg) is not None:
                nodes.append(expression.args[arg])
        nodes += _grouped_projections(expression)
        for join in expression.args.get("joins") or []:
            for arg in ("on", "using"):
                if join.args.get(arg) is not None:
                    value = join.args[arg]
                    nodes += value if isinstance(value, list) else [value]
        for projection in expression.selects if isinstance(expression, exp.Select) else []:
            for node in _walk(projection):
                if isinstance(node, exp.Column) and _context(node, projection) is None:
                    nodes.append(node)
        for node in nodes:
            for column in _columns_in(node):
                sources = _Sources()
                self._column(scope, column, EdgeKind.IDENTITY, sources)
                found |= set(sources.columns)
            if isinstance(node, exp.Identifier):  # USING (col)
                for alias in scope.selected_sources:
                    column = exp.column(node.name, table=alias)
                    sources = _Sources()
                    self._column(scope, column, EdgeKind.IDENTITY, sources)
                    found |= set(sources.columns)
        for child in _children(scope):
            found |= self._filter_columns(child)
        # WHERE x IN (SELECT y …): y decides which rows flow too (not so for a scalar
        # subquery in the select list, or a LATERAL one).
        in_filters = {
            id(q) for node in nodes if isinstance(node, exp.Expr) for q in node.find_all(exp.Query)
        }
        for sub in scope.subquery_scopes:
            if id(sub.expression) not in in_filters:
                continue
            for position, name in enumerate(_output_names(sub)):
                found |= set(self._trace(sub, name, position).columns)
        return found

    def _table(self, table: exp.Table, *, register: bool = True) -> str:
        parts = [table.catalog, table.db, table.name]
        if not table.db and self.ctx.default_schema:
            parts[1] = self.ctx.default_schema
        if not table.catalog and parts[1] and self.ctx.default_db:
            parts[0] = self.ctx.default_db
        identifiers = [table.args.get("catalog"), table.args.get("db"), table.this]
        name = ".".join(
            _ident(p, self.ctx, node if isinstance(node, exp.Identifier) else None)
            for p, node in zip(parts, identifiers, strict=True)
            if p
        )
        if isinstance(table.this, exp.Identifier) and table.this.args.get("temporary"):
            name = "#" + name  # T-SQL #temp tables keep their mark
        if register:
            self.tables.setdefault(name)
        return name


def _qualify(query: exp.Query, ctx: ParseContext) -> exp.Expr:
    """Qualify tables and columns; retry without alias expansion when sqlglot cannot
    tell an alias from a column (``SELECT a AS b, b AS a`` without a schema)."""
    try:
        return _qualify_once(query, ctx, expand_alias_refs=True)
    except OptimizeError:
        pass
    try:
        return _qualify_once(query, ctx, expand_alias_refs=False)
    except OptimizeError:
        # Columns sqlglot cannot place without a schema: tables only; tracing resolves
        # unqualified columns itself where only one source can hold them.
        return _qualify_once(query, ctx, expand_alias_refs=False, columns=False)


def _qualify_once(
    query: exp.Query, ctx: ParseContext, *, expand_alias_refs: bool, columns: bool = True
) -> exp.Expr:
    return qualify(
        query.copy(),
        dialect=ctx.dialect,
        schema=ctx.schema,
        db=ctx.default_schema,
        catalog=ctx.default_db,
        expand_alias_refs=expand_alias_refs,
        qualify_columns=columns,
        validate_qualify_columns=False,
        quote_identifiers=False,
        identify=False,
    )


def _grouped_projections(expression: exp.Expr) -> list[exp.Expr]:
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


def _is_using_column(node: exp.Expr) -> bool:
    """qualify turns a USING/NATURAL join column into COALESCE(a.c, b.c)."""
    if not isinstance(node, exp.Coalesce):
        return False
    args = [node.this, *node.expressions]
    return all(isinstance(a, exp.Column) for a in args) and len({a.name for a in args}) == 1


def _udtf(scope: Scope, alias: str) -> exp.Expr | None:
    """The table function (UNNEST, FLATTEN, EXPLODE, LATERAL VIEW) named ``alias``."""
    for node in scope.expression.find_all(exp.Unnest, exp.Lateral, exp.Explode, exp.TableFromRows):
        node_alias = node.args.get("alias")
        if node_alias is not None and (
            node_alias.name == alias
            or any(c.name == alias for c in node_alias.args.get("columns") or [])
        ):
            return node
    return None


def _output_names(scope: Scope) -> list[str]:
    expression = scope.expression
    if isinstance(expression, exp.SetOperation):
        branches = _set_branches(scope)
        return _output_names(branches[0]) if branches else []
    if isinstance(expression, exp.Select):
        names = []
        for projection in expression.selects:
            if isinstance(projection, exp.Star) or (
                isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
            ):
                names.append("*")
            else:
                names.append(projection.alias_or_name)
        return names
    return []


def _output_identifiers(scope: Scope) -> list[exp.Identifier | str]:
    """The identifier naming each output column (quoted or not), for target names."""
    expression = scope.expression
    if isinstance(expression, exp.SetOperation):
        branches = _set_branches(scope)
        return _output_identifiers(branches[0]) if branches else []
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


def _set_branches(scope: Scope) -> list[Scope]:
    branches = getattr(scope, "set_operation_scopes", None) or getattr(scope, "union_scopes", [])
    return list(branches)


def _projection(scope: Scope, name: str, position: int | None) -> exp.Expr | None:
    expression = scope.expression
    if not isinstance(expression, exp.Select):
        return None
    selects = expression.selects
    if (
        position is not None
        and position < len(selects)
        and (selects[position].alias_or_name == name)
    ):
        return selects[position]
    for projection in selects:
        if projection.alias_or_name == name:
            return projection
    return None


def _walk(node: exp.Expr) -> Iterable[exp.Expr]:
    """Nodes under ``node``, not descending into nested queries (handled as scopes)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is not node and isinstance(current, exp.Subquery | exp.Select):
            continue
        stack.extend(reversed(list(current.iter_expressions())))


def _columns_in(node: exp.Expr) -> list[exp.Column]:
    return [
        n for n in _walk(node) if isinstance(n, exp.Column) and not isinstance(n.this, exp.Star)
    ]


def _context(node: exp.Expr, root: exp.Expr) -> EdgeKind | None:
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
        elif isinstance(parent, exp.Filter | exp.Order | exp.Ordered) and child is not parent.this:
            return None
        child, parent = parent, parent.parent
    return kind


def _child_scope(scope: Scope, node: exp.Expr) -> Scope | None:
    target = node.this if isinstance(node, exp.Subquery) else node
    for child in scope.subquery_scopes:
        if child.expression is target or child.expression is node:
            return child
    return None


def _children(scope: Scope) -> list[Scope]:
    children: list[Scope] = []
    for _alias, (_node, source) in scope.selected_sources.items():
        if isinstance(source, Scope):
            children.append(source)
    children += list(scope.subquery_scopes)
    children += _set_branches(scope)
    return children


def _ident(name: str, ctx: ParseContext, node: exp.Expr | None = None) -> str:
    """Lowercase unless a quoted identifier's case matters."""
    quoted = isinstance(node, exp.Identifier) and node.quoted
    if not quoted or _case_insensitive(ctx.dialect):
        return name.lower()
    if name == name.lower() or (ctx.dialect in _UPPERCASE_DIALECTS and name == name.upper()):
        return name.lower()
    return name


def _case_insensitive(dialect: str | None) -> bool:
    """Dialects where even quoted identifiers ignore case (T-SQL, DuckDB, Spark, …)."""
    if not dialect:
        return False
    try:
        strategy = Dialect.get_or_raise(dialect).NORMALIZATION_STRATEGY
    except ValueError:
        return False
    return strategy is NormalizationStrategy.CASE_INSENSITIVE
