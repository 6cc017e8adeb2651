"""One value between Python and the wire: PostgreSQL's text and binary formats.

Encoders take the Python values DuckDB returns (``int``, ``float``, ``Decimal``,
``str``, ``bytes``, ``date``, ``time``, ``datetime``, ``timedelta``, ``UUID``) and give
the bytes PostgreSQL itself would send for that type, so drivers parse them as they
parse PostgreSQL's: text as with ``DateStyle=ISO``, ``IntervalStyle=postgres``,
``bytea_output=hex`` and shortest-exact floats (``extra_float_digits`` ≥ 1, the default
since PostgreSQL 12); binary as the ``*_send`` functions (the tests compare with
``int4send``, ``numeric_send``, ``timestamp_send``, … on a real server).

Reading Bind parameters back is :mod:`masking.pgwire.params`.

>>> numeric_binary(Decimal("-12.50")).hex()
'0002000040000002000c1388'
>>> interval_text(dt.timedelta(days=-1, hours=-2))
b'-1 days -02:00:00'
"""

from __future__ import annotations

import datetime as dt
import json
import math
import struct
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

Encoder = Callable[[Any], bytes]

_I16 = struct.Struct("!h")
_I32 = struct.Struct("!i")
_I64 = struct.Struct("!q")
_U32 = struct.Struct("!I")
_F32 = struct.Struct("!f")
_F64 = struct.Struct("!d")
_NUMERIC_HEAD = struct.Struct("!hhHH")
_TIMETZ = struct.Struct("!qi")
_INTERVAL = struct.Struct("!qii")

_POSTGRES_EPOCH = dt.date(2000, 1, 1)
EPOCH_ORDINAL = _POSTGRES_EPOCH.toordinal()
USECS_PER_DAY = 86_400_000_000
_UTC = dt.UTC

NUMERIC_POS = 0x0000
NUMERIC_NEG = 0x4000
NUMERIC_NAN = 0xC000
NUMERIC_PINF = 0xD000
NUMERIC_NINF = 0xF000


@dataclass(frozen=True, slots=True)
class Interval:
    """A PostgreSQL interval as its three fields. Decoded interval parameters are these
    (a month has no fixed length, so a ``timedelta`` cannot hold one);
    :meth:`to_timedelta` converts when ``months`` is 0."""

    months: int = 0
    days: int = 0
    microseconds: int = 0

    def to_timedelta(self) -> dt.timedelta:
        if self.months:
            raise ValueError("an interval with months has no fixed length")
        return dt.timedelta(days=self.days, microseconds=self.microseconds)

    def __str__(self) -> str:
        return interval_text(self).decode()


# -- text encoders ------------------------------------------------------------------------


def bool_text(value: Any) -> bytes:
    return b"t" if value else b"f"


def int_text(value: Any) -> bytes:
    return b"%d" % value


