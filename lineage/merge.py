"""MERGE rewritten into one SELECT whose projections are the values it writes.

Why one SELECT: tracing (lineage.trace) then follows a MERGE's values through derived
tables, CTEs and aggregates exactly as it follows an INSERT … SELECT. The SELECT reads the
target joined to the source on the MERGE's ON (or USING) condition, and each WHEN branch
adds the (target column, value) pairs it writes:

* ``UPDATE SET c = e``: ``(c, e)``;
* ``UPDATE SET *`` / ``INSERT *`` (Delta, also ``* EXCEPT (…)``) and Snowflake's
  ``UPDATE/INSERT ALL BY NAME``: every target column from the source column of the same
  name (the target's columns from the schema, else the source's);
* ``INSERT (c, …) VALUES (e, …)``: by position; without a column list by position to the
  target's columns from the schema, else to each value's own name (like INSERT … SELECT
  without a column list);
* ``INSERT ROW`` (BigQuery): the source's columns by position to the target's;
* ``DELETE`` / ``DO NOTHING``: nothing is written.

When the source's columns are unknown, a star branch writes ``source.*``, which tracing
turns into the ``src.* → target.*`` edge. Every ``WHEN … AND condition`` decides which
rows are written, as ON does, so the conditions become the SELECT's WHERE, where tracing
sees them as filters.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

#: A written column: the identifier as spelled (its quoting decides case) or a name.
ColumnName = exp.Identifier | str

#: A lazy column lookup (a schema or a qualify probe); None when the columns are unknown.
ColumnLookup = Callable[[], list[ColumnName] | None]

#: The written-column placeholder of a ``source.*`` projection (tracing maps it to ``t.*``).
STAR = "*"


def merge_query(
    stmt: exp.Merge, target_columns: ColumnLookup, source_columns: ColumnLookup
) -> tuple[exp.Select | None, list[ColumnName]]:
    """The SELECT feeding ``stmt``'s target and its written columns, in projection order.

    None when no branch writes a column (only DELETE / DO NOTHING branches)."""
    target, source = stmt.this, stmt.args.get("using")
    if not isinstance(target, exp.Table) or not isinstance(source, exp.Expr):
        return None, []
    whens = stmt.args.get("whens")
    branches = list(whens.expressions) if isinstance(whens, exp.Whens) else []
    pairs: list[tuple[ColumnName, exp.Expr]] = []
    for when in branches:
        pairs += _written(when.args.get("then"), source, target_columns, source_columns)
    if not pairs:
        return None, []
    select = exp.select(*(value for _, value in pairs)).from_(_bare_table(target))
    select = _join_source(select, stmt, source)
    conditions = [w.args["condition"].copy() for w in branches if w.args.get("condition")]
    if conditions:
        select = select.where(exp.or_(*conditions))
    if stmt.args.get("with_") is not None:  # WITH … MERGE
        select.set("with_", stmt.args["with_"].copy())
    return select, [name for name, _ in pairs]


def assignments(items: list[exp.Expr]) -> list[tuple[ColumnName, exp.Expr]]:
    """The (column, value) pairs of an UPDATE's SET list, copied: ``c = e``, and
    Postgres's ``(a, b) = (x, y)``, ``= ROW(x, y)`` and ``= (SELECT x, y …)``, whose
    columns take the values (or the sub-SELECT's outputs) by position."""
    pairs: list[tuple[ColumnName, exp.Expr]] = []
    for item in items:
        if not isinstance(item, exp.EQ):
            continue
        if not isinstance(item.this, exp.Tuple):
            pairs.append((assigned_name(item.this), item.expression.copy()))
            continue
        names = [assigned_name(c) for c in item.this.expressions]
        pairs += zip(names, _row_values(item.expression, len(names)), strict=False)
    return pairs


def _row_values(value: exp.Expr, count: int) -> list[exp.Expr]:
    """The values a row assignment gives its columns, in order (copies)."""
    if isinstance(value, exp.Tuple | exp.Anonymous):  # (x, y), ROW(x, y)
        return [v.copy() for v in value.expressions]
    query = value.this if isinstance(value, exp.Subquery) else None
    if not isinstance(query, exp.Select) or len(query.selects) != count:
        return []
    values: list[exp.Expr] = []
    for position in range(count):  # (SELECT x, y …) → (SELECT x …), (SELECT y …)
        single = query.copy()
        single.set("expressions", [single.selects[position]])
        values.append(exp.Subquery(this=single))
    return values


def assigned_name(node: exp.Expr) -> ColumnName:
    """The identifier a SET/INSERT assigns to (``t.col`` → ``col``)."""
    if isinstance(node, exp.Column) and isinstance(node.this, exp.Identifier):
        return node.this
    return node if isinstance(node, exp.Identifier) else node.name


def _written(
    then: exp.Expr | None,
    source: exp.Expr,
    target_columns: ColumnLookup,
    source_columns: ColumnLookup,
) -> list[tuple[ColumnName, exp.Expr]]:
    """The (target column, value) pairs one WHEN branch's action writes."""
    if isinstance(then, exp.Update):
        star = next((e for e in then.expressions if isinstance(e, exp.Star)), None)
        if star is not None:  # UPDATE SET * [EXCEPT (…)], Snowflake's UPDATE ALL BY NAME
            return _by_name(source, star, target_columns() or source_columns())
        return assignments(then.expressions)
    if not isinstance(then, exp.Insert):
        return []  # DELETE, DO NOTHING
    if isinstance(then.this, exp.Star):  # INSERT * [EXCEPT (…)], INSERT ALL BY NAME
        return _by_name(source, then.this, target_columns() or source_columns())
    if isinstance(then.this, exp.Var) and then.this.name.upper() == "ROW":  # INSERT ROW
        return _by_position(source, target_columns(), source_columns())
    column_list, values = _insert_parts(then)
    if values is None:
        return []  # INSERT DEFAULT VALUES
    return _insert_values(column_list, values, target_columns)


def _insert_parts(insert: exp.Insert) -> tuple[exp.Expr | None, list[exp.Expr] | None]:
    """An INSERT branch's column list and values. sqlglot's BigQuery and Redshift
    readers take ``INSERT VALUES (a, b)`` without a column list for a column list holding
    one call of a function named VALUES; that is the values."""
    if isinstance(insert.expression, exp.Tuple):
        return insert.this, list(insert.expression.expressions)
    items = insert.this.expressions if isinstance(insert.this, exp.Tuple) else []
    call = items[0] if len(items) == 1 else None
    if isinstance(call, exp.Anonymous) and call.name.upper() == "VALUES":
        return None, list(call.expressions)
    return None, None


def _by_name(
    source: exp.Expr, star: exp.Star, names: list[ColumnName] | None
) -> list[tuple[ColumnName, exp.Expr]]:
    """Delta's ``*``: each column but the EXCEPT ones from the source column of the
    same name; with no known names, ``source.*`` as written."""
    if names is None:
        return [(STAR, source_column(source, star))]
    excepted = {_key(c) for c in star.args.get("except_") or []}
    return [(n, source_column(source, n)) for n in names if _key(n) not in excepted]


def _key(name: ColumnName | exp.Expr) -> str:
    """A column name compared case-blind (the dialects with ``*`` branches ignore case)."""
    return (name if isinstance(name, str) else name.name).lower()


def _by_position(
    source: exp.Expr, target: list[ColumnName] | None, columns: list[ColumnName] | None
) -> list[tuple[ColumnName, exp.Expr]]:
    """BigQuery's ``INSERT ROW``: the source's columns, in order, into the target's."""
    if columns is None:
        return [(STAR, source_column(source, exp.Star()))]
    names = target or columns
    return [(n, source_column(source, c)) for n, c in zip(names, columns, strict=False)]


def _insert_values(
    column_list: exp.Expr | None, values: list[exp.Expr], target_columns: ColumnLookup
) -> list[tuple[ColumnName, exp.Expr]]:
    """``INSERT [(c, …)] VALUES (e, …)``: by position to the list, else to the schema's
    columns, else to each value's own name (a value with no name writes nowhere known)."""
    names: list[ColumnName | None]
    if isinstance(column_list, exp.Tuple | exp.Schema):
        names = [assigned_name(c) for c in column_list.expressions]
    elif (known := target_columns()) is not None:
        names = list(known)
    else:
        names = [_own_name(v) for v in values]
    return [
        (name, value.copy()) for name, value in zip(names, values, strict=False) if name is not None
    ]


def _own_name(value: exp.Expr) -> ColumnName | None:
    """The name a value would have as a SELECT output (``s.id`` → ``id``), if any."""
    if isinstance(value, exp.Column) and isinstance(value.this, exp.Identifier):
        return value.this
    return None


def source_column(source: exp.Expr, name: ColumnName | exp.Star) -> exp.Column:
    """``source_alias.name``; a name from the schema is already normalized, so it is
    quoted to keep qualify from normalizing it again."""
    if isinstance(name, str):
        this: exp.Expr = exp.to_identifier(name, quoted=True)
    else:
        this = name.copy()
    alias = source.args.get("alias")
    qualifier = alias.this if isinstance(alias, exp.TableAlias) else None
    if qualifier is None and isinstance(source, exp.Table):
        qualifier = source.this
    if not isinstance(qualifier, exp.Identifier):
        return exp.Column(this=this)
    return exp.Column(this=this, table=qualifier.copy())


def _join_source(select: exp.Select, stmt: exp.Merge, source: exp.Expr) -> exp.Select:
    """Join the source as the MERGE does: ON a condition, USING (columns), or neither."""
    on, using = stmt.args.get("on"), stmt.args.get("using_cond")
    if isinstance(on, exp.Expr):
        return select.join(source.copy(), on=on.copy())
    if using:
        return select.join(source.copy(), using=[c.copy() for c in using])
    return select.join(source.copy(), join_type="cross")


def _bare_table(table: exp.Table) -> exp.Table:
    """The target without T-SQL table hints (``WITH (HOLDLOCK)``): they read nothing."""
    table = table.copy()
    table.set("hints", None)
    return table
