"""Session parameters: what SET, RESET and SHOW do, and what ParameterStatus reports.

Statements of kind SESSION pass enforcement unchanged and are answered here, not by
the warehouse: the gateway owns the session. ``search_path``'s first schema becomes the
default schema the rewriter resolves unqualified names in. The parameters the row
encoders depend on (:data:`~masking.pgwire.types.FORMAT_PARAMETERS`) may only be set to
values that keep the encoding right; ``TimeZone`` may be any IANA zone and is passed
to the encoders.

>>> p = SessionParameters({"application_name": "psql"})
>>> p.apply_set("SET search_path TO sales, public")
('search_path', 'sales, public')
>>> p.default_schema
'sales'
>>> p.show("search_path")
'sales, public'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping

from masking.errors import FEATURE_NOT_SUPPORTED, Refused
from masking.pgwire.types import FORMAT_PARAMETERS

__all__ = ["REPORTED", "SERVER_VERSION", "SessionParameters"]

SERVER_VERSION = "15.0 (Veil)"
INVALID_PARAMETER_VALUE = "22023"
UNDEFINED_OBJECT = "42704"

_DEFAULTS: dict[str, str] = {
    "server_version": SERVER_VERSION,
    "server_version_num": "150000",
    "server_encoding": "UTF8",
    "application_name": "",
    "is_superuser": "off",
    "session_authorization": "",
    "search_path": '"$user", public',
    "transaction_isolation": "read committed",
    "transaction_read_only": "off",
    "default_transaction_isolation": "read committed",
    "default_transaction_read_only": "off",
    "extra_float_digits": "1",
    "bytea_output": "hex",
    "client_min_messages": "notice",
    "statement_timeout": "0",
    "lock_timeout": "0",
    "idle_in_transaction_session_timeout": "0",
    "max_identifier_length": "63",
    "lc_messages": "C",
    "lc_monetary": "C",
    "lc_numeric": "C",
    "lc_time": "C",
    **FORMAT_PARAMETERS,
}
#: Sent as ParameterStatus at startup and whenever they change (PostgreSQL's GUC_REPORT).
REPORTED = (
    "server_version",
    "server_encoding",
    "client_encoding",
    "application_name",
    "is_superuser",
    "session_authorization",
    "DateStyle",
    "IntervalStyle",
    "TimeZone",
    "integer_datetimes",
    "standard_conforming_strings",
)
#: Only these values keep the encoders' output right (lower-cased, spaces removed).
_FIXED = {
    "client_encoding": {"utf8", "utf-8", "unicode"},
    "datestyle": {"iso", "iso,mdy", "mdy,iso", "iso,ymd", "iso,dmy"},
    "intervalstyle": {"postgres"},
    "standard_conforming_strings": {"on", "true", "1"},
    "integer_datetimes": {"on"},
    "bytea_output": {"hex"},
}
_SET = re.compile(
    r"^\s*set\s+(?:(?:session|local)\s+)?(?P<name>time\s+zone|[\w.]+|\"[^\"]+\")"
    r"\s*(?:(?:to|=)\s*)?(?P<value>.*?)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


class SessionParameters:
    """One session's parameters, seeded from the StartupMessage."""

    def __init__(self, startup: Mapping[str, str] | None = None) -> None:
        self._values = dict(_DEFAULTS)
        self._names = {k.lower(): k for k in self._values}
        for name, value in (startup or {}).items():
            if name in ("user", "database", "options", "replication") or name.startswith("_pq_"):
                continue
            # PostgreSQL would refuse the connection; keeping the default is kinder.
            with contextlib.suppress(Refused):
                self.set(name, value)

    @property
    def timezone(self) -> dt.tzinfo:
        zone = self._values["TimeZone"]
        return dt.UTC if zone.upper() in ("UTC", "GMT", "Z") else zoneinfo.ZoneInfo(zone)

    @property
    def default_schema(self) -> str | None:
        """The first schema of search_path that is a real name (not ``$user``)."""
        for part in self._values["search_path"].split(","):
            name = part.strip().strip('"')
            if name and name != "$user":
                return name
        return None

    def reported(self) -> dict[str, str]:
        return {name: self._values[name] for name in REPORTED}

    def show(self, name: str) -> str:
        key = self._names.get(name.strip().strip('"').lower())
        if key is None:
            raise Refused(
                f'unrecognized configuration parameter "{name}"', sqlstate=UNDEFINED_OBJECT
            )
        return self._values[key]

    def all(self) -> dict[str, str]:
        return dict(sorted(self._values.items()))

    def set(self, name: str, value: str) -> str:
        """Set ``name``; returns its canonical spelling. Raises Refused (22023)."""
        lowered = name.lower()
        key = self._names.get(lowered, name)
        text = value.strip()
        if len(text) >= 2 and text[0] == text[-1] == "'":
            text = text[1:-1].replace("''", "'")
        if text.lower() == "default":
            text = _DEFAULTS.get(key, "")
        allowed = _FIXED.get(lowered)
        if allowed is not None and text.lower().replace(" ", "") not in allowed:
            raise Refused(
                f'the gateway only supports {key} = {_DEFAULTS[key]!r}, not "{text}"',
                sqlstate=INVALID_PARAMETER_VALUE,
            )
        if lowered == "client_encoding":
            text = "UTF8"
        elif lowered == "datestyle":
            text = "ISO, MDY"
        elif lowered == "timezone":
            text = _check_zone(text)
        self._values[key] = text
        self._names[lowered] = key
        return key

    def apply_set(self, sql: str) -> tuple[str, str] | None:
        """Apply a SET or RESET statement; (name, new value), or None for RESET ALL,
        ``SET SESSION CHARACTERISTICS`` and ``SET TRANSACTION`` (accepted, no effect)."""
        words = sql.split()
        if words[0].lower() == "reset":
            target = words[1].strip(";") if len(words) > 1 else "all"
            if target.lower() == "all":
                for name in list(self._values):
                    self._values[name] = _DEFAULTS.get(name, "")
                return None
            key = self.set(target, "default")
            return key, self._values[key]
        if (
            len(words) > 1
            and words[1].lower() in ("transaction", "session")
            and (words[1].lower() == "transaction" or words[2].lower() == "characteristics")
        ):
            return None
        match = _SET.match(sql)
        if match is None:
            raise Refused("SET statement not understood", sqlstate=FEATURE_NOT_SUPPORTED)
        name = match.group("name").strip('"')
        if " " in name:  # SET TIME ZONE x
            name = "TimeZone"
        value = match.group("value")
        if name.lower() == "search_path":
            parts = [p.strip() for p in value.split(",")]
            value = ", ".join(
                p[1:-1] if p.startswith("'") and p.endswith("'") else p for p in parts
            )
            self._values["search_path"] = value
            return "search_path", value
        key = self.set(name, value)
        return key, self._values[key]


def _check_zone(text: str) -> str:
    if text.upper() in ("UTC", "GMT", "Z", "LOCAL"):
        return "UTC"
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Refused(
            f'invalid value for parameter "TimeZone": "{text}"', sqlstate=INVALID_PARAMETER_VALUE
        ) from None
    return text
