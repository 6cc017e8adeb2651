"""Statement fingerprints: one key for every run of the same statement shape.

A query log repeats itself: the nightly job re-runs yesterday's INSERT with today's
date, a dashboard re-issues its query with another filter value. Lineage depends on
the shape of a statement, not on its literals, so ingestion parses each shape once
and reuses the result for every statement with the same fingerprint.

:func:`normalize` rewrites a statement from sqlglot's tokens (it never parses, which
keeps it at tens of thousands of statements a second):

* string, number and other literals become ``?`` (a negative number too); ``TRUE``,
  ``FALSE`` and ``NULL`` stay, since they can change what a statement means;
* ``IN (1, 2, 3)`` becomes ``IN (?)``, and the repeated rows of a multi-row
  ``VALUES`` become one;
* comments go, whitespace collapses to single spaces;
* keywords and unquoted names are lowercased, unless the dialect treats unquoted
  names as case-sensitive (MySQL and ClickHouse by sqlglot's normalization strategy,
  and BigQuery, whose dataset and table names are); quoted names keep their case;
* placeholders and parameters (``?``, ``$1``, ``:name``) are kept as written: in
  Snowflake ``$1`` is a column of a staged file, not a value;
* the raw tail of a statement sqlglot does not tokenize further (``VACUUM t``,
  ``CALL p(1)``, ``SHOW …``) is kept, whitespace collapsed.

Neither function raises: text the tokenizer rejects (an unterminated quote) falls
back to its whitespace-collapsed lowercase self, and that fallback is hashed apart
from tokenized text, so broken input never shares a fingerprint with a statement that
parses. Fingerprints are comparable within one dialect.

>>> normalize("SELECT *  FROM orders WHERE id IN (1, 2, 3) -- ad hoc", "postgres")
'select * from orders where id in (?)'
>>> fingerprint("select * from ORDERS where id in (7)", "postgres") == fingerprint(
...     "SELECT * FROM orders WHERE id IN (1, 2, 3) -- ad hoc", "postgres")
True
"""

from __future__ import annotations

import functools
import hashlib
import threading
from dataclasses import dataclass

from sqlglot.dialects.dialect import Dialect, NormalizationStrategy
from sqlglot.tokens import Token, Tokenizer, TokenType

#: Dialects whose unquoted table names are case-sensitive although sqlglot folds columns.
_CASE_SENSITIVE_TABLES = frozenset({"bigquery"})

_STRINGS = frozenset({
    TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.NATIONAL_RAW_STRING,
    TokenType.RAW_STRING, TokenType.BYTE_STRING, TokenType.HEX_STRING,
    TokenType.BIT_STRING, TokenType.HEREDOC_STRING, TokenType.UNICODE_STRING,
})  # fmt: skip
#: A minus sign after one of these is a sign, not a subtraction.
_SIGN_CONTEXT = frozenset({
    TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.COMMA, TokenType.EQ, TokenType.NEQ,
    TokenType.LT, TokenType.LTE, TokenType.GT, TokenType.GTE, TokenType.SELECT,
    TokenType.WHERE, TokenType.AND, TokenType.OR, TokenType.NOT, TokenType.WHEN,
    TokenType.THEN, TokenType.ELSE, TokenType.BETWEEN, TokenType.IN, TokenType.LIMIT,
    TokenType.OFFSET, TokenType.VALUES, TokenType.HAVING, TokenType.PLUS, TokenType.DASH,
    TokenType.STAR, TokenType.SLASH, TokenType.INTERVAL,
})  # fmt: skip
#: Numbers and names glued to one of these are parameters (``$1``, ``:1``, ``:name``).
_PARAMETER_PREFIX = frozenset({TokenType.PARAMETER, TokenType.COLON})
_PARAMETER_NAMES = frozenset({TokenType.NUMBER, TokenType.VAR, TokenType.NAME})
_NO_SPACE_BEFORE = frozenset({
    TokenType.COMMA, TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.DOT,
    TokenType.DCOLON, TokenType.SEMICOLON,
})  # fmt: skip
_NO_SPACE_AFTER = frozenset({
    TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.DOT, TokenType.DCOLON,
    TokenType.PARAMETER,
})  # fmt: skip
#: A call's or a subscript's opening bracket sticks to what it applies to.
_GLUED_PAIRS = frozenset({
    (TokenType.L_PAREN, TokenType.VAR),
    (TokenType.L_BRACKET, TokenType.VAR),
    (TokenType.L_BRACKET, TokenType.IDENTIFIER),
    (TokenType.L_BRACKET, TokenType.R_BRACKET),
    (TokenType.L_BRACKET, TokenType.R_PAREN),
})  # fmt: skip
_LITERAL_LIKE = frozenset({"?", "null", "true", "false", "default"})


