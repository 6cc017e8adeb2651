"""What a statement writes, and the query that feeds it.

INSERT, CREATE TABLE/VIEW AS, SELECT INTO, UPDATE and MERGE all become one :class:`Plan`:
a target table, its written columns in projection order, and a SELECT whose projections
produce them (UPDATE and MERGE are rewritten into such a SELECT over the target and its
sources), so tracing (lineage.trace) handles every statement kind the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from lineage.merge import assignments, merge_query, source_column

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
    if isinstance(stmt, exp.Query):
        return _select_into_plan(stmt) or Plan("select", stmt)
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
        return _update_plan(stmt)
    if isinstance(stmt, exp.Merge):
        return _merge_plan(stmt, ctx)
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


def _into_select(query: exp.Query) -> exp.Select | None:
    """The SELECT that holds INTO: the statement itself, or the first branch of a set
    operation (``SELECT … INTO t FROM a UNION SELECT … FROM b`` writes the whole union)."""
    node: exp.Expr = query
    while isinstance(node, exp.SetOperation):
        node = node.this
    return node if isinstance(node, exp.Select) and node.args.get("into") else None


def _select_into_plan(stmt: exp.Query) -> Plan | None:
    """SELECT … INTO t (T-SQL, Postgres): the query without its INTO, written to t;
    None for a query without INTO."""
    if _into_select(stmt) is None:
        return None
    query = stmt.copy()
    select = _into_select(query)
    if select is None:
        return None
    into = select.args["into"]
    select.set("into", None)
    target = into.this if isinstance(into.this, exp.Table) else None
    return Plan("select_into", query, target)


def _update_plan(stmt: exp.Update) -> Plan:
    """UPDATE t SET c = e FROM o JOIN p ON … WHERE … → SELECT e FROM t, o JOIN p ON … WHERE …

    Joins hang off the FROM's first table in sqlglot's tree (and off the target in MySQL's
    ``UPDATE a JOIN b ON … SET``); they become the SELECT's own joins, so tracing sees
    their ON conditions as filters like any join's."""
    target, joins = _split_joins(stmt.this)
    pairs = assignments(stmt.expressions)
    from_ = stmt.args.get("from_")
    from_items: list[exp.Expr] = []
    for item in (from_.expressions or [from_.this]) if from_ is not None else []:
        table, nested = _split_joins(item)
        if table is not None:
            from_items.append(table)
        joins += nested
    joins += [j.copy() for j in stmt.args.get("joins") or []]
    written = target if isinstance(target, exp.Table) else None
    instance = _target_instance(written, [*from_items, *(j.this for j in joins)])
    if instance is not None and written is not None and not instance.alias:
        _add_qualifiers(instance, written)
    tables = from_items if instance is not None or written is None else [written, *from_items]
    select = exp.select(*[value for _, value in pairs])
    for position, table in enumerate(tables):
        select = select.from_(table) if position == 0 else select.join(table, join_type="cross")
    for join in joins:
        select = select.join(join)
    if stmt.args.get("where") is not None:
        select = select.where(stmt.args["where"].this.copy())
    if stmt.args.get("with_") is not None:  # WITH … UPDATE
        select.set("with_", stmt.args["with_"].copy())
    columns: list[exp.Identifier | str] = [name for name, _ in pairs]
    return Plan("update", select, instance or written, columns)


def _split_joins(node: exp.Expr | None) -> tuple[exp.Expr | None, list[exp.Join]]:
    """A copy of a FROM item without the joins sqlglot hangs off it, and those joins."""
    if node is None:
        return None, []
    node = node.copy()
    joins = list(node.args.get("joins") or [])
    if joins:
        node.set("joins", None)
    return node, joins


def _target_instance(target: exp.Table | None, tables: list[exp.Expr]) -> exp.Table | None:
    """The FROM/JOIN table an UPDATE's target names, if it names one: T-SQL's
    ``UPDATE c … FROM dbo.Customers c`` (the target is an alias), or ``UPDATE t … FROM t
    JOIN …`` (the same table, unaliased: one instance, not a self-join)."""
    if target is None:
        return None
    for table in tables:
        if not isinstance(table, exp.Table):
            continue
        if table.alias and not target.db and table.alias.lower() == target.name.lower():
            return table
        if not table.alias and _same_table(table, target):
            return table
    return None


def _add_qualifiers(table: exp.Table, spelled: exp.Table) -> None:
    """Give ``table`` the schema/database another spelling of it has
    (``UPDATE dbo.t … FROM t JOIN …`` writes dbo.t)."""
    for part in ("catalog", "db"):
        if not table.args.get(part) and spelled.args.get(part):
            table.set(part, spelled.args[part].copy())


def _same_table(a: exp.Table, b: exp.Table) -> bool:
    """Same name, and the same schema/database wherever both spell one."""
    return (
        all(
            not x or not y or x.lower() == y.lower()
            for x, y in ((a.catalog, b.catalog), (a.db, b.db))
        )
        and a.name.lower() == b.name.lower()
    )


def _merge_plan(stmt: exp.Merge, ctx: ParseContext) -> Plan:
    """MERGE INTO t USING s ON c WHEN … → SELECT <written values> FROM t JOIN s ON c
    (lineage.merge), with the target's and source's columns looked up only if a branch
    needs them (``INSERT VALUES`` without a column list, ``*``, ``INSERT ROW``)."""
    target = stmt.this if isinstance(stmt.this, exp.Table) else None
    if target is None:
        return Plan("merge", None, None)
    source, with_ = stmt.args.get("using"), stmt.args.get("with_")
    query, columns = merge_query(
        stmt,
        cache(lambda: _schema_columns(target, ctx)),
        cache(lambda: _source_columns(source, with_, ctx)),
    )
    return Plan("merge", query, target, columns if query is not None else None)


def _source_columns(
    source: exp.Expr | None, with_: exp.Expr | None, ctx: ParseContext
) -> list[exp.Identifier | str] | None:
    """The columns a MERGE source provides, by asking qualify to expand ``source.*``
    (a table from the schema, a subquery's outputs, a CTE's); None when it cannot."""
    if not isinstance(source, exp.Table | exp.Subquery) or not source.alias_or_name:
        return None
    probe = exp.select(source_column(source, exp.Star())).from_(source.copy())
    if with_ is not None:
        probe.set("with_", with_.copy())
    try:
        qualified = qualify(
            probe,
            dialect=ctx.dialect,
            schema=ctx.schema,
            db=ctx.default_schema,
            catalog=ctx.default_db,
            validate_qualify_columns=False,
            quote_identifiers=False,
            identify=False,
        )
    except SqlglotError:
        return None
    names: list[exp.Identifier | str] = []
    for projection in qualified.selects:
        node = projection.args.get("alias") if isinstance(projection, exp.Alias) else projection
        if isinstance(node, exp.Column):
            node = node.this
        if not isinstance(node, exp.Identifier):
            return None  # still a star: the columns are unknown
        names.append(node)
    return names or None


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
