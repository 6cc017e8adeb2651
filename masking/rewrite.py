"""The enforcement pipeline: one statement in, the statement the warehouse may run out.

The order, written down once (STYLE.md):

1. **classify** (:mod:`masking.statements`): session statements pass; refused kinds stop.
2. **functions**: every call must be on the dialect's allowlist (policies.allowlist).
3. **resolve**: every table reference is a CTE, a permitted system relation, or a table
   the catalog knows; anything else is refused (42P01). Write targets need their grant.
   On PostgreSQL, system relations that list relations or columns become derived
   tables of what the user may read (:mod:`masking.system_catalog`).
4. **decide** (policies.decide): per table, readable columns, masks, row filters,
   retention; a table with no readable column is refused.
5. **check columns**: an explicit reference to a column the user may not read is
   refused naming it; ``*`` omits such columns with a notice.
6. **rewrite** (:mod:`masking.derive`): every base-table reference, wherever it is,
   becomes a derived table of masked, filtered rows; a view is expanded so the masks of
   its tables apply inside it. UPDATE/DELETE targets get masked values substituted and
   the filters ANDed into their WHERE.
7. **generate** the SQL in the warehouse's dialect.

Everything raises :class:`~masking.errors.Refused` with a SQLSTATE; nothing here
catches broadly, because a swallowed error could leak data.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError
from sqlglot.optimizer.scope import Scope, traverse_scope

from masking.derive import (
    masked_select,
    retention_predicate,
    row_filter_predicate,
    strip_qualifiers,
)
from masking.errors import FEATURE_NOT_SUPPORTED, UNDEFINED_TABLE, Refused, denied
from masking.functions import MaskSecrets, mask_expression
from masking.reads import reads_of
from masking.statements import Kind, Statement, classify
from masking.system_catalog import Visibility, filtered_relation, is_filtered
from policies.allowlist import disallowed_functions
from policies.decide import Decider, TableDecision
from policies.facts import TableFacts, WarehouseFacts
from policies.model import Action

#: Schemas whose relations describe the database, not its data.
SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})
#: System relations that expose data values or other sessions' statements.
BLOCKED_SYSTEM_RELATIONS = frozenset(
    {
        "pg_stats",
        "pg_stats_ext",
        "pg_stats_ext_exprs",
        "pg_statistic",
        "pg_statistic_ext",
        "pg_statistic_ext_data",
        "pg_stat_statements",
        "pg_stat_statements_info",
        "pg_stat_activity",
        "pg_authid",
        "pg_shadow",
        "pg_user_mapping",
        "pg_user_mappings",
        "pg_largeobject",
        "pg_hba_file_rules",
        "pg_ident_file_mappings",
        "pg_file_settings",
        "pg_prepared_statements",
        "pg_cursors",
        "query_history",
        "duckdb_secrets",
        "duckdb_settings",
    }
)
#: Marks the derived tables enforcement made, so later steps leave their insides alone.
DERIVED_MARK = "veil_derived"
_DEFAULT_SCHEMA = {"postgres": "public", "redshift": "public", "duckdb": "main"}
_MAX_VIEW_DEPTH = 16
_FOR = re.compile(r"\bfor\b", re.IGNORECASE)
#: Entries per cache of an Enforcer (decisions; derived-table SELECTs), per user and table.
_CACHED_TABLES = 4096
_T = TypeVar("_T")
_K = TypeVar("_K")
_Key = tuple[str, str, str]  # user, schema, table


@dataclass(frozen=True)
class Rewritten:
    """What enforcement made of one statement."""

    sql: str
    kind: Kind
    tables: tuple[TableDecision, ...] = ()
    notices: tuple[str, ...] = ()
    #: "schema.table.column" → mask method, for every masked column of the tables (and
    #: views) the statement reads, whether or not it names the column.
    masked: Mapping[str, str] = field(default_factory=dict)
    #: "schema.table.column" of every column whose values the statement reads
    #: (masking.reads); ``columns_filtered``: those it uses only to choose rows.
    columns_read: tuple[str, ...] = ()
    columns_filtered: tuple[str, ...] = ()
    #: Those of both that hold PII → their mask method, or "none" when the
    #: user's role reads them raw: what the audit log's ``pii_columns`` records.
    pii_read: Mapping[str, str] = field(default_factory=dict)


class Enforcer:
    """Rewrites statements of one warehouse under one policy version and catalog state.

    Because both are fixed for its lifetime, what a user sees of a table is too: the
    enforcer keeps each (user, table) decision and the SELECT of its derived table, and
    a statement only copies them. A policy or catalog change means a new enforcer
    (masking.service), so nothing kept here outlives the state it was decided in.
    """

    def __init__(self, facts: WarehouseFacts, decider: Decider, secrets: MaskSecrets) -> None:
        self.facts = facts
        self.decider = decider
        self.secrets = secrets
        self.dialect = facts.dialect
        self._decisions: dict[_Key, TableDecision] = {}
        self._selects: dict[_Key, tuple[TableDecision, exp.Select]] = {}
        self._system: dict[_Key, exp.Select] = {}
        self._visibility: dict[str, Visibility] = {}
        self._lock = threading.Lock()

    def decision(self, user: str, facts: TableFacts) -> TableDecision:
        """``Decider.table(user, facts)``, decided once per user and table."""
        key = (user, facts.schema, facts.name)
        found = self._decisions.get(key)
        if found is None or found.table is not facts:
            found = self.decider.table(user, facts)
            self._keep(self._decisions, key, found)
        return found

    def masked_select(self, decision: TableDecision) -> exp.Select:
        """A fresh copy of the derived table's SELECT for ``decision`` (without FROM)."""
        key = (decision.user, decision.table.schema, decision.table.name)
        found = self._selects.get(key)
        if found is None or found[0] is not decision:
            found = (decision, masked_select(decision, dialect=self.dialect, secrets=self.secrets))
            self._keep(self._selects, key, found)
        return found[1].copy()

    def system_relation(self, user: str, schema: str, name: str) -> exp.Select | None:
        """A fresh copy of what ``user`` may see of a system relation, when it is filtered.

        None for a system relation that lists no relation or column (masking.system_catalog).
        """
        if not is_filtered(self.dialect, schema, name):
            return None
        key = (user, schema.lower(), name.lower())
        found = self._system.get(key)
        if found is None:
            found = filtered_relation(self.dialect, schema, name, self.visibility(user))
            self._keep(self._system, key, found)
        return found.copy()

    def visibility(self, user: str) -> Visibility:
        """The relations and columns ``user`` may see: those with a readable column."""
        found = self._visibility.get(user)
        if found is None:
            found = Visibility.of(
                self._decisions.get((user, t.schema, t.name)) or self.decider.table(user, t)
                for t in self.facts.tables
            )
            self._keep(self._visibility, user, found)
        return found

    def _keep(self, cache: dict[_K, _T], key: _K, value: _T) -> None:
        with self._lock:
            if len(cache) >= _CACHED_TABLES:
                del cache[next(iter(cache))]  # the oldest entry
            cache[key] = value

    def rewrite(self, sql: str, user: str, *, default_schema: str | None = None) -> Rewritten:
        """Enforce one statement for ``user``; raise :class:`Refused` when it may not run."""
        statement = classify(sql, self.dialect)
        if statement.kind is Kind.SESSION:
            return Rewritten(sql, statement.kind)
        assert statement.expression is not None
        run = _Run(self, user, default_schema or _DEFAULT_SCHEMA.get(self.dialect))
        expression = run.enforce(statement)
        # The tree is this call's own and is dropped next: no copy for generating it.
        text = expression.sql(dialect=self.dialect, copy=False)
        if statement.prefix:
            text = f"{statement.prefix} {text}"
        decisions = tuple(run.decisions.values())
        reads = reads_of(sql, self.dialect, decisions, default_schema=run.default_schema)
        return Rewritten(
            text,
            statement.kind,
            decisions,
            tuple(dict.fromkeys(run.notices)),
            dict(run.masked),
            reads.projected,
            reads.filtered,
            dict(reads.pii),
        )


