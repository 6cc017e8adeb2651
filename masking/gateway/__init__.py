"""The masking gateway: a PostgreSQL v3 protocol server that enforces every statement.

- :mod:`~masking.gateway.server`: :class:`Gateway` (asyncio server, limits, shutdown)
  and :func:`open_gateway` (a gateway over a catalogued warehouse).
- :mod:`~masking.gateway.startup`: a connection's first phase (SSLRequest and TLS,
  StartupMessage, admission, SCRAM login); :mod:`~masking.gateway.tls` loads and
  checks the server certificate.
- :mod:`~masking.gateway.session`: one connection's state machine (simple and
  extended query protocols).
- :mod:`~masking.gateway.timeouts`: statement_timeout, bounded by the gateway's limit.
- :mod:`~masking.gateway.execution`: prepared statements, portals, cursors.
- :mod:`~masking.gateway.parameters`: SET/SHOW/RESET and ParameterStatus.
- :mod:`~masking.gateway.auditing`: the audit records a session writes.
- :mod:`~masking.gateway.backend`: the warehouse seam (a Protocol);
  :mod:`~masking.gateway.duckdb_backend` implements it for DuckDB files.
"""

from masking.gateway.backend import Backend, BackendConnection, BackendError, Result
from masking.gateway.duckdb_backend import DuckDBBackend
from masking.gateway.server import Gateway, GatewayConfig, open_gateway

__all__ = [
    "Backend",
    "BackendConnection",
    "BackendError",
    "DuckDBBackend",
    "Gateway",
    "GatewayConfig",
    "Result",
    "open_gateway",
]
