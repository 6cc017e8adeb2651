"""Step 1 of enforcement: split, parse and sort statements by what they may do.

Session statements that clients send on connect (SET of harmless parameters, SHOW,
transaction control, DISCARD) pass through unchanged; statements that could bypass
the rewrite (COPY, PREPARE/EXECUTE of text, SET ROLE, DO, CALL …) are refused; a
cursor declaration or EXPLAIN carries an inner query that is enforced like any other.
Everything not recognised is refused: enforcement fails closed.

Session statements are recognised from the first tokens of the text, before sqlglot
parses it, because sqlglot turns several of them into unrelated expressions (it reads
``SAVEPOINT a`` as a column alias).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import NoReturn

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from masking.errors import FEATURE_NOT_SUPPORTED, Refused, denied, syntax


class Kind(StrEnum):
    SESSION = "session"  # passes through unchanged
    QUERY = "query"  # SELECT, VALUES, TABLE, set operations
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    DDL = "ddl"  # CREATE / ALTER / DROP / TRUNCATE
    CURSOR = "cursor"  # DECLARE … FOR <query>: the query is enforced
    EXPLAIN = "explain"  # EXPLAIN <statement>: the statement is enforced


@dataclass(frozen=True)
class Statement:
    """One classified statement. ``expression`` is the parsed statement to enforce
    (the inner query for CURSOR and EXPLAIN); ``prefix`` is the text to put back before
    it (``DECLARE c CURSOR FOR``, ``EXPLAIN (ANALYZE)``)."""

    kind: Kind
    text: str
    expression: exp.Expr | None = None
    prefix: str = ""


#: Parameters a client may SET / RESET / SHOW: formatting and timeouts, nothing that
#: changes identity, privileges or where names resolve to outside Veil's knowledge.
HARMLESS_PARAMETERS = frozenset(
    str.split(
        """
    application_name client_encoding datestyle intervalstyle timezone time
    extra_float_digits statement_timeout lock_timeout idle_in_transaction_session_timeout
    standard_conforming_strings bytea_output client_min_messages search_path
    default_transaction_isolation default_transaction_read_only transaction
    transaction_isolation geqo jit work_mem enable_seqscan enable_nestloop
    enable_hashjoin enable_mergejoin max_parallel_workers_per_gather lc_messages
    lc_monetary lc_numeric lc_time array_nulls escape_string_warning
    session characteristics all
    """
    )
)

_TRANSACTION = frozenset(
    {"begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release"}
)
_PASSTHROUGH = frozenset({"discard", "deallocate", "fetch", "move", "close", "unlisten"})
_REFUSED = {
    "copy": "COPY bypasses query rewriting; run a SELECT instead",
    "prepare": "PREPARE of SQL text is not enforced; use the extended protocol (Parse/Bind)",
    "execute": "EXECUTE of a prepared statement is not enforced; use the extended protocol",
    "do": "anonymous code blocks (DO) can read any table",
    "call": "procedures can read any table",
    "grant": "privileges are managed by Veil policies, not GRANT",
    "revoke": "privileges are managed by Veil policies, not REVOKE",
    "vacuum": "maintenance commands are for administrators",
    "analyze": "maintenance commands are for administrators",
    "cluster": "maintenance commands are for administrators",
    "reindex": "maintenance commands are for administrators",
    "checkpoint": "maintenance commands are for administrators",
    "lock": "explicit table locks are not allowed through the gateway",
    "listen": "LISTEN/NOTIFY are not available through the gateway",
    "notify": "LISTEN/NOTIFY are not available through the gateway",
    "load": "loading extensions or files is not allowed",
    "install": "installing extensions is not allowed",
    "attach": "attaching databases is not allowed",
    "detach": "detaching databases is not allowed",
    "pragma": "PRAGMA statements are not allowed",
    "import": "IMPORT is not allowed",
    "export": "EXPORT is not allowed",
    "security": "SECURITY LABEL is not allowed",
    "comment": "COMMENT is managed in the Veil catalog",
    "reassign": "REASSIGN OWNED is not allowed",
    "refresh": "REFRESH is for administrators",
}

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*|\"(?:[^\"]|\"\")*\"")


def controls_transaction(sql: str) -> bool:
    """Whether ``sql`` begins, ends or marks a point of a transaction (BEGIN, COMMIT,
    SAVEPOINT …): what may not be wrapped in an implicit transaction."""
    words = sql.split(None, 1)
    return bool(words) and words[0].lower().rstrip(";") in _TRANSACTION


def split_statements(sql: str, dialect: str) -> list[str]:
    """The statements of ``sql`` as text, without empty ones (``;;``, comments only)."""
    try:
        tokens = sqlglot.tokenize(sql, read=dialect)
    except TokenError as e:
        raise syntax("the statement could not be tokenized (unbalanced quote or comment?)") from e
    pieces, start = [], 0
    for token in tokens:
        if token.token_type.name == "SEMICOLON":
            pieces.append(sql[start : token.start])
            start = token.end + 1
    pieces.append(sql[start:])
    return [p.strip() for p in pieces if _has_code(p, dialect)]


def classify(text: str, dialect: str) -> Statement:
    """Parse and sort one statement, or raise :class:`Refused` saying why not."""
    words = _leading_words(text)
    if not words:
        raise syntax("empty statement")
    first = words[0]
    if first in _TRANSACTION or first in _PASSTHROUGH:
        return Statement(Kind.SESSION, text)
    if first in ("set", "reset", "show"):
        return Statement(Kind.SESSION, text) if _harmless_setting(words) else _refuse_setting(words)
    if first in _REFUSED:
        raise denied(f"{first.upper()} is refused: {_REFUSED[first]}")
    if first == "declare":
        return _cursor(text, dialect)
    if first in ("explain", "describe", "desc") and len(words) > 1:
        return _explain(text, dialect)
    expression = parse_one(text, dialect)
    return Statement(_kind_of(expression), text, expression)


def parse_one(text: str, dialect: str) -> exp.Expr:
    """Parse exactly one statement; errors name the problem, never quote the text."""
    try:
        parsed = [e for e in sqlglot.parse(text, read=dialect) if e is not None]
    except (ParseError, TokenError) as e:
        raise syntax(f"syntax error: {_parse_message(e)}") from e
    except Exception as e:  # a parser crash refuses the statement: fail closed
        raise syntax("syntax error: the statement could not be parsed") from e
    if not parsed:
        raise syntax("empty statement")
    if len(parsed) > 1:
        raise syntax("several statements in one request: send them one at a time")
    for select in parsed[0].find_all(exp.Select):
        # A Select's own `laterals` are Hive's LATERAL VIEW; sqlglot also puts stray
        # `LATERAL …` there (`SELECT LATERAL SELECT`) and generates text nothing parses.
        if any(not lateral.args.get("view") for lateral in select.args.get("laterals") or ()):
            raise syntax("syntax error: LATERAL is only allowed in FROM or JOIN")
    return parsed[0]


def _kind_of(expression: exp.Expr) -> Kind:
    if isinstance(expression, exp.Select) and expression.args.get("into") is not None:
        return Kind.DDL  # SELECT … INTO t creates t, like CREATE TABLE t AS
    if isinstance(expression, exp.Query | exp.Values):
        return Kind.QUERY
    if isinstance(expression, exp.Insert):
        return Kind.INSERT
    if isinstance(expression, exp.Update):
        return Kind.UPDATE
    if isinstance(expression, exp.Delete):
        return Kind.DELETE
    if isinstance(expression, exp.Create | exp.Alter | exp.Drop | exp.TruncateTable):
        if isinstance(expression, exp.Create) and str(expression.args.get("kind", "")).upper() in (
            "FUNCTION",
            "PROCEDURE",
            "TRIGGER",
            "EXTENSION",
            "ROLE",
            "USER",
            "SECRET",
            "MACRO",
        ):
            raise denied(f"CREATE {expression.args['kind']} is refused through the gateway")
        return Kind.DDL
    if isinstance(expression, exp.Merge):
        raise Refused(
            "MERGE is not supported through the gateway; use INSERT, UPDATE and DELETE",
            sqlstate=FEATURE_NOT_SUPPORTED,
        )
    if isinstance(expression, exp.Copy):
        raise denied(f"COPY is refused: {_REFUSED['copy']}")
    name = type(expression).__name__.upper()
    raise denied(f"{name} statements are refused through the gateway")


def _cursor(text: str, dialect: str) -> Statement:
    """``DECLARE name [options] CURSOR [WITH[OUT] HOLD] FOR <query>``."""
    match = re.search(r"\bFOR\b", text, flags=re.IGNORECASE)
    head = text[: match.start()] if match else ""
    if match is None or not re.search(r"\bCURSOR\b", head, flags=re.IGNORECASE):
        raise syntax("DECLARE must be DECLARE name CURSOR FOR <query>")
    inner = parse_one(text[match.end() :], dialect)
    if _kind_of(inner) is not Kind.QUERY:
        raise syntax("a cursor must be declared FOR a query")
    return Statement(Kind.CURSOR, text, inner, prefix=text[: match.end()].strip())


def _explain(text: str, dialect: str) -> Statement:
    """``EXPLAIN [ANALYZE] [VERBOSE] [(options)] <statement>``: the statement is enforced."""
    match = re.match(
        r"\s*(?:explain|describe|desc)\b(\s*\([^)]*\)|\s+(?:analy[sz]e|verbose)\b)*",
        text,
        flags=re.IGNORECASE,
    )
    assert match is not None
    inner_text = text[match.end() :]
    inner = parse_one(inner_text, dialect)
    kind = _kind_of(inner)
    if kind is Kind.SESSION:
        raise syntax("EXPLAIN needs a query")
    return Statement(Kind.EXPLAIN, text, inner, prefix=text[: match.end()].strip())


def _harmless_setting(words: list[str]) -> bool:
    rest = [w for w in words[1:] if w not in ("session", "local")] or ["all"]
    if words[0] == "show":
        return True  # SHOW reads settings; none of them is data
    name = rest[0]
    if name in ("role", "session_authorization") or (
        name == "session" and "authorization" in rest[:2]
    ):
        return False
    return name in HARMLESS_PARAMETERS


def _refuse_setting(words: list[str]) -> NoReturn:
    rest = [w for w in words[1:] if w != "local"]
    if rest[:2] == ["session", "role"]:
        rest = rest[1:]
    if rest[:2] == ["session", "authorization"] or rest[:1] in (
        ["role"],
        ["session_authorization"],
    ):
        shown = " ".join(rest[:2] if rest[0] == "session" else rest[:1]).upper()
        raise denied(f"{words[0].upper()} {shown} is refused: Veil decides who you are")
    name = next((w for w in rest if w != "session"), "")
    raise denied(
        f"{words[0].upper()} {name} is refused: only formatting, time zone, search_path "
        "and timeout parameters may be changed through the gateway"
    )


def _leading_words(text: str) -> list[str]:
    body = _strip_comments(text)
    return [m.group(0).lower() for m in _WORD.finditer(body[:200])][:4]


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    return re.sub(r"--[^\n]*", " ", text).strip()


def _has_code(piece: str, dialect: str) -> bool:
    return bool(_strip_comments(piece).strip())


def _parse_message(error: Exception) -> str:
    """sqlglot's message without the echoed statement text (it may hold PII literals)."""
    errors = getattr(error, "errors", None)
    if errors:
        first = errors[0]
        desc = str(first.get("description", "invalid syntax"))
        line, col = first.get("line"), first.get("col")
        return f"{desc} (line {line}, column {col})" if line else desc
    return "invalid syntax"