def str_text(value: Any) -> bytes:
    """Text, varchar, json (DuckDB returns JSON as text), enums, and the fallback for
    types without a codec of their own (lists, structs: DuckDB's own spelling)."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, dict | list) and not isinstance(value, str):
        return json.dumps(value, default=str).encode("utf-8")
    return str(value).encode("utf-8")


def float8_text(value: Any) -> bytes:
    """float8out: the shortest digits that read back as the value; plain notation from
    1e-4 up to 1e15, else ``1.5e+16``."""
    value = float(value)
    if not math.isfinite(value) or not value:
        return _non_finite(value)
    text = repr(value)  # the shortest digits, but a bound of the rounding interval counts
    if _may_be_on_bound(text, abs(value), 53):
        text = _strict_shortest(value, _float8_neighbours(value), 17)
    elif "e" not in text and abs(value) < 1e15:
        return text.removesuffix(".0").encode()
    return _shortest(text, 15).encode()


def float4_text(value: Any) -> bytes:
    """float4out: the shortest digits that read back as the same float4; plain notation
    from 1e-4 up to 1e6."""
    value = float(value)
    if not math.isfinite(value) or not value:
        return _non_finite(value)
    exact = _F32.unpack(_F32.pack(value))[0]
    bits = struct.unpack("!I", _F32.pack(exact))[0]
    if not bits & 0x7FFFFF or not bits & 0x7F800000:
        # A power of two: its interval is narrower below, so the nearest short decimal
        # can fall outside while one above is inside; a subnormal has fewer digits than
        # the search below assumes. Decide exactly.
        return _shortest(_strict_shortest(exact, _float4_neighbours(exact), 9), 6).encode()
    # A float4 is good to about 7 digits, so at most one 6-digit decimal reads back as
    # it: %.6g finds any answer of up to 6 digits; longer ones are the nearest at 7-9.
    text = repr(exact)
    for precision in (6, 7, 8, 9):
        candidate = "%.*g" % (precision, exact)  # noqa: UP031 (a computed precision)
        try:
            if _F32.unpack(_F32.pack(float(candidate)))[0] == exact:
                text = candidate
                break
        except OverflowError:  # beyond the largest float4
            continue
    if _may_be_on_bound(text, abs(exact), 24):
        text = _strict_shortest(exact, _float4_neighbours(exact), 9)
    elif "e" in text or abs(exact) < 1e6:
        return text.encode()  # %g already spells it as float4out does
    return _shortest(text, 6).encode()


# PostgreSQL's float output (Ryu, built without STRICTLY_SHORTEST) never prints a number
# lying exactly on a bound of the value's rounding interval, because a reader rounding
# ties differently could read it back as the neighbour. Python's shortest repr does,
# so the rare bound case is redone exactly.


def _may_be_on_bound(text: str, magnitude: float, mantissa_bits: int) -> bool:
    """Cheap test: can the decimal ``text`` be a midpoint between two floats? A midpoint
    is a dyadic rational, so the significand must be divisible by 5 once for every
    fraction digit (it then ends in 5); integers only once floats are that far apart."""
    mantissa, _, power = text.partition("e")
    whole, _, fraction = mantissa.lstrip("-").partition(".")
    if fraction == "0":
        fraction = ""
    exponent = int(power or 0) - len(fraction)
    if exponent >= 0:
        return magnitude >= 2.0**mantissa_bits
    digits = whole + fraction
    if digits[-1] != "5" or int(digits) % 5 ** (-exponent):
        return False
    return Decimal(text) != Decimal(magnitude).copy_sign(Decimal(text))  # not the value itself


def _float8_neighbours(value: float) -> tuple[float, float]:
    return math.nextafter(value, -math.inf), math.nextafter(value, math.inf)


def _float4_neighbours(value: float) -> tuple[float, float]:
    bits = struct.unpack("!I", _F32.pack(abs(value)))[0]
    down = _F32.unpack(struct.pack("!I", bits - 1))[0] if bits else -1e-45
    up = _F32.unpack(struct.pack("!I", bits + 1))[0] if bits < 0x7F7FFFFF else math.inf
    return (down, up) if value > 0 else (-up, -down)


def _strict_shortest(value: float, neighbours: tuple[float, float], most: int) -> str:
    """The shortest decimal strictly inside the rounding interval, nearest the value
    (ties to even), as ``<digits>E<exponent>``: Ryu's answer, exactly."""
    x = Fraction(abs(value))
    down, up = sorted(abs(n) for n in neighbours)
    low = (x + Fraction(down)) / 2
    # Above the largest float the interval is as wide as below it (Ryu's bounds).
    high = (x + Fraction(up)) / 2 if math.isfinite(up) else x + (x - Fraction(down)) / 2
    k = math.floor(math.log10(abs(value)))
    while Fraction(10) ** k > x:
        k -= 1
    while Fraction(10) ** (k + 1) <= x:
        k += 1
    for digits in range(1, most + 1):
        scale = k - digits + 1
        unit = Fraction(10) ** scale
        first = math.floor(low / unit) + 1
        last = math.ceil(high / unit) - 1
        if first <= last:
            nearest = min(max(round(x / unit), first), last)
            return f"{'-' if value < 0 else ''}{nearest}E{scale}"
    return repr(value)


def _non_finite(value: float) -> bytes:
    """NaN, the infinities, and the zeros."""
    if not value:
        return b"-0" if math.copysign(1.0, value) < 0 else b"0"
    if math.isnan(value):
        return b"NaN"
    return b"Infinity" if value > 0 else b"-Infinity"


