"""PostgreSQL types for the gateway: OIDs, DuckDB's types mapped to them, row encoding.

:data:`TYPES` holds, per OID, the type's name and size and its text and binary codecs
(:mod:`masking.pgwire.values`). :func:`type_for_duckdb` maps a DuckDB type name (as
``cursor.description`` and the catalog spell it) to the PostgreSQL type a client will
see; types PostgreSQL has no match for (lists, structs, maps, enums, unions, bits)
travel as ``text`` spelled the way DuckDB prints them. :class:`RowEncoder` turns
result rows into RowDescription and DataRow bytes for the formats a Bind asked for.

>>> columns = [ResultColumn.from_duckdb("id", "INTEGER"), ResultColumn.from_duckdb("x", "DOUBLE")]
>>> encoder = RowEncoder(columns, formats=[1, 0])
>>> encoder.encode_rows([(1, 2.5), (2, None)])
b'D\\x00\\x00\\x00\\x15\\x00\\x02\\x00\\x00\\x00\\x04\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x032.5D\\x00\\x00\\x00\\x12\\x00\\x02\\x00\\x00\\x00\\x04\\x00\\x00\\x00\\x02\\xff\\xff\\xff\\xff'

The text encoders assume the session settings in :data:`FORMAT_PARAMETERS`; the gateway
reports them as ParameterStatus at startup and only lets a client SET them to values
that keep them true (a client may change ``TimeZone``: pass it as ``timezone``).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.errors import VeilError
from masking.pgwire import params as d
from masking.pgwire import values as v
from masking.pgwire.backend import FieldDescription, RowDescription
from masking.pgwire.errors import InvalidParameter, ProtocolError
from masking.pgwire.params import Decoder
from masking.pgwire.values import Encoder

__all__ = [
    "FORMAT_PARAMETERS",
    "TYPES",
    "EncodeError",
    "PgType",
    "ResultColumn",
    "RowEncoder",
    "decode_parameter",
    "resolve_formats",
    "type_by_name",
    "type_for_duckdb",
    "type_for_value",
]

#: Session settings the text encoders write for; report them as ParameterStatus.
FORMAT_PARAMETERS: Mapping[str, str] = {
    "client_encoding": "UTF8",
    "DateStyle": "ISO, MDY",
    "IntervalStyle": "postgres",
    "TimeZone": "UTC",
    "integer_datetimes": "on",
    "standard_conforming_strings": "on",
}


@dataclass(frozen=True, slots=True)
class PgType:
    """One PostgreSQL type: what RowDescription says about it and how values travel.

    ``size`` is pg_type.typlen (-1 for variable length). ``text_in_zone`` is set for
    types whose text depends on the session's TimeZone (timestamptz).
    """

    name: str
    oid: int
    size: int
    array_oid: int
    encode_text: Encoder
    encode_binary: Encoder
    decode_text: Decoder
    decode_binary: Decoder
    text_in_zone: Callable[[dt.tzinfo], Encoder] | None = None


_TEXTUAL = (v.str_text, v.text_binary, d.str_from_text, d.text_from_binary)

#: How each type's values travel: (text out, binary out, text in, binary in).
_CODECS: dict[str, tuple[Encoder, Encoder, Decoder, Decoder]] = {
    "bool": (v.bool_text, v.bool_binary, d.bool_from_text, d.bool_from_binary),
    "bytea": (v.bytea_text, v.bytea_binary, d.bytea_from_text, d.bytea_from_binary),
    "int2": (v.int_text, v.int2_binary, d.int2_from_text, d.int2_from_binary),
    "int4": (v.int_text, v.int4_binary, d.int4_from_text, d.int4_from_binary),
    "int8": (v.int_text, v.int8_binary, d.int8_from_text, d.int8_from_binary),
    "oid": (v.int_text, v.oid_binary, d.int8_from_text, d.oid_from_binary),
    "float4": (v.float4_text, v.float4_binary, d.float_from_text, d.float4_from_binary),
    "float8": (v.float8_text, v.float8_binary, d.float_from_text, d.float8_from_binary),
    "numeric": (v.numeric_text, v.numeric_binary, d.numeric_from_text, d.numeric_from_binary),
    "text": _TEXTUAL,
    "varchar": _TEXTUAL,
    "bpchar": _TEXTUAL,
    "name": _TEXTUAL,
    "unknown": _TEXTUAL,
    "json": _TEXTUAL,
    "jsonb": (v.str_text, v.jsonb_binary, d.str_from_text, d.jsonb_from_binary),
    "date": (v.date_text, v.date_binary, d.date_from_text, d.date_from_binary),
    "time": (v.time_text, v.time_binary, d.time_from_text, d.time_from_binary),
    "timetz": (v.timetz_text, v.timetz_binary, d.time_from_text, d.timetz_from_binary),
    "timestamp": (
        v.timestamp_text,
        v.timestamp_binary,
        d.timestamp_from_text,
        d.timestamp_from_binary,
    ),
    "timestamptz": (
        v.timestamptz_text,
        v.timestamptz_binary,
        d.timestamptz_from_text,
        d.timestamptz_from_binary,
    ),
    # Interval text stays a string: the warehouse parses PostgreSQL's interval syntax.
    "interval": (v.interval_text, v.interval_binary, d.str_from_text, d.interval_from_binary),
    "uuid": (v.uuid_text, v.uuid_binary, d.uuid_from_text, d.uuid_from_binary),
}
#: name, OID, typlen, array type OID: as in PostgreSQL's pg_type.
_CATALOG = (
    ("bool", 16, 1, 1000),
    ("bytea", 17, -1, 1001),
    ("name", 19, 64, 1003),
    ("int8", 20, 8, 1016),
    ("int2", 21, 2, 1005),
    ("int4", 23, 4, 1007),
    ("text", 25, -1, 1009),
    ("oid", 26, 4, 1028),
    ("json", 114, -1, 199),
    ("float4", 700, 4, 1021),
    ("float8", 701, 8, 1022),
    ("unknown", 705, -2, 0),
    ("bpchar", 1042, -1, 1014),
    ("varchar", 1043, -1, 1015),
    ("date", 1082, 4, 1182),
    ("time", 1083, 8, 1183),
    ("timestamp", 1114, 8, 1115),
    ("timestamptz", 1184, 8, 1185),
    ("interval", 1186, 16, 1187),
    ("timetz", 1266, 12, 1270),
    ("numeric", 1700, -1, 1231),
    ("uuid", 2950, 16, 2951),
    ("jsonb", 3802, -1, 3807),
)
#: Types whose text depends on the session's TimeZone.
_ZONED = {"timestamptz": v.timestamptz_text_in}

TYPES: Mapping[int, PgType] = {
    oid: PgType(name, oid, size, array_oid, *_CODECS[name], text_in_zone=_ZONED.get(name))
    for name, oid, size, array_oid in _CATALOG
}

_BY_NAME = {t.name: t for t in TYPES.values()}


def type_by_name(name: str) -> PgType:
    """The type called ``name`` (``int4``, ``timestamptz``, …)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(_BY_NAME))
        raise VeilError(f"unknown PostgreSQL type {name!r}; known: {known}") from None


