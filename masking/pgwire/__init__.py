"""The PostgreSQL v3 wire protocol, as pure code for the gateway's network layer.

- :mod:`~masking.pgwire.frontend`: what clients send; :class:`FrontendReader` turns
  received bytes into messages (startup phase first), strictly.
- :mod:`~masking.pgwire.backend`: what servers send; records whose ``encode()`` gives
  the bytes, ready-made constants, :func:`data_row`, and :class:`BackendReader`.
- :mod:`~masking.pgwire.scram`: the server side of SCRAM-SHA-256 logins.
- :mod:`~masking.pgwire.types`: PostgreSQL types, DuckDB's mapped to them, and
  :class:`RowEncoder` (rows to DataRow bytes); :mod:`~masking.pgwire.values` and
  :mod:`~masking.pgwire.params` are the per-type codecs.
- :mod:`~masking.pgwire.framing`: splitting a byte stream into frames.
- :mod:`~masking.pgwire.errors`: ProtocolError (08P01: close the connection),
  AuthenticationFailed (28P01), InvalidParameter (22P02/22P03: recover at Sync).

Nothing here does I/O; the asyncio server feeds bytes in and writes bytes out.
"""

from masking.pgwire.backend import BackendReader, ErrorResponse
from masking.pgwire.errors import AuthenticationFailed, InvalidParameter, ProtocolError
from masking.pgwire.frontend import FrontendReader
from masking.pgwire.scram import ScramServer, tls_server_end_point
from masking.pgwire.types import ResultColumn, RowEncoder, decode_parameter

__all__ = [
    "AuthenticationFailed",
    "BackendReader",
    "ErrorResponse",
    "FrontendReader",
    "InvalidParameter",
    "ProtocolError",
    "ResultColumn",
    "RowEncoder",
    "ScramServer",
    "decode_parameter",
    "tls_server_end_point",
]
