"""Statement timeouts: PostgreSQL's ``statement_timeout``, bounded by the gateway's.

``veil proxy --statement-timeout S`` (:attr:`GatewayConfig.statement_timeout`) is the
longest a statement may run; 0 means no limit. It is every session's starting
``statement_timeout``. A client may lower it for its session (``SET
statement_timeout``, or the startup parameter) but not raise it: a larger value, or 0,
is capped at the gateway's limit and the client is told so with a NOTICE. Without a
gateway limit clients set what they like, as on PostgreSQL.

Who enforces it depends on the warehouse. Over DuckDB the session arms a timer for
each statement (:meth:`~masking.gateway.session.Session.timed`) that interrupts the
warehouse call and fails the statement with 57014. The PostgreSQL relay passes the
bounded value to the warehouse as a startup parameter and relays capped SETs, so the
warehouse cancels the statement itself, with the same SQLSTATE.

Values are read as PostgreSQL reads them: milliseconds without a unit, else one of
``us ms s min h d``.

>>> parse_timeout("1500"), parse_timeout("2 min"), parse_timeout("'0'")
(1.5, 120.0, 0.0)
>>> format_timeout(1.5), format_timeout(120), format_timeout(0)
('1500ms', '2min', '0')
>>> bounded_set("SET statement_timeout = 0", limit=30.0)
('SET statement_timeout = 30000', 'statement_timeout is capped at the gateway limit of 30s')
>>> bounded_set("SET LOCAL statement_timeout TO '5s'", limit=30.0) is None
True
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from masking.errors import Refused
from masking.gateway.backend import BackendError
from masking.gateway.parameters import SessionParameters

__all__ = [
    "StatementClock",
    "bounded",
    "bounded_set",
    "format_timeout",
    "parse_timeout",
    "timed_out",
]

T = TypeVar("T")
INVALID_PARAMETER_VALUE = "22023"
QUERY_CANCELED = "57014"
_MAX_MS = 2_147_483_647  # PostgreSQL's INT_MAX milliseconds

#: Unit → milliseconds, as PostgreSQL's time units.
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "min": 60_000.0, "h": 3_600_000.0, "d": 86_400_000.0}
_VALUE = re.compile(
    r"^\s*(?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<unit>[a-z]*)\s*$"
)
_SET = re.compile(
    r"^\s*set\s+(?P<scope>(?:session|local)\s+)?statement_timeout\b\s*(?:(?:to\b|=)\s*)?"
    r"(?P<value>.*?)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def parse_timeout(text: str) -> float:
    """Seconds of a ``statement_timeout`` value; Refused (22023) when it is not one."""
    value = text.strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        value = value[1:-1]
    match = _VALUE.match(value)
    unit = match.group("unit") if match else ""
    if match is None or (unit and unit not in _UNITS):
        raise Refused(
            f'invalid value for parameter "statement_timeout": "{value}"',
            sqlstate=INVALID_PARAMETER_VALUE,
            hint='Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".',
        )
    ms = round(float(match.group("number")) * _UNITS[unit or "ms"])
    if not 0 <= ms <= _MAX_MS:
        raise Refused(
            f'{value} is outside the valid range for parameter "statement_timeout" '
            f"(0 .. {_MAX_MS})",
            sqlstate=INVALID_PARAMETER_VALUE,
        )
    return ms / 1000


def format_timeout(seconds: float) -> str:
    """``seconds`` as PostgreSQL shows a time setting: in its largest exact unit."""
    ms = round(seconds * 1000)
    if ms == 0:
        return "0"
    for unit in ("d", "h", "min", "s"):
        size = int(_UNITS[unit])
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def bounded(value: float, limit: float) -> float:
    """The timeout a session gets for ``value`` under the gateway's ``limit`` (0: none)."""
    if limit <= 0:
        return value
    return limit if value <= 0 else min(value, limit)


def bounded_set(sql: str, *, limit: float) -> tuple[str, str] | None:
    """For a ``SET statement_timeout`` above the gateway's ``limit``: the statement
    to run instead and the notice to send; None for any other statement. Raises
    Refused for a value that is not a timeout."""
    match = _SET.match(sql)
    if match is None:
        return None
    value = match.group("value")
    if value.lower() == "default":  # the session's starting value: already bounded
        return None
    seconds = parse_timeout(value)
    if limit <= 0 or bounded(seconds, limit) == seconds:
        return None
    scope = (match.group("scope") or "").strip().upper()
    statement = f"SET {scope + ' ' if scope else ''}statement_timeout = {round(limit * 1000)}"
    return statement, f"statement_timeout is capped at the gateway limit of {format_timeout(limit)}"


def timed_out() -> BackendError:
    """The error of a statement stopped by its timeout, as PostgreSQL words it."""
    return BackendError("canceling statement due to statement timeout", sqlstate=QUERY_CANCELED)


class StatementClock:
    """One session's statement timeout (over DuckDB, where the gateway runs statements).

    :meth:`bound` keeps the session's ``statement_timeout`` within the gateway's limit;
    :meth:`start` starts a statement's time (each statement of a Query, each
    extended-protocol message: PostgreSQL stops the clock at each Execute);
    :meth:`run` wraps each of its warehouse calls.
    """

    def __init__(self) -> None:
        #: The session's bounded timeout in seconds; 0: none.
        self.seconds = 0.0
        self._deadline: float | None = None

    def bound(self, params: SessionParameters, limit: float) -> None:
        """Read the session's ``statement_timeout`` (after the startup parameters and
        after SET/RESET), rewriting it to the gateway's ``limit`` when it is higher or
        none; an invalid startup value becomes the default, as other parameters do."""
        shown = params.show("statement_timeout")
        try:
            value = parse_timeout(shown)
        except Refused:
            value = 0.0
        self.seconds = bounded(value, limit)
        if format_timeout(self.seconds) != shown:
            params.set("statement_timeout", format_timeout(self.seconds))

    def start(self) -> None:
        seconds = self.seconds
        self._deadline = asyncio.get_running_loop().time() + seconds if seconds > 0 else None

    async def run(self, call: Callable[[], Awaitable[T]], interrupt: Callable[[], None]) -> T:
        """Await ``call()`` (a warehouse call in a worker thread); at the deadline call
        ``interrupt`` (repeatedly, until the call returns: its thread may not have
        started it yet) and turn the warehouse's error into 57014 statement timeout.
        Past the deadline already, fail without calling."""
        deadline = self._deadline
        if deadline is None:
            return await call()
        loop = asyncio.get_running_loop()
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise timed_out()
        expired = False
        timer: asyncio.TimerHandle | None = None

        def expire() -> None:
            nonlocal expired, timer
            expired = True
            interrupt()
            timer = loop.call_later(0.05, expire)

        timer = loop.call_later(remaining, expire)
        try:
            return await call()
        except BackendError as e:
            if expired:
                raise timed_out() from e
            raise
        finally:
            if timer is not None:
                timer.cancel()