#: DuckDB type name (upper case, without parameters) -> PostgreSQL type name. Unsigned
#: types widen to the next signed type that holds them; HUGEINT and wider to numeric.
_DUCKDB = {
    "BOOLEAN": "bool",
    "BOOL": "bool",
    "TINYINT": "int2",
    "UTINYINT": "int2",
    "SMALLINT": "int2",
    "USMALLINT": "int4",
    "INTEGER": "int4",
    "INT": "int4",
    "UINTEGER": "int8",
    "BIGINT": "int8",
    "UBIGINT": "numeric",
    "HUGEINT": "numeric",
    "UHUGEINT": "numeric",
    "VARINT": "numeric",
    "BIGNUM": "numeric",
    "DECIMAL": "numeric",
    "NUMERIC": "numeric",
    "FLOAT": "float4",
    "REAL": "float4",
    "DOUBLE": "float8",
    "VARCHAR": "varchar",
    "TEXT": "text",
    "STRING": "text",
    "CHAR": "bpchar",
    "BLOB": "bytea",
    "BYTEA": "bytea",
    "DATE": "date",
    "TIME": "time",
    "TIME WITH TIME ZONE": "timetz",
    "TIMETZ": "timetz",
    "TIMESTAMP": "timestamp",
    "DATETIME": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "TIMESTAMPTZ": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "JSON": "json",
}
_DECIMAL = re.compile(r"^(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$")