def _shortest(text: str, fixed_below: int) -> str:
    """Re-spell a shortest decimal (``1.5e+16``, ``0.0001``, ``123``) the way
    PostgreSQL's float output does: plain between 1e-4 and 10**fixed_below, else
    ``d.ddde+XX`` with at least two exponent digits."""
    sign, digits, exponent = Decimal(text).as_tuple()
    assert isinstance(exponent, int)
    shown = "".join(map(str, digits)).rstrip("0") or "0"
    point = len(digits) + exponent  # digits before the decimal point
    scientific = point - 1
    minus = "-" if sign else ""
    if shown == "0":
        return minus + "0"
    if -4 <= scientific < fixed_below:
        if point <= 0:
            return f"{minus}0.{'0' * -point}{shown}"
        if point >= len(shown):
            return minus + shown + "0" * (point - len(shown))
        return f"{minus}{shown[:point]}.{shown[point:]}"
    mantissa = shown[0] + ("." + shown[1:] if len(shown) > 1 else "")
    return f"{minus}{mantissa}e{'-' if scientific < 0 else '+'}{abs(scientific):02d}"


def numeric_text(value: Any) -> bytes:
    if isinstance(value, int):
        return b"%d" % value
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if value.is_nan():
        return b"NaN"
    if value.is_infinite():
        return b"Infinity" if value > 0 else b"-Infinity"
    if value.is_zero():
        value = abs(value)  # numeric has no negative zero
    return format(value, "f").encode()


def date_text(value: dt.date) -> bytes:
    return value.isoformat().encode()


def time_text(value: dt.time) -> bytes:
    text = value.replace(tzinfo=None).isoformat()
    return (text.rstrip("0") if value.microsecond else text).encode()


def timetz_text(value: dt.time) -> bytes:
    offset = value.utcoffset() or dt.timedelta(0)
    return time_text(value) + _zone(offset).encode()


def timestamp_text(value: dt.datetime) -> bytes:
    """``2024-02-29 13:14:15.5``: ISO with a space, fraction digits only as needed."""
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    text = value.isoformat(" ")
    return (text.rstrip("0") if value.microsecond else text).encode()


def timestamptz_text_in(zone: dt.tzinfo) -> Encoder:
    """timestamptz text in the session's time zone (PostgreSQL's ``TimeZone``)."""

    def encode(value: dt.datetime) -> bytes:
        local = (value if value.tzinfo else value.replace(tzinfo=_UTC)).astimezone(zone)
        offset = local.utcoffset() or dt.timedelta(0)
        suffix = _UTC_SUFFIX if not offset else _zone(offset).encode()
        return timestamp_text(local) + suffix

    return encode


_UTC_SUFFIX = b"+00"
timestamptz_text = timestamptz_text_in(_UTC)


def _clock(hour: int, minute: int, second: int, micro: int) -> str:
    if micro:
        return f"{hour:02d}:{minute:02d}:{second:02d}.{micro:06d}".rstrip("0")
    return f"{hour:02d}:{minute:02d}:{second:02d}"


def _zone(offset: dt.timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours:02d}"
    if minutes or secs:
        text += f":{minutes:02d}"
    if secs:
        text += f":{secs:02d}"
    return text


def interval_text(value: dt.timedelta | Interval) -> bytes:
    """IntervalStyle ``postgres``: ``1 year 2 mons -3 days +04:05:06.78``. A timedelta
    splits into days and a time of day with the same sign (``-1 days -02:00:00``)."""
    months, days, micros = _interval_fields(value)
    parts: list[str] = []
    negative_before = False
    years, months = int(months / 12), months - 12 * int(months / 12)
    for amount, unit in ((years, "year"), (months, "mon"), (days, "day")):
        if amount:
            plus = "+" if negative_before and amount > 0 else ""
            parts.append(f"{plus}{amount} {unit}{'' if amount == 1 else 's'}")
            negative_before = amount < 0
    if micros or not parts:
        minus = "-" if micros < 0 else ("+" if negative_before else "")
        hours, rest = divmod(abs(micros), 3_600_000_000)
        minutes, rest = divmod(rest, 60_000_000)
        seconds, fraction = divmod(rest, 1_000_000)
        parts.append(minus + f"{hours:02d}:" + _clock(0, minutes, seconds, fraction)[3:])
    return " ".join(parts).encode()


