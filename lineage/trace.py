"""Tracing: output columns back to physical columns, with how each value was made.

Works on a qualified query (lineage.prepare) and its scopes: every output column is
followed through CTEs (recursive ones too), derived tables, subqueries, table functions
and set operations down to table columns, keeping the strongest kind met on the way
(aggregate > transform > identity). Filter columns (WHERE, JOIN, GROUP BY, HAVING,
QUALIFY, CASE conditions, window partitions, named WINDOW clauses) are collected per
scope and, with ``indirect``, linked to every target.

An unqualified column that qualify could not place is resolved the way the statement
must have run (it ran, so the name is unique among its tables): the one source known to
have it, else the one source whose columns are unknown, else an outer query's source
(a correlated reference); when several unknown sources could hold it, it is reported as
ambiguous and not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import Scope, ScopeType, build_scope

from lineage import scopes as sc
from lineage.model import ColumnEdge, EdgeKind, StatementLineage, strongest_edges
from lineage.naming import ident, table_name
from lineage.pivot import pivot_alias, pivot_consumed, pivot_filters, pivot_inputs, pivot_of
from lineage.prepare import prepare
from lineage.statements import ParseContext, Plan

#: Scopes that can read their enclosing query's columns (correlated subqueries, UNNEST
#: of an outer array, a set operation's branch inside such a subquery).
_CORRELATED = (ScopeType.SUBQUERY, ScopeType.UDTF, ScopeType.SET_OPERATION)

Source = exp.Expr | Scope


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
        self._scopes: dict[int, Scope] = {}  # id(expression) → its traversed scope
        self._traversed: set[int] = set()  # id(scope) of every traversed scope

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
        root = build_scope(prepare(plan.query, self.ctx))
        if root is None:
            return StatementLineage(kind=plan.kind, error="cannot analyse this statement")
        for scope in root.traverse():  # every table read, filters and subqueries included
            self._scopes[id(scope.expression)] = scope
            self._traversed.add(id(scope))
            for node in scope.sources.values():
                if isinstance(node, exp.Table) and sc.is_table(node):
                    self._table(node)
        outputs = sc.output_names(root)
        identifiers = sc.output_identifiers(root)
        target_name = self.target_name(plan)
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
                ident(column.name, self.ctx, column)
                if isinstance(column, exp.Identifier)
                else ident(column, self.ctx)
            )
            target = f"{target_name}.{name}" if target_name else name
            target_names.append(target)
            traced = self._trace(root, output, position)
            for source, kind in sorted(traced.columns.items()):
                edges.append(ColumnEdge(source, target, kind))
        # Always walked: an ambiguous column in WHERE is reported even without indirect.
        filters = self._filter_columns(root)
        if self.indirect:
            for source in sorted(filters):
                for target in target_names:
                    edges.append(ColumnEdge(source, target, EdgeKind.FILTER))
        return StatementLineage(
            edges=strongest_edges(edges),
            sources=tuple(self.tables),
            targets=(target_name,) if target_name else (),
            kind=plan.kind,
            warnings=tuple(dict.fromkeys(self.warnings)),
        )

    # Output columns of a scope, traced to physical columns.
    def _trace(self, scope: Scope, name: str, position: int | None = None) -> _Sources:
        scope = self._canonical(scope)
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
            self._trace_set(scope, name, position, result)
        elif not isinstance(scope.expression, exp.Select):
            self._trace_table_function(scope, name, result)
        else:
            projection = sc.projection(scope, name, position)
            if projection is not None:
                self._collect(scope, projection, result)
            else:
                self._trace_through_star(scope, name, result)
        return result

    def _canonical(self, scope: Scope) -> Scope:
        """The traversed scope standing for ``scope``.

        sqlglot lets a recursive CTE's self-reference see a stand-in scope over the
        anchor branch only (and one never traversed, so without sources); the reference
        means the whole CTE, whose set operation is the anchor's parent.
        """
        if id(scope) in self._traversed:
            return scope
        parent = scope.expression.parent
        if isinstance(parent, exp.SetOperation) and id(parent) in self._scopes:
            return self._scopes[id(parent)]
        return self._scopes.get(id(scope.expression), scope)

    def _trace_set(self, scope: Scope, name: str, position: int | None, result: _Sources) -> None:
        """Every branch feeds the output: by position, or by name for UNION BY NAME."""
        names = sc.output_names(scope)
        if position is None and name not in names:
            return
        index = position if position is not None else names.index(name)
        lowered = names[index].lower() if index < len(names) else name.lower()
        for branch in sc.set_branches(scope):
            branch_names = sc.output_names(branch)
            if sc.by_name(scope):
                matches = [i for i, n in enumerate(branch_names) if n.lower() == lowered]
                if not matches:
                    continue  # BY NAME: a branch without the column gives NULL
                at = matches[0]
            elif index < len(branch_names):
                at = index
            else:
                continue
            result.merge(self._trace(branch, branch_names[at], at), EdgeKind.IDENTITY)

    def _trace_through_star(self, scope: Scope, name: str, result: _Sources) -> None:
        """``SELECT x.id FROM (SELECT * FROM t) x``: ``id`` passes through the star from
        whichever source holds it (or the single source), as an unqualified column would."""
        for star in sc.stars(scope):
            excluded, replaced = sc.star_modifier(star, name)
            if excluded:
                continue
            if replaced is not None:
                self._collect(scope, replaced, result)
                return
            table = star.table if isinstance(star, exp.Column) else ""
            column = exp.column(name, table=table or None)
            self._column(scope, column, EdgeKind.IDENTITY, result)
            return

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
        for column in sc.udtf_inputs(scope.expression, name):
            self._column(scope, column, EdgeKind.TRANSFORM, result)

    def _collect(self, scope: Scope, projection: exp.Expr, result: _Sources) -> None:
        body = projection.this if isinstance(projection, exp.Alias) else projection
        if isinstance(body, exp.Column) and not isinstance(body.this, exp.Star):
            self._column(scope, body, EdgeKind.IDENTITY, result)
            return
        if self._using and sc.is_using_column(body):  # JOIN … USING / NATURAL JOIN
            for column in sc.columns_in(body):
                self._column(scope, column, EdgeKind.IDENTITY, result)
            return
        if isinstance(body, exp.Subquery):  # (SELECT x FROM …) AS y: what x is
            child = sc.child_scope(scope, body)
            if child is not None and sc.output_names(child):
                result.merge(self._trace(child, sc.output_names(child)[0], 0), EdgeKind.IDENTITY)
                return
        for node in sc.walk(body):
            if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
                kind = sc.context(node, body)
                if kind is not None:
                    self._column(scope, node, kind, result)
            elif isinstance(node, exp.Subquery | exp.Select) and node is not body:
                child = sc.child_scope(scope, node)
                if child is not None:
                    names = sc.output_names(child)
                    if names:
                        floor = sc.context(node, body) or EdgeKind.TRANSFORM
                        result.merge(self._trace(child, names[0], 0), floor)

    def _column(self, scope: Scope, column: exp.Column, kind: EdgeKind, result: _Sources) -> None:
        located = self._source_of(scope, column)
        if located is None:
            field_of = self._struct_column(scope, column)
            if field_of is not None:  # ``payload.city``: a field of the column ``payload``
                floor = kind if kind.rank > EdgeKind.TRANSFORM.rank else EdgeKind.TRANSFORM
                self._column(scope, field_of, floor, result)
            return
        home, source = located
        pivot = _pivot_at(home, source)
        made = pivot_inputs(pivot, column.name) if pivot is not None else None
        if made is not None:  # a PIVOT/UNPIVOT output: from the columns it is made of
            inputs, made_kind = made
            floor = kind if kind.rank > made_kind.rank else made_kind
            for inner in inputs:
                self._read(home, source, inner, floor, result)
            return
        self._read(home, source, column, kind, result)

    def _read(
        self, home: Scope, source: Source, column: exp.Column, kind: EdgeKind, result: _Sources
    ) -> None:
        """Column ``column`` of ``source`` (a FROM item of scope ``home``)."""
        if isinstance(source, Scope):
            result.merge(self._trace(source, column.name), kind)
        elif isinstance(source, exp.Table) and sc.is_table(source):
            result.add(f"{self._table(source)}.{ident(column.name, self.ctx, column.this)}", kind)
        else:
            # UNNEST / FLATTEN / EXPLODE / a table function: its output is computed from
            # the columns passed in.
            floor = kind if kind.rank > EdgeKind.TRANSFORM.rank else EdgeKind.TRANSFORM
            for inner in sc.udtf_inputs(source, column.name):
                if inner is not column:
                    self._column(home, inner, floor, result)

    def _source_of(self, scope: Scope, column: exp.Column) -> tuple[Scope, Source] | None:
        """The source ``column`` reads, with the scope that source belongs to."""
        if not column.table:
            return self._resolve_unqualified(scope, column, came_from=None)
        outer: Scope | None = scope
        while outer is not None:  # this query's aliases, then outer ones (correlated)
            source: Source | None = outer.sources.get(column.table)
            if source is None:
                source = sc.udtf(outer, column.table)
            if source is None:
                source = _pivoted(outer, column.table)
            if isinstance(source, exp.Expr | Scope):
                return outer, source
            outer = outer.parent
        outer = scope
        while outer is not None:  # no alias matches: a table named by its own name
            named = _table_named(outer, column)
            if named is not None:
                return outer, named
            outer = outer.parent
        return None

    def _struct_column(self, scope: Scope, column: exp.Column) -> exp.Column | None:
        """The column a dotted name reads when its qualifier names no source: without a
        schema sqlglot reads ``payload.city`` (BigQuery, Snowflake, Spark structs) as
        column ``city`` of a table ``payload``; it is a field of column ``payload`` (of
        source ``t`` in ``t.payload.city``)."""
        parts = column.parts
        if len(parts) < 2:
            return None
        if len(parts) >= 3 and self._has_alias(scope, parts[0].name):
            return exp.Column(this=parts[1].copy(), table=parts[0].copy())
        return exp.Column(this=parts[0].copy())

    @staticmethod
    def _has_alias(scope: Scope, name: str) -> bool:
        outer: Scope | None = scope
        while outer is not None:
            if name in outer.sources:
                return True
            outer = outer.parent
        return False

    def _resolve_unqualified(
        self, scope: Scope, column: exp.Column, came_from: Scope | None
    ) -> tuple[Scope, Source] | None:
        """The FROM/JOIN source of its own SELECT an unqualified column comes from: the
        one known to have it, else the only one whose columns are unknown; none: an
        outer query's (correlated); several unknown: ambiguous, reported, not guessed."""
        selected = [source for _node, source in scope.selected_sources.values()]
        if not selected and scope.scope_type is ScopeType.UDTF:
            selected = list(scope.sources.values())  # UNNEST(arr): the tables beside it
        candidates = [
            s
            for s in selected
            if isinstance(s, exp.Table | Scope) and s is not came_from and s is not scope
        ]
        name = column.name.lower()
        known = {id(c): self._known_columns(c) for c in candidates}
        holders = [c for c in candidates if name in (known[id(c)] or ())]
        unknown = [c for c in candidates if known[id(c)] is None]
        if len(holders) == 1:
            return scope, holders[0]
        if not holders and len(unknown) == 1:
            return scope, unknown[0]
        if not holders and not unknown:
            if scope.parent is not None and scope.scope_type in _CORRELATED:
                return self._resolve_unqualified(scope.parent, column, came_from=scope)
            return None
        label = ident(column.name, self.ctx, column.this)
        self.warnings.append(f"ambiguous column {label!r}: give a schema to resolve it")
        return None

    def _known_columns(self, source: Source) -> set[str] | None:
        """Lowercased columns of a source, or None when they are unknown."""
        if isinstance(source, Scope):
            return sc.known_columns(self._canonical(source))
        if isinstance(source, exp.Table) and not sc.is_table(source):
            return {n.lower() for n in sc.alias_columns(source)} or None
        if not isinstance(source, exp.Table) or self.ctx.schema is None:
            return None
        table = source.copy()
        table.set("alias", None)
        try:
            found = self.ctx.schema.find(table, raise_on_missing=False)
        except SqlglotError:
            return None
        return {str(c).lower() for c in found} if isinstance(found, dict) and found else None

    def _star_sources(self, scope: Scope) -> list[str]:
        """``t.*`` for every table an unexpanded star reads (through derived tables, CTEs
        and every branch of a set operation)."""
        found: list[str] = []
        for branch in sc.set_branches(scope):
            found += self._star_sources(branch)
        for star in sc.stars(scope):
            table = star.table if isinstance(star, exp.Column) else ""
            for alias, (_node, source) in scope.selected_sources.items():
                if table and alias != table:
                    continue
                if isinstance(source, exp.Table) and sc.is_table(source):
                    found.append(f"{self._table(source)}.*")
                elif isinstance(source, Scope):
                    found += self._star_sources(source) or []
        return found

    def _filter_columns(self, scope: Scope) -> set[str]:
        """Physical columns that decide which rows flow, in this scope and those feeding it."""
        cached = self._filters.get(id(scope))
        if cached is not None:
            return cached
        found: set[str] = set()
        self._filters[id(scope)] = found
        nodes = _filter_nodes(scope.expression)
        for node in nodes:
            for column in sc.columns_in(node):
                sources = _Sources()
                self._column(scope, column, EdgeKind.IDENTITY, sources)
                found |= set(sources.columns)
            if isinstance(node, exp.Identifier):  # USING (col)
                for alias in scope.selected_sources:
                    column = exp.column(node.name, table=alias)
                    sources = _Sources()
                    self._column(scope, column, EdgeKind.IDENTITY, sources)
                    found |= set(sources.columns)
        found |= self._pivot_filter_columns(scope)
        for child in sc.children(scope):
            found |= self._filter_columns(child)
        # WHERE x IN (SELECT y …): y decides which rows flow too (not so for a scalar
        # subquery in the select list, or a LATERAL one).
        in_filters = {id(q) for node in nodes for q in node.find_all(exp.Query)}
        for sub in scope.subquery_scopes:
            if id(sub.expression) not in in_filters:
                continue
            for position, name in enumerate(sc.output_names(sub)):
                found |= set(self._trace(sub, name, position).columns)
        return found

    def _pivot_filter_columns(self, scope: Scope) -> set[str]:
        """A PIVOT's FOR column and its implicit GROUP BY keys (the input columns it
        neither aggregates nor pivots on, where they are known)."""
        found: set[str] = set()
        for node, source in scope.selected_sources.values():
            pivot = pivot_of(node)
            if pivot is None or pivot.args.get("unpivot"):
                continue
            columns = pivot_filters(pivot)
            consumed = pivot_consumed(pivot)
            known = self._known_columns(source) or set()
            columns += [exp.column(name) for name in sorted(known - consumed)]
            for column in columns:
                sources = _Sources()
                self._read(scope, source, column, EdgeKind.IDENTITY, sources)
                found |= set(sources.columns)
        return found

    def _table(self, table: exp.Table, *, register: bool = True) -> str:
        name = table_name(table, self.ctx)
        if register:
            self.tables.setdefault(name)
        return name