def type_for_duckdb(type_name: str) -> tuple[PgType, int]:
    """(PostgreSQL type, type modifier) for a DuckDB type name; the modifier is -1
    except for ``DECIMAL(p,s)`` (PostgreSQL's ``((p << 16) | s) + 4``).

    >>> [(t.name, m) for t, m in map(type_for_duckdb, ["DECIMAL(10,2)", "INTEGER[]"])]
    [('numeric', 655366), ('text', -1)]
    """
    name = " ".join(str(type_name).upper().split())
    decimal = _DECIMAL.match(name)
    if decimal is not None:
        precision, scale = int(decimal.group(1)), int(decimal.group(2))
        return _BY_NAME["numeric"], ((precision << 16) | scale) + 4
    base = name.split("(", 1)[0].strip()  # VARCHAR(10), TIMESTAMP(3)
    found = _DUCKDB.get(base) if "[" not in name else None
    return _BY_NAME[found or "text"], -1


def type_for_value(value: object) -> PgType:
    """A type for a Python value when no column type is known (``SELECT $1``-style
    results, constants): the type its class most naturally is."""
    for cls, name in _BY_PYTHON:
        if isinstance(value, cls):
            return _BY_NAME[name]
    return _BY_NAME["text"]


_BY_PYTHON: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "bool"),
    (int, "int8"),
    (float, "float8"),
    (v.Decimal, "numeric"),
    ((bytes, bytearray, memoryview), "bytea"),
    (dt.datetime, "timestamp"),
    (dt.date, "date"),
    (dt.time, "time"),
    ((dt.timedelta, v.Interval), "interval"),
    (v.uuid.UUID, "uuid"),
)


@dataclass(frozen=True, slots=True)
class ResultColumn:
    """One column of a result as the client will see it."""

    name: str
    type: PgType
    modifier: int = -1
    table_oid: int = 0
    column_number: int = 0

    @classmethod
    def from_duckdb(cls, name: str, type_name: str) -> ResultColumn:
        """From a DuckDB ``cursor.description`` entry: ``(name, str(type_code))``."""
        pg_type, modifier = type_for_duckdb(type_name)
        if pg_type.name == "timestamp" and "TIME ZONE" in str(type_name).upper():
            pg_type = _BY_NAME["timestamptz"]
        return cls(name, pg_type, modifier)


def resolve_formats(formats: Sequence[int], count: int) -> tuple[int, ...]:
    """Per-column formats from a Bind's result formats: none (all text), one (for all)
    or one per column; anything else is a protocol violation, as in PostgreSQL."""
    if not formats:
        return (0,) * count
    if len(formats) == 1:
        return (formats[0],) * count
    if len(formats) != count:
        raise ProtocolError(
            f"bind message has {len(formats)} result formats but query has {count} columns"
        )
    return tuple(formats)


class EncodeError(VeilError):
    """A value could not be sent as its column's type (a mismatch between the
    warehouse's result and its description). Never quotes the value."""

    sqlstate = "22000"  # data_exception
    http_status = 500


