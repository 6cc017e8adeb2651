"""Hypothesis throws malformed frontend messages at a running gateway over real sockets.

Each example opens a connection, sends its bytes, half-closes the socket (so a message
that declared more bytes than it sent ends in EOF rather than a wait), and reads until
the server closes; the server must close within the socket timeout. After every example
a healthy psycopg client on its own connection still logs in and reads masked rows.
"""

from __future__ import annotations

import logging
import socket
import struct
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masking.gateway import GatewayConfig
from tests.masking.gateway.conftest import (
    MASKED_EMAILS,
    PASSWORDS,
    Running,
    build_catalog,
    start_gateway,
)
from tests.masking.pgwire.test_scram import Client

TIMEOUT = 10.0
TYPE_BYTES = b"QPBDECSHXpdcfF"


def _msg(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def _startup(params: dict[str, str], major: int = 3, minor: int = 0) -> bytes:
    body = struct.pack("!hh", major, minor)
    for k, v in params.items():
        body += k.encode() + b"\0" + v.encode() + b"\0"
    body += b"\0"
    return struct.pack("!i", len(body) + 4) + body


STARTUP = _startup({"user": "alice", "database": "wh"})

names = st.text(st.characters(min_codepoint=1, max_codepoint=0x2FF), max_size=20)


@st.composite
def framed(draw: st.DrawFn) -> bytes:
    """A typed message: a known or unknown type byte, a payload, a true or false length."""
    kind = draw(st.one_of(st.sampled_from(list(TYPE_BYTES)), st.integers(0, 255)))
    body = draw(st.binary(max_size=64))
    length = draw(
        st.one_of(
            st.just(len(body) + 4),
            st.integers(-(2**31), 2**31 - 1),
            st.sampled_from([0, 3, 4, 5, len(body), len(body) + 5, 2**31 - 1, 64 * 2**20 + 1]),
        )
    )
    return bytes([kind]) + struct.pack("!i", length) + body


@st.composite
def bad_startup(draw: st.DrawFn) -> bytes:
    """Startup packets with odd protocol versions, huge or broken parameter lists."""
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return _startup(
            {"user": "alice"},
            draw(st.integers(-(2**15), 2**15 - 1)),
            draw(st.integers(-(2**15), 2**15 - 1)),
        )
    if choice == 1:
        count = draw(st.integers(0, 3000))
        return _startup({f"p{i}": "x" * 5 for i in range(count)} | {"user": "alice"})
    if choice == 2:
        params = draw(st.dictionaries(names, names, max_size=8))
        return _startup(params, 3, draw(st.integers(0, 3)))
    if choice == 3:
        # Magic request codes (SSL, GSSENC, cancel) with wrong lengths or trailing bytes.
        code = draw(st.sampled_from([80877103, 80877104, 80877102, 196608, 0, -1]))
        tail = draw(st.binary(max_size=16))
        length = draw(st.one_of(st.just(8 + len(tail)), st.integers(-10, 20_000)))
        return struct.pack("!ii", length, code) + tail
    body = STARTUP[4:-1] + draw(st.binary(max_size=40))  # unterminated / garbage tail
    return struct.pack("!i", len(body) + 4) + body


@st.composite
def mid_auth(draw: st.DrawFn) -> bytes:
    """A valid startup, then garbage where the SASL messages belong."""
    first = Client(PASSWORDS["alice"]).first()  # a valid client-first-message
    options = [
        _msg(b"p", draw(st.binary(max_size=80))),
        _msg(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", draw(st.integers(-5, 500))) + first),
        _msg(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first) + draw(framed()),
        _msg(b"Q", b"SELECT 1\0"),
        draw(framed()),
    ]
    return STARTUP + draw(st.sampled_from(options))


@st.composite
def after_login(draw: st.DrawFn) -> list[bytes]:
    """Messages to send once logged in: mostly valid-looking ones with garbage inside."""
    valid = [
        _msg(b"Q", b"SELECT email FROM crm.customers\0"),
        _msg(b"P", b"s1\0SELECT $1::int\0\0\0"),
        _msg(b"B", b"\0s1\0\0\0\0\1\0\0\0\0011\0\0"),
        _msg(b"E", b"\0\0\0\0\0"),
        _msg(b"S", b""),
        _msg(b"H", b""),
    ]
    garbage = st.one_of(
        framed(),
        st.binary(min_size=1, max_size=100),
        st.builds(
            lambda k, b: _msg(k, b),
            st.sampled_from([bytes([t]) for t in b"PBDECQF"]),
            st.binary(max_size=60),
        ),
        st.builds(
            lambda k, b, cut: _msg(k, b)[:cut],
            st.sampled_from([b"Q", b"P", b"B"]),
            st.binary(max_size=40),
            st.integers(1, 8),
        ),
    )
    return draw(st.lists(st.one_of(st.sampled_from(valid), garbage), min_size=1, max_size=6))


def _drain(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; a timeout is a hang."""
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return received
        except TimeoutError:
            raise AssertionError(f"the gateway neither answered nor closed: {received!r}") from None
        if not chunk:
            return received
        received += chunk


def _send_all(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server already closed: fine


def _connect(gateway: Running) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", gateway.port), timeout=TIMEOUT)
    sock.settimeout(TIMEOUT)
    return sock


def _login(gateway: Running, sock: socket.socket) -> None:
    """A real SCRAM login on a raw socket, up to the first ReadyForQuery."""
    client = Client(PASSWORDS["alice"], nonce="fuzznonce")
    sock.sendall(STARTUP)
    _expect(sock, b"R")
    first = client.first()
    sock.sendall(_msg(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first))
    server_first = _expect(sock, b"R")[4:]
    sock.sendall(_msg(b"p", client.final(server_first)))
    while _read_message(sock)[0] != b"Z":
        pass


def _read_message(sock: socket.socket) -> tuple[bytes, bytes]:
    head = _recv_exact(sock, 5)
    (length,) = struct.unpack("!i", head[1:])
    return head[:1], _recv_exact(sock, length - 4)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, "connection closed during login"
        data += chunk
    return data


def _expect(sock: socket.socket, kind: bytes) -> bytes:
    got, body = _read_message(sock)
    assert got == kind, (got, body)
    return body


def _no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    """No exception escaped a connection's task (server.py logs those) or asyncio."""
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def _healthy(gateway: Running) -> None:
    with psycopg.connect(gateway.dsn(), autocommit=True, connect_timeout=10) as conn:
        rows = conn.execute("SELECT email FROM crm.customers ORDER BY id").fetchall()
    assert [r[0] for r in rows] == MASKED_EMAILS


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=200),
        framed(),
        bad_startup(),
        mid_auth(),
        st.builds(lambda garbage: STARTUP + garbage, st.binary(max_size=100)),
        st.lists(framed(), min_size=1, max_size=4).map(
            lambda frames: STARTUP[:0] + b"".join(frames)
        ),
    )
)
def test_garbage_before_login_closes_only_that_connection(
    gateway: Running, caplog: pytest.LogCaptureFixture, data: bytes
) -> None:
    with _connect(gateway) as sock:
        _send_all(sock, data)
        _drain(sock)
    _healthy(gateway)
    _no_errors_logged(caplog)


