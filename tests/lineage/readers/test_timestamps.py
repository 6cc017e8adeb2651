"""Timestamps in the shapes each source writes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lineage.readers.timestamps import parse_timestamp


def tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2025-03-01T12:00:00Z", datetime(2025, 3, 1, 12, tzinfo=UTC)),
        ("2025-03-01T12:00:00.123Z", datetime(2025, 3, 1, 12, 0, 0, 123000, UTC)),
        ("2025-03-01 12:00:00.123456789Z", datetime(2025, 3, 1, 12, 0, 0, 123456, UTC)),
        ("2025-03-01T12:00:00+01:00", datetime(2025, 3, 1, 12, tzinfo=tz(1))),
        ("2025-03-01 12:00:00-0800", datetime(2025, 3, 1, 12, tzinfo=tz(-8))),
        ("2025-03-01 12:00:00.123 UTC", datetime(2025, 3, 1, 12, 0, 0, 123000, UTC)),  # PostgreSQL
        ("2025-03-01 12:00:00.123 CET", datetime(2025, 3, 1, 12, 0, 0, 123000, tz(1))),
        (
            "2025-03-01 12:00:00 +03",
            datetime(2025, 3, 1, 12, tzinfo=tz(3)),
        ),  # log_timezone without a name
        (
            "2025-03-01 12:00:00.123456 UTC",
            datetime(2025, 3, 1, 12, 0, 0, 123456, UTC),
        ),  # BigQuery CSV
        (
            "2025-03-01 04:00:00.123 -0800",
            datetime(2025, 3, 1, 4, 0, 0, 123000, tz(-8)),
        ),  # Snowflake LTZ
        ("2025-03-01 04:00:00.123 +05:30", datetime(2025, 3, 1, 4, 0, 0, 123000, tz(5.5))),
        (
            "2025-03-01 12:00:00.123456",
            datetime(2025, 3, 1, 12, 0, 0, 123456, UTC),
        ),  # Redshift: UTC
        ("2025-03-01", datetime(2025, 3, 1, tzinfo=UTC)),
        (1740830400, datetime(2025, 3, 1, 12, tzinfo=UTC)),  # epoch seconds
        (1740830400.5, datetime(2025, 3, 1, 12, 0, 0, 500000, UTC)),
        ("1740830400123", datetime(2025, 3, 1, 12, 0, 0, 123000, UTC)),  # epoch millis
        (1740830400123456, datetime(2025, 3, 1, 12, 0, 0, 123456, UTC)),  # epoch micros
        ("1.740830400E9", datetime(2025, 3, 1, 12, tzinfo=UTC)),  # BigQuery API float seconds
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_timestamp(value, expected):
    parsed = parse_timestamp(value)
    assert parsed == expected
    assert parsed is None or parsed.utcoffset() == expected.utcoffset()


def test_naive_times_take_the_given_zone():
    assert parse_timestamp("2025-03-01 12:00", naive_tz=tz(2)).utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "value, message",
    [
        ("yesterday", "unrecognised timestamp"),
        ("2025-03-01 12:00:00 IST", "unknown time zone 'IST'"),
        ("2025-13-01 12:00:00 UTC", "month must be in 1..12"),
        (True, "not a timestamp"),
        ({"t": 1}, "not a timestamp"),
        (1e30, "out of range"),
    ],
)
def test_unrecognised_timestamps_raise_value_error(value, message):
    with pytest.raises(ValueError, match=message):
        parse_timestamp(value)
