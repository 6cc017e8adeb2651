"""What a PostgreSQL client sends: message records, a strict parser, and their encoding.

:class:`FrontendReader` is what a server connection feeds received bytes to; it returns
complete messages as frozen dataclasses. It starts in the startup phase (packets without
a type byte: StartupMessage, SSLRequest, GSSENCRequest, CancelRequest) and switches to
typed messages after the StartupMessage. Every malformed input raises
:class:`~masking.pgwire.errors.ProtocolError` (SQLSTATE 08P01), never another exception:
a length that disagrees with the content, a string without its NUL, a count larger
than the bytes that follow, text that is not UTF-8, an unknown message type.

Each record's :meth:`encode` gives its exact wire bytes (what a client would send), which
the tests use for round trips and a relaying gateway uses to forward rewritten messages.

>>> reader = FrontendReader()
>>> reader.feed(StartupMessage({"user": "alice", "database": "dw"}).encode())
[StartupMessage(parameters={'user': 'alice', 'database': 'dw'}, major=3, minor=0)]
>>> reader.feed(Query("SELECT 1").encode() + SYNC_BYTES[:2])
[Query(sql='SELECT 1')]

The ``'p'`` message means different things in different phases (a password, a SASL
initial response, a SASL response); the reader returns it as :class:`AuthResponse` and
the server, which knows the phase, reads it with :meth:`AuthResponse.sasl_initial`.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from masking.pgwire.errors import ProtocolError
from masking.pgwire.framing import DEFAULT_MAX_LENGTH, FrameBuffer, Payload, cstring, frame

__all__ = [
    "CANCEL_REQUEST_CODE",
    "GSSENC_REQUEST_CODE",
    "SSL_REQUEST_CODE",
    "SYNC_BYTES",
    "AuthResponse",
    "Bind",
    "CancelRequest",
    "Close",
    "CopyData",
    "CopyDone",
    "CopyFail",
    "Describe",
    "Execute",
    "Flush",
    "FrontendMessage",
    "FrontendReader",
    "FunctionCall",
    "GSSENCRequest",
    "Parse",
    "Query",
    "SASLInitialResponse",
    "SSLRequest",
    "StartupMessage",
    "Sync",
    "Terminate",
    "parse_frontend",
    "parse_startup",
]

SSL_REQUEST_CODE = 80877103
GSSENC_REQUEST_CODE = 80877104
CANCEL_REQUEST_CODE = 80877102
#: PostgreSQL's limit on authentication messages (PG_MAX_AUTH_TOKEN_LENGTH).
MAX_AUTH_LENGTH = 65535

_I16 = struct.Struct("!h")
_U16 = struct.Struct("!H")
_I32 = struct.Struct("!i")
_U32 = struct.Struct("!I")

TEXT = 0
BINARY = 1


# -- records ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartupMessage:
    """Protocol version and connection parameters (``user``, ``database``, ``options``,
    ``application_name``, …, and ``_pq_.*`` protocol options)."""

    parameters: Mapping[str, str]
    major: int = 3
    minor: int = 0

    @property
    def user(self) -> str | None:
        return self.parameters.get("user")

    @property
    def database(self) -> str | None:
        """The database asked for; PostgreSQL's default is the user name."""
        return self.parameters.get("database") or self.parameters.get("user")

    @property
    def protocol_options(self) -> tuple[str, ...]:
        """``_pq_.`` options, which a server that does not know them must list back in
        NegotiateProtocolVersion."""
        return tuple(k for k in self.parameters if k.startswith("_pq_."))

    def encode(self) -> bytes:
        body = bytearray(_U32.pack((self.major << 16) | self.minor))
        for name, value in self.parameters.items():
            body += cstring(name) + cstring(value)
        body += b"\0"
        return _I32.pack(len(body) + 4) + body


@dataclass(frozen=True, slots=True)
class SSLRequest:
    """The client asks for TLS; the server answers with one byte, b"S" or b"N"."""

    def encode(self) -> bytes:
        return struct.pack("!iI", 8, SSL_REQUEST_CODE)


@dataclass(frozen=True, slots=True)
class GSSENCRequest:
    """The client asks for GSSAPI encryption; Veil answers b"N"."""

    def encode(self) -> bytes:
        return struct.pack("!iI", 8, GSSENC_REQUEST_CODE)


@dataclass(frozen=True, slots=True)
class CancelRequest:
    """Cancel the query running on the connection that got BackendKeyData(pid, secret).
    ``secret`` is 4 bytes in protocol 3.0 (longer ones are accepted, as 3.2 allows)."""

    pid: int
    secret: bytes

    def encode(self) -> bytes:
        return struct.pack("!iIi", 12 + len(self.secret), CANCEL_REQUEST_CODE, self.pid) + (
            self.secret
        )


