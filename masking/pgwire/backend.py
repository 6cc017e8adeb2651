"""What a PostgreSQL server sends: message records with their encoding, and a parser.

The gateway builds these and writes ``encode()``'s bytes. Messages without content
are also module constants of ready-made bytes (``PARSE_COMPLETE``, ``BIND_COMPLETE``,
…), and :func:`data_row` builds the one message sent millions of times without making
a record first. :class:`BackendReader` parses a server's byte stream: a gateway relaying
to a PostgreSQL warehouse reads its answers with it, and the tests read the gateway's.

>>> ReadyForQuery("I").encode()
b'Z\\x00\\x00\\x00\\x05I'
>>> BackendReader().feed(CommandComplete("SELECT 3").encode())
[CommandComplete(tag='SELECT 3')]
>>> ErrorResponse.build("42501", "permission denied for table orders").message
'permission denied for table orders'
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal, Self

from catalog.errors import VeilError
from masking.pgwire.errors import ProtocolError
from masking.pgwire.framing import DEFAULT_MAX_LENGTH, FrameBuffer, Payload, cstring, frame

__all__ = [
    "BIND_COMPLETE",
    "CLOSE_COMPLETE",
    "EMPTY_QUERY_RESPONSE",
    "NO_DATA",
    "PARSE_COMPLETE",
    "PORTAL_SUSPENDED",
    "SSL_ACCEPTED",
    "SSL_REFUSED",
    "AuthenticationCleartextPassword",
    "AuthenticationMD5Password",
    "AuthenticationOk",
    "AuthenticationSASL",
    "AuthenticationSASLContinue",
    "AuthenticationSASLFinal",
    "BackendKeyData",
    "BackendMessage",
    "BackendReader",
    "BindComplete",
    "CloseComplete",
    "CommandComplete",
    "DataRow",
    "EmptyQueryResponse",
    "ErrorResponse",
    "FieldDescription",
    "NegotiateProtocolVersion",
    "NoData",
    "NoticeResponse",
    "ParameterDescription",
    "ParameterStatus",
    "ParseComplete",
    "PortalSuspended",
    "ReadyForQuery",
    "RowDescription",
    "data_row",
    "parse_backend",
]

#: The one-byte answers to SSLRequest and GSSENCRequest (not framed).
SSL_ACCEPTED = b"S"
SSL_REFUSED = b"N"

_I16 = struct.Struct("!h")
_U16 = struct.Struct("!H")
_I32 = struct.Struct("!i")
_U32 = struct.Struct("!I")
_ROW_HEAD = struct.Struct("!cih")
_NULL = _I32.pack(-1)
_FIELD = struct.Struct("!IhIhih")


# -- authentication -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuthenticationOk:
    def encode(self) -> bytes:
        return frame(b"R", _I32.pack(0))


@dataclass(frozen=True, slots=True)
class AuthenticationCleartextPassword:
    def encode(self) -> bytes:
        return frame(b"R", _I32.pack(3))


@dataclass(frozen=True, slots=True)
class AuthenticationMD5Password:
    """Only parsed (a warehouse may ask for it); the gateway never offers MD5."""

    salt: bytes

    def encode(self) -> bytes:
        return frame(b"R", _I32.pack(5) + self.salt)


@dataclass(frozen=True, slots=True)
class AuthenticationSASL:
    """The SASL mechanisms the server offers, preferred first."""

    mechanisms: tuple[str, ...]

    def encode(self) -> bytes:
        return frame(b"R", _I32.pack(10) + b"".join(map(cstring, self.mechanisms)) + b"\0")


@dataclass(frozen=True, slots=True)
class AuthenticationSASLContinue:
    data: bytes

    def encode(self) -> bytes:
        return frame(b"R", _I32.pack(11) + self.data)


@dataclass(frozen=True, slots=True)
class AuthenticationSASLFinal:
    data: bytes

    def encode(self) -> bytes:
        return frame(b"R", _I32.pack(12) + self.data)


# -- session ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParameterStatus:
    name: str
    value: str

    def encode(self) -> bytes:
        return frame(b"S", cstring(self.name) + cstring(self.value))


@dataclass(frozen=True, slots=True)
class BackendKeyData:
    """What a client quotes in a CancelRequest. ``secret`` is 4 bytes in protocol 3.0."""

    pid: int
    secret: bytes

    def encode(self) -> bytes:
        return frame(b"K", _I32.pack(self.pid) + self.secret)


@dataclass(frozen=True, slots=True)
class ReadyForQuery:
    """``status``: 'I' idle, 'T' in a transaction, 'E' in a failed transaction."""

    status: Literal["I", "T", "E"]

    def encode(self) -> bytes:
        return frame(b"Z", self.status.encode())


@dataclass(frozen=True, slots=True)
class NegotiateProtocolVersion:
    """The newest minor version the server speaks and the ``_pq_.`` options it ignored."""

    newest_minor: int
    unrecognized: tuple[str, ...] = ()

    def encode(self) -> bytes:
        body = _I32.pack(self.newest_minor) + _I32.pack(len(self.unrecognized))
        return frame(b"v", body + b"".join(map(cstring, self.unrecognized)))


# -- results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldDescription:
    """One result column. ``type_size`` is pg_type.typlen (-1 variable, -2 C string);
    ``type_modifier`` is atttypmod (-1 none); ``format`` 0 text, 1 binary."""

    name: str
    type_oid: int
    type_size: int = -1
    type_modifier: int = -1
    format: int = 0
    table_oid: int = 0
    column_number: int = 0

    def encode(self) -> bytes:
        return cstring(self.name) + _FIELD.pack(
            self.table_oid,
            self.column_number,
            self.type_oid,
            self.type_size,
            self.type_modifier,
            self.format,
        )


@dataclass(frozen=True, slots=True)
class RowDescription:
    fields: tuple[FieldDescription, ...]

    def encode(self) -> bytes:
        body = _I16.pack(len(self.fields)) + b"".join(f.encode() for f in self.fields)
        return frame(b"T", body)


def data_row(values: Sequence[bytes | None]) -> bytes:
    """A DataRow of already-encoded column values (None is SQL NULL)."""
    parts: list[bytes] = [b""]
    size = 6
    for value in values:
        if value is None:
            parts.append(_NULL)
            size += 4
        else:
            parts.append(_I32.pack(len(value)))
            parts.append(value)
            size += 4 + len(value)
    parts[0] = _ROW_HEAD.pack(b"D", size, len(values))
    return b"".join(parts)


@dataclass(frozen=True, slots=True)
class DataRow:
    values: tuple[bytes | None, ...]

    def encode(self) -> bytes:
        return data_row(self.values)


@dataclass(frozen=True, slots=True)
class CommandComplete:
    """``tag`` as PostgreSQL writes it: ``SELECT 3``, ``INSERT 0 1``, ``SET``, ``BEGIN``."""

    tag: str

    def encode(self) -> bytes:
        return frame(b"C", cstring(self.tag))

    @property
    def rows(self) -> int | None:
        """The row count the tag ends with (SELECT, INSERT, UPDATE, DELETE, MERGE,
        FETCH, MOVE, COPY), else None."""
        verb, _, rest = self.tag.partition(" ")
        last = rest.rpartition(" ")[2]
        if verb in _COUNTED and last.isdigit():
            return int(last)
        return None


_COUNTED = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "FETCH", "MOVE", "COPY"})


@dataclass(frozen=True, slots=True)
class ParameterDescription:
    type_oids: tuple[int, ...]

    def encode(self) -> bytes:
        count = len(self.type_oids)
        return frame(b"t", _I16.pack(count) + struct.pack(f"!{count}I", *self.type_oids))


@dataclass(frozen=True, slots=True)
class _Empty:
    """A message with no content; subclasses set ``KIND``."""

    KIND: ClassVar[bytes] = b""

    def encode(self) -> bytes:
        return frame(self.KIND)


@dataclass(frozen=True, slots=True)
class EmptyQueryResponse(_Empty):
    KIND: ClassVar[bytes] = b"I"


@dataclass(frozen=True, slots=True)
class ParseComplete(_Empty):
    KIND: ClassVar[bytes] = b"1"


@dataclass(frozen=True, slots=True)
class BindComplete(_Empty):
    KIND: ClassVar[bytes] = b"2"


@dataclass(frozen=True, slots=True)
class CloseComplete(_Empty):
    KIND: ClassVar[bytes] = b"3"


@dataclass(frozen=True, slots=True)
class NoData(_Empty):
    KIND: ClassVar[bytes] = b"n"


@dataclass(frozen=True, slots=True)
class PortalSuspended(_Empty):
    KIND: ClassVar[bytes] = b"s"


EMPTY_QUERY_RESPONSE = EmptyQueryResponse().encode()
PARSE_COMPLETE = ParseComplete().encode()
BIND_COMPLETE = BindComplete().encode()
CLOSE_COMPLETE = CloseComplete().encode()
NO_DATA = NoData().encode()
PORTAL_SUSPENDED = PortalSuspended().encode()


# -- errors and notices -------------------------------------------------------------------

#: Field codes of ErrorResponse/NoticeResponse, by name.
FIELD_CODES = {
    "severity": "S",
    "severity_nonlocalized": "V",
    "code": "C",
    "message": "M",
    "detail": "D",
    "hint": "H",
    "position": "P",
    "internal_position": "p",
    "internal_query": "q",
    "where": "W",
    "schema": "s",
    "table": "t",
    "column": "c",
    "data_type": "d",
    "constraint": "n",
    "file": "F",
    "line": "L",
    "routine": "R",
}


@dataclass(frozen=True, slots=True)
class _Report:
    """ErrorResponse and NoticeResponse: fields keyed by their one-letter codes, in
    order (``S`` severity, ``C`` SQLSTATE, ``M`` message, ``H`` hint, …)."""

    KIND: ClassVar[bytes] = b""
    DEFAULT_SEVERITY: ClassVar[str] = ""

    fields: Mapping[str, str]

    @classmethod
    def build(
        cls,
        code: str,
        message: str,
        *,
        severity: str | None = None,
        detail: str | None = None,
        hint: str | None = None,
        position: int | None = None,
    ) -> Self:
        """The usual fields. ``position`` is 1-based, in characters of the query."""
        level = severity or cls.DEFAULT_SEVERITY
        fields = {"S": level, "V": level, "C": code, "M": message}
        if detail:
            fields["D"] = detail
        if hint:
            fields["H"] = hint
        if position is not None:
            fields["P"] = str(position)
        return cls(fields)

    @property
    def severity(self) -> str:
        return self.fields.get("V") or self.fields.get("S", "")

    @property
    def code(self) -> str:
        return self.fields.get("C", "")

    @property
    def message(self) -> str:
        return self.fields.get("M", "")

    @property
    def detail(self) -> str | None:
        return self.fields.get("D")

    @property
    def hint(self) -> str | None:
        return self.fields.get("H")

    def encode(self) -> bytes:
        body = bytearray()
        for code, value in self.fields.items():
            if len(code) != 1 or code == "\0":
                raise ValueError(f"bad field code {code!r}")
            body += code.encode("ascii") + cstring(value)
        body += b"\0"
        return frame(self.KIND, bytes(body))


@dataclass(frozen=True, slots=True)
class ErrorResponse(_Report):
    KIND: ClassVar[bytes] = b"E"
    DEFAULT_SEVERITY: ClassVar[str] = "ERROR"

    @classmethod
    def from_error(cls, error: VeilError, *, severity: str = "ERROR") -> ErrorResponse:
        """The client's view of one of Veil's errors: its SQLSTATE, message and hint.
        Use ``severity="FATAL"`` when the connection closes after it."""
        return cls.build(error.sqlstate, error.message, severity=severity, hint=error.hint)


@dataclass(frozen=True, slots=True)
class NoticeResponse(_Report):
    KIND: ClassVar[bytes] = b"N"
    DEFAULT_SEVERITY: ClassVar[str] = "NOTICE"


BackendMessage = (
    AuthenticationOk
    | AuthenticationCleartextPassword
    | AuthenticationMD5Password
    | AuthenticationSASL
    | AuthenticationSASLContinue
    | AuthenticationSASLFinal
    | ParameterStatus
    | BackendKeyData
    | ReadyForQuery
    | NegotiateProtocolVersion
    | RowDescription
    | DataRow
    | CommandComplete
    | ParameterDescription
    | EmptyQueryResponse
    | ParseComplete
    | BindComplete
    | CloseComplete
    | NoData
    | PortalSuspended
    | ErrorResponse
    | NoticeResponse
)


# -- parsing ------------------------------------------------------------------------------


class BackendReader:
    """Incremental parser of a server's byte stream: ``feed(bytes) -> [messages]``.

    Strict like :class:`~masking.pgwire.frontend.FrontendReader`: malformed input raises
    ProtocolError. Message kinds the gateway never meets (COPY, notifications, function
    call results) are refused too.
    """

    __slots__ = ("_frames",)

    def __init__(self, *, max_length: int = DEFAULT_MAX_LENGTH) -> None:
        self._frames = FrameBuffer(_BACKEND_TYPES, max_length=max_length)

    def feed(self, data: bytes | bytearray | memoryview) -> list[BackendMessage]:
        frames = self._frames
        frames.feed(data)
        messages: list[BackendMessage] = []
        try:
            while (typed := frames.next_frame()) is not None:
                messages.append(parse_backend(*typed))
        except ProtocolError as e:
            raise frames.fail(e.message) from None
        return messages


def parse_backend(kind: int, payload: bytes) -> BackendMessage:
    """Parse one backend message from its type byte and payload."""
    parser = _PARSERS.get(kind)
    if parser is None:
        raise ProtocolError(f"invalid backend message type {kind}")
    return parser(Payload(payload, f"backend {chr(kind)!r}"))


_Parser = Callable[[Payload], BackendMessage]


def _auth(c: Payload) -> BackendMessage:
    code = c.int32()
    message: BackendMessage
    if code == 0:
        message = AuthenticationOk()
    elif code == 3:
        message = AuthenticationCleartextPassword()
    elif code == 5:
        message = AuthenticationMD5Password(c.take(4))
    elif code == 10:
        mechanisms = []
        while name := c.cstr():
            mechanisms.append(name)
        message = AuthenticationSASL(tuple(mechanisms))
    elif code == 11:
        message = AuthenticationSASLContinue(c.rest())
    elif code == 12:
        message = AuthenticationSASLFinal(c.rest())
    else:
        raise ProtocolError(f"unsupported authentication request {code}")
    c.end()
    return message


def _parameter_status(c: Payload) -> ParameterStatus:
    message = ParameterStatus(c.cstr(), c.cstr())
    c.end()
    return message


def _key_data(c: Payload) -> BackendKeyData:
    pid = c.int32()
    secret = c.rest()
    if not 4 <= len(secret) <= 256:
        raise ProtocolError(f"invalid BackendKeyData: secret key of {len(secret)} bytes")
    return BackendKeyData(pid, secret)


def _ready(c: Payload) -> ReadyForQuery:
    status = c.take(1)
    c.end()
    if status == b"I":
        return ReadyForQuery("I")
    if status == b"T":
        return ReadyForQuery("T")
    if status == b"E":
        return ReadyForQuery("E")
    raise ProtocolError(f"invalid transaction status {status!r}")


def _negotiate(c: Payload) -> NegotiateProtocolVersion:
    minor = c.int32()
    count = c.int32()
    if count < 0 or count > len(c.data) - c.pos:
        raise ProtocolError(f"invalid NegotiateProtocolVersion: bad count {count}")
    options = tuple(c.cstr() for _ in range(count))
    c.end()
    return NegotiateProtocolVersion(minor, options)


def _row_description(c: Payload) -> RowDescription:
    count = c.count(1 + _FIELD.size)
    fields = []
    for _ in range(count):
        name = c.cstr()
        table, column, oid, size, modifier, fmt = _FIELD.unpack_from(c.data, c.need(_FIELD.size))
        fields.append(FieldDescription(name, oid, size, modifier, fmt, table, column))
    c.end()
    return RowDescription(tuple(fields))


def _data_row(c: Payload) -> DataRow:
    count = c.count(4)
    values = tuple(c.value() for _ in range(count))
    c.end()
    return DataRow(values)


def _command_complete(c: Payload) -> CommandComplete:
    message = CommandComplete(c.cstr())
    c.end()
    return message


def _parameter_description(c: Payload) -> ParameterDescription:
    count = c.count(4)
    oids = tuple(c.uint32() for _ in range(count))
    c.end()
    return ParameterDescription(oids)


def _report(cls: type[ErrorResponse] | type[NoticeResponse]) -> _Parser:
    def parse(c: Payload) -> ErrorResponse | NoticeResponse:
        fields: dict[str, str] = {}
        while True:
            code = c.take(1)
            if code == b"\0":
                break
            fields[code.decode("latin-1")] = c.cstr()
        c.end()
        return cls(fields)

    return parse


def _empty(message: BackendMessage) -> _Parser:
    def parse(c: Payload) -> BackendMessage:
        c.end()
        return message

    return parse


_PARSERS: dict[int, _Parser] = {
    ord("R"): _auth,
    ord("S"): _parameter_status,
    ord("K"): _key_data,
    ord("Z"): _ready,
    ord("v"): _negotiate,
    ord("T"): _row_description,
    ord("D"): _data_row,
    ord("C"): _command_complete,
    ord("t"): _parameter_description,
    ord("I"): _empty(EmptyQueryResponse()),
    ord("1"): _empty(ParseComplete()),
    ord("2"): _empty(BindComplete()),
    ord("3"): _empty(CloseComplete()),
    ord("n"): _empty(NoData()),
    ord("s"): _empty(PortalSuspended()),
    ord("E"): _report(ErrorResponse),
    ord("N"): _report(NoticeResponse),
}
_BACKEND_TYPES = frozenset(_PARSERS)