class _Run:
    """The state of enforcing one statement: decisions made so far, notices."""

    def __init__(self, enforcer: Enforcer, user: str, default_schema: str | None) -> None:
        self.enforcer = enforcer
        self.dialect = enforcer.dialect
        self.user = user
        self.default_schema = default_schema
        self.decisions: dict[tuple[str, str], TableDecision] = {}
        self.notices: list[str] = []
        self.masked: dict[str, str] = {}

    # -- the pipeline --------------------------------------------------------------------

    def enforce(self, statement: Statement) -> exp.Expr:
        expression = statement.expression
        assert expression is not None
        # No copy: classify parsed this tree for this statement alone.
        bad = disallowed_functions(expression, self.dialect)
        if bad:
            raise denied(
                f"permission denied for function {', '.join(bad)}: only built-in functions "
                "that cannot read other tables or the server's files may be called"
            )
        targets = self._targets(expression, statement.kind)
        self._rewrite_query(expression, set(map(id, targets)), self.default_schema, depth=0)
        if statement.kind in (Kind.UPDATE, Kind.DELETE):
            self._guard_target(expression, targets[0])
        # Locking clauses need the FOR keyword: skip the tree walk for the common case.
        if _FOR.search(statement.text) and expression.find(exp.Lock) is not None:
            self._check_locks()
        return expression

    def _check_locks(self) -> None:
        """``FOR UPDATE/SHARE`` locks rows of every table read: that needs the update grant.

        Without it, a reader could block writers (the warehouse runs the lock as Veil's
        service account, which may lock anything).
        """
        for decision in self.decisions.values():
            grant = self.enforcer.decider.check(self.user, decision.table, Action.UPDATE)
            if not grant.allowed:
                raise denied(
                    f"permission denied: FOR UPDATE/SHARE locks rows of "
                    f"{decision.table.qualified}, which needs the update grant: {grant.reason}"
                )

    def _targets(self, expression: exp.Expr, kind: Kind) -> list[exp.Table]:
        """Write targets, checked against the user's grants (they are never replaced)."""
        action = {
            Kind.INSERT: Action.INSERT,
            Kind.UPDATE: Action.UPDATE,
            Kind.DELETE: Action.DELETE,
            Kind.DDL: Action.DDL,
        }.get(kind)
        if action is None:
            return []
        tables = _target_tables(expression)
        if not tables:
            raise Refused(
                f"this {kind} statement is not supported through the gateway: only tables "
                "and views can be created, altered, dropped or written",
                sqlstate=FEATURE_NOT_SUPPORTED,
            )
        if isinstance(expression, exp.TruncateTable):
            action = Action.DELETE
        for table in tables:
            facts = self._facts_or_new(table)
            grant = self.enforcer.decider.check(self.user, facts, action)
            if not grant.allowed:
                raise denied(f"permission denied: {action} on {facts.qualified}: {grant.reason}")
            # The grant was checked for this schema: the warehouse must write exactly there,
            # whatever search_path or database prefix the session has.
            if facts.schema:
                table.set("db", exp.to_identifier(facts.schema, quoted=table.this.quoted))
            table.set("catalog", None)
        return tables

    def _rewrite_query(
        self, expression: exp.Expr, skip: set[int], default_schema: str | None, depth: int
    ) -> None:
        """Replace every base-table reference below ``expression`` (except ``skip``)."""
        references: list[tuple[exp.Table, TableDecision]] = []
        system: list[tuple[exp.Table, exp.Select]] = []
        for table in list(expression.find_all(exp.Table)):
            if id(table) in skip or _is_function(table) or _is_cte_reference(table):
                continue
            if isinstance(table.parent, exp.Lock):
                continue  # FOR UPDATE OF alias: names a FROM item, reads nothing
            facts = self._resolve(table, default_schema)
            if facts is not None:
                references.append((table, self._decide(facts)))
                continue
            # A permitted system relation: those listing relations or columns are
            # narrowed to what this user may see (masking.system_catalog).
            filtered = self.enforcer.system_relation(
                self.user, table.db or "pg_catalog", table.name
            )
            if filtered is not None:
                system.append((table, filtered))
        if references:
            self._check_columns(expression, references)
        if references or system:
            strip_qualifiers(expression, [t for t, _ in references] + [t for t, _ in system])
        for table, decision in references:
            table.replace(self._derived(table, decision, depth))
        for table, filtered in system:
            table.replace(_system_derived(table, filtered))

    def _derived(self, table: exp.Table, decision: TableDecision, depth: int) -> exp.Subquery:
        alias = table.args.get("alias")
        if alias is None:
            alias = exp.TableAlias(this=exp.to_identifier(table.name, quoted=table.this.quoted))
        elif alias.columns and decision.hidden:
            raise denied(
                f"column aliases on {decision.table.qualified} are refused because some of "
                "its columns are hidden from you; alias the columns in the select list"
            )
        source: exp.Expr
        facts = decision.table
        if facts.kind == "view":
            source = self._expanded_view(facts, depth)
        else:
            source = _catalog_reference(table, facts)
        pivots = table.args.get("pivots")
        inner = self.enforcer.masked_select(decision).from_(source, copy=False)
        derived = exp.Subquery(this=inner, alias=alias)
        if pivots:
            derived.set("pivots", pivots)
        derived.meta[DERIVED_MARK] = True
        for column in decision.columns:
            if column.mask is not None:
                self.masked[f"{facts.qualified}.{column.name}"] = column.mask.method
        return derived

    def _expanded_view(self, facts: TableFacts, depth: int) -> exp.Expr:
        """A view's query, itself enforced, named with the view's column names.

        Reading a view must not be a way around the policies of the tables it reads, so
        its query is expanded and enforced for this user (recursively for views of
        views); the view's own column facts then mask on top.
        """
        if depth >= _MAX_VIEW_DEPTH:
            raise denied(f"view {facts.qualified} nests views too deeply to be checked")
        if not facts.view_sql:
            raise denied(f"view {facts.qualified} has no definition in the catalog; re-scan")
        try:
            query = sqlglot.parse_one(facts.view_sql, read=self.dialect)
        except ParseError as e:
            raise denied(f"view {facts.qualified} could not be parsed, so it is refused") from e
        if disallowed_functions(query, self.dialect):
            raise denied(f"view {facts.qualified} calls functions that are not allowed")
        self._rewrite_query(query, set(), facts.schema, depth + 1)
        columns = [exp.to_identifier(c.name, quoted=True) for c in facts.columns]
        return exp.Subquery(
            this=query, alias=exp.TableAlias(this=exp.to_identifier("_veil_view"), columns=columns)
        )

    # -- resolve -------------------------------------------------------------------------

    def _resolve(self, table: exp.Table, default_schema: str | None) -> TableFacts | None:
        name, schema = table.name, table.db
        if schema and schema.lower() in SYSTEM_SCHEMAS:
            self._check_system(schema, name)
            return None
        facts = self._lookup(schema, name, default_schema)
        if facts is not None:
            return facts
        if not schema and (name.lower().startswith("pg_") or name.lower().startswith("duckdb_")):
            self._check_system("pg_catalog", name)
            return None
        shown = f"{schema}.{name}" if schema else name
        raise Refused(
            f'relation "{shown}" is not in the Veil catalog',
            sqlstate=UNDEFINED_TABLE,
            hint="Only scanned tables can be queried; ask an admin to re-scan the warehouse.",
        )

    def _lookup(
        self, schema: str | None, name: str, default_schema: str | None
    ) -> TableFacts | None:
        if schema:
            return self.enforcer.facts.find(schema, name)
        if default_schema:
            found = self.enforcer.facts.find(default_schema, name)
            if found is not None:
                return found
        return None

    def _check_system(self, schema: str, name: str) -> None:
        if name.lower() in BLOCKED_SYSTEM_RELATIONS and not is_filtered(self.dialect, schema, name):
            raise denied(
                f"permission denied for relation {name}: it exposes data values or other "
                "sessions' statements"
            )

    def _facts_or_new(self, table: exp.Table) -> TableFacts:
        schema = table.db or self.default_schema or ""
        found = self._lookup(table.db or None, table.name, self.default_schema)
        return found or TableFacts(self.enforcer.facts.warehouse, schema, table.name)

    def _decide(self, facts: TableFacts) -> TableDecision:
        key = (facts.schema, facts.name)
        decision = self.decisions.get(key)
        if decision is None:
            decision = self.enforcer.decision(self.user, facts)
            if not decision.readable:
                reasons = {c.reason for c in decision.columns} or {"it has no columns"}
                raise denied(f"permission denied for table {facts.qualified}: {sorted(reasons)[0]}")
            self.decisions[key] = decision
        return decision

    # -- columns -------------------------------------------------------------------------

    def _check_columns(
        self, expression: exp.Expr, references: list[tuple[exp.Table, TableDecision]]
    ) -> None:
        """Refuse explicit references to hidden columns; note what ``*`` leaves out."""
        by_node = {id(t): d for t, d in references}
        hidden_any = {c.name.lower() for _, d in references for c in d.hidden}
        if not hidden_any:
            return
        try:
            scopes = traverse_scope(expression)
        except (OptimizeError, ParseError):
            scopes = []
        if not scopes:
            self._check_by_name(expression, references)
            return
        for scope in scopes:
            self._check_scope(scope, by_node)

    def _check_scope(self, scope: Scope, by_node: Mapping[int, TableDecision]) -> None:
        bases = {
            alias: by_node[id(source)]
            for alias, source in scope.sources.items()
            if isinstance(source, exp.Table) and id(source) in by_node
        }
        if not bases:
            return
        for column in scope.columns:
            candidates = (
                ([bases[column.table]] if column.table in bases else [])
                if column.table
                else list(bases.values())
            )
            for decision in candidates:
                hidden = decision.column(column.name)
                if hidden is not None and not hidden.readable:
                    if not column.table and _provided_elsewhere(column.name, scope, decision):
                        continue
                    raise denied(
                        f"permission denied for column {hidden.name} of "
                        f"{decision.table.qualified}: {hidden.reason}"
                    )
        for star in scope.expression.find_all(exp.Star):
            if star.find_ancestor(exp.Select) is not scope.expression:
                continue
            owner = star.parent.table if isinstance(star.parent, exp.Column) else None
            for alias, decision in bases.items():
                if decision.hidden and (owner is None or owner == alias):
                    names = ", ".join(c.name for c in decision.hidden)
                    self.notices.append(
                        f"columns of {decision.table.qualified} not shown to you: {names}"
                    )

    def _check_by_name(
        self, expression: exp.Expr, references: list[tuple[exp.Table, TableDecision]]
    ) -> None:
        """Fallback when scopes cannot be built: any column named like a hidden one."""
        for column in expression.find_all(exp.Column):
            for _, decision in references:
                hidden = decision.column(column.name)
                if hidden is not None and not hidden.readable:
                    raise denied(
                        f"permission denied for column {hidden.name} of {decision.table.qualified}"
                    )

    # -- write targets -------------------------------------------------------------------

    def _guard_target(self, expression: exp.Expr, target: exp.Table) -> None:
        """UPDATE/DELETE: the target's columns read masked, its rows filtered.

        The target cannot be a derived table, so its column references are replaced by
        their masked values, hidden columns are refused, and the row filters and
        retention are ANDed into the WHERE: a user changes only rows they may see, and a
        predicate on a masked column tests the masked value.
        """
        facts = self._lookup(target.db or None, target.name, self.default_schema)
        if facts is None:
            return
        decision = self.enforcer.decision(self.user, facts)
        names = {target.alias_or_name.lower(), target.name.lower()}
        for column in list(expression.find_all(exp.Column)):
            if column.table and column.table.lower() not in names:
                continue
            if _in_set_target(column) or _inside_derived(column):
                continue
            if not column.table and column.find_ancestor(exp.Select) is not None:
                continue  # unqualified inside a subquery: one of the subquery's own tables
            found = decision.column(column.name)
            if found is None:
                continue
            if not found.readable:
                raise denied(f"permission denied for column {found.name} of {facts.qualified}")
            if found.mask is not None:
                column.replace(
                    mask_expression(
                        column.copy(),
                        method=found.mask.method,
                        params=found.mask.params,
                        data_type=found.data_type,
                        dialect=self.dialect,
                        secrets=self.enforcer.secrets,
                    )
                )
        predicates = [
            *(row_filter_predicate(f, decision, self.dialect) for f in decision.row_filters),
            *(retention_predicate(r) for r in decision.retention),
        ]
        if predicates:
            where = expression.args.get("where")
            condition = exp.and_(*predicates, *([where.this] if where is not None else []))
            expression.set("where", exp.Where(this=condition))
        self.decisions[(facts.schema, facts.name)] = decision


