"""Statement → column edges, with sqlglot.

The pipeline for one statement: parse (the log's dialect) → find what it writes and the
query that feeds it (INSERT, CTAS, views, MERGE, UPDATE and SELECT INTO are turned into
one query whose projections are the written columns) → qualify tables and columns
(sqlglot's qualify, with the schema and the log's default database/schema) → build
scopes → trace every output column back through CTEs, subqueries, derived tables and
set operations to physical columns, remembering how the value was made (identity,
transform, aggregate) → add filter edges for columns that only decide which rows flow.

Failures never raise: a statement that cannot be parsed or understood yields a
StatementLineage with ``error`` set, so bulk ingestion keeps going.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError, TokenError

from lineage.model import StatementLineage
from lineage.statements import ParseContext, SchemaSpec, mapping_schema, plan_statement
from lineage.trace import Tracer


def parse_lineage(
    sql: str,
    dialect: str | None = None,
    *,
    schema: SchemaSpec | None = None,
    default_db: str | None = None,
    default_schema: str | None = None,
    indirect: bool = False,
) -> list[StatementLineage]:
    """Lineage of every statement in ``sql`` (one result per statement)."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except SqlglotError as e:
        return [StatementLineage(error=_message(e))]
    except Exception as e:  # noqa: BLE001 - lineage degrades, it never fails (STYLE.md 7)
        # sqlglot's parser has raised TypeError, ValueError and KeyError on odd input.
        return [StatementLineage(error=f"cannot parse ({type(e).__name__} in sqlglot)")]
    if not statements:
        return [StatementLineage(error="no SQL statement")]
    context = ParseContext(dialect, mapping_schema(schema, dialect), default_db, default_schema)
    return [_statement(stmt, context, indirect) for stmt in statements]


def statement_lineage(
    sql: str,
    dialect: str | None = None,
    *,
    schema: SchemaSpec | None = None,
    default_db: str | None = None,
    default_schema: str | None = None,
    indirect: bool = False,
) -> StatementLineage:
    """Lineage of one statement; several statements are merged into one result."""
    results = parse_lineage(
        sql,
        dialect,
        schema=schema,
        default_db=default_db,
        default_schema=default_schema,
        indirect=indirect,
    )
    if len(results) == 1:
        return results[0]
    return _merged(results, "multiple")


def _merged(results: list[StatementLineage], kind: str) -> StatementLineage:
    """Several results as one: edges, tables and warnings in order, errors joined."""
    errors = [r.error for r in results if r.error]
    return StatementLineage(
        edges=tuple(dict.fromkeys(e for r in results for e in r.edges)),
        sources=tuple(dict.fromkeys(s for r in results for s in r.sources)),
        targets=tuple(dict.fromkeys(t for r in results for t in r.targets)),
        kind=kind,
        error="; ".join(errors) if errors else None,
        warnings=tuple(dict.fromkeys(w for r in results for w in r.warnings)),
    )


def _statement(stmt: exp.Expr, ctx: ParseContext, indirect: bool) -> StatementLineage:
    if isinstance(stmt, exp.MultitableInserts):
        parts = [_statement(part, ctx, indirect) for part in split_multitable_insert(stmt)]
        return _merged(parts, "multitable_insert") if parts else StatementLineage(kind="insert")
    try:
        plan = plan_statement(stmt, ctx)
        if plan.query is None:
            target = Tracer(ctx, indirect).target_name(plan)
            return StatementLineage(kind=plan.kind, targets=(target,) if target else ())
        return Tracer(ctx, indirect).run(plan)
    except SqlglotError as e:
        return StatementLineage(kind=type(stmt).__name__.lower(), error=_message(e))
    except RecursionError:
        return StatementLineage(error="statement too deeply nested")
    except Exception as e:  # noqa: BLE001 - best effort: record the failure and go on
        return StatementLineage(
            kind=type(stmt).__name__.lower(),
            error=f"cannot analyse ({type(e).__name__} in sqlglot)",
        )


