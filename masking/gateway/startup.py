"""A connection's first phase: encryption, the StartupMessage, admission and login.

In PostgreSQL's order:

1. SSLRequest: ``S`` and a TLS handshake when the gateway has a certificate
   (:mod:`masking.gateway.tls`), else ``N``; GSSENCRequest: always ``N``. The client
   then sends its StartupMessage (over TLS if it got ``S``). A CancelRequest instead
   cancels the statement of the connection it names, and the connection ends.
2. The StartupMessage: protocol 3.x and a user name; the session parameters it sets
   (``statement_timeout`` bounded by the gateway's). Without TLS where TLS is
   required: FATAL 28000, audited as a failed login.
3. Admission (shutting down: 57P03; too many clients: 53300), then SCRAM-SHA-256,
   offering SCRAM-SHA-256-PLUS (tls-server-end-point channel binding) over TLS. A
   failed login is audited.
4. The warehouse connection (:meth:`Session.open_backend`), then AuthenticationOk,
   ParameterStatus, BackendKeyData and ReadyForQuery.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from catalog.errors import VeilError
from masking.gateway.parameters import SessionParameters
from masking.gateway.tls import ServerTLS, start_tls
from masking.pgwire import backend as be
from masking.pgwire import frontend as fe
from masking.pgwire.errors import AuthenticationFailed, ProtocolError
from masking.pgwire.scram import ScramServer
from policies.audit import AuditUnavailable
from policies.users import find_verifier

if TYPE_CHECKING:
    from masking.gateway.session import Session

__all__ = ["Closed", "Fatal", "start_session"]

log = logging.getLogger(__name__)


class Closed(Exception):
    """The connection is over (Terminate, EOF, a FATAL error already sent)."""


class Fatal(VeilError):
    """An error that ends the connection after it is sent with severity FATAL."""

    def __init__(self, message: str, *, sqlstate: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.sqlstate = sqlstate


async def start_session(session: Session) -> bool:
    """Startup and login; False for a CancelRequest connection (already handled)."""
    gateway = session.gateway
    tls = gateway.tls
    while True:
        message = await session.next_message()
        if isinstance(message, fe.SSLRequest) and session.encrypted:
            raise ProtocolError("SSLRequest received on a connection that already uses TLS")
        if isinstance(message, fe.SSLRequest) and tls is not None:
            await _start_tls(session, tls)
            continue
        if isinstance(message, fe.SSLRequest | fe.GSSENCRequest):
            session.write(be.SSL_REFUSED)
            await session.flush()
            continue
        if isinstance(message, fe.CancelRequest):
            gateway.cancel(message.pid, message.secret)
            return False
        if isinstance(message, fe.StartupMessage):
            break
        raise ProtocolError("expected a startup message")
    if message.major != 3:
        raise Fatal(
            f"unsupported frontend protocol {message.major}.{message.minor}", sqlstate="0A000"
        )
    if not message.user:
        raise Fatal("no PostgreSQL user name specified in startup packet", sqlstate="28000")
    session.user = message.user
    session.audit.user = message.user
    session.params = SessionParameters(message.parameters)
    session.clock.bound(session.params, gateway.config.statement_timeout)
    if message.minor > 0 or message.protocol_options:
        session.write(be.NegotiateProtocolVersion(0, message.protocol_options).encode())
    if tls is not None and tls.required and not session.encrypted:
        await audit_login_failure(session, "TLS required", "28000")
        raise Fatal(
            "TLS required",
            sqlstate="28000",
            hint="This gateway only accepts TLS connections: use sslmode=require "
            "(or verify-ca, verify-full).",
        )
    if gateway.shutting_down:
        raise Fatal("the gateway is shutting down", sqlstate="57P03")
    if not gateway.admit(session):
        raise Fatal("sorry, too many clients already", sqlstate="53300")
    await _login(session)
    session.audit.roles = gateway.enforcement.roles_of(session.user)
    await session.open_backend()
    session.write(be.AuthenticationOk().encode())
    for name, value in session.reported_parameters().items():
        session.write(be.ParameterStatus(name, value).encode())
    session.write(be.BackendKeyData(session.pid, session.secret).encode())
    session.write(be.ReadyForQuery("I").encode())
    await session.flush()
    return True


async def _start_tls(session: Session, tls: ServerTLS) -> None:
    """Answer an SSLRequest with 'S' and continue over TLS; a failed handshake (a
    client that sent garbage, or went away) just ends the connection."""
    if session.unread:
        raise ProtocolError("received unencrypted data after SSL request")
    session.write(be.SSL_ACCEPTED)
    # Nothing was awaited since the SSLRequest was read, so no plaintext sent after it
    # can be buffered in the stream and later read as if it had come encrypted.
    if not await start_tls(session.writer, tls, timeout=session.gateway.config.auth_timeout):
        raise Closed
    session.encrypted = True
    session.channel_binding = tls.channel_binding


async def _login(session: Session) -> None:
    verifier = await session.call(find_verifier, session.gateway.store, session.user)
    scram = ScramServer(
        session.user,
        verifier,
        mock_key=session.gateway.mock_key,
        channel_binding=session.channel_binding,
    )
    session.write(be.AuthenticationSASL(scram.mechanisms).encode())
    await session.flush()
    try:
        initial = await session.next_message()
        if not isinstance(initial, fe.AuthResponse):
            raise ProtocolError("expected SASL response")
        sasl = initial.sasl_initial()
        session.write(
            be.AuthenticationSASLContinue(scram.first(sasl.mechanism, sasl.data)).encode()
        )
        await session.flush()
        final = await session.next_message()
        if not isinstance(final, fe.AuthResponse):
            raise ProtocolError("expected SASL response")
        session.write(be.AuthenticationSASLFinal(scram.final(final.data)).encode())
    except (AuthenticationFailed, ProtocolError) as e:
        await audit_login_failure(session, e.message, e.sqlstate)
        raise


async def audit_login_failure(session: Session, reason: str, sqlstate: str) -> None:
    try:
        await session.audit.login_failed(session.user, reason, sqlstate)
    except AuditUnavailable:
        log.warning("a failed login could not be audited")