def _target_tables(expression: exp.Expr) -> list[exp.Table]:
    """The tables a write or DDL statement changes; empty for anything else."""
    if isinstance(expression, exp.TruncateTable):
        return [t for t in expression.expressions if isinstance(t, exp.Table)]
    if isinstance(expression, exp.Drop):
        return [t for t in expression.args.get("tables") or () if isinstance(t, exp.Table)]
    if isinstance(expression, exp.Create) and str(expression.args.get("kind", "")).upper() not in (
        "TABLE",
        "VIEW",
    ):
        return []
    into = expression.args.get("into") if isinstance(expression, exp.Select) else None
    target = (
        expression.this
        if isinstance(expression, exp.Insert | exp.Update | exp.Delete | exp.Create | exp.Alter)
        else into.this
        if isinstance(into, exp.Into)
        else None
    )
    if isinstance(target, exp.Schema):
        target = target.this
    return [target] if isinstance(target, exp.Table) else []


def _catalog_reference(table: exp.Table, facts: TableFacts) -> exp.Table:
    """``table`` as the catalog spells it: schema-qualified, quoted, no database prefix.

    The masks and filters were decided for ``facts``; naming the table exactly so makes
    the warehouse read that table and no other, whatever the session's search_path, a
    database prefix or a case-folding trick would otherwise resolve to. Modifiers the
    user wrote (``ONLY``, ``TABLESAMPLE``) stay.
    """
    source = table.copy()
    for arg in ("alias", "pivots", "catalog", "joins", "laterals"):
        source.set(arg, None)
    source.set("this", exp.to_identifier(facts.name, quoted=True))
    source.set("db", exp.to_identifier(facts.schema, quoted=True) if facts.schema else None)
    return source


