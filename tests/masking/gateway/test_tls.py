"""TLS on the gateway: real clients (psycopg/libpq, psql) over a test CA's certificate.

The CA and the server certificate (for localhost and 127.0.0.1) are made at test time
with the openssl command line. A gateway without a certificate refuses TLS with 'N';
one that requires TLS refuses plaintext logins with 28000; a client that sends garbage
instead of a TLS handshake only loses its own connection.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from catalog.errors import ConfigError
from masking.gateway import GatewayConfig
from masking.gateway.tls import load_tls
from masking.pgwire import backend as be
from masking.pgwire import frontend as fe
from policies.audit import AuditKind, read_records
from tests.masking.gateway.conftest import (
    MASKED_EMAILS,
    PASSWORDS,
    Running,
    build_catalog,
    start_gateway,
)

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(folder: Path) -> dict[str, Path]:
    """A CA, a server certificate it signed (localhost, 127.0.0.1), an unrelated key,
    and the server key encrypted with a passphrase."""
    folder.mkdir(parents=True, exist_ok=True)
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=Veil test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
        "-out", "server.csr", "-subj", "/CN=localhost",
        cwd=folder,
    )  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-sha256", "-extfile", "san.ext",
        "-out", "server.crt",
        cwd=folder,
    )  # fmt: skip
    _openssl("genpkey", "-algorithm", "RSA", "-out", "other.key", cwd=folder)
    _openssl(
        "pkey", "-in", "server.key", "-aes256", "-passout", "pass:secret",
        "-out", "encrypted.key",
        cwd=folder,
    )  # fmt: skip
    names = ("ca.crt", "server.crt", "server.key", "other.key", "encrypted.key")
    return {name: folder / name for name in names}


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_certificates(tmp_path_factory.mktemp("certs"))


def _tls_gateway(folder: Path, certs: dict[str, Path], **options: object) -> Running:
    store = build_catalog(folder)
    config = GatewayConfig(
        port=0,
        tls_cert=str(certs["server.crt"]),
        tls_key=str(certs["server.key"]),
        **options,  # type: ignore[arg-type]
    )
    return start_gateway(folder, store, config)


@pytest.fixture(scope="module")
def tls_gateway(
    tmp_path_factory: pytest.TempPathFactory, certs: dict[str, Path]
) -> Iterator[Running]:
    running = _tls_gateway(tmp_path_factory.mktemp("tls"), certs)
    yield running
    running.stop()
    running.gateway.audit.close()
    running.store.close()


def dsn(running: Running, user: str = "alice", **options: str) -> str:
    fields = {
        "host": "127.0.0.1",
        "port": str(running.port),
        "user": user,
        "password": PASSWORDS[user],
        "dbname": "wh",
        "connect_timeout": "10",
        **options,
    }
    return " ".join(f"{k}={v}" for k, v in fields.items())


# -- clients over TLS -------------------------------------------------------------------


def test_sslmode_require_reads_masked_values(tls_gateway: Running) -> None:
    with psycopg.connect(dsn(tls_gateway, sslmode="require"), autocommit=True) as conn:
        assert conn.pgconn.ssl_in_use
        rows = conn.execute("SELECT email FROM crm.customers ORDER BY id").fetchall()
        # The extended protocol too, over the same encrypted stream.
        one = conn.execute("SELECT email FROM crm.customers WHERE id = %s", (2,)).fetchone()
    assert [r[0] for r in rows] == MASKED_EMAILS
    assert one == (MASKED_EMAILS[1],)


def test_verify_full_trusts_the_test_ca(tls_gateway: Running, certs: dict[str, Path]) -> None:
    options = {"sslmode": "verify-full", "sslrootcert": str(certs["ca.crt"])}
    with psycopg.connect(dsn(tls_gateway, **options, host="localhost", hostaddr="127.0.0.1")) as c:
        assert c.pgconn.ssl_in_use
        assert c.execute("SELECT count(*) FROM crm.customers").fetchone() == (3,)


def test_verify_full_refuses_a_name_the_certificate_does_not_carry(
    tls_gateway: Running, certs: dict[str, Path]
) -> None:
    options = {"sslmode": "verify-full", "sslrootcert": str(certs["ca.crt"])}
    with pytest.raises(psycopg.OperationalError, match="does not match host name"):
        psycopg.connect(dsn(tls_gateway, **options, host="veil.invalid", hostaddr="127.0.0.1"))


def test_channel_binding_require_logs_in_with_scram_plus(tls_gateway: Running) -> None:
    options = {"sslmode": "require", "channel_binding": "require"}
    with psycopg.connect(dsn(tls_gateway, "bob", **options), autocommit=True) as conn:
        assert conn.execute("SELECT email FROM crm.customers WHERE id = 1").fetchone() == (
            "ann@example.com",
        )
    # A wrong password is still refused when the exchange is bound to the certificate.
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(dsn(tls_gateway, **options, password="wrong"))


def test_sslmode_prefer_upgrades_and_disable_stays_plain(tls_gateway: Running) -> None:
    with psycopg.connect(dsn(tls_gateway, sslmode="prefer")) as conn:
        assert conn.pgconn.ssl_in_use
    with psycopg.connect(dsn(tls_gateway, sslmode="disable")) as conn:
        assert not conn.pgconn.ssl_in_use  # TLS offered, not required
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_psql_with_sslmode_require(tls_gateway: Running) -> None:
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("psql is not installed")
    env = {**os.environ, "PGPASSWORD": PASSWORDS["alice"], "PGCONNECT_TIMEOUT": "10"}
    conninfo = f"host=127.0.0.1 port={tls_gateway.port} user=alice dbname=wh sslmode=require"
    out = subprocess.run(
        [psql, conninfo, "-X", "-At", "-c", "SELECT email FROM crm.customers ORDER BY id"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert out.split() == MASKED_EMAILS


# -- refusals ---------------------------------------------------------------------------


def test_a_gateway_without_a_certificate_refuses_tls_clearly(gateway: Running) -> None:
    with pytest.raises(psycopg.OperationalError, match="server does not support SSL"):
        psycopg.connect(dsn(gateway, sslmode="require"))
    with psycopg.connect(dsn(gateway, sslmode="prefer")) as conn:  # falls back to plaintext
        assert not conn.pgconn.ssl_in_use
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_required_tls_refuses_plaintext_logins_and_audits_them(
    tmp_path: Path, certs: dict[str, Path]
) -> None:
    running = _tls_gateway(tmp_path, certs, tls_required=True)
    try:
        with pytest.raises(psycopg.OperationalError, match="TLS required") as caught:
            psycopg.connect(dsn(running, sslmode="disable"))
        assert "sslmode=require" in str(caught.value)  # the hint
        with psycopg.connect(dsn(running, sslmode="require")) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        records = [stored.record for stored in read_records(running.store)]
        failed = [r for r in records if r.kind is AuditKind.LOGIN_FAILED]
        assert [(r.user, r.reason, r.sqlstate) for r in failed] == [
            ("alice", "TLS required", "28000")
        ]
    finally:
        running.stop()
        running.gateway.audit.close()
        running.store.close()


# -- hostile clients --------------------------------------------------------------------


def _ssl_request(running: Running) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", running.port), timeout=10)
    sock.sendall(fe.SSLRequest().encode())
    return sock


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return data


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00" * 64,  # not a ClientHello
        fe.StartupMessage({"user": "alice", "database": "wh"}).encode(),  # plaintext after S
        b"\x16\x03\x01\x00\x05hello",  # a TLS record header and nonsense
        os.urandom(4096),
        b"",  # nothing: the client just leaves
    ],
    ids=["zeros", "plaintext-startup", "bad-record", "random", "hang-up"],
)
def test_garbage_after_S_ends_only_that_connection(
    tls_gateway: Running, garbage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    sock = _ssl_request(tls_gateway)
    try:
        assert sock.recv(1) == b"S"
        if garbage:
            sock.sendall(garbage)
        sock.shutdown(socket.SHUT_WR)
        _read_all(sock)  # the gateway closes it (perhaps after a TLS alert)
    finally:
        sock.close()
    with psycopg.connect(dsn(tls_gateway, sslmode="require")) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback


def test_over_tls_scram_plus_is_offered_and_a_second_ssl_request_is_fatal(
    tls_gateway: Running, certs: dict[str, Path]
) -> None:
    context = ssl.create_default_context(cafile=str(certs["ca.crt"]))
    sock = _ssl_request(tls_gateway)
    try:
        assert sock.recv(1) == b"S"
        with context.wrap_socket(sock, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() is None  # none asked for
            tls.sendall(fe.StartupMessage({"user": "alice", "database": "wh"}).encode())
            reader = be.BackendReader()
            offered = reader.feed(tls.recv(65536))[0]
            assert isinstance(offered, be.AuthenticationSASL)
            assert offered.mechanisms == ("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256")
        sock = _ssl_request(tls_gateway)
        assert sock.recv(1) == b"S"
        with context.wrap_socket(sock, server_hostname="localhost") as tls:
            tls.sendall(fe.SSLRequest().encode())
            reply = be.BackendReader().feed(tls.recv(65536))[0]
            assert isinstance(reply, be.ErrorResponse)
            assert reply.code == "08P01" and "already uses TLS" in reply.message
    finally:
        sock.close()


def test_plaintext_sent_with_the_ssl_request_is_refused(tls_gateway: Running) -> None:
    sock = socket.create_connection(("127.0.0.1", tls_gateway.port), timeout=10)
    try:
        startup = fe.StartupMessage({"user": "alice", "database": "wh"}).encode()
        sock.sendall(fe.SSLRequest().encode() + startup)  # never waits for the answer
        reply = _read_all(sock)
    finally:
        sock.close()
    assert reply[:1] == b"E" and b"received unencrypted data after SSL request" in reply
    assert b"08P01" in reply


def test_gssenc_request_is_refused_and_tls_still_offered(tls_gateway: Running) -> None:
    with psycopg.connect(dsn(tls_gateway, gssencmode="prefer", sslmode="require")) as conn:
        assert conn.pgconn.ssl_in_use


# -- configuration errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cert", "key", "message"),
    [
        ("missing.crt", "server.key", "cannot read the TLS certificate"),
        ("server.crt", "missing.key", "cannot read the TLS private key"),
        ("server.key", "server.key", "holds no PEM certificate"),
        ("server.crt", "server.crt", "holds no PEM private key"),
        ("server.crt", "other.key", "does not belong to the certificate"),
        ("server.crt", "encrypted.key", "protected by a passphrase"),
    ],
)
def test_bad_certificate_files_are_explained(
    certs: dict[str, Path], cert: str, key: str, message: str
) -> None:
    folder = certs["ca.crt"].parent
    with pytest.raises(ConfigError, match=message) as caught:
        load_tls(folder / cert, folder / key)
    assert caught.value.hint


def test_certificate_and_key_come_together(certs: dict[str, Path], tmp_path: Path) -> None:
    store = build_catalog(tmp_path)
    try:
        for config, message in [
            (GatewayConfig(tls_cert=str(certs["server.crt"])), "both a certificate"),
            (GatewayConfig(tls_required=True), "no certificate is configured"),
        ]:
            with pytest.raises(ConfigError, match=message):
                start_gateway(tmp_path, store, config)
    finally:
        store.close()


def test_the_certificate_is_hashed_for_channel_binding(certs: dict[str, Path]) -> None:
    tls = load_tls(certs["server.crt"], certs["server.key"])
    assert tls.channel_binding is not None and len(tls.channel_binding) == 32  # SHA-256


def test_veil_proxy_reports_a_bad_certificate_without_a_traceback(
    run, certs: dict[str, Path]
) -> None:
    result = run(
        "proxy", "--warehouse", "wh",
        "--tls-cert", str(certs["server.crt"]), "--tls-key", str(certs["other.key"]),
        code=1,
    )  # fmt: skip
    assert "does not belong to the certificate" in result.output
    assert "Traceback" not in result.output


def test_veil_proxy_reads_the_certificate_from_settings(
    run, certs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEIL_GATEWAY_TLS_CERT", str(certs["server.crt"]))
    result = run("proxy", "--warehouse", "wh", code=1)
    assert "TLS needs both a certificate and its private key" in result.output
