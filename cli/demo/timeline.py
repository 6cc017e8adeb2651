"""The demo company's calendar: one fixed "today" so every seed builds the same history.

The data must not depend on the wall clock (the same seed has to give the same
warehouse next year), so the company's world ends on ``AS_OF`` and the query
log covers the ``LOG_DAYS`` days up to and including it.
"""

from __future__ import annotations

import datetime as dt
import random

AS_OF = dt.date(2025, 6, 30)
HISTORY_START = dt.date(2023, 1, 1)
LOG_DAYS = 90
END_OF_DATA = dt.datetime.combine(AS_OF, dt.time(23, 59, 59))


def at_midnight(day: dt.date) -> dt.datetime:
    """``day`` as a TIMESTAMP at 00:00, for arithmetic with other timestamps."""
    return dt.datetime.combine(day, dt.time())


def random_datetime(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A uniformly drawn second in ``[start, end]`` (``start`` if the range is empty)."""
    span = int((end - start).total_seconds())
    return start + dt.timedelta(seconds=rng.randint(0, span)) if span > 0 else start


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A uniformly drawn day in ``[start, end]``."""
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def recent_datetime(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A second in ``[start, end]`` skewed to ``end``: a growing business has more recent rows."""
    span = int((end - start).total_seconds())
    return start + dt.timedelta(seconds=int(span * rng.random() ** 0.6)) if span > 0 else start


def shift_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years; 29 February becomes the 28th in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
