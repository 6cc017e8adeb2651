"""Statement shapes: statements that differ only in compared constants share one rewrite.

Clients of the simple query protocol put their values into the text: pgbench sends
``SELECT abalance FROM pgbench_accounts WHERE aid = 48213;`` with a new ``aid`` each
time, so a cache keyed by the exact text never hits and every statement would be parsed,
decided and generated again. Here a statement's *shape* is its text with each *slot*
cut out: a string or number literal that is the right-hand operand of a comparison
(``=``, ``<>``, ``<``, ``>``, ``<=``, ``>=``, ``LIKE``, ``ILIKE``) and is followed by
the end of an expression (``AND``, ``OR``, ``)``, ``,``, ``;``, a clause keyword or the
end). A rewrite of the shape is a :class:`Template` that the literals are put back into.

Why this is as safe as rewriting each statement:

- A slot holds exactly what a bound parameter would: the shape is rewritten with ``$n``
  in each slot, which the enforcer must already handle safely for the extended protocol
  (where any value may arrive). Function arguments, casts (``'x'::regclass``), LIMIT,
  ORDER BY positions and typed literals (``DATE '…'``) are never slots, so nothing whose
  value the rewriter could depend on is abstracted.
- Only literals that every SQL lexer reads alike are slots: digits with an optional
  fraction, and single-quoted strings without quotes, backslashes or line breaks inside.
  So the text put back cannot close a string early under another dialect's rules.
- A template is kept only if, for the statement it was learned from, filling it gives
  exactly the rewrite of that statement (same SQL text, tables, masks, notices); the
  first statement of each shape is rewritten both ways. Anything else keeps the exact
  path: parameters or ``$`` anywhere, no slots, a refusal, a statement that is not a
  query.

Everything here is pure: :class:`~masking.service.Enforcement` keeps the templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

from catalog.errors import VeilError
from masking.rewrite import Enforcer, Rewritten
from masking.statements import Kind

__all__ = ["Shape", "Template", "learn", "shape_of"]

_COMPARISONS = frozenset(
    {
        TokenType.EQ,
        TokenType.NEQ,
        TokenType.LT,
        TokenType.LTE,
        TokenType.GT,
        TokenType.GTE,
        TokenType.LIKE,
        TokenType.ILIKE,
    }
)
#: Tokens that may follow a slot: the comparison's expression ends there.
_ENDS = frozenset(
    {
        TokenType.SEMICOLON,
        TokenType.R_PAREN,
        TokenType.COMMA,
        TokenType.AND,
        TokenType.OR,
        TokenType.ORDER_BY,
        TokenType.GROUP_BY,
        TokenType.HAVING,
        TokenType.LIMIT,
        TokenType.OFFSET,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
    }
)
_NUMBER = re.compile(r"[0-9]{1,18}(?:\.[0-9]{1,18})?\Z")
_STRING = re.compile(r"'[^'\\\r\n]*'\Z")


@dataclass(frozen=True)
class Shape:
    """A statement cut at its slots: ``key`` is the same for every statement of the
    shape (the text around the slots, and each slot's kind: n(umber) or s(tring))."""

    key: tuple[str, ...]
    literals: tuple[str, ...]

    def parameterized(self) -> str:
        """The statement with ``$1``, ``$2``, … in its slots."""
        texts = self.key[0::2]
        out = [texts[0]]
        for i, text in enumerate(texts[1:], start=1):
            out.append(f"${i}")
            out.append(text)
        return "".join(out)


def _tokens(sql: str, dialect: str) -> list[Token] | None:
    try:
        return list(Dialect.get_or_raise(dialect).tokenize(sql))
    except SqlglotError:
        return None


def shape_of(sql: str, dialect: str) -> Shape | None:
    """The statement's shape, or None when it has no slot (or may hold parameters)."""
    if "$" in sql or "?" in sql:
        return None  # parameters, dollar quotes: the exact path decides
    tokens = _tokens(sql, dialect)
    if tokens is None:
        return None
    key: list[str] = []
    literals: list[str] = []
    at = 0
    for i, token in enumerate(tokens):
        kind = token.token_type
        if kind is TokenType.NUMBER:
            pattern, tag = _NUMBER, "n"
        elif kind is TokenType.STRING:
            pattern, tag = _STRING, "s"
        else:
            continue
        if i == 0 or tokens[i - 1].token_type not in _COMPARISONS:
            continue
        if i + 1 < len(tokens) and tokens[i + 1].token_type not in _ENDS:
            continue
        raw = sql[token.start : token.end + 1]
        if not pattern.match(raw):
            continue
        key += [sql[at : token.start], tag]
        literals.append(raw)
        at = token.end + 1
    if not literals:
        return None
    key.append(sql[at:])
    return Shape(tuple(key), tuple(literals))


@dataclass(frozen=True)
class Template:
    """A shape's rewrite: the rewritten text cut where its slots' values go."""

    texts: tuple[str, ...]
    #: For each cut, the (0-based) slot whose literal goes there.
    slots: tuple[int, ...]
    rewritten: Rewritten

    def fill(self, literals: tuple[str, ...]) -> Rewritten:
        out = [self.texts[0]]
        for slot, text in zip(self.slots, self.texts[1:], strict=True):
            out.append(literals[slot])
            out.append(text)
        return replace(self.rewritten, sql="".join(out))


def _cut(sql: str, dialect: str, count: int) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """Cut rewritten SQL at its ``$n`` parameters (1 ≤ n ≤ count)."""
    tokens = _tokens(sql, dialect)
    if tokens is None:
        return None
    texts: list[str] = []
    slots: list[int] = []
    at = 0
    for i, token in enumerate(tokens):
        if token.token_type is not TokenType.PARAMETER:
            continue
        number = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            number is None
            or number.token_type is not TokenType.NUMBER
            or number.start != token.end + 1
            or not number.text.isdigit()
            or not 1 <= int(number.text) <= count
        ):
            return None  # a parameter that is not one of ours
        texts.append(sql[at : token.start])
        slots.append(int(number.text) - 1)
        at = number.end + 1
    texts.append(sql[at:])
    return tuple(texts), tuple(slots)


def learn(
    enforcer: Enforcer,
    shape: Shape,
    rewritten: Rewritten,
    user: str,
    *,
    default_schema: str | None = None,
) -> Template | None:
    """The template of ``shape``, given ``rewritten``, the enforcer's rewrite of the
    statement it was cut from; None when the shape must not be reused (see above)."""
    if rewritten.kind is not Kind.QUERY:
        return None
    try:
        general = enforcer.rewrite(shape.parameterized(), user, default_schema=default_schema)
    except VeilError:
        return None
    if general.kind is not Kind.QUERY:
        return None
    cut = _cut(general.sql, enforcer.dialect, len(shape.literals))
    if cut is None:
        return None
    template = Template(cut[0], cut[1], general)
    if template.fill(shape.literals) != rewritten:
        return None
    return template