@dataclass(frozen=True, slots=True)
class Query:
    """Simple query protocol: one or more statements in one string."""

    sql: str

    def encode(self) -> bytes:
        return frame(b"Q", cstring(self.sql))


@dataclass(frozen=True, slots=True)
class Parse:
    """Prepare ``query`` as statement ``name`` ('' is the unnamed statement).
    ``param_types`` are OIDs; 0 leaves a parameter's type to the server."""

    name: str
    query: str
    param_types: tuple[int, ...] = ()

    def encode(self) -> bytes:
        body = cstring(self.name) + cstring(self.query) + _U16.pack(len(self.param_types))
        body += struct.pack(f"!{len(self.param_types)}I", *self.param_types)
        return frame(b"P", body)


@dataclass(frozen=True, slots=True)
class Bind:
    """Bind parameter values to a prepared statement, making portal ``portal``.

    ``param_formats`` and ``result_formats`` are as sent: empty (all text), one code
    (for all) or one per item. Use :meth:`param_format` to read them.
    """

    portal: str
    statement: str
    param_formats: tuple[int, ...] = ()
    params: tuple[bytes | None, ...] = ()
    result_formats: tuple[int, ...] = ()

    def param_format(self, index: int) -> int:
        """0 (text) or 1 (binary): the format of parameter ``index``."""
        formats = self.param_formats
        if not formats:
            return TEXT
        return formats[0] if len(formats) == 1 else formats[index]

    def encode(self) -> bytes:
        parts = [
            cstring(self.portal),
            cstring(self.statement),
            _U16.pack(len(self.param_formats)),
            struct.pack(f"!{len(self.param_formats)}h", *self.param_formats),
            _U16.pack(len(self.params)),
        ]
        for value in self.params:
            if value is None:
                parts.append(_I32.pack(-1))
            else:
                parts.append(_I32.pack(len(value)))
                parts.append(value)
        parts.append(_U16.pack(len(self.result_formats)))
        parts.append(struct.pack(f"!{len(self.result_formats)}h", *self.result_formats))
        return frame(b"B", b"".join(parts))


@dataclass(frozen=True, slots=True)
class Describe:
    """Describe statement (``kind`` 'S') or portal ('P') ``name``."""

    kind: Literal["S", "P"]
    name: str

    def encode(self) -> bytes:
        return frame(b"D", self.kind.encode() + cstring(self.name))


@dataclass(frozen=True, slots=True)
class Execute:
    """Run portal ``portal``; ``max_rows`` 0 (or less) means all rows."""

    portal: str
    max_rows: int = 0

    def encode(self) -> bytes:
        return frame(b"E", cstring(self.portal) + _I32.pack(self.max_rows))


@dataclass(frozen=True, slots=True)
class Close:
    """Close statement (``kind`` 'S') or portal ('P') ``name``."""

    kind: Literal["S", "P"]
    name: str

    def encode(self) -> bytes:
        return frame(b"C", self.kind.encode() + cstring(self.name))


@dataclass(frozen=True, slots=True)
class Sync:
    def encode(self) -> bytes:
        return SYNC_BYTES


@dataclass(frozen=True, slots=True)
class Flush:
    def encode(self) -> bytes:
        return b"H\0\0\0\x04"


@dataclass(frozen=True, slots=True)
class Terminate:
    def encode(self) -> bytes:
        return b"X\0\0\0\x04"


@dataclass(frozen=True, slots=True)
class SASLInitialResponse:
    """The mechanism the client chose and its first message (None when it sent none)."""

    mechanism: str
    data: bytes | None

    def encode(self) -> bytes:
        tail = _I32.pack(-1) if self.data is None else _I32.pack(len(self.data)) + self.data
        return frame(b"p", cstring(self.mechanism) + tail)


@dataclass(frozen=True, slots=True)
class AuthResponse:
    """A ``'p'`` message: its meaning depends on what the server asked for."""

    data: bytes

    def sasl_initial(self) -> SASLInitialResponse:
        """Read as SASLInitialResponse (the answer to AuthenticationSASL)."""
        p = Payload(self.data, "SASLInitialResponse")
        mechanism = p.cstr()
        data = p.value()
        p.end()
        return SASLInitialResponse(mechanism, data)

    def password(self) -> str:
        """Read as a cleartext PasswordMessage."""
        p = Payload(self.data, "PasswordMessage")
        text = p.cstr()
        p.end()
        return text

    def encode(self) -> bytes:
        return frame(b"p", self.data)


