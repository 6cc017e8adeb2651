"""Timestamps as each source writes them, turned into aware datetimes.

The formats met in practice:

* ISO 8601 with ``T`` or a space, any fraction, ``Z`` or an offset
  (``2025-03-01T12:00:00.123Z``, ``2025-03-01 12:00:00.123+01:00``): generic logs,
  JSON exports;
* a zone after a space: PostgreSQL's ``log_time`` (``2025-03-01 12:00:00.123 UTC``,
  ``… CET``, ``… +03``), BigQuery CSV exports (``… UTC``), Snowflake's default
  TIMESTAMP_LTZ output (``2025-03-01 04:00:00.123 -0800``);
* epoch numbers in seconds, milliseconds or microseconds (API dumps, JSON exports of
  some tools), told apart by magnitude;
* no zone at all (Redshift system tables, which are UTC): ``naive_tz`` applies.

Zone abbreviations are ambiguous in general (IST is three zones); only the common
unambiguous ones are known, and an unknown one is an error rather than a guess.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

_HOURS = {
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0,
    "WEST": 1, "BST": 1, "CET": 1, "MET": 1,
    "CEST": 2, "MEST": 2, "EET": 2, "SAST": 2,
    "EEST": 3, "MSK": 3,
    "HKT": 8, "SGT": 8, "AWST": 8,
    "JST": 9, "KST": 9,
    "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10,
}  # fmt: skip
_ZONES: dict[str, tzinfo] = {
    name: timezone(timedelta(hours=hours), name) for name, hours in _HOURS.items()
}
_ZONES["UTC"] = _ZONES["Z"] = UTC

_TRAILING_ZONE = re.compile(
    r"(?P<body>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s+"
    r"(?:(?P<name>[A-Za-z]{1,5})|(?P<sign>[+-])(?P<hh>\d{1,2})(?::?(?P<mm>\d{2}))?)"
)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?")


def parse_timestamp(value: object, *, naive_tz: tzinfo = UTC) -> datetime | None:
    """``value`` as an aware datetime; ``None`` when empty; ``ValueError`` when unrecognised.

    >>> parse_timestamp("2025-03-01 12:00:00.123 UTC").isoformat()
    '2025-03-01T12:00:00.123000+00:00'
    >>> parse_timestamp(1740830400123).isoformat()
    '2025-03-01T12:00:00.123000+00:00'
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    text = value.strip()
    if not text:
        return None
    if _NUMBER.fullmatch(text):
        return _from_epoch(float(text))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = _with_zone_word(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=naive_tz)


def _with_zone_word(text: str) -> datetime:
    match = _TRAILING_ZONE.fullmatch(text)
    if match is None:
        raise ValueError(f"unrecognised timestamp {text!r}")
    body = datetime.fromisoformat(match["body"].replace(",", "."))
    if match["name"] is not None:
        zone = _ZONES.get(match["name"].upper())
        if zone is None:
            raise ValueError(f"unknown time zone {match['name']!r} in {text!r}")
        return body.replace(tzinfo=zone)
    offset = timedelta(hours=int(match["hh"]), minutes=int(match["mm"] or 0))
    return body.replace(tzinfo=timezone(-offset if match["sign"] == "-" else offset))


def _from_epoch(number: float) -> datetime:
    """Seconds, milliseconds, microseconds or nanoseconds since 1970, by magnitude."""
    magnitude = abs(number)
    if magnitude < 1e11:  # seconds until the year 5138
        seconds = number
    elif magnitude < 1e14:
        seconds = number / 1e3
    elif magnitude < 1e17:
        seconds = number / 1e6
    else:
        seconds = number / 1e9
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(f"epoch value out of range: {number!r}") from exc
