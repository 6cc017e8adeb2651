"""Masking methods as SQL: one sqlglot expression per (method, column type, dialect).

:func:`mask_expression` turns a column reference (or any expression) into the
expression a masked derived table exposes in its place. The gateway substitutes base
tables with those derived tables, so the mask must behave like the column everywhere
a query may use it (joins, WHERE, GROUP BY, ORDER BY, functions, set operations).
Hence the two rules every method follows:

* **Same type.** The result is cast to the column's own type, so a query that worked
  unmasked never becomes a type error. Text columns are the one exception: a mask of
  a ``varchar(n)``/``char(n)`` column is cast to the dialect's *unbounded* text type
  (``VARCHAR`` without a length; ``TEXT``/``STRING``; ``VARCHAR(MAX)`` on Redshift,
  whose bare ``VARCHAR`` means ``VARCHAR(256)``). Casting a 64-digit hash to
  ``varchar(8)`` would silently truncate it, so distinct values could collide and a
  kept prefix could grow to the whole value. Comparisons, ``CREATE TABLE AS`` and
  text functions work with the wider type; an ``INSERT … SELECT`` of a longer masked
  value into an existing ``varchar(n)`` column fails loudly in PostgreSQL (22001)
  instead of storing a truncated value.
* **NULL stays NULL**, for every method (``redact`` and ``custom`` included), so
  ``COUNT(col)``, ``IS NULL`` filters and outer-join results do not change.

Output per method and column type family (:class:`TypeFamily`); "NULL" means a NULL
of the column's own type, "same" the column's type:

===========  ====================================  ===========================================
method       text columns                          other columns
===========  ====================================  ===========================================
null         NULL                                  NULL
redact       the constant ``value`` ('***')        NULL
tokenize     'tok_' + 16 lowercase hex digits      integers: non-negative integer, same type;
                                                   others NULL
hash         64 lowercase hex digits               integers: non-negative integer, same type;
                                                   others NULL
date_trunc   NULL                                  dates, timestamps: start of the year/month,
                                                   same type; others NULL
bucket       NULL                                  integers, decimals, floats: rounded down to
                                                   a multiple of ``size``, same type; else NULL
email        '***@' + domain; '***' without '@'    NULL
partial      first/last characters kept, each      NULL
             other one ``fill``; too short: all
             ``fill``
custom       the expression, unbounded text type   the expression, cast to the column's type
===========  ====================================  ===========================================

Decimals with an explicit scale of 0 (Snowflake's ``NUMBER(38,0)`` is its INTEGER)
count as integers. Hash and tokenize on an integer column give the first 15 hex
digits of the digest (60 bits) as an integer, reduced modulo the type's positive
range (``2**31`` for INTEGER, ``10**p`` for ``DECIMAL(p,0)``), so the value fits.
Bucket is exact for integers and decimals (no float division); values below the
type's lowest multiple of ``size`` (``-128`` for TINYINT and size 10) get the type's
minimum, because their bucket is not representable. A NULL of a type Veil cannot
name in SQL (PostgreSQL reports arrays as bare ``ARRAY``) is written
``CASE WHEN FALSE THEN value END``, which has the value's type without naming it.

Digests are identical in every dialect for the same text: ``hash`` is
``sha256(salt || value)`` and ``tokenize`` is ``sha256(token_key || ':' || value)``
over the UTF-8 bytes, where an integer is first cast to its decimal text. The
separator keeps the two constructions apart even when the key equals the salt.
**The salt and the tokenization key are embedded in the SQL as string literals.**
That SQL is for the warehouse only: whatever shows or stores the rewritten SQL (logs,
EXPLAIN output, the audit record's "rewritten SQL") must redact those literals first,
or the salt leaks and low-entropy values (SSNs, phone numbers) can be brute-forced.

sqlglot's own function classes are used where they generate the same semantics in
all seven dialects (SUBSTRING, LENGTH, STRPOS, REGEXP_REPLACE, DATE_TRUNC, casts);
where they do not (SHA-256 as hex, hex to integer, string repetition), the
per-dialect SQL lives in the :data:`_DIALECTS` table. Routing by column type (family,
value range, unbounded text type) lives in :mod:`masking.column_types`.

>>> from sqlglot import exp
>>> secrets = MaskSecrets(salt="s", token_key="k")
>>> mask_expression(exp.column("ssn"), method="partial", params={"show_first": 0,
...     "show_last": 4, "fill": "*"}, data_type="VARCHAR", dialect="duckdb",
...     secrets=secrets).sql("duckdb")  # doctest: +ELLIPSIS
"CAST(CASE WHEN ssn IS NULL THEN NULL ELSE CASE WHEN LENGTH(ssn) <= 4 THEN ... END AS TEXT)"
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from catalog.errors import UsageError
from masking.column_types import (
    ColumnType,
    TypeFamily,
    column_type,
    unbounded_text_type,
    value_range,
)
from policies.methods import MethodSpec, method_spec, resolved_params

__all__ = [
    "SUPPORTED_DIALECTS",
    "MaskSecrets",
    "TypeFamily",
    "UnsupportedDialectError",
    "mask_expression",
    "type_family",
]

T = exp.DType


@dataclass(frozen=True)
class MaskSecrets:
    """Configured secrets the deterministic methods need.

    Both end up as literals in SQL sent to the warehouse (see the module docstring).
    """

    salt: str  # hash salt
    token_key: str  # tokenization key

    def __repr__(self) -> str:  # keep secrets out of tracebacks and logs
        return "MaskSecrets(salt=<hidden>, token_key=<hidden>)"


class UnsupportedDialectError(UsageError):
    """Masking SQL cannot be generated for this warehouse dialect."""


# --- per-dialect SQL ---------------------------------------------------------------


@dataclass(frozen=True)
class _Dialect:
    """What differs between dialects, as SQL templates over placeholder columns.

    Each template is parsed with the dialect itself, so sqlglot checks it once.
    """

    name: str
    #: over ``v`` (text): lowercase hex of SHA-256 over v's UTF-8 bytes
    sha256_hex: str
    #: over ``h`` (15 lowercase hex digits): that number as a non-negative BIGINT
    hex_to_bigint: str
    #: over ``s`` (text), ``n`` (count) and ``w`` (s's length): s repeated n times;
    #: None: sqlglot's REPEAT
    repeat: str | None = None
    #: whether ``VARCHAR`` without a length holds text of any length
    unbounded_varchar: bool = True
    #: truncation function per temporal type, where sqlglot's default is wrong
    truncs: Mapping[exp.DType, type[exp.Func]] = field(default_factory=dict)


_DIALECTS: Mapping[str, _Dialect] = {
    d.name: d
    for d in (
        _Dialect(
            "postgres",
            sha256_hex="ENCODE(SHA256(CONVERT_TO(v, 'UTF8')), 'hex')",
            hex_to_bigint="CAST(CAST('x' || h AS BIT(60)) AS BIGINT)",
        ),
        _Dialect(
            "duckdb",
            sha256_hex="SHA256(v)",
            hex_to_bigint="CAST('0x' || h AS BIGINT)",
        ),
        _Dialect(
            "snowflake",
            sha256_hex="SHA2(v, 256)",
            hex_to_bigint="TO_NUMBER(UPPER(h), 'XXXXXXXXXXXXXXX')",
        ),
        _Dialect(
            "bigquery",
            sha256_hex="TO_HEX(SHA256(v))",
            hex_to_bigint="CAST('0x' || h AS INT64)",
            # BigQuery's naive TIMESTAMP is DATETIME, which TIMESTAMP_TRUNC rejects.
            truncs={T.TIMESTAMP: exp.DatetimeTrunc},
        ),
        _Dialect(
            "trino",
            sha256_hex="LOWER(TO_HEX(SHA256(TO_UTF8(v))))",
            hex_to_bigint="FROM_BASE(h, 16)",
            # Trino's REPEAT builds an array, of at most 10,000 elements.
            repeat="LPAD('', n * w, s)",
        ),
        _Dialect(
            "spark",
            sha256_hex="SHA2(v, 256)",
            hex_to_bigint="CAST(CONV(h, 16, 10) AS BIGINT)",
        ),
        _Dialect(
            "redshift",
            sha256_hex="SHA2(v, 256)",
            hex_to_bigint="STRTOL(h, 16)",
            unbounded_varchar=False,  # bare VARCHAR is VARCHAR(256); TEXT is VARCHAR(MAX)
        ),
    )
}

SUPPORTED_DIALECTS: tuple[str, ...] = tuple(_DIALECTS)


def _dialect(name: str) -> _Dialect:
    try:
        return _DIALECTS[name.lower()]
    except KeyError:
        close = difflib.get_close_matches(name.lower(), _DIALECTS, n=1)
        maybe = f"; did you mean {close[0]!r}?" if close else ""
        raise UnsupportedDialectError(
            f"masking does not support the SQL dialect {name!r}{maybe}",
            hint="Supported dialects: " + ", ".join(SUPPORTED_DIALECTS) + ".",
        ) from None


@functools.cache
def _parsed_template(sql: str, dialect: str) -> exp.Expr:
    tree = sqlglot.parse_one(sql, dialect=dialect)
    if isinstance(tree, exp.Command):  # sqlglot gave up and kept the text
        raise ValueError(f"masking template does not parse as {dialect}: {sql}")
    return tree


def _fill(template: str, dialect: _Dialect, **args: exp.Expr) -> exp.Expr:
    """``template`` with its placeholder columns replaced by ``args``."""

    def substitute(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table and node.name in args:
            arg = args[node.name].copy()
            return _operand(arg) if isinstance(node.parent, exp.Binary | exp.Unary) else arg
        return node

    return _parsed_template(template, dialect.name).copy().transform(substitute)


# --- column types -------------------------------------------------------------------

#: Integers derived from a digest have this many bits (15 hex digits): fits any BIGINT.
_DIGEST_HEX_DIGITS = 15


def type_family(data_type: str, dialect: str) -> TypeFamily:
    """The family of a catalog column type, as stored from the warehouse.

    Types sqlglot cannot parse (or PostgreSQL's element-less ``ARRAY``) are OTHER:
    masks that need to know the type then give a typed NULL instead of guessing.

    >>> type_family("character varying(255)", "postgres")
    <TypeFamily.TEXT: 'text'>
    >>> type_family("NUMBER(38,0)", "snowflake")
    <TypeFamily.INTEGER: 'integer'>
    """
    return column_type(data_type, _dialect(dialect).name).family


def _result_type(column: ColumnType, dialect: _Dialect) -> exp.DataType | None:
    """The type a computed mask is cast to: the column's, with text unbounded."""
    if column.family is TypeFamily.TEXT and column.type is not None:
        return unbounded_text_type(column.type, unbounded_varchar=dialect.unbounded_varchar)
    return column.type


# --- the methods --------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    params: Mapping[str, object]
    column: ColumnType
    dialect: _Dialect
    secrets: MaskSecrets

    def int_param(self, name: str) -> int:
        value = self.params[name]
        assert isinstance(value, int)  # checked by _checked_params
        return value

    def str_param(self, name: str) -> str:
        value = self.params[name]
        assert isinstance(value, str)  # checked by _checked_params
        return value


#: A method: the masked expression over a non-NULL ``value`` (not yet cast), or None
#: for "NULL of the column's type".
_MaskFunction = Callable[[exp.Expr, _Context], exp.Expr | None]


def _str(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def _num(n: int) -> exp.Expr:
    return exp.Literal.number(n)


def _concat(*parts: exp.Expr) -> exp.Expr:
    out = parts[0]
    for part in parts[1:]:
        out = exp.DPipe(this=out, expression=part)
    return out


def _as_text(value: exp.Expr, ctx: _Context) -> exp.Expr:
    """The value as the text that is hashed: integers as their decimal digits."""
    if ctx.column.family is TypeFamily.TEXT:
        return value
    return exp.Cast(this=value, to=exp.DataType.build("TEXT"))


def _digest_to_integer(digest: exp.Expr, ctx: _Context) -> exp.Expr:
    assert ctx.column.type is not None  # INTEGER family types are always parsed
    prefix = exp.Substring(this=digest, start=_num(1), length=_num(_DIGEST_HEX_DIGITS))
    number = _fill(ctx.dialect.hex_to_bigint, ctx.dialect, h=prefix)
    bounds = value_range(ctx.column.type)
    if bounds is None or bounds.high + 1 >= 16**_DIGEST_HEX_DIGITS:
        return number
    return exp.Mod(this=number, expression=_num(bounds.high + 1))


def _keyed_digest(key: str, value: exp.Expr, ctx: _Context) -> exp.Expr:
    return _fill(ctx.dialect.sha256_hex, ctx.dialect, v=_concat(_str(key), _as_text(value, ctx)))


def _null(value: exp.Expr, ctx: _Context) -> exp.Expr | None:
    return None


def _redact(value: exp.Expr, ctx: _Context) -> exp.Expr | None:
    if ctx.column.family is not TypeFamily.TEXT:
        return None
    return _str(ctx.str_param("value"))


def _hash(value: exp.Expr, ctx: _Context) -> exp.Expr | None:
    if ctx.column.family not in (TypeFamily.TEXT, TypeFamily.INTEGER):
        return None
    digest = _keyed_digest(ctx.secrets.salt, value, ctx)
    if ctx.column.family is TypeFamily.INTEGER:
        return _digest_to_integer(digest, ctx)
    return digest


def _tokenize(value: exp.Expr, ctx: _Context) -> exp.Expr | None:
    if ctx.column.family not in (TypeFamily.TEXT, TypeFamily.INTEGER):
        return None
    digest = _keyed_digest(ctx.secrets.token_key + ":", value, ctx)
    if ctx.column.family is TypeFamily.INTEGER:
        return _digest_to_integer(digest, ctx)
    return _concat(_str("tok_"), exp.Substring(this=digest, start=_num(1), length=_num(16)))


def _date_trunc(value: exp.Expr, ctx: _Context) -> exp.Expr | None:
    family, dt = ctx.column.family, ctx.column.type
    if family not in (TypeFamily.DATE, TypeFamily.TIMESTAMP) or dt is None:
        return None
    default = exp.DateTrunc if family is TypeFamily.DATE else exp.TimestampTrunc
    trunc = ctx.dialect.truncs.get(dt.this, default)
    return trunc(this=value, unit=exp.var(ctx.str_param("unit").upper()))


def _bucket(value: exp.Expr, ctx: _Context) -> exp.Expr | None:
    size = ctx.int_param("size")
    family, dt = ctx.column.family, ctx.column.type
    if family is TypeFamily.FLOAT:
        floor = exp.Floor(this=exp.Div(this=value, expression=_num(size)))
        return exp.Mul(this=floor, expression=_num(size))
    if family not in (TypeFamily.INTEGER, TypeFamily.DECIMAL) or dt is None:
        return None
    # value minus its remainder made non-negative: an exact floor to a multiple of
    # size, whatever sign the dialect's % gives, and no intermediate can overflow the
    # column's type (DuckDB computes TINYINT + 100 as a TINYINT).
    remainder = exp.Mod(this=value, expression=_num(size))
    negative = exp.LT(this=remainder.copy(), expression=_num(0))
    shifted = exp.Add(this=remainder.copy(), expression=_num(size))
    non_negative = exp.Case().when(negative, shifted).else_(remainder.copy())
    floored = exp.Sub(this=value.copy(), expression=non_negative)
    bounds = value_range(dt)
    if bounds is None:
        return floored
    # Below the type's lowest multiple of size the bucket is not representable (and
    # computing it overflows): those values get the type's minimum instead.
    step = size * 10**bounds.scale
    lowest_bucket = -(-bounds.low // step) * step
    if lowest_bucket == bounds.low:
        return floored
    below = exp.LT(this=value.copy(), expression=bounds.literal(lowest_bucket))
    return exp.Case().when(below, bounds.literal(bounds.low)).else_(floored)


def _email(value: exp.Expr, ctx: _Context) -> exp.Expr | None:
    if ctx.column.family is not TypeFamily.TEXT:
        return None
    # Everything up to the *last* '@' goes: quoted local parts may contain '@'.
    masked = exp.RegexpReplace(
        this=value,
        expression=_str("^([^@]*@)+"),
        replacement=_str("***@"),
        single_replace=True,  # sqlglot would otherwise add PostgreSQL's 'g' flag
    )
    has_at = exp.GT(this=exp.StrPosition(this=value, substr=_str("@")), expression=_num(0))
    return exp.Case().when(has_at, masked).else_(_str("***"))


def _repeat(text: str, times: exp.Expr, ctx: _Context) -> exp.Expr:
    if not text:
        return _str("")
    if ctx.dialect.repeat is None:
        return exp.Repeat(this=_str(text), times=times)
    return _fill(ctx.dialect.repeat, ctx.dialect, s=_str(text), n=times, w=_num(len(text)))


def _partial(value: exp.Expr, ctx: _Context) -> exp.Expr | None:
    if ctx.column.family is not TypeFamily.TEXT:
        return None
    first, last = ctx.int_param("show_first"), ctx.int_param("show_last")
    fill = ctx.str_param("fill")
    length = exp.Length(this=value)
    all_filled = _repeat(fill, length, ctx)
    kept = first + last
    if kept == 0:
        return all_filled
    parts: list[exp.Expr] = []
    if first:
        parts.append(exp.Substring(this=value, start=_num(1), length=_num(first)))
    parts.append(_repeat(fill, exp.Sub(this=length.copy(), expression=_num(kept)), ctx))
    if last:
        # From character length - last + 1 to the end: the last `last` characters.
        offset = last - 1
        start = exp.Sub(this=length.copy(), expression=_num(offset)) if offset else length.copy()
        parts.append(exp.Substring(this=value, start=start))
    too_short = exp.LTE(this=length.copy(), expression=_num(kept))
    return exp.Case().when(too_short, all_filled).else_(_concat(*parts))


def _parsed_custom(source: str, dialect: str) -> exp.Expr:
    """The custom expression, parsed as the one projection of ``SELECT <source>``:
    anything else (a statement, a second statement, FROM, an alias, ``*``, a
    subquery) is refused. policies/ validates custom masks when a policy is applied;
    this re-check keeps a bad one from ever becoming SQL."""
    refused = UsageError(
        f"custom mask must be one SQL expression over `value`: {source!r}",
        hint="No queries, statements, aliases or *.",
    )
    try:
        statements = sqlglot.parse(f"SELECT {source}", dialect=dialect)
    except ParseError as e:
        raise refused from e
    select = statements[0] if len(statements) == 1 else None
    if not isinstance(select, exp.Select) or len(select.expressions) != 1:
        raise refused
    if any(value for key, value in select.args.items() if key != "expressions"):
        raise refused  # FROM, WHERE, DISTINCT, …
    projection = select.expressions[0]
    if projection.find(exp.Query, exp.Command, exp.Alias, exp.Star):
        raise refused
    return projection


def _custom(value: exp.Expr, ctx: _Context) -> exp.Expr | None:
    tree = _parsed_custom(ctx.str_param("expression"), ctx.dialect.name)
    if ctx.column.type is None:
        raise UsageError(
            f"custom mask cannot be cast back to this column's type ({ctx.column.family.value})",
            hint="Use null or redact for columns of types Veil cannot name in SQL.",
        )

    def substitute(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table and node.name.lower() == "value":
            return value.copy()
        return node

    return tree.transform(substitute)


_FUNCTIONS: Mapping[str, _MaskFunction] = {
    "null": _null,
    "redact": _redact,
    "tokenize": _tokenize,
    "hash": _hash,
    "date_trunc": _date_trunc,
    "bucket": _bucket,
    "email": _email,
    "partial": _partial,
    "custom": _custom,
}


# --- the entry point ----------------------------------------------------------------


def _checked_params(spec: MethodSpec, params: Mapping[str, object]) -> Mapping[str, object]:
    """Defence in depth: the policy layer validates, but a bad parameter here could
    become SQL (a unit, a size), so the generator checks kinds and choices again."""
    for p in spec.params:
        given = params.get(p.name)
        if given is None:
            if p.required:
                raise UsageError(f"mask {spec.name!r} needs the parameter {p.name!r}")
            continue
        if not isinstance(given, p.kind) or isinstance(given, bool):
            raise UsageError(
                f"mask {spec.name!r}: {p.name!r} must be {p.kind.__name__}, got {given!r}"
            )
        if p.choices and given not in p.choices:
            raise UsageError(
                f"mask {spec.name!r}: {p.name!r} must be one of {', '.join(p.choices)}"
            )
        if p.minimum is not None and isinstance(given, int) and given < p.minimum:
            raise UsageError(f"mask {spec.name!r}: {p.name!r} must be at least {p.minimum}")
    return params


def _operand(value: exp.Expr) -> exp.Expr:
    """``value`` safe to nest in operators: ``a + b`` becomes ``(a + b)``."""
    atomic = (exp.Column, exp.Literal, exp.Func, exp.Paren, exp.Null, exp.Boolean)
    return value if isinstance(value, atomic) else exp.Paren(this=value)


def _typed_null(value: exp.Expr, column: ColumnType) -> exp.Expr:
    if column.type is None:
        # A NULL that has the value's own type without naming it.
        return exp.Case().when(exp.false(), value)
    return exp.Cast(this=exp.null(), to=column.type.copy())


#: Stands for the masked value in a cached mask; replaced by the caller's expression.
_PLACEHOLDER = "__veil_masked_value__"


@functools.lru_cache(maxsize=4096)
def _mask_template(
    method: str,
    params: tuple[tuple[str, object], ...],
    data_type: str,
    dialect: str,
    secrets: MaskSecrets,
) -> exp.Expr:
    """The mask over a placeholder column. Cached: the gateway masks the same columns
    in query after query, and building a mask costs about ten times the copy."""
    spec = method_spec(method)
    profile = _dialect(dialect)
    ctx = _Context(
        params=dict(params),
        column=column_type(data_type, profile.name),
        dialect=profile,
        secrets=secrets,
    )
    operand = exp.column(_PLACEHOLDER)
    masked = _FUNCTIONS[spec.name](operand, ctx)
    result_type = _result_type(ctx.column, ctx.dialect)
    if masked is None or result_type is None:
        mask = _typed_null(operand, ctx.column)
    else:
        is_null = exp.Is(this=operand, expression=exp.null())
        guarded = exp.Case().when(is_null, exp.null()).else_(masked)
        mask = exp.Cast(this=guarded, to=result_type)
    # Methods use the operand node in several places; the copy gives every use its
    # own node (sqlglot trees must not share nodes).
    return mask.copy()


def mask_expression(
    value: exp.Expr,
    *,
    method: str,
    params: Mapping[str, object],
    data_type: str,
    dialect: str,
    secrets: MaskSecrets,
) -> exp.Expr:
    """An expression computing the masked form of ``value`` (a column reference or
    any expression) whose result has the column's own type ``data_type``.

    ``params`` are the method's parameters completed with defaults
    (:func:`policies.methods.resolved_params`). Raises :class:`UsageError` for an
    unknown method or a bad parameter and :class:`UnsupportedDialectError` for a
    dialect outside :data:`SUPPORTED_DIALECTS`: the caller must refuse the query.
    The result embeds ``secrets`` as literals; send it to the warehouse only.
    ``value`` itself is left untouched; the result holds copies of it.
    """
    spec = method_spec(method)
    given = {p.name: params[p.name] for p in spec.params if params.get(p.name) is not None}
    # Checked before the cache lookup: the key must be hashable.
    key = tuple(sorted(_checked_params(spec, resolved_params(spec, given)).items()))
    template = _mask_template(spec.name, key, data_type, dialect, secrets)
    operand = _operand(value.copy())

    def substitute(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table and node.name == _PLACEHOLDER:
            return operand.copy()
        return node

    return template.transform(substitute)