_I32 = struct.Struct("!i")
_ROW_HEAD = struct.Struct("!cih")
_NULL = _I32.pack(-1)


class RowEncoder:
    """Result rows to wire bytes, for one statement's columns and result formats.

    Build one per portal (Describe/Execute) and call :meth:`encode_rows` per batch of
    rows fetched from the warehouse: it returns the DataRow messages as one ``bytes``,
    ready to write.
    """

    __slots__ = ("_encoders", "columns", "formats")

    def __init__(
        self,
        columns: Sequence[ResultColumn],
        formats: Sequence[int] = (),
        *,
        timezone: dt.tzinfo = dt.UTC,
    ) -> None:
        self.columns = tuple(columns)
        self.formats = resolve_formats(formats, len(self.columns))
        self._encoders = tuple(
            _encoder(c.type, f, timezone) for c, f in zip(self.columns, self.formats, strict=True)
        )

    def row_description(self) -> RowDescription:
        return RowDescription(
            tuple(
                FieldDescription(
                    name=c.name,
                    type_oid=c.type.oid,
                    type_size=c.type.size,
                    type_modifier=c.modifier,
                    format=f,
                    table_oid=c.table_oid,
                    column_number=c.column_number,
                )
                for c, f in zip(self.columns, self.formats, strict=True)
            )
        )

    def encode_rows(self, rows: Iterable[Sequence[Any]]) -> bytes:
        """DataRow messages for ``rows`` (sequences of values, None for NULL)."""
        encoders = self._encoders
        width = len(encoders)
        pack_length, pack_head, null = _I32.pack, _ROW_HEAD.pack, _NULL
        out: list[bytes] = []
        append = out.append
        for row in rows:
            if len(row) != width:
                raise EncodeError(f"a result row has {len(row)} values for {width} columns")
            at = len(out)
            append(b"")
            size = 6
            try:
                for encode, value in zip(encoders, row):  # noqa: B905 (checked above)
                    if value is None:
                        append(null)
                        size += 4
                    else:
                        data = encode(value)
                        append(pack_length(len(data)))
                        append(data)
                        size += 4 + len(data)
            except (TypeError, ValueError, OverflowError, AttributeError, struct.error) as e:
                raise self._failure(row) from e
            out[at] = pack_head(b"D", size, width)
        return b"".join(out)

    def _failure(self, row: Sequence[Any]) -> EncodeError:
        for column, fmt, encode, value in zip(
            self.columns, self.formats, self._encoders, row, strict=True
        ):
            try:
                if value is not None:
                    encode(value)
            except (TypeError, ValueError, OverflowError, AttributeError, struct.error):
                how = "binary" if fmt else "text"
                return EncodeError(
                    f"column {column.name!r}: a {type(value).__name__} value cannot be sent "
                    f"as {column.type.name} ({how} format)"
                )
        return EncodeError("a result row could not be encoded")


def _encoder(pg_type: PgType, fmt: int, zone: dt.tzinfo) -> Encoder:
    if fmt == 1:
        return pg_type.encode_binary
    if fmt != 0:
        raise ProtocolError(f"unsupported format code: {fmt}")
    if pg_type.text_in_zone is not None and zone is not dt.UTC:
        return pg_type.text_in_zone(zone)
    return pg_type.encode_text


def decode_parameter(data: bytes | None, type_oid: int, fmt: int) -> object:
    """A Bind parameter's Python value from its bytes, declared type and format.

    Text parameters of unknown or unspecified type (OID 0) stay strings for the
    warehouse to cast; binary ones need a known type. Raises InvalidParameter.
    """
    if data is None:
        return None
    pg_type = TYPES.get(type_oid)
    if fmt == 1:
        if pg_type is None:
            raise InvalidParameter(
                f"binary format is not supported for a parameter of type OID {type_oid}",
                binary=True,
            )
        return pg_type.decode_binary(data)
    if pg_type is None:
        return d.str_from_text(data)
    return pg_type.decode_text(data)
