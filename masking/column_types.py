"""Column types as masking sees them: a family to route on, a range, a text bound.

The catalog stores each column's type as the warehouse reported it (DuckDB
``DECIMAL(10,2)``, PostgreSQL ``character varying(255)``, Snowflake
``NUMBER(38,0)``…). Masks need three things from it: which family it belongs to
(what a method can compute for it), the values an exact numeric type can hold (so a
hash fits and a bucket does not underflow), and, for text, a type without a length
bound (so a mask longer than the column is not truncated).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import ParseError

__all__ = [
    "ColumnType",
    "TypeFamily",
    "ValueRange",
    "column_type",
    "unbounded_text_type",
    "value_range",
]

T = exp.DType


class TypeFamily(enum.Enum):
    """What a mask can do with a column's type; the key every method routes on."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    FLOAT = "float"
    DATE = "date"
    TIMESTAMP = "timestamp"
    BOOLEAN = "boolean"
    OTHER = "other"


_FAMILY_OF_TYPE: Mapping[exp.DType, TypeFamily] = {
    **{t: TypeFamily.TEXT for t in exp.DataType.TEXT_TYPES},
    **{t: TypeFamily.INTEGER for t in exp.DataType.INTEGER_TYPES - {T.BIT}},
    T.SERIAL: TypeFamily.INTEGER,
    T.SMALLSERIAL: TypeFamily.INTEGER,
    T.BIGSERIAL: TypeFamily.INTEGER,
    **{
        t: TypeFamily.DECIMAL
        for t in exp.DataType.REAL_TYPES - exp.DataType.FLOAT_TYPES - {T.MONEY, T.SMALLMONEY}
    },
    **{t: TypeFamily.FLOAT for t in exp.DataType.FLOAT_TYPES},
    T.UDOUBLE: TypeFamily.FLOAT,
    T.DATE: TypeFamily.DATE,
    T.DATE32: TypeFamily.DATE,
    **{
        t: TypeFamily.TIMESTAMP
        for t in exp.DataType.TEMPORAL_TYPES - {T.DATE, T.DATE32, T.TIME, T.TIMETZ}
    },
    T.BOOLEAN: TypeFamily.BOOLEAN,
}


def _signed(bits: int) -> tuple[int, int]:
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def _unsigned(bits: int) -> tuple[int, int]:
    return 0, 2**bits - 1


#: (minimum, maximum) of each integer type: hashes must fit, buckets must not underflow.
_INTEGER_RANGE: Mapping[exp.DType, tuple[int, int]] = {
    T.TINYINT: _signed(8),
    T.UTINYINT: _unsigned(8),
    T.SMALLINT: _signed(16),
    T.SMALLSERIAL: _signed(16),
    T.USMALLINT: _unsigned(16),
    T.MEDIUMINT: _signed(24),
    T.UMEDIUMINT: _unsigned(24),
    T.INT: _signed(32),
    T.SERIAL: _signed(32),
    T.UINT: _unsigned(32),
    T.BIGINT: _signed(64),
    T.BIGSERIAL: _signed(64),
    T.UBIGINT: _unsigned(64),
    T.INT128: _signed(128),
    T.UINT128: _unsigned(128),
    T.INT256: _signed(256),
    T.UINT256: _unsigned(256),
}


@dataclass(frozen=True)
class ColumnType:
    """A column type as masking sees it."""

    family: TypeFamily
    #: the parsed type, or None when it cannot be named in a CAST (unparseable,
    #: PostgreSQL's bare ``ARRAY`` / ``USER-DEFINED``)
    type: exp.DataType | None


def _parse_type(data_type: str, dialect: str) -> exp.DataType | None:
    try:
        parsed = exp.DataType.build(data_type, dialect=dialect)
    except (ParseError, ValueError):
        return None
    if parsed.this in (T.USERDEFINED, T.UNKNOWN):
        return None
    if parsed.this in exp.DataType.NESTED_TYPES and not parsed.expressions:
        return None  # an array / struct without its element types
    return parsed


def _scale_zero_decimal(dt: exp.DataType) -> bool:
    params = [p.name for p in dt.expressions]
    return dt.this in exp.DataType.REAL_TYPES and len(params) == 2 and params[1] == "0"


def column_type(data_type: str, dialect: str) -> ColumnType:
    """``data_type`` (in ``dialect``'s spelling) parsed and classified; never raises."""
    parsed = _parse_type(data_type, dialect)
    if parsed is None:
        return ColumnType(TypeFamily.OTHER, None)
    if _scale_zero_decimal(parsed):
        return ColumnType(TypeFamily.INTEGER, parsed)
    return ColumnType(_FAMILY_OF_TYPE.get(parsed.this, TypeFamily.OTHER), parsed)


@dataclass(frozen=True)
class ValueRange:
    """The values of an exact numeric type, in units of ``10**-scale``."""

    low: int
    high: int
    scale: int = 0

    def literal(self, units: int) -> exp.Expr:
        """``units`` as an exact decimal literal (no float rounding, any precision).

        A two's-complement minimum is written as ``(min + 1) - 1``: the literal
        ``-9223372036854775808`` is ``-(9223372036854775808)`` to most parsers, and
        9223372036854775808 is no BIGINT.
        """
        if -units > self.high:
            return exp.Paren(
                this=exp.Sub(this=self.literal(units + 1), expression=exp.Literal.number(1))
            )
        sign, digits = ("-" if units < 0 else ""), str(abs(units)).rjust(self.scale + 1, "0")
        if self.scale:
            digits = f"{digits[: -self.scale]}.{digits[-self.scale :]}"
        return exp.Literal.number(sign + digits)


def value_range(dt: exp.DataType) -> ValueRange | None:
    """The range of an exact numeric type; None if unbounded or unknown (PostgreSQL's
    bare ``numeric``, a dialect's default precision)."""
    if dt.this in _INTEGER_RANGE:
        return ValueRange(*_INTEGER_RANGE[dt.this])
    params = [p.name for p in dt.expressions]
    if dt.this in exp.DataType.REAL_TYPES and len(params) == 2 and all(map(str.isdigit, params)):
        top = 10 ** int(params[0]) - 1
        return ValueRange(-top, top, int(params[1]))
    return None


def unbounded_text_type(dt: exp.DataType, *, unbounded_varchar: bool) -> exp.DataType:
    """The text type a mask of a ``dt`` column is cast to: ``dt`` without its length.

    ``unbounded_varchar`` says whether the dialect's bare ``VARCHAR`` holds any length
    (Redshift's is ``VARCHAR(256)``; sqlglot's generic ``TEXT`` becomes its
    ``VARCHAR(MAX)``). ``CHAR(n)`` and ``NAME`` have no unbounded form: ``TEXT``.
    """
    if dt.this in (T.VARCHAR, T.NVARCHAR) and unbounded_varchar:
        return exp.DataType(this=dt.this)
    if dt.this is T.TEXT:
        return exp.DataType(this=T.TEXT)  # drops BigQuery's STRING(n) length
    return exp.DataType.build("TEXT")