def _system_derived(table: exp.Table, filtered: exp.Select) -> exp.Subquery:
    """``(filtered) AS alias``, the alias being the reference's own or the relation's name."""
    alias = table.args.get("alias")
    if alias is None:
        alias = exp.TableAlias(this=exp.to_identifier(table.name, quoted=table.this.quoted))
    derived = exp.Subquery(this=filtered, alias=alias)
    derived.meta[DERIVED_MARK] = True
    return derived


def _is_function(table: exp.Table) -> bool:
    return isinstance(table.this, exp.Func)


def _is_cte_reference(table: exp.Table) -> bool:
    """True when an unqualified name refers to a CTE of an enclosing WITH."""
    if table.db:
        return False
    name = table.name.lower()
    node: exp.Expr | None = table
    while node is not None:
        with_ = node.args.get("with_") if isinstance(node, exp.Expr) else None
        if isinstance(with_, exp.With) and any(
            cte.alias_or_name.lower() == name for cte in with_.expressions
        ):
            return True
        node = node.parent
    return False


def _provided_elsewhere(name: str, scope: Scope, decision: TableDecision) -> bool:
    """Whether another source of ``scope`` (a subquery, CTE or other table) has ``name``."""
    for source in scope.sources.values():
        if not isinstance(source, Scope):
            continue
        query = source.expression
        if isinstance(query, exp.Query) and name.lower() in {
            n.lower() for n in query.named_selects
        }:
            return True
    return False


def _in_set_target(column: exp.Column) -> bool:
    parent = column.parent
    return (
        isinstance(parent, exp.EQ)
        and isinstance(parent.parent, exp.Update)
        and (parent.this is column)
    )


def _inside_derived(column: exp.Column) -> bool:
    node = column.find_ancestor(exp.Subquery)
    while node is not None:
        if node.meta.get(DERIVED_MARK):
            return True
        node = node.find_ancestor(exp.Subquery)
    return False
