"""One exception hierarchy for all of Veil.

Every error a user can cause or meet derives from :class:`VeilError` and carries a
message written for that user: what went wrong and, where we know it, what to do
about it (``hint``). The CLI prints ``message`` (and ``hint``) without a traceback;
the gateway turns ``sqlstate`` into a PostgreSQL ErrorResponse; the web app turns
``http_status`` into a response code. Third-party exceptions are translated at the
boundary with ``raise VeilError(...) from exc`` so ``--debug`` still shows the cause.
"""

from __future__ import annotations


class VeilError(Exception):
    """Root of every error Veil raises on purpose."""

    #: PostgreSQL SQLSTATE the gateway reports for this error.
    sqlstate: str = "XX000"
    #: HTTP status the web app and API report for this error.
    http_status: int = 500

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class ConfigError(VeilError):
    """veil.yaml or a VEIL_* variable is invalid."""

    sqlstate = "F0000"  # config_file_error
    http_status = 500


class UsageError(VeilError):
    """The user asked for something that does not make sense (bad argument, unknown name)."""

    sqlstate = "22023"  # invalid_parameter_value
    http_status = 400


class NotFoundError(UsageError):
    """A named catalog object (warehouse, table, column) does not exist."""

    sqlstate = "42704"  # undefined_object
    http_status = 404


class WarehouseError(VeilError):
    """Veil could not talk to a warehouse (bad URL, missing driver, unreachable, denied)."""

    sqlstate = "08006"  # connection_failure
    http_status = 502


class CatalogStoreError(VeilError):
    """The catalog/policy store cannot be opened, migrated or written."""

    sqlstate = "58000"  # system_error
    http_status = 503
