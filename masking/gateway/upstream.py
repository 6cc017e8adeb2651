"""Connections from the gateway to a PostgreSQL warehouse, as its service account.

:class:`PostgresWarehouse` is the backend of a gateway over PostgreSQL: the address and
service account of the warehouse's URL as registered by ``veil scan``. Each client
session opens one :class:`Upstream` (asyncio streams, protocol 3.0, no TLS) and logs in
itself: trust, cleartext password, MD5 and SCRAM-SHA-256 (client side, without channel
binding). :func:`send_cancel` sends a CancelRequest for an upstream's BackendKeyData on
a fresh connection, as libpq does.

Failures to reach or log in to the warehouse raise :class:`UpstreamError` with SQLSTATE
08006 (connection failure) or the warehouse's own code, so the client is told clearly.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.engine import URL

from catalog.errors import VeilError
from masking.gateway.backend import BackendConnection, BackendError
from masking.pgwire import backend as be
from masking.pgwire import frontend as fe
from masking.pgwire.errors import ProtocolError
from policies.credentials import saslprep

__all__ = [
    "CONNECTION_FAILURE",
    "PostgresWarehouse",
    "ScramClient",
    "Upstream",
    "UpstreamError",
    "send_cancel",
]

CONNECTION_FAILURE = "08006"
#: Startup parameters of the client that are passed on to the warehouse: formatting
#: and the session's statement_timeout (already bounded by the gateway's limit, see
#: masking.gateway.timeouts), never identity, database or ``options`` (which could set
#: any parameter).
FORWARDED_STARTUP = frozenset(
    {
        "application_name",
        "client_encoding",
        "DateStyle",
        "TimeZone",
        "IntervalStyle",
        "extra_float_digits",
        "statement_timeout",
    }
)


class UpstreamError(VeilError):
    """The warehouse could not be reached, refused the login, or went away."""

    def __init__(self, message: str, *, sqlstate: str = CONNECTION_FAILURE) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@dataclass(frozen=True)
class PostgresWarehouse:
    """Where the warehouse is and who the gateway logs in as (the URL's user)."""

    host: str
    port: int
    user: str
    password: str | None = field(repr=False)  # never in a repr, a log or a traceback
    database: str
    connect_timeout: float = 10.0

    #: sqlglot dialect of the warehouse.
    dialect = "postgres"

    @classmethod
    def from_url(cls, url: URL) -> PostgresWarehouse:
        return cls(
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password if isinstance(url.password, str) else None,
            database=url.database or url.username or "postgres",
        )

    def describe(self) -> str:
        return f"the PostgreSQL warehouse at {self.host}:{self.port}/{self.database}"

    def connect(self) -> BackendConnection:
        """Statements are relayed by :class:`~masking.gateway.relay.RelaySession`."""
        raise BackendError("a PostgreSQL warehouse is relayed, not run", sqlstate="XX000")

    def close(self) -> None:
        """Nothing is shared between sessions."""

    async def open_stream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), self.connect_timeout
            )
        except (OSError, TimeoutError) as e:
            raise UpstreamError(f"cannot reach {self.describe()}: {e}") from None


class ScramClient:
    """SCRAM-SHA-256 client side (RFC 5802/7677), no channel binding."""

    def __init__(self, password: str, *, nonce: str | None = None) -> None:
        self._password = saslprep(password).encode()
        self._nonce = nonce or base64.b64encode(secrets.token_bytes(18)).decode()
        self._bare = f"n=,r={self._nonce}"
        self._server_signature = b""

    def first(self) -> bytes:
        return f"n,,{self._bare}".encode()

    def final(self, server_first: bytes) -> bytes:
        text = server_first.decode()
        attrs = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
        nonce, salt, iterations = attrs.get("r", ""), attrs.get("s", ""), attrs.get("i", "")
        if not nonce.startswith(self._nonce) or not salt or not iterations.isdigit():
            raise UpstreamError("the warehouse sent a malformed SCRAM message")
        salted = hashlib.pbkdf2_hmac(
            "sha256", self._password, base64.b64decode(salt), int(iterations)
        )
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={nonce}"
        auth_message = f"{self._bare},{text},{without_proof}".encode()
        signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        self._server_signature = hmac.new(server_key, auth_message, hashlib.sha256).digest()
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def verify(self, server_final: bytes) -> None:
        expected = b"v=" + base64.b64encode(self._server_signature)
        if not hmac.compare_digest(server_final.strip(), expected):
            raise UpstreamError("the warehouse's SCRAM signature did not verify")


def md5_password(user: str, password: str, salt: bytes) -> str:
    inner = hashlib.md5((password + user).encode()).hexdigest()  # noqa: S324 (the protocol's)
    return "md5" + hashlib.md5(inner.encode() + salt).hexdigest()  # noqa: S324


