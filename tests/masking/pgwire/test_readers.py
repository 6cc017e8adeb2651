"""The incremental readers: any split of a valid stream gives the same messages;
malformed or hostile bytes give ProtocolError, never another exception, and never a
buffer waiting for a length it should have refused."""

from __future__ import annotations

import itertools
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masking.pgwire.backend import BackendReader
from masking.pgwire.errors import ProtocolError
from masking.pgwire.frontend import (
    AuthResponse,
    Bind,
    Close,
    CopyData,
    CopyDone,
    CopyFail,
    Describe,
    Execute,
    Flush,
    FrontendReader,
    FunctionCall,
    Parse,
    Query,
    SSLRequest,
    StartupMessage,
    Sync,
    Terminate,
)
from tests.masking.pgwire.test_messages import BACKEND, STARTUP


def _frame(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def _startup(body: bytes) -> bytes:
    return struct.pack("!i", len(body) + 4) + body


# -- refusals -----------------------------------------------------------------------------

TYPED_REFUSALS = [
    ("unknown type", b"Z\x00\x00\x00\x04", "invalid message type 'Z'"),
    ("unprintable type", b"\x01", "invalid message type 0x01"),
    ("length below 4", b"Q\x00\x00\x00\x03", "invalid message length 3"),
    ("negative length", b"Q\xff\xff\xff\xff", "invalid message length -1"),
    ("sync with a payload", b"S\x00\x00\x00\x05x", "invalid message length 5"),
    ("huge auth message", b"p\x00\x10\x00\x08", "invalid message length"),
    ("query without NUL", _frame(b"Q", b"abc"), "not NUL-terminated"),
    ("bytes after the query", _frame(b"Q", b"abc\x00x"), "1 bytes after its content"),
    ("query not UTF-8", _frame(b"Q", b"\xff\xfe\x00"), "not valid UTF-8"),
    ("parse count beyond the message", _frame(b"P", b"\x00q\x00\x03\xe8"), "shorter than"),
    (
        "bind: formats disagree",
        _frame(b"B", b"\x00\x00\x00\x02\x00\x00\x00\x00\x00\x03"),
        "2 parameter formats but 3 parameters",
    ),
    (
        "bind: format code 2",
        _frame(b"B", b"\x00\x00\x00\x01\x00\x02\x00\x00\x00\x00"),
        "unsupported parameter format code: 2",
    ),
    (
        "bind: value length -2",
        _frame(b"B", b"\x00\x00\x00\x00\x00\x01\xff\xff\xff\xfe\x00\x00"),
        "value length -2",
    ),
    (
        "bind: value past the end",
        _frame(b"B", b"\x00\x00\x00\x00\x00\x01\x00\x00\x00\x09ab"),
        "shorter than",
    ),
    (
        "bind: result format 7",
        _frame(b"B", b"\x00\x00\x00\x00\x00\x00\x00\x01\x00\x07"),
        "unsupported result format code: 7",
    ),
    ("describe subtype", _frame(b"D", b"Xname\x00"), "subtype 88"),
    ("close subtype", _frame(b"C", b"\x00"), "subtype 0"),
    ("execute without its row count", _frame(b"E", b"\x00\x00\x00"), "shorter than"),
    ("copy fail trailing bytes", _frame(b"f", b"x\x00y"), "after its content"),
    (
        "function call result format",
        _frame(b"F", b"\x00\x00\x00\x01\x00\x00\x00\x00\x00\x05"),
        "unsupported result format code: 5",
    ),
]


@pytest.mark.parametrize(
    ("what", "data", "message"), TYPED_REFUSALS, ids=[t[0] for t in TYPED_REFUSALS]
)
def test_malformed_messages_are_protocol_errors(what, data, message):
    reader = FrontendReader(startup=False)
    with pytest.raises(ProtocolError, match=message) as caught:
        reader.feed(data)
    assert caught.value.sqlstate == "08P01"


STARTUP_REFUSALS = [
    ("length below 8", b"\x00\x00\x00\x07\x00\x03\x00", "invalid length of startup packet: 7"),
    ("length above 10000", b"\x00\x01\x00\x00", "invalid length of startup packet: 65536"),
    (
        "protocol 2.0",
        _startup(b"\x00\x02\x00\x00user\x00a\x00\x00"),
        "unsupported frontend protocol 2.0",
    ),
    ("no terminator", _startup(b"\x00\x03\x00\x00user\x00a\x00"), "not NUL-terminated"),
    ("value without NUL", _startup(b"\x00\x03\x00\x00user\x00a"), "not NUL-terminated"),
    (
        "bytes after the terminator",
        _startup(b"\x00\x03\x00\x00user\x00a\x00\x00z"),
        "expected terminator",
    ),
    ("SSLRequest with a payload", _startup(b"\x04\xd2\x16\x2fxx"), "after its content"),
    (
        "cancel with a 2-byte key",
        _startup(b"\x04\xd2\x16\x2e\x00\x00\x00\x01ab"),
        "secret key of 2 bytes",
    ),
    (
        "data pipelined after SSLRequest",
        SSLRequest().encode() + b"\x16\x03\x01",
        "unencrypted data after SSL request",
    ),
]


@pytest.mark.parametrize(
    ("what", "data", "message"), STARTUP_REFUSALS, ids=[t[0] for t in STARTUP_REFUSALS]
)
def test_malformed_startup_packets_are_protocol_errors(what, data, message):
    with pytest.raises(ProtocolError, match=message):
        FrontendReader().feed(data)


def test_a_declared_length_over_the_limit_is_refused_before_its_bytes_arrive():
    reader = FrontendReader(startup=False, max_length=1000)
    with pytest.raises(ProtocolError, match="invalid message length 100004"):
        reader.feed(b"Q" + struct.pack("!i", 100_004))
    assert reader.buffered == 0


def test_a_message_at_the_limit_is_accepted():
    query = Query("x" * 995)  # 4 + 995 + 1 = 1000
    assert FrontendReader(startup=False, max_length=1000).feed(query.encode()) == [query]


def test_after_a_protocol_error_the_reader_refuses_everything():
    reader = FrontendReader(startup=False)
    with pytest.raises(ProtocolError):
        reader.feed(b"?")
    with pytest.raises(ProtocolError, match="invalid message type"):
        reader.feed(Sync().encode())


def test_the_reader_leaves_the_startup_phase_after_the_startup_message():
    reader = FrontendReader()
    assert reader.in_startup
    assert reader.feed(SSLRequest().encode()) == [SSLRequest()]
    assert reader.in_startup  # the client sends its StartupMessage next
    messages = reader.feed(STARTUP.encode() + Query("SELECT 1").encode())
    assert messages == [STARTUP, Query("SELECT 1")] and not reader.in_startup


def test_partial_messages_wait_for_the_rest():
    reader = FrontendReader(startup=False)
    wire = Query("SELECT 1").encode() + Sync().encode()
    assert reader.feed(wire[:3]) == []
    assert reader.feed(wire[3:12]) == []
    assert reader.buffered == 12
    assert reader.feed(wire[12:]) == [Query("SELECT 1"), Sync()]
    assert reader.buffered == 0


def test_backend_reader_refuses_malformed_messages():
    with pytest.raises(ProtocolError, match="invalid message type"):
        BackendReader().feed(b"Q\x00\x00\x00\x04")
    with pytest.raises(ProtocolError, match="count 5 exceeds"):
        BackendReader().feed(_frame(b"D", b"\x00\x05\x00\x00\x00\x00"))
    with pytest.raises(ProtocolError, match="invalid transaction status"):
        BackendReader().feed(_frame(b"Z", b"X"))
    with pytest.raises(ProtocolError, match="unsupported authentication request 7"):
        BackendReader().feed(_frame(b"R", b"\x00\x00\x00\x07"))


# -- properties ---------------------------------------------------------------------------

_text = st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=30
)
_blob = st.binary(max_size=40)
_maybe_blob = st.one_of(st.none(), _blob)
_format = st.sampled_from([0, 1])


