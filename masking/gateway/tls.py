"""TLS for the gateway: the server's certificate, loaded and checked once at startup.

A client asks for TLS with an SSLRequest before its StartupMessage; with a
certificate configured the gateway answers ``S`` and the session continues over TLS
(:meth:`~masking.gateway.session.Session.startup`), otherwise ``N``, as a PostgreSQL
server without ``ssl = on``. GSSENCRequest is always answered ``N``.

:func:`load_tls` fails with a :class:`~catalog.errors.ConfigError` that names the file
and the fix (unreadable, not PEM, key of another certificate, passphrase-protected
key), so ``veil proxy`` stops before it listens rather than at the first client. The
certificate's tls-server-end-point hash is computed here too: SCRAM-SHA-256-PLUS
(channel binding, libpq's ``channel_binding=require``) is offered with it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from catalog.errors import ConfigError
from masking.pgwire.scram import tls_server_end_point

__all__ = ["ServerTLS", "load_tls", "start_tls"]

log = logging.getLogger(__name__)

_PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)
_HINT = (
    "Give --tls-cert a PEM certificate (chain) and --tls-key its unencrypted PEM "
    "private key (settings gateway_tls_cert and gateway_tls_key)."
)


@dataclass(frozen=True)
class ServerTLS:
    """What a session needs to offer TLS."""

    context: ssl.SSLContext
    #: tls-server-end-point channel-binding data; None when the certificate's signature
    #: algorithm defines no hash for it (Ed25519, RSASSA-PSS): SCRAM then runs unbound.
    channel_binding: bytes | None
    #: Clients that do not ask for TLS are refused (FATAL 28000).
    required: bool = False


def load_tls(cert: str | Path, key: str | Path, *, required: bool = False) -> ServerTLS:
    """The server TLS context for ``cert`` (PEM, leaf first) and ``key`` (PEM)."""
    cert_text = _read(cert, "certificate")
    key_text = _read(key, "private key")
    leaf = _PEM_CERTIFICATE.search(cert_text)
    if leaf is None:
        raise ConfigError(f"TLS certificate {cert} holds no PEM certificate", hint=_HINT)
    if "PRIVATE KEY-----" not in key_text:
        raise ConfigError(f"TLS private key {key} holds no PEM private key", hint=_HINT)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # PostgreSQL's ssl_min_protocol_version
    context.set_alpn_protocols(["postgresql"])  # what PostgreSQL 17 servers announce
    try:
        context.load_cert_chain(str(cert), str(key), password=_no_passphrase(key))
    except ssl.SSLError as e:
        if getattr(e, "reason", None) == "KEY_VALUES_MISMATCH":
            raise ConfigError(
                f"TLS private key {key} does not belong to the certificate {cert}", hint=_HINT
            ) from e
        raise ConfigError(
            f"cannot load the TLS certificate {cert} with key {key}: {e.reason or e}", hint=_HINT
        ) from e
    try:
        binding: bytes | None = tls_server_end_point(ssl.PEM_cert_to_DER_cert(leaf.group()))
    except ValueError as e:
        log.warning("TLS certificate %s: %s; SCRAM logins run without channel binding", cert, e)
        binding = None
    return ServerTLS(context, binding, required)


async def start_tls(writer: asyncio.StreamWriter, tls: ServerTLS, *, timeout: float) -> bool:
    """Upgrade the server side of ``writer`` (and its reader) to TLS; False when the
    handshake fails (garbage instead of a ClientHello, a client that leaves or stays
    silent for ``timeout`` seconds). The stream must hold no unread plaintext."""
    try:
        await writer.start_tls(tls.context, ssl_handshake_timeout=timeout)
    except OSError as e:  # ssl.SSLError, ConnectionError, TimeoutError
        peer = writer.get_extra_info("peername")
        log.info("TLS handshake with %s failed: %s", peer, str(e) or type(e).__name__)
        return False
    return True


def _read(path: str | Path, what: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii", errors="replace")
    except OSError as e:
        raise ConfigError(
            f"cannot read the TLS {what} {path}: {e.strerror or e}", hint=_HINT
        ) from e


def _no_passphrase(key: str | Path) -> Callable[[], str]:
    def ask() -> str:
        # OpenSSL would otherwise prompt on the terminal of a server process.
        raise ConfigError(
            f"TLS private key {key} is protected by a passphrase, which the gateway cannot ask for",
            hint="Decrypt it (openssl pkey -in KEY -out PLAIN.key) and keep that file "
            "readable only by the gateway's user.",
        )

    return ask
