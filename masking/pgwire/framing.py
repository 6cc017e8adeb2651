"""Splitting a PostgreSQL v3 byte stream into frames, incrementally and defensively.

A frame is a type byte, a big-endian int32 length that counts itself but not the type
byte, and a payload. The very first packets of a connection (startup, SSLRequest,
GSSENCRequest, CancelRequest) have no type byte. :class:`FrameBuffer` takes bytes as
they arrive, in any split, and hands out complete frames; everything a hostile or
broken peer can send is refused with :class:`~masking.pgwire.errors.ProtocolError` as
soon as the header shows it (an unknown type byte, a length below 4 or above the limit),
so garbage never makes the buffer grow towards a length it declared.

>>> buffer = FrameBuffer(frozenset(b"Q"))
>>> buffer.feed(b"Q\\x00\\x00\\x00\\x0bSEL")
>>> buffer.next_frame() is None
True
>>> buffer.feed(b"ECT\\x00")
>>> buffer.next_frame()
(81, b'SELECT\\x00')
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

from masking.pgwire.errors import ProtocolError

__all__ = ["DEFAULT_MAX_LENGTH", "MAX_STARTUP_LENGTH", "FrameBuffer", "Payload", "cstring", "frame"]

#: Largest frame accepted by default (type byte excluded), like a generous query.
DEFAULT_MAX_LENGTH = 64 * 1024 * 1024
#: PostgreSQL's own limit on a startup packet (MAX_STARTUP_PACKET_LENGTH).
MAX_STARTUP_LENGTH = 10_000

_LENGTH = struct.Struct("!i")
_I16 = struct.Struct("!h")
_U16 = struct.Struct("!H")
_I32 = struct.Struct("!i")
_U32 = struct.Struct("!I")
_HEAD = struct.Struct("!ci")


class FrameBuffer:
    """Bytes in, complete frames out.

    ``types`` is the set of type bytes the peer may send; ``limits`` caps the length of
    particular types below ``max_length`` (``{ord("S"): 4}``: a Sync has no payload).
    After a :class:`ProtocolError` the buffer refuses everything: a stream that went
    wrong once cannot be resynchronised.
    """

    __slots__ = ("_buf", "_failed", "_limits", "_max", "_pos", "_types")

    def __init__(
        self,
        types: frozenset[int],
        *,
        max_length: int = DEFAULT_MAX_LENGTH,
        limits: Mapping[int, int] | None = None,
    ) -> None:
        if max_length < 4:
            raise ValueError("max_length must be at least 4")
        self._types = types
        self._max = max_length
        self._limits = dict(limits or {})
        self._buf = bytearray()
        self._pos = 0
        self._failed: ProtocolError | None = None

    @property
    def buffered(self) -> int:
        """Bytes received but not yet handed out as frames."""
        return len(self._buf) - self._pos

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Append received bytes (any amount, any split)."""
        if self._failed is not None:
            raise self._failed
        if self._pos:
            del self._buf[: self._pos]
            self._pos = 0
        self._buf += data

    def next_frame(self) -> tuple[int, bytes] | None:
        """The next complete ``(type, payload)``, or None until more bytes arrive."""
        if self._failed is not None:
            raise self._failed
        buf, pos = self._buf, self._pos
        available = len(buf) - pos
        if available < 1:
            return None
        kind = buf[pos]
        if kind not in self._types:
            self._fail(f"invalid message type {_show(kind)}")
        if available < 5:
            return None
        (length,) = _LENGTH.unpack_from(buf, pos + 1)
        limit = self._limits.get(kind, self._max)
        if length < 4 or length > limit:
            self._fail(f"invalid message length {length} for message type {_show(kind)}")
        end = pos + 1 + length
        if len(buf) < end:
            return None
        with memoryview(buf) as view:
            payload = view[pos + 5 : end].tobytes()
        self._pos = end
        return kind, payload

    def next_untyped(self, max_length: int = MAX_STARTUP_LENGTH) -> bytes | None:
        """The next frame without a type byte (a startup packet): its payload after the
        length, or None until more bytes arrive."""
        if self._failed is not None:
            raise self._failed
        buf, pos = self._buf, self._pos
        if len(buf) - pos < 4:
            return None
        (length,) = _LENGTH.unpack_from(buf, pos)
        if length < 8 or length > max_length:
            self._fail(f"invalid length of startup packet: {length}")
        end = pos + length
        if len(buf) < end:
            return None
        with memoryview(buf) as view:
            payload = view[pos + 4 : end].tobytes()
        self._pos = end
        return payload

    def fail(self, message: str) -> ProtocolError:
        """Poison the buffer with ``message`` (a caller found the frame's content wrong);
        returns the error to raise."""
        self._failed = ProtocolError(message)
        self._buf = bytearray()
        self._pos = 0
        return self._failed

    def _fail(self, message: str) -> None:
        raise self.fail(message)