@st.composite
def _binds(draw: st.DrawFn) -> Bind:
    params = tuple(draw(st.lists(_maybe_blob, max_size=5)))
    formats = draw(
        st.one_of(
            st.just(()),
            st.tuples(_format),
            st.tuples(*[_format for _ in params]),
        )
    )
    results = tuple(draw(st.lists(_format, max_size=4)))
    return Bind(draw(_text), draw(_text), formats, params, results)


_frontend = st.one_of(
    st.builds(Query, _text),
    st.builds(Parse, _text, _text, st.lists(st.integers(0, 2**32 - 1), max_size=5).map(tuple)),
    _binds(),
    st.builds(Describe, st.sampled_from(["S", "P"]), _text),
    st.builds(Close, st.sampled_from(["S", "P"]), _text),
    st.builds(Execute, _text, st.integers(-(2**31), 2**31 - 1)),
    st.sampled_from([Sync(), Flush(), Terminate(), CopyDone()]),
    st.builds(AuthResponse, _blob),
    st.builds(CopyData, _blob),
    st.builds(CopyFail, _text),
    st.builds(
        FunctionCall,
        st.integers(0, 2**32 - 1),
        st.lists(_format, max_size=3).map(tuple),
        st.lists(_maybe_blob, max_size=3).map(tuple),
        _format,
    ),
)
_startups = st.builds(
    StartupMessage,
    st.dictionaries(_text.filter(bool), _text, max_size=4),
)


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    startup=_startups,
    messages=st.lists(_frontend, max_size=12),
    cuts=st.lists(st.integers(0, 10_000), max_size=20),
)
def test_any_split_of_a_valid_stream_gives_the_same_messages(startup, messages, cuts):
    wire = startup.encode() + b"".join(m.encode() for m in messages)
    reader = FrontendReader()
    got = []
    for chunk in _chunks(wire, cuts):
        got.extend(reader.feed(chunk))
    assert got == [startup, *messages]
    assert reader.buffered == 0


