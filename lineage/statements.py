"""What a statement writes, and the query that feeds it.

INSERT, CREATE TABLE/VIEW AS, SELECT INTO, UPDATE and MERGE all become one :class:`Plan`:
a target table, its written columns in projection order, and a SELECT whose projections
produce them (UPDATE and MERGE are rewritten into such a SELECT over the target and its
sources), so tracing (lineage.trace) handles every statement kind the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError
from sqlglot.schema import MappingSchema

SchemaSpec = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class ParseContext:
    dialect: str | None
    schema: MappingSchema | None
    default_db: str | None
    default_schema: str | None


@dataclass
class Plan:
    """What a statement writes and the query whose projections feed it, in order."""

    kind: str
    query: exp.Query | None
    target: exp.Table | None = None
    #: Written columns in projection order; None: the query's output names.
    target_columns: list[exp.Identifier | str] | None = None


def plan_statement(stmt: exp.Expr, ctx: ParseContext) -> Plan:
    if isinstance(stmt, exp.Select) and stmt.args.get("into"):
        into = stmt.args["into"]
        without_into = stmt.copy()
        without_into.set("into", None)
        target = into.this if isinstance(into.this, exp.Table) else None
        return Plan("select_into", without_into, target)
    if isinstance(stmt, exp.Query):
        return Plan("select", stmt)
    if isinstance(stmt, exp.Insert | exp.Create) and stmt.args.get("with_") is not None:
        stmt = _hoist_with(stmt)
    if isinstance(stmt, exp.Insert):
        target, columns = _target(stmt.this)
        query: exp.Query | None = (
            stmt.expression if isinstance(stmt.expression, exp.Query) else None
        )
        if query is None:
            return Plan("insert_values", None, target)
        kind = "insert_overwrite" if stmt.args.get("overwrite") else "insert"
        if columns is None and target is not None:
            columns = _schema_columns(target, ctx)
        return Plan(kind, query, target, columns)
    if isinstance(stmt, exp.Create):
        target, columns = _target(stmt.this)
        body = stmt.expression if isinstance(stmt.expression, exp.Query) else None
        kind = str(stmt.kind or "").lower()
        materialized = any(
            isinstance(p, exp.MaterializedProperty)
            for p in (stmt.args.get("properties") or exp.Properties()).expressions
        )
        name = {"table": "create_table_as", "view": "create_view"}.get(kind, f"create_{kind}")
        if materialized:
            name = "create_materialized_view"
        return Plan(name, body, target, columns)
    if isinstance(stmt, exp.Update):
        return _updateplan_statement(stmt)
    if isinstance(stmt, exp.Merge):
        return _mergeplan_statement(stmt)
    if isinstance(stmt, exp.Condition | exp.Alias | exp.Identifier):
        # sqlglot reads "SELEC x" as an aliased column: not a statement at all.
        raise ParseError("not a SQL statement (it reads as a bare expression)")
    return Plan(type(stmt).__name__.lower(), None)


def _hoist_with(stmt: exp.Insert | exp.Create) -> exp.Insert | exp.Create:
    """``WITH x AS (…) INSERT INTO t SELECT … FROM x``: give the CTEs to the SELECT."""
    stmt = stmt.copy()
    with_ = stmt.args["with_"]
    query = stmt.expression
    if isinstance(query, exp.Query) and query.args.get("with_") is None:
        query.set("with_", with_)
        stmt.set("with_", None)
    return stmt


def _target(node: exp.Expr | None) -> tuple[exp.Table | None, list[exp.Identifier | str] | None]:
    if isinstance(node, exp.Schema):
        table = node.this if isinstance(node.this, exp.Table) else None
        columns: list[exp.Identifier | str] = []
        for c in node.expressions:
            if isinstance(c, exp.Identifier):
                columns.append(c)
            elif isinstance(c, exp.ColumnDef) and isinstance(c.this, exp.Identifier):
                columns.append(c.this)
        return table, columns
    return (node if isinstance(node, exp.Table) else None), None


def _updateplan_statement(stmt: exp.Update) -> Plan:
    """UPDATE t SET c = e FROM o WHERE … → SELECT e AS c FROM t, o WHERE …"""
    target = stmt.this if isinstance(stmt.this, exp.Table) else None
    assignments = [a for a in stmt.expressions if isinstance(a, exp.EQ)]
    select = exp.select(*[a.expression.copy() for a in assignments])
    source = stmt.args.get("from_") or stmt.args.get("from")
    from_tables = (source.expressions or [source.this]) if source is not None else []
    # T-SQL: UPDATE c SET … FROM dbo.Customers c — the target is an alias of a FROM table.
    aliased = next(
        (
            t
            for t in from_tables
            if isinstance(t, exp.Table)
            and target is not None
            and not target.db
            and t.alias_or_name == target.name
            and t.alias
        ),
        None,
    )
    if aliased is not None:
        target = aliased
    elif target is not None:
        select = select.from_(target.copy())
    for table in from_tables:
        if select.args.get("from_") is None:
            select = select.from_(table.copy())
        else:
            select = select.join(table.copy(), join_type="cross")
    for join in stmt.args.get("joins") or []:
        select = select.join(join.copy())
    if stmt.args.get("where") is not None:
        select = select.where(stmt.args["where"].this.copy())
    if stmt.args.get("with_") is not None:  # WITH … UPDATE
        select.set("with_", stmt.args["with_"].copy())
    columns: list[exp.Identifier | str] = [_assigned(a.this) for a in assignments]
    return Plan("update", select, target, columns)


def _mergeplan_statement(stmt: exp.Merge) -> Plan:
    """MERGE INTO t USING s ON c WHEN … → SELECT <assigned values> FROM t JOIN s ON c."""
    target = stmt.this if isinstance(stmt.this, exp.Table) else None
    values: list[exp.Expr] = []
    columns: list[exp.Identifier | str] = []
    whens = stmt.args.get("whens")
    for when in whens.expressions if whens is not None else []:
        then = when.args.get("then")
        if isinstance(then, exp.Update):
            for a in then.expressions:
                if isinstance(a, exp.EQ):
                    values.append(a.expression.copy())
                    columns.append(_assigned(a.this))
        elif isinstance(then, exp.Insert) and isinstance(then.expression, exp.Tuple):
            names = (
                [_assigned(c) for c in then.this.expressions]
                if isinstance(then.this, exp.Tuple)
                else []
            )
            for name, value in zip(names, then.expression.expressions, strict=False):
                values.append(value.copy())
                columns.append(name)
    if target is None or not values:
        return Plan("merge", None, target)
    select = exp.select(*values).from_(target.copy())
    using, on = stmt.args.get("using"), stmt.args.get("on")
    if using is not None:
        select = select.join(using.copy(), on=on.copy() if on is not None else None)
    return Plan("merge", select, target, columns)


def _assigned(node: exp.Expr) -> exp.Identifier | str:
    """The identifier a SET/INSERT assigns to (``t.col`` → ``col``)."""
    if isinstance(node, exp.Column) and isinstance(node.this, exp.Identifier):
        return node.this
    return node if isinstance(node, exp.Identifier) else node.name


def _schema_columns(table: exp.Table, ctx: ParseContext) -> list[exp.Identifier | str] | None:
    if ctx.schema is None:
        return None
    try:
        names = ctx.schema.column_names(_with_defaults(table, ctx))
    except SqlglotError:
        return None
    return list(names) or None


def _with_defaults(table: exp.Table, ctx: ParseContext) -> exp.Table:
    table = table.copy()
    if not table.db and ctx.default_schema:
        table.set("db", exp.to_identifier(ctx.default_schema))
    if not table.catalog and table.db and ctx.default_db:
        table.set("catalog", exp.to_identifier(ctx.default_db))
    return table


def mapping_schema(spec: SchemaSpec | None, dialect: str | None) -> MappingSchema | None:
    if not spec:
        return None
    nested: dict[str, object] = {}
    depth = max(len(k.split(".")) for k in spec)
    for key, columns in spec.items():
        parts = key.split(".")
        if len(parts) != depth:
            continue  # sqlglot needs one depth; mixed depths keep the deepest
        level = nested
        for part in parts[:-1]:
            level = level.setdefault(part, {})  # type: ignore[assignment]
        level[parts[-1]] = {str(c): "TEXT" for c in columns}
    return MappingSchema(nested, dialect=dialect)