class Upstream:
    """One logged-in connection to the warehouse."""

    def __init__(
        self, target: PostgresWarehouse, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.target = target
        self.reader = reader
        self.writer = writer
        self.pid = 0
        self.secret = b""
        self.parameters: dict[str, str] = {}
        #: Bytes read but not yet relayed (frames are split by the relay).
        self.buffer = bytearray()
        #: Bytes queued by :meth:`send`, written at the next :meth:`drain` or :meth:`read`.
        self._out = bytearray()

    @classmethod
    async def open(
        cls, target: PostgresWarehouse, client_parameters: Mapping[str, str]
    ) -> Upstream:
        reader, writer = await target.open_stream()
        upstream = cls(target, reader, writer)
        try:
            await upstream._startup(client_parameters)
        except BaseException:
            upstream.close()
            raise
        return upstream

    async def _startup(self, client_parameters: Mapping[str, str]) -> None:
        target = self.target
        params = {"user": target.user, "database": target.database}
        params.update({k: v for k, v in client_parameters.items() if k in FORWARDED_STARTUP})
        self.send(fe.StartupMessage(params).encode())
        reader = be.BackendReader()
        scram: ScramClient | None = None
        while True:
            for message in reader.feed(await self.read()):
                if isinstance(message, be.AuthenticationCleartextPassword):
                    self.send(fe.AuthResponse(self._password().encode() + b"\0").encode())
                elif isinstance(message, be.AuthenticationMD5Password):
                    answer = md5_password(target.user, self._password(), message.salt)
                    self.send(fe.AuthResponse(answer.encode() + b"\0").encode())
                elif isinstance(message, be.AuthenticationSASL):
                    if "SCRAM-SHA-256" not in message.mechanisms:
                        raise UpstreamError(
                            "the warehouse offers no SASL mechanism the gateway speaks"
                        )
                    scram = ScramClient(self._password())
                    initial = fe.SASLInitialResponse("SCRAM-SHA-256", scram.first())
                    self.send(initial.encode())
                elif isinstance(message, be.AuthenticationSASLContinue):
                    if scram is None:
                        raise UpstreamError("the warehouse sent SCRAM out of order")
                    self.send(fe.AuthResponse(scram.final(message.data)).encode())
                elif isinstance(message, be.AuthenticationSASLFinal):
                    if scram is None:
                        raise UpstreamError("the warehouse sent SCRAM out of order")
                    scram.verify(message.data)
                elif isinstance(message, be.ParameterStatus):
                    self.parameters[message.name] = message.value
                elif isinstance(message, be.BackendKeyData):
                    self.pid, self.secret = message.pid, message.secret
                elif isinstance(message, be.ErrorResponse):
                    raise UpstreamError(
                        f"{target.describe()} refused the gateway's service account "
                        f"{target.user!r}: {message.message}",
                        sqlstate=message.code or CONNECTION_FAILURE,
                    )
                elif isinstance(message, be.ReadyForQuery):
                    return
            await self.drain()

    def _password(self) -> str:
        if self.target.password is None:
            raise UpstreamError(
                f"{self.target.describe()} wants a password for {self.target.user!r} "
                "and the warehouse URL has none"
            )
        return self.target.password

    async def read(self) -> bytes:
        """The next bytes from the warehouse (after sending what is queued for it);
        UpstreamError when it has gone away."""
        self._push()
        try:
            data = await self.reader.read(256 * 1024)
        except (OSError, ProtocolError) as e:
            raise UpstreamError(f"lost the connection to the warehouse: {e}") from None
        if not data:
            raise UpstreamError(
                "the warehouse closed the connection (it may have restarted); reconnect"
            )
        return data

    def send(self, data: bytes) -> None:
        """Queue ``data`` for the warehouse. Messages go out together at the next
        :meth:`drain` or :meth:`read`: one write (and one wake-up of the warehouse's
        backend) per batch of messages instead of one per message."""
        self._out += data

    def _push(self) -> None:
        if self._out:
            self.writer.write(bytes(self._out))
            self._out.clear()

    async def drain(self) -> None:
        self._push()
        try:
            await self.writer.drain()
        except OSError as e:
            raise UpstreamError(f"lost the connection to the warehouse: {e}") from None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if not self.writer.is_closing():
                self.writer.write(fe.Terminate().encode())
            self.writer.close()


async def send_cancel(target: PostgresWarehouse, pid: int, secret: bytes) -> None:
    """Ask the warehouse to cancel what the connection with this key data runs."""
    if not pid:
        return
    with contextlib.suppress(UpstreamError, OSError):
        reader, writer = await target.open_stream()
        writer.write(fe.CancelRequest(pid, secret).encode())
        with contextlib.suppress(Exception):
            await writer.drain()
            await asyncio.wait_for(reader.read(1), 5)  # the server closes when done
        writer.close()