def _filter_nodes(expression: exp.Expr) -> list[exp.Expr]:
    """The parts of one SELECT that only decide which rows flow or how they group."""
    nodes: list[exp.Expr] = []
    for arg in ("where", "group", "having", "qualify"):
        if expression.args.get(arg) is not None:
            nodes.append(expression.args[arg])
    nodes += sc.grouped_projections(expression)
    nodes += sc.named_windows(expression)
    for join in expression.args.get("joins") or []:
        for arg in ("on", "using"):
            if join.args.get(arg) is not None:
                value = join.args[arg]
                nodes += value if isinstance(value, list) else [value]
    for projection in expression.selects if isinstance(expression, exp.Select) else []:
        for node in sc.walk(projection):
            if isinstance(node, exp.Column) and sc.context(node, projection) is None:
                nodes.append(node)
    return nodes


def _table_named(scope: Scope, column: exp.Column) -> exp.Table | None:
    """The aliased table a column names by the table's own name (``db.t.x`` over
    ``FROM db.t AS t1``, which Snowflake and MySQL accept), when exactly one matches."""
    parts = [p.name.lower() for p in column.parts[:-1]]
    if not parts:
        return None
    matches = [
        node
        for _alias, (_node, node) in scope.selected_sources.items()
        if isinstance(node, exp.Table)
        and sc.is_table(node)
        and [p.name.lower() for p in node.parts][-len(parts) :] == parts
    ]
    return matches[0] if len(matches) == 1 else None


def _pivot_at(scope: Scope, source: Source) -> exp.Pivot | None:
    """The PIVOT/UNPIVOT applied to FROM item ``source`` of ``scope``, if any."""
    for node, candidate in scope.selected_sources.values():
        if candidate is source:
            return pivot_of(node)
    return None


def _pivoted(scope: Scope, alias: str) -> Source | None:
    """The FROM item whose PIVOT is named ``alias`` (``… PIVOT (…) AS p``: sqlglot keys
    the source by its own alias, the columns by the pivot's)."""
    for node, source in scope.selected_sources.values():
        pivot = pivot_of(node)
        if pivot is not None and pivot_alias(pivot) == alias:
            return source
    return None
