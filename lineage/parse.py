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
    errors = [r.error for r in results if r.error]
    return StatementLineage(
        edges=tuple(dict.fromkeys(e for r in results for e in r.edges)),
        sources=tuple(dict.fromkeys(s for r in results for s in r.sources)),
        targets=tuple(dict.fromkeys(t for r in results for t in r.targets)),
        kind="multiple",
        error="; ".join(errors) if errors else None,
        warnings=tuple(w for r in results for w in r.warnings),
    )


def _statement(stmt: exp.Expr, ctx: ParseContext, indirect: bool) -> StatementLineage:
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