@dataclass(frozen=True, slots=True)
class CopyData:
    data: bytes

    def encode(self) -> bytes:
        return frame(b"d", self.data)


@dataclass(frozen=True, slots=True)
class CopyDone:
    def encode(self) -> bytes:
        return b"c\0\0\0\x04"


@dataclass(frozen=True, slots=True)
class CopyFail:
    message: str

    def encode(self) -> bytes:
        return frame(b"f", cstring(self.message))


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """The legacy fast-path function call (the gateway refuses it)."""

    oid: int
    arg_formats: tuple[int, ...] = ()
    args: tuple[bytes | None, ...] = ()
    result_format: int = TEXT

    def encode(self) -> bytes:
        parts = [
            _U32.pack(self.oid),
            _U16.pack(len(self.arg_formats)),
            struct.pack(f"!{len(self.arg_formats)}h", *self.arg_formats),
            _U16.pack(len(self.args)),
        ]
        for value in self.args:
            parts.append(_I32.pack(-1) if value is None else _I32.pack(len(value)) + value)
        parts.append(_I16.pack(self.result_format))
        return frame(b"F", b"".join(parts))


FrontendMessage = (
    StartupMessage
    | SSLRequest
    | GSSENCRequest
    | CancelRequest
    | Query
    | Parse
    | Bind
    | Describe
    | Execute
    | Close
    | Sync
    | Flush
    | Terminate
    | AuthResponse
    | CopyData
    | CopyDone
    | CopyFail
    | FunctionCall
)

SYNC_BYTES = b"S\0\0\0\x04"


# -- the reader ---------------------------------------------------------------------------


class FrontendReader:
    """Incremental parser of a client's byte stream: ``feed(bytes) -> [messages]``.

    ``max_length`` caps any one message (default 64 MiB); Sync, Flush, Terminate and
    CopyDone must be empty and authentication messages stay under 64 KiB, as PostgreSQL
    requires. ``startup=False`` starts directly with typed messages (for tests, or a
    connection whose startup was read elsewhere).

    After an SSLRequest or GSSENCRequest the client must wait for the server's answer;
    bytes already buffered behind one are refused (they would be read as if they had
    come through the encryption the client asked for).
    """

    __slots__ = ("_frames", "_startup")

    def __init__(self, *, max_length: int = DEFAULT_MAX_LENGTH, startup: bool = True) -> None:
        self._frames = FrameBuffer(_FRONTEND_TYPES, max_length=max_length, limits=_LIMITS)
        self._startup = startup

    @property
    def in_startup(self) -> bool:
        """True until a StartupMessage has been read."""
        return self._startup

    @property
    def buffered(self) -> int:
        """Bytes received that do not make a complete message yet."""
        return self._frames.buffered

    def feed(self, data: bytes | bytearray | memoryview) -> list[FrontendMessage]:
        """Take received bytes; return every message they complete, in order.

        Raises ProtocolError on malformed input, and on any call after that.
        """
        frames = self._frames
        frames.feed(data)
        messages: list[FrontendMessage] = []
        try:
            while True:
                if self._startup:
                    payload = frames.next_untyped()
                    if payload is None:
                        break
                    message = parse_startup(payload)
                    if isinstance(message, StartupMessage):
                        self._startup = False
                    elif isinstance(message, SSLRequest | GSSENCRequest) and frames.buffered:
                        raise ProtocolError("received unencrypted data after SSL request")
                    messages.append(message)
                else:
                    typed = frames.next_frame()
                    if typed is None:
                        break
                    messages.append(parse_frontend(*typed))
        except ProtocolError as e:
            raise frames.fail(e.message) from None
        return messages


def parse_startup(payload: bytes) -> StartupMessage | SSLRequest | GSSENCRequest | CancelRequest:
    """Parse a startup-phase packet (its bytes after the length)."""
    p = Payload(payload, "startup packet")
    code = p.uint32()
    if code == SSL_REQUEST_CODE:
        p.end()
        return SSLRequest()
    if code == GSSENC_REQUEST_CODE:
        p.end()
        return GSSENCRequest()
    if code == CANCEL_REQUEST_CODE:
        pid = p.int32()
        secret = p.rest()
        if not 4 <= len(secret) <= 256:
            raise ProtocolError(f"invalid cancel request: secret key of {len(secret)} bytes")
        return CancelRequest(pid, secret)
    major, minor = code >> 16, code & 0xFFFF
    if major != 3:
        raise ProtocolError(
            f"unsupported frontend protocol {major}.{minor}: server supports 3.0 to 3.0"
        )
    parameters: dict[str, str] = {}
    while True:
        name = p.cstr()
        if not name:
            break
        parameters[name] = p.cstr()
    p.end("invalid startup packet layout: expected terminator as last byte")
    return StartupMessage(parameters, major, minor)


