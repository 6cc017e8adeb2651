"""Names in lineage output: which identifiers keep their case, how a table is written.

The rules are the corpus README's (tests/lineage/cases/README.md, "Names"): lower case
unless a quoted identifier's case matters in its dialect; BigQuery keeps the case of
dataset and table names (they are case-sensitive there, columns are not); a 2-part name
gets the log's default database, an unqualified one its default schema (and database).
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy

from lineage.statements import ParseContext

#: Dialects whose unquoted identifiers are stored upper case.
_UPPERCASE_DIALECTS = frozenset({"snowflake", "oracle", "exasol"})

#: Dialects where a qualified table's dataset and name are case-sensitive, quoted or not
#: (sqlglot's BigQuery normalization keeps them, and so must the names we report).
_CASE_SENSITIVE_TABLES = frozenset({"bigquery"})


def ident(name: str, ctx: ParseContext, node: exp.Expr | None = None) -> str:
    """Lowercase unless a quoted identifier's case matters."""
    quoted = isinstance(node, exp.Identifier) and node.quoted
    if not quoted or case_insensitive(ctx.dialect):
        return name.lower()
    if name == name.lower() or (ctx.dialect in _UPPERCASE_DIALECTS and name == name.upper()):
        return name.lower()
    return name


def case_insensitive(dialect: str | None) -> bool:
    """Dialects where even quoted identifiers ignore case (T-SQL, DuckDB, Spark, …)."""
    if not dialect:
        return False
    try:
        strategy = Dialect.get_or_raise(dialect).NORMALIZATION_STRATEGY
    except ValueError:
        return False
    return strategy is NormalizationStrategy.CASE_INSENSITIVE


def table_name(table: exp.Table, ctx: ParseContext) -> str:
    """``db.schema.table`` as the README writes it, defaults filled in."""
    parts = [table.catalog, table.db, table.name]
    temporary = isinstance(table.this, exp.Identifier) and bool(table.this.args.get("temporary"))
    if not table.db and ctx.default_schema:
        parts[1] = ctx.default_schema
    if not table.catalog and parts[1] and ctx.default_db:
        parts[0] = ctx.default_db
    identifiers = [table.args.get("catalog"), table.args.get("db"), table.this]
    keep_case = ctx.dialect in _CASE_SENSITIVE_TABLES and bool(table.db)
    names = [
        p if keep_case else ident(p, ctx, node if isinstance(node, exp.Identifier) else None)
        for p, node in zip(parts, identifiers, strict=True)
        if p
    ]
    if temporary:
        names[-1] = "#" + names[-1]  # T-SQL #temp tables keep their mark
    return ".".join(names)
