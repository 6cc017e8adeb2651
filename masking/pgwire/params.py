"""Bind parameters: a value's bytes, in text or binary format, to a Python value.

Binary parameters are read strictly, like PostgreSQL's ``*_recv`` functions: a wrong
length or an impossible value raises :class:`~masking.pgwire.errors.InvalidParameter`
(22P03). Text parameters are parsed for the types drivers declare (integers, floats,
numeric, bool, dates and times, uuid, bytea), raising InvalidParameter (22P02) on bad
input. Messages never quote the value: a parameter can be personal data.

>>> numeric_from_binary(bytes.fromhex("0002000040000002000c1388"))
Decimal('-12.50')
>>> bool_from_text(b" Yes ")
True
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from masking.pgwire.errors import NUMERIC_VALUE_OUT_OF_RANGE, InvalidParameter
from masking.pgwire.values import (
    EPOCH_ORDINAL,
    NUMERIC_NAN,
    NUMERIC_NEG,
    NUMERIC_NINF,
    NUMERIC_PINF,
    NUMERIC_POS,
    USECS_PER_DAY,
    Interval,
)

Decoder = Callable[[bytes], object]

_UTC = dt.UTC
_I16 = struct.Struct("!h")
_I32 = struct.Struct("!i")
_I64 = struct.Struct("!q")
_U32 = struct.Struct("!I")
_F32 = struct.Struct("!f")
_F64 = struct.Struct("!d")
_NUMERIC_HEAD = struct.Struct("!hhHH")
_TIMETZ = struct.Struct("!qi")
_INTERVAL = struct.Struct("!qii")


# -- binary decoders (Bind parameters) ----------------------------------------------------


def _fixed(size: int, unpack: Callable[[bytes], tuple[Any, ...]], name: str) -> Decoder:
    def decode(data: bytes) -> object:
        if len(data) != size:
            raise _bad_binary(name)
        return unpack(data)[0]

    return decode


def _bad_binary(name: str) -> InvalidParameter:
    return InvalidParameter(f"incorrect binary data format for type {name}", binary=True)


def bool_from_binary(data: bytes) -> bool:
    if data not in (b"\x00", b"\x01"):
        raise _bad_binary("boolean")
    return data == b"\x01"


int2_from_binary = _fixed(2, _I16.unpack, "smallint")
int4_from_binary = _fixed(4, _I32.unpack, "integer")
int8_from_binary = _fixed(8, _I64.unpack, "bigint")
oid_from_binary = _fixed(4, _U32.unpack, "oid")
float4_from_binary = _fixed(4, _F32.unpack, "real")
float8_from_binary = _fixed(8, _F64.unpack, "double precision")


def numeric_from_binary(data: bytes) -> Decimal:
    if len(data) < 8:
        raise _bad_binary("numeric")
    count, weight, sign, scale = _NUMERIC_HEAD.unpack_from(data)
    if len(data) != 8 + 2 * count or scale > 0x3FFF:
        raise _bad_binary("numeric")
    if sign == NUMERIC_NAN:
        return Decimal("NaN")
    if sign in (NUMERIC_PINF, NUMERIC_NINF):
        return Decimal("Infinity" if sign == NUMERIC_PINF else "-Infinity")
    if sign not in (NUMERIC_POS, NUMERIC_NEG):
        raise InvalidParameter("invalid sign in external numeric value", binary=True)
    groups = struct.unpack_from(f"!{count}h", data, 8)
    if any(not 0 <= g <= 9999 for g in groups):
        raise InvalidParameter("invalid digit in external numeric value", binary=True)
    digits = "".join(f"{g:04d}" for g in groups) or "0"
    exponent = (weight - count + 1) * 4 if count else 0
    if exponent > -scale:
        digits += "0" * (exponent + scale)
    elif exponent < -scale:
        digits = digits[: len(digits) - (-scale - exponent)] or "0"  # truncate, as PostgreSQL
    return Decimal((1 if sign == NUMERIC_NEG else 0, tuple(map(int, digits)), -scale))


def text_from_binary(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameter(
            "invalid byte sequence for encoding UTF8 in a parameter", binary=True
        ) from None


def jsonb_from_binary(data: bytes) -> str:
    if data[:1] != b"\x01":
        raise InvalidParameter("unsupported jsonb version number", binary=True)
    return text_from_binary(data[1:])


def date_from_binary(data: bytes) -> dt.date:
    days = int4_from_binary(data)
    assert isinstance(days, int)
    try:
        return dt.date.fromordinal(days + EPOCH_ORDINAL)
    except (ValueError, OverflowError):
        raise InvalidParameter("date out of range", binary=True) from None


def time_from_binary(data: bytes) -> dt.time:
    micros = int8_from_binary(data)
    assert isinstance(micros, int)
    return _time_of(micros)


def timetz_from_binary(data: bytes) -> dt.time:
    if len(data) != _TIMETZ.size:
        raise _bad_binary("time with time zone")
    micros, zone = _TIMETZ.unpack(data)
    if abs(zone) > 15 * 3600 + 59 * 60 + 59:
        raise InvalidParameter("time zone displacement out of range", binary=True)
    return _time_of(micros).replace(tzinfo=dt.timezone(dt.timedelta(seconds=-zone)))


def timestamp_from_binary(data: bytes) -> dt.datetime:
    micros = int8_from_binary(data)
    assert isinstance(micros, int)
    try:
        return dt.datetime(2000, 1, 1) + dt.timedelta(microseconds=micros)
    except OverflowError:
        raise InvalidParameter("timestamp out of range", binary=True) from None


def timestamptz_from_binary(data: bytes) -> dt.datetime:
    return timestamp_from_binary(data).replace(tzinfo=_UTC)


def interval_from_binary(data: bytes) -> Interval:
    if len(data) != _INTERVAL.size:
        raise _bad_binary("interval")
    micros, days, months = _INTERVAL.unpack(data)
    return Interval(months, days, micros)


def uuid_from_binary(data: bytes) -> uuid.UUID:
    if len(data) != 16:
        raise _bad_binary("uuid")
    return uuid.UUID(bytes=data)


def bytea_from_binary(data: bytes) -> bytes:
    return data


def _time_of(micros: int) -> dt.time:
    if not 0 <= micros <= USECS_PER_DAY:
        raise InvalidParameter("time out of range", binary=True)
    if micros == USECS_PER_DAY:  # PostgreSQL allows 24:00:00; Python's time does not
        micros -= 1
    seconds, micro = divmod(micros, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return dt.time(hour, minute, second, micro)


# -- text decoders (Bind parameters) ------------------------------------------------------


def _bad_text(name: str) -> InvalidParameter:
    return InvalidParameter(f"invalid input syntax for type {name}", binary=False)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameter(
            "invalid byte sequence for encoding UTF8 in a parameter", binary=False
        ) from None


def _int_from_text(bits: int, name: str) -> Decoder:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def decode(data: bytes) -> int:
        text = _text(data).strip()
        if not text or not text.lstrip("+-").isdigit() or not text.isascii():
            raise _bad_text(name)
        value = int(text)
        if not low <= value <= high:
            raise InvalidParameter(
                f"value out of range for type {name}",
                binary=False,
                sqlstate=NUMERIC_VALUE_OUT_OF_RANGE,
            )
        return value

    return decode


int2_from_text = _int_from_text(16, "smallint")
int4_from_text = _int_from_text(32, "integer")
int8_from_text = _int_from_text(64, "bigint")

_TRUE = frozenset({"t", "tr", "tru", "true", "y", "ye", "yes", "on", "1"})
_FALSE = frozenset({"f", "fa", "fal", "fals", "false", "n", "no", "of", "off", "0"})


def bool_from_text(data: bytes) -> bool:
    text = _text(data).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE and text != "o":
        return False
    raise _bad_text("boolean")


def float_from_text(data: bytes) -> float:
    text = _text(data).strip()
    try:
        return float(text)
    except ValueError:
        raise _bad_text("double precision") from None


def numeric_from_text(data: bytes) -> Decimal:
    text = _text(data).strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _bad_text("numeric") from None
    if value.is_snan() or not text or "_" in text:
        raise _bad_text("numeric")
    return value


def str_from_text(data: bytes) -> str:
    return _text(data)


def date_from_text(data: bytes) -> dt.date:
    try:
        return dt.date.fromisoformat(_text(data).strip())
    except ValueError:
        raise _bad_text("date") from None


def time_from_text(data: bytes) -> dt.time:
    try:
        return dt.time.fromisoformat(_text(data).strip())
    except ValueError:
        raise _bad_text("time") from None


def timestamp_from_text(data: bytes) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(_text(data).strip())
    except ValueError:
        raise _bad_text("timestamp") from None


def timestamptz_from_text(data: bytes) -> dt.datetime:
    value = timestamp_from_text(data)
    return value.astimezone(_UTC) if value.tzinfo else value.replace(tzinfo=_UTC)


def uuid_from_text(data: bytes) -> uuid.UUID:
    try:
        return uuid.UUID(_text(data).strip())
    except ValueError:
        raise _bad_text("uuid") from None


def bytea_from_text(data: bytes) -> bytes:
    """bytea input: hex (``\\x00ff``) or the escape format (``a\\000b``, ``\\\\``)."""
    if data[:2] == b"\\x":
        try:
            return bytes.fromhex(_text(data[2:]))
        except ValueError:
            raise _bad_text("bytea") from None
    out = bytearray()
    i = 0
    while i < len(data):
        byte = data[i]
        if byte != 0x5C:
            out.append(byte)
            i += 1
        elif data[i + 1 : i + 2] == b"\\":
            out.append(0x5C)
            i += 2
        elif len(data) >= i + 4 and all(0x30 <= c <= 0x37 for c in data[i + 1 : i + 4]):
            value = int(data[i + 1 : i + 4], 8)
            if value > 255:
                raise _bad_text("bytea")
            out.append(value)
            i += 4
        else:
            raise _bad_text("bytea")
    return bytes(out)