def normalize(sql: str, dialect: str | None = None) -> str:
    """``sql`` with literals folded, comments dropped, case and whitespace normalized."""
    return _normalized(sql, dialect).text


def fingerprint(sql: str, dialect: str | None = None) -> str:
    """A 32-hex-digit digest of :func:`normalize`'s result (BLAKE2b, 16 bytes)."""
    result = _normalized(sql, dialect)
    prefix = b"raw\x00" if result.fallback else b""
    # surrogatepass: JSON logs can carry lone surrogates ("\ud800"), which plain UTF-8 rejects.
    data = prefix + result.text.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class _Normalized:
    text: str
    fallback: bool  # the tokenizer rejected the text; this is only case/space folding


def _normalized(sql: str, dialect: str | None) -> _Normalized:
    if len(sql) <= _CACHED_LENGTH:
        return _normalized_cached(sql, dialect)
    return _normalize_now(sql, dialect)


#: Logs repeat statements verbatim (dashboards, retries): short texts are remembered.
#: At most 4,096 entries of at most 4,096 characters, so the cache stays under ~20 MB.
_CACHED_LENGTH = 4096


@functools.lru_cache(maxsize=4096)
def _normalized_cached(sql: str, dialect: str | None) -> _Normalized:
    return _normalize_now(sql, dialect)


def _normalize_now(sql: str, dialect: str | None) -> _Normalized:
    try:
        tokenizer = _tokenizers.get(dialect)
        tokens = tokenizer.tokenize(sql)
        return _Normalized(_render(tokens, tokenizer), fallback=False)
    except Exception:  # noqa: BLE001 - never raise: lineage degrades to the raw text
        return _Normalized(" ".join(sql.split()).lower(), fallback=True)


def _render(tokens: list[Token], tokenizer: _DialectTokenizer) -> str:
    out: list[str] = []
    types: list[TokenType] = []
    previous: Token | None = None
    for token in tokens:
        kind = token.token_type
        if (
            previous is not None
            and previous.token_type in _PARAMETER_PREFIX
            and previous.end + 1 == token.start
            and kind in _PARAMETER_NAMES
        ):
            out[-1] += token.text  # $1, :1, :name are one parameter, kept as written
            types[-1] = TokenType.PLACEHOLDER
            previous = token
            continue
        if kind in _STRINGS:
            if previous is not None and previous.token_type in tokenizer.commands:
                word = " ".join(token.text.split())  # the raw rest of a command
            else:
                word = "?"
        elif kind is TokenType.NUMBER:
            word = _number(previous, out, types)
        elif kind is TokenType.IDENTIFIER:
            word = '"' + token.text.replace('"', '""') + '"'
        elif kind is TokenType.VAR and not tokenizer.fold_names:
            word = token.text
        else:
            word = token.text.lower()
        out.append(word)
        types.append(kind)
        previous = token
    _fold_lists(out, types)
    return _join(out, types)


def _number(previous: Token | None, out: list[str], types: list[TokenType]) -> str:
    if previous is None:
        return "?"
    if previous.token_type is TokenType.DASH and (len(types) < 2 or types[-2] in _SIGN_CONTEXT):
        out.pop()  # -1 is one literal, like 1
        types.pop()
    return "?"