def parse_frontend(kind: int, payload: bytes) -> FrontendMessage:
    """Parse one typed frontend message from its type byte and payload."""
    parser = _PARSERS.get(kind)
    if parser is None:
        raise ProtocolError(f"invalid frontend message type {kind}")
    return parser(payload)


# -- parsers, one per type ----------------------------------------------------------------


def _parse_query(payload: bytes) -> Query:
    p = Payload(payload, "Query")
    sql = p.cstr()
    p.end()
    return Query(sql)


def _parse_parse(payload: bytes) -> Parse:
    p = Payload(payload, "Parse")
    name = p.cstr()
    query = p.cstr()
    count = p.uint16()
    types = p.array("I", count)
    p.end()
    return Parse(name, query, types)


def _parse_bind(payload: bytes) -> Bind:
    p = Payload(payload, "Bind")
    portal = p.cstr()
    statement = p.cstr()
    param_formats = _formats(p, "parameter")
    count = p.uint16()
    if len(param_formats) > 1 and len(param_formats) != count:
        raise ProtocolError(
            f"bind message has {len(param_formats)} parameter formats but {count} parameters"
        )
    params = [p.value() for _ in range(count)]
    result_formats = _formats(p, "result")
    p.end()
    return Bind(portal, statement, param_formats, tuple(params), result_formats)


def _kind(p: Payload) -> Literal["S", "P"]:
    code = p.take(1)
    if code == b"S":
        return "S"
    if code == b"P":
        return "P"
    raise p.error(f"subtype {code[0]}")


def _formats(p: Payload, what: str) -> tuple[int, ...]:
    formats = p.array("h", p.uint16())
    for code in formats:
        if code not in (TEXT, BINARY):
            raise ProtocolError(f"unsupported {what} format code: {code}")
    return formats


def _parse_describe(payload: bytes) -> Describe:
    p = Payload(payload, "Describe")
    kind = _kind(p)
    name = p.cstr()
    p.end()
    return Describe(kind, name)


def _parse_close(payload: bytes) -> Close:
    p = Payload(payload, "Close")
    kind = _kind(p)
    name = p.cstr()
    p.end()
    return Close(kind, name)


def _parse_execute(payload: bytes) -> Execute:
    p = Payload(payload, "Execute")
    portal = p.cstr()
    max_rows = p.int32()
    p.end()
    return Execute(portal, max_rows)


def _parse_copy_fail(payload: bytes) -> CopyFail:
    p = Payload(payload, "CopyFail")
    message = p.cstr()
    p.end()
    return CopyFail(message)


def _parse_function_call(payload: bytes) -> FunctionCall:
    p = Payload(payload, "FunctionCall")
    oid = p.uint32()
    formats = _formats(p, "argument")
    count = p.uint16()
    args = [p.value() for _ in range(count)]
    result_format = p.int16()
    if result_format not in (TEXT, BINARY):
        raise ProtocolError(f"unsupported result format code: {result_format}")
    p.end()
    return FunctionCall(oid, formats, tuple(args), result_format)


_SYNC, _FLUSH, _TERMINATE, _COPY_DONE = Sync(), Flush(), Terminate(), CopyDone()

_PARSERS: dict[int, Callable[[bytes], FrontendMessage]] = {
    ord("Q"): _parse_query,
    ord("P"): _parse_parse,
    ord("B"): _parse_bind,
    ord("D"): _parse_describe,
    ord("E"): _parse_execute,
    ord("C"): _parse_close,
    ord("S"): lambda _: _SYNC,
    ord("H"): lambda _: _FLUSH,
    ord("X"): lambda _: _TERMINATE,
    ord("p"): AuthResponse,
    ord("d"): CopyData,
    ord("c"): lambda _: _COPY_DONE,
    ord("f"): _parse_copy_fail,
    ord("F"): _parse_function_call,
}
_FRONTEND_TYPES = frozenset(_PARSERS)
#: Messages with no payload must be exactly their length field; authentication
#: messages are small (PostgreSQL: PG_MAX_AUTH_TOKEN_LENGTH).
_LIMITS = {
    **{ord(t): 4 for t in "SHXc"},
    ord("p"): MAX_AUTH_LENGTH + 4,
}