def _interval_fields(value: dt.timedelta | Interval) -> tuple[int, int, int]:
    if isinstance(value, Interval):
        return value.months, value.days, value.microseconds
    total = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    days = int(total / USECS_PER_DAY) if abs(total) < 2**52 else total // USECS_PER_DAY
    if days < 0 and total - days * USECS_PER_DAY > 0:
        days += 1
    return 0, days, total - days * USECS_PER_DAY


def uuid_text(value: Any) -> bytes:
    return str(value).encode()


def bytea_text(value: Any) -> bytes:
    return b"\\x" + bytes(value).hex().encode()


# -- binary encoders ----------------------------------------------------------------------


def bool_binary(value: Any) -> bytes:
    return b"\x01" if value else b"\x00"


int2_binary: Encoder = _I16.pack
int4_binary: Encoder = _I32.pack
int8_binary: Encoder = _I64.pack
float4_binary: Encoder = _F32.pack
float8_binary: Encoder = _F64.pack
oid_binary: Encoder = _U32.pack


def numeric_binary(value: Any) -> bytes:
    """numeric_send: base-10000 digits with a weight, a sign and the display scale."""
    if not isinstance(value, Decimal):
        value = Decimal(value) if isinstance(value, int) else Decimal(str(value))
    if value.is_nan():
        return _NUMERIC_HEAD.pack(0, 0, NUMERIC_NAN, 0)
    if value.is_infinite():
        return _NUMERIC_HEAD.pack(0, 0, NUMERIC_PINF if value > 0 else NUMERIC_NINF, 0)
    negative = value.is_signed() and not value.is_zero()
    whole, _, fraction = format(value.copy_abs(), "f").partition(".")
    scale = len(fraction)
    whole = whole.lstrip("0")
    digits = "0" * (-len(whole) % 4) + whole + fraction + "0" * (-scale % 4)
    groups = [int(digits[i : i + 4]) for i in range(0, len(digits), 4)]
    weight = (len(whole) + 3) // 4 - 1
    start = 0
    while start < len(groups) and not groups[start]:
        start += 1
    end = len(groups)
    while end > start and not groups[end - 1]:
        end -= 1
    if start == end:
        return _NUMERIC_HEAD.pack(0, 0, NUMERIC_POS, scale)
    head = _NUMERIC_HEAD.pack(
        end - start, weight - start, NUMERIC_NEG if negative else NUMERIC_POS, scale
    )
    return head + struct.pack(f"!{end - start}h", *groups[start:end])


def text_binary(value: Any) -> bytes:
    return str_text(value)


def jsonb_binary(value: Any) -> bytes:
    return b"\x01" + str_text(value)


def date_binary(value: dt.date) -> bytes:
    return _I32.pack(value.toordinal() - EPOCH_ORDINAL)


def time_binary(value: dt.time) -> bytes:
    return _I64.pack(_time_micros(value))


def timetz_binary(value: dt.time) -> bytes:
    offset = value.utcoffset() or dt.timedelta(0)
    return _TIMETZ.pack(_time_micros(value), -int(offset.total_seconds()))


def timestamp_binary(value: dt.datetime) -> bytes:
    return _I64.pack(_timestamp_micros(value))


def timestamptz_binary(value: dt.datetime) -> bytes:
    if value.tzinfo is not None:
        value = value.astimezone(_UTC)
    return _I64.pack(_timestamp_micros(value))


def interval_binary(value: dt.timedelta | Interval) -> bytes:
    months, days, micros = _interval_fields(value)
    return _INTERVAL.pack(micros, days, months)


def uuid_binary(value: Any) -> bytes:
    return (value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))).bytes


def bytea_binary(value: Any) -> bytes:
    return bytes(value)


def _time_micros(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _timestamp_micros(value: dt.datetime) -> int:
    days = value.toordinal() - EPOCH_ORDINAL
    return days * USECS_PER_DAY + _time_micros(value.time())