def _fold_lists(out: list[str], types: list[TokenType]) -> None:
    """``in (?, ?, ?)`` → ``in (?)``; ``values (?, ?), (?, ?)`` → ``values (?, ?)``."""
    i = 0
    while i < len(out):
        if out[i] == "in" and i + 1 < len(out) and types[i + 1] is TokenType.L_PAREN:
            end = _literal_list_end(out, i + 2)
            if end is not None and end > i + 3:
                del out[i + 3 : end], types[i + 3 : end]
        elif out[i] == "values":
            group = _group_end(out, types, i + 1)
            while group is not None:
                nxt = group + 1
                again = _group_end(out, types, nxt + 1) if nxt < len(out) else None
                if out[nxt : nxt + 1] != [","] or again is None:
                    break
                if out[i + 1 : group + 1] != out[nxt + 1 : again + 1]:
                    break
                del out[nxt : again + 1], types[nxt : again + 1]
        i += 1


def _literal_list_end(out: list[str], start: int) -> int | None:
    """Index of the ``)`` closing ``?, ?, …`` that starts at ``start``, if it is one."""
    i = start
    while i < len(out) and out[i] == "?":
        if i + 1 < len(out) and out[i + 1] == ")":
            return i + 1
        if i + 1 >= len(out) or out[i + 1] != ",":
            return None
        i += 2
    return None


def _group_end(out: list[str], types: list[TokenType], start: int) -> int | None:
    """Index of the ``)`` of a ``(literal, …)`` row starting at ``start``, if it is one."""
    if start >= len(out) or types[start] is not TokenType.L_PAREN:
        return None
    i = start + 1
    while i < len(out) and (out[i] in _LITERAL_LIKE or out[i] == ","):
        i += 1
    return i if i < len(out) and types[i] is TokenType.R_PAREN else None


def _join(out: list[str], types: list[TokenType]) -> str:
    parts: list[str] = []
    glue = False  # the previous token asked for no space after it
    for i, (word, kind) in enumerate(zip(out, types, strict=True)):
        call = i > 0 and (kind, types[i - 1]) in _GLUED_PAIRS
        if parts and not glue and kind not in _NO_SPACE_BEFORE and not call:
            parts.append(" ")
        parts.append(word)
        glue = kind in _NO_SPACE_AFTER
    return "".join(parts)


@dataclass(frozen=True)
class _DialectTokenizer:
    """A reusable tokenizer with what rendering needs to know about its dialect."""

    tokenizer: Tokenizer
    commands: frozenset[TokenType]
    fold_names: bool

    def tokenize(self, sql: str) -> list[Token]:
        return self.tokenizer.tokenize(sql)


class _Tokenizers(threading.local):
    """One tokenizer per dialect and thread (a tokenizer keeps state while it runs)."""

    def __init__(self) -> None:
        self.by_dialect: dict[str | None, _DialectTokenizer] = {}

    def get(self, dialect: str | None) -> _DialectTokenizer:
        found = self.by_dialect.get(dialect)
        if found is None:
            found = self.by_dialect[dialect] = _make_tokenizer(dialect)
        return found


def _make_tokenizer(dialect: str | None) -> _DialectTokenizer:
    try:
        resolved = Dialect.get_or_raise(dialect)
    except ValueError:  # an unknown dialect name: sqlglot's default dialect still tokenizes
        resolved = Dialect.get_or_raise(None)
    tokenizer = resolved.tokenizer()
    fold = resolved.NORMALIZATION_STRATEGY is not NormalizationStrategy.CASE_SENSITIVE and (
        (dialect or "").lower() not in _CASE_SENSITIVE_TABLES
    )
    return _DialectTokenizer(tokenizer, frozenset(tokenizer.COMMANDS), fold)


_tokenizers = _Tokenizers()