def split_multitable_insert(stmt: exp.MultitableInserts) -> list[exp.Insert]:
    """One INSERT … SELECT per target of a multi-table insert, so each is planned alone.

    Hive's ``FROM src INSERT … SELECT … INSERT … SELECT …`` gives every SELECT the shared
    FROM; Snowflake's and Oracle's ``INSERT ALL|FIRST [WHEN c THEN] INTO t [VALUES (…)]
    SELECT …`` read the source query's columns, so each becomes ``INSERT INTO t SELECT
    <values> FROM (<source>) WHERE <conditions>``. A WHEN condition decides which rows
    reach its target, and under FIRST or ELSE the earlier conditions do too.
    """
    source = stmt.args.get("source")
    with_ = stmt.args.get("with_")
    first = str(stmt.args.get("kind") or "").upper() == "FIRST"
    conditions: list[exp.Expr] = []
    inserts: list[exp.Insert] = []
    for item in stmt.expressions:
        insert = item.this if isinstance(item, exp.ConditionalInsert) else item
        if not isinstance(insert, exp.Insert) or source is None:
            continue
        condition = item.args.get("expression") if isinstance(item, exp.ConditionalInsert) else None
        is_else = isinstance(item, exp.ConditionalInsert) and bool(item.args.get("else_"))
        deciding = ([*conditions] if first or is_else else []) + ([condition] if condition else [])
        if condition is not None:
            conditions.append(condition)
        insert = insert.copy()
        body = insert.expression
        if isinstance(body, exp.Select) and body.args.get("from_") is None:
            insert.set("expression", _with_shared_from(body, source))
        elif body is None or isinstance(body, exp.Values):
            insert.set("expression", _select_from_source(body, source, deciding))
        if with_ is not None and insert.expression is not None:
            insert.expression.set("with_", with_.copy())
        inserts.append(insert)
    return inserts


def _with_shared_from(select: exp.Select, source: exp.Expr) -> exp.Select:
    """Hive: the SELECT of one INSERT reads the statement's leading FROM (joins too)."""
    source = source.copy()
    joins = source.args.get("joins") or []
    source.set("joins", None)
    select = select.copy().from_(source, copy=False)
    for join in joins:
        select = select.join(join, copy=False)
    return select


def _select_from_source(
    values: exp.Values | None, source: exp.Expr, conditions: list[exp.Expr]
) -> exp.Select:
    """``INTO t VALUES (a, b)`` of INSERT ALL/FIRST as ``SELECT a, b FROM (source)``;
    without VALUES every source column, in order."""
    row = values.expressions[0] if values is not None and values.expressions else None
    items = [v.copy() for v in row.expressions] if isinstance(row, exp.Tuple) else [exp.Star()]
    derived = exp.Subquery(
        this=source.copy(), alias=exp.TableAlias(this=exp.to_identifier("_source"))
    )
    select = exp.select(*items).from_(derived, copy=False)
    if conditions:
        select = select.where(exp.or_(*[c.copy() for c in conditions]), copy=False)
    return select


def _message(error: Exception) -> str:
    """The first line of sqlglot's message, never a piece of the statement.

    Errors are stored with the statement for review and shown in reports, and a quoted
    piece of a logged statement can be personal data (``WHERE email = '…'``); a
    tokenizer error quotes the text it choked on, so it gets a fixed sentence.
    """
    if isinstance(error, TokenError):
        return "cannot tokenize the statement (an unterminated string or quoted name?)"
    text = str(error).strip().splitlines()
    if not text:
        return type(error).__name__
    # "… but got <Token token_type: TokenType.STRING, text: ann@x.com, line: 1, …>"
    return _TOKEN.sub(r"<\1 at line \2, col \3>", text[0])[:300]


_TOKEN = re.compile(
    r"<Token token_type: TokenType\.(\w+), text: .*?, line: (\d+), col: (\d+)[^>]*>"
)