@FUZZ
@given(messages=after_login())
def test_garbage_after_login_closes_only_that_connection(
    gateway: Running, caplog: pytest.LogCaptureFixture, messages: list[bytes]
) -> None:
    with _connect(gateway) as sock:
        _login(gateway, sock)
        _send_all(sock, b"".join(messages))
        _drain(sock)
    _healthy(gateway)
    _no_errors_logged(caplog)


def test_an_oversized_length_is_refused_without_reading_it(gateway: Running) -> None:
    with _connect(gateway) as sock:
        _login(gateway, sock)
        sock.sendall(b"Q" + struct.pack("!i", 2**31 - 1) + b"SELECT")  # no half-close
        reply = _drain(sock)
    assert reply.startswith(b"E") and b"invalid message length" in reply
    _healthy(gateway)


def test_a_client_silent_during_login_is_dropped_and_frees_its_slot(tmp_path: Path) -> None:
    store = build_catalog(tmp_path)
    running = start_gateway(
        tmp_path, store, GatewayConfig(port=0, max_connections=1, auth_timeout=0.5)
    )
    try:
        with _connect(running) as silent, _connect(running) as mid_login:
            mid_login.sendall(STARTUP)  # admitted, then never answers the SASL challenge
            assert _drain(mid_login).startswith(b"R")
            assert _drain(silent) == b""  # never sent a byte
        _healthy(running)  # the one slot is free again
    finally:
        running.stop()
        running.gateway.audit.close()
        store.close()