@settings(max_examples=150)
@given(
    messages=st.lists(st.sampled_from(BACKEND), max_size=15),
    cuts=st.lists(st.integers(0, 10_000), max_size=20),
)
def test_any_split_of_a_valid_server_stream_gives_the_same_messages(messages, cuts):
    wire = b"".join(m.encode() for m in messages)
    reader = BackendReader()
    got = []
    for chunk in _chunks(wire, cuts):
        got.extend(reader.feed(chunk))
    assert got == messages


def _feed_all(reader: FrontendReader | BackendReader, chunks: list[bytes]) -> None:
    """Feed until the end or a ProtocolError; anything else fails the test."""
    try:
        for chunk in chunks:
            reader.feed(chunk)
    except ProtocolError:
        pass


@settings(max_examples=500)
@given(
    garbage=st.binary(max_size=300),
    cuts=st.lists(st.integers(0, 300), max_size=6),
    startup=st.booleans(),
)
def test_random_bytes_only_ever_raise_protocol_errors(garbage, cuts, startup):
    _feed_all(FrontendReader(startup=startup, max_length=4096), _chunks(garbage, cuts))
    _feed_all(BackendReader(max_length=4096), _chunks(garbage, cuts))


@settings(max_examples=500)
@given(
    messages=st.lists(_frontend, min_size=1, max_size=6),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4),
    inserts=st.lists(
        st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=4)), max_size=2
    ),
)
def test_corrupted_valid_streams_only_ever_raise_protocol_errors(messages, edits, inserts):
    wire = bytearray(STARTUP.encode() + b"".join(m.encode() for m in messages))
    for position, byte in edits:
        wire[position % len(wire)] = byte
    for position, data in inserts:
        wire[position % len(wire) : position % len(wire)] = data
    _feed_all(FrontendReader(max_length=4096), [bytes(wire)])
