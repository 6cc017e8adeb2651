"""A query made ready for tracing: dialect quirks settled, then sqlglot's qualify.

qualify names every table and column; before it, constructs sqlglot's scope builder
would misread are rewritten into the form it understands (a T-SQL recursive CTE has no
RECURSIVE keyword, but scopes only link a CTE to itself when the keyword is there), and
references to a projection's alias are spelled out where qualify gives up on them.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import OptimizeError, SqlglotError
from sqlglot.optimizer.qualify import qualify

from lineage.statements import ParseContext

#: Dialects where a CTE that names itself is recursive without the RECURSIVE keyword.
_IMPLICIT_RECURSION = frozenset({"tsql", "fabric", "oracle", "snowflake"})

#: Dialects where a select item may use an earlier item's alias (``a + b AS x, x * 2``);
#: None is the generic dialect, which reads such logs too.
_LATERAL_ALIAS = frozenset(
    {None, "snowflake", "duckdb", "spark", "databricks", "redshift", "teradata", "clickhouse"}
)
#: Dialects whose WHERE may use a select item's alias.
_WHERE_ALIAS = frozenset({"snowflake", "duckdb", "teradata", "clickhouse"})
#: Dialects whose GROUP BY / HAVING / QUALIFY never see select aliases.
_NO_CLAUSE_ALIAS = frozenset({"tsql", "fabric", "oracle"})


def prepare(query: exp.Query, ctx: ParseContext) -> exp.Expr:
    """A qualified copy of ``query``, ready for scopes."""
    query = query.copy()
    while isinstance(query, exp.Subquery) and not query.alias and isinstance(query.this, exp.Query):
        query = query.this  # CREATE TABLE t AS (SELECT …): the parentheses hold no scope
    if ctx.dialect in _IMPLICIT_RECURSION:
        mark_implicit_recursion(query)
    return _qualify(query, ctx)


def mark_implicit_recursion(query: exp.Expr) -> None:
    """Set RECURSIVE on every WITH one of whose CTEs reads itself (in place)."""
    for with_ in query.find_all(exp.With):
        if not with_.recursive and any(_reads_itself(cte) for cte in with_.expressions):
            with_.set("recursive", True)


def _reads_itself(cte: exp.Expr) -> bool:
    """A CTE whose body reads an unqualified table of its own name."""
    if not isinstance(cte, exp.CTE) or not isinstance(cte.this, exp.SetOperation):
        return False
    name = cte.alias_or_name.lower()
    return any(
        not table.db and table.name.lower() == name for table in cte.this.find_all(exp.Table)
    )


def _qualify(query: exp.Expr, ctx: ParseContext) -> exp.Expr:
    """Qualify tables and columns; retry without alias expansion when sqlglot cannot
    tell an alias from a column (``SELECT a AS b, b AS a`` without a schema)."""
    try:
        return _qualify_once(query, ctx, expand_alias_refs=True)
    except OptimizeError:
        # qualify will not expand an alias reference while a source's columns are
        # unknown (the name could be a column too): spell out the clear ones ourselves.
        query = query.copy()
        for select in list(query.find_all(exp.Select)):
            expand_alias_references(select, ctx)
    try:
        return _qualify_once(query, ctx, expand_alias_refs=False)
    except OptimizeError:
        # Columns sqlglot cannot place without a schema: tables only; tracing resolves
        # unqualified columns itself where only one source can hold them.
        return _qualify_once(query, ctx, expand_alias_refs=False, columns=False)


def _qualify_once(
    query: exp.Expr, ctx: ParseContext, *, expand_alias_refs: bool, columns: bool = True
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


def expand_alias_references(select: exp.Select, ctx: ParseContext) -> None:
    """Replace references to a projection's alias by its expression (in place).

    A name is taken as an alias reference when no known source column has it, where the
    dialect lets the clause see aliases: a later select item (lateral column alias), WHERE,
    GROUP BY, HAVING, QUALIFY. A bare item (``b AS a`` after ``a AS b``) stays a column:
    a rename is read as the column's, the way the swap ``a AS b, b AS a`` means it. An
    alias whose expression reads its own name (``lower(email) AS email``) is left alone:
    either reading reaches the same column.
    """
    known = _known_source_columns(select, ctx)
    aliases: dict[str, exp.Expr] = {}
    lateral = ctx.dialect in _LATERAL_ALIAS
    for item in select.selects:
        if lateral and not isinstance(item.unalias(), exp.Column):
            _replace_alias_refs(item, aliases, known)
        if isinstance(item, exp.Alias) and not _reads_name(item.this, item.alias):
            aliases.setdefault(item.alias.lower(), item.this)
    clauses = ["where"] if ctx.dialect in _WHERE_ALIAS else []
    if ctx.dialect not in _NO_CLAUSE_ALIAS:
        clauses += ["group", "having", "qualify"]
    for clause in clauses:
        node = select.args.get(clause)
        if node is not None:
            _replace_alias_refs(node, aliases, known)


def _replace_alias_refs(node: exp.Expr, aliases: dict[str, exp.Expr], known: set[str]) -> None:
    for column in list(_own_columns(node)):
        name = column.name.lower()
        if not column.table and name in aliases and name not in known:
            column.replace(exp.paren(aliases[name].copy()))


def _own_columns(node: exp.Expr) -> list[exp.Column]:
    """Columns of ``node`` outside nested queries (those have their own aliases)."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, exp.Column):
            found.append(current)
        elif current is node or not isinstance(current, exp.Query | exp.Subquery):
            stack.extend(current.iter_expressions())
    return found


def _reads_name(expression: exp.Expr, name: str) -> bool:
    lowered = name.lower()
    return any(c.name.lower() == lowered for c in _own_columns(expression))


def _known_source_columns(select: exp.Select, ctx: ParseContext) -> set[str]:
    """Lowercased columns the schema knows for the tables this SELECT reads directly."""
    if ctx.schema is None:
        return set()
    found: set[str] = set()
    from_ = select.args.get("from_")
    tables = [from_.this] if from_ is not None else []
    tables += [join.this for join in select.args.get("joins") or []]
    for table in tables:
        if not isinstance(table, exp.Table):
            continue
        try:
            names = ctx.schema.column_names(_defaulted(table, ctx))
        except SqlglotError:  # an ambiguous table name: nothing known
            continue
        found |= {n.lower() for n in names}
    return found


def _defaulted(table: exp.Table, ctx: ParseContext) -> exp.Table:
    """``table`` with the log's default schema/database filled in, as qualify would."""
    table = table.copy()
    table.set("alias", None)
    if not table.db and ctx.default_schema:
        table.set("db", exp.to_identifier(ctx.default_schema))
    if not table.catalog and table.db and ctx.default_db:
        table.set("catalog", exp.to_identifier(ctx.default_db))
    return table
