"""Refusals: every reason enforcement stops a statement, with the SQLSTATE a client sees.

The gateway sends ``sqlstate`` and ``message`` in a PostgreSQL ErrorResponse; the CLI
and the HTTP API show the same sentence. Messages name the reason (the column, the
table, the function, the statement kind) and never quote data.
"""

from __future__ import annotations

from catalog.errors import VeilError

INSUFFICIENT_PRIVILEGE = "42501"
SYNTAX_ERROR = "42601"
UNDEFINED_TABLE = "42P01"
UNDEFINED_COLUMN = "42703"
UNDEFINED_FUNCTION = "42883"
FEATURE_NOT_SUPPORTED = "0A000"


class Refused(VeilError):
    """Enforcement refused a statement. ``sqlstate`` is set per refusal."""

    http_status = 403

    def __init__(self, message: str, *, sqlstate: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.sqlstate = sqlstate


def denied(message: str, *, hint: str | None = None) -> Refused:
    return Refused(message, sqlstate=INSUFFICIENT_PRIVILEGE, hint=hint)


def syntax(message: str) -> Refused:
    return Refused(message, sqlstate=SYNTAX_ERROR)
