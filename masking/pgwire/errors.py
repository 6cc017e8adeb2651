"""Errors of the wire protocol layer, each with the SQLSTATE PostgreSQL would send.

:class:`ProtocolError` means the byte stream itself is wrong (a bad length, an unknown
message type, a string without its NUL): the connection cannot be trusted any more, so
the server sends one ErrorResponse and closes it. :class:`AuthenticationFailed` is a
failed login (the same message whether the user exists or not).
:class:`InvalidParameter` is a Bind parameter that does not decode as its declared type:
an ordinary statement error, after which the connection recovers at the next Sync.
"""

from __future__ import annotations

from catalog.errors import VeilError

__all__ = [
    "PROTOCOL_VIOLATION",
    "AuthenticationFailed",
    "InvalidParameter",
    "ProtocolError",
]

PROTOCOL_VIOLATION = "08P01"
INVALID_PASSWORD = "28P01"  # noqa: S105 (a SQLSTATE, not a password)
INVALID_TEXT_REPRESENTATION = "22P02"
INVALID_BINARY_REPRESENTATION = "22P03"
NUMERIC_VALUE_OUT_OF_RANGE = "22003"


class ProtocolError(VeilError):
    """The client (or server) broke the protocol; close the connection after reporting."""

    sqlstate = PROTOCOL_VIOLATION
    http_status = 400


class AuthenticationFailed(VeilError):
    """Wrong password, unknown user, or a proof that does not verify: one message for all."""

    sqlstate = INVALID_PASSWORD
    http_status = 401

    def __init__(self, user: str) -> None:
        super().__init__(f'password authentication failed for user "{user}"')
        self.user = user


class InvalidParameter(VeilError):
    """A Bind parameter value is not valid for its type (text or binary format)."""

    http_status = 400

    def __init__(self, message: str, *, binary: bool, sqlstate: str | None = None) -> None:
        super().__init__(message)
        default = INVALID_BINARY_REPRESENTATION if binary else INVALID_TEXT_REPRESENTATION
        self.sqlstate = sqlstate or default