def _show(kind: int) -> str:
    char = chr(kind)
    return repr(char) if char.isprintable() and kind < 128 else f"0x{kind:02x}"


class Payload:
    """A cursor over one message's payload: every read checks it stays inside, and
    any problem is a ProtocolError naming the message (``what``)."""

    __slots__ = ("data", "pos", "what")

    def __init__(self, data: bytes, what: str) -> None:
        self.data = data
        self.pos = 0
        self.what = what

    def error(self, problem: str) -> ProtocolError:
        return ProtocolError(f"invalid {self.what} message: {problem}")

    def need(self, n: int) -> int:
        """Advance over ``n`` bytes; return where they start."""
        pos = self.pos
        if n < 0 or pos + n > len(self.data):
            raise self.error("shorter than its content")
        self.pos = pos + n
        return pos

    def int16(self) -> int:
        return int(_I16.unpack_from(self.data, self.need(2))[0])

    def uint16(self) -> int:
        return int(_U16.unpack_from(self.data, self.need(2))[0])

    def int32(self) -> int:
        return int(_I32.unpack_from(self.data, self.need(4))[0])

    def uint32(self) -> int:
        return int(_U32.unpack_from(self.data, self.need(4))[0])

    def array(self, code: str, count: int) -> tuple[int, ...]:
        """``count`` integers of struct ``code``; the count is checked before anything
        is allocated."""
        start = self.need(count * struct.calcsize(f"!{code}"))
        return struct.unpack_from(f"!{count}{code}", self.data, start)

    def count(self, item_size: int) -> int:
        """An int16 count of items of at least ``item_size`` bytes each, checked against
        the bytes left before the caller loops over it."""
        n = self.int16()
        if n < 0 or n * item_size > len(self.data) - self.pos:
            raise self.error(f"count {n} exceeds the message")
        return n

    def take(self, n: int) -> bytes:
        start = self.need(n)
        return self.data[start : start + n]

    def value(self) -> bytes | None:
        """An int32 length then that many bytes; -1 is NULL."""
        length = self.int32()
        if length == -1:
            return None
        if length < -1:
            raise self.error(f"value length {length}")
        return self.take(length)

    def rest(self) -> bytes:
        start, self.pos = self.pos, len(self.data)
        return self.data[start:]

    def cstr(self) -> str:
        end = self.data.find(b"\0", self.pos)
        if end < 0:
            raise self.error("string is not NUL-terminated")
        raw = self.data[self.pos : end]
        self.pos = end + 1
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error("a string is not valid UTF-8") from None

    def end(self, message: str | None = None) -> None:
        if self.pos != len(self.data):
            raise (
                ProtocolError(message)
                if message
                else self.error(f"{len(self.data) - self.pos} bytes after its content")
            )


def cstring(text: str) -> bytes:
    """``text`` as a protocol string: UTF-8 and a NUL (ValueError if it holds one)."""
    raw = text.encode("utf-8")
    if b"\0" in raw:
        raise ValueError("protocol strings cannot contain NUL")
    return raw + b"\0"


def frame(kind: bytes, body: bytes = b"") -> bytes:
    """A typed message: type byte, length, body."""
    return _HEAD.pack(kind, len(body) + 4) + body
