"""SCRAM-SHA-256, server side: RFC 7677's exchange, an independent client, unknown users
indistinguishable from wrong passwords, malformed messages, channel binding, verifiers
that PostgreSQL itself computes, and libpq (through psycopg) logging in for real."""

from __future__ import annotations

import base64
import hashlib
import hmac
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from masking.pgwire.backend import (
    SSL_ACCEPTED,
    SSL_REFUSED,
    AuthenticationOk,
    AuthenticationSASL,
    AuthenticationSASLContinue,
    AuthenticationSASLFinal,
    BackendKeyData,
    CommandComplete,
    ErrorResponse,
    ParameterStatus,
    ReadyForQuery,
)
from masking.pgwire.errors import AuthenticationFailed, ProtocolError
from masking.pgwire.frontend import (
    AuthResponse,
    FrontendMessage,
    FrontendReader,
    GSSENCRequest,
    Query,
    SSLRequest,
    StartupMessage,
    Terminate,
)
from masking.pgwire.scram import (
    SCRAM_SHA_256,
    SCRAM_SHA_256_PLUS,
    ScramServer,
    mock_salt,
    tls_server_end_point,
)
from masking.pgwire.types import FORMAT_PARAMETERS, ResultColumn, RowEncoder, type_by_name
from policies.credentials import ScramVerifier, saslprep
from tests import pg

KEY = b"k" * 32


# -- an independent client (RFC 5802 section 3, written from the RFC) ---------------------


class Client:
    def __init__(
        self,
        password: str,
        nonce: str = "rOprNGfwEbeRWgbNEkqO",
        *,
        gs2: str = "n,,",
        cbind: bytes = b"",
    ) -> None:
        self.password, self.nonce, self.gs2, self.cbind = password, nonce, gs2, cbind
        self.first_bare = f"n=,r={nonce}"

    def first(self) -> bytes:
        return (self.gs2 + self.first_bare).encode()

    def final(self, server_first: bytes) -> bytes:
        fields = dict(part.split("=", 1) for part in server_first.decode().split(","))
        salt, iterations = base64.b64decode(fields["s"]), int(fields["i"])
        salted = hashlib.pbkdf2_hmac("sha256", self.password.encode(), salt, iterations)
        client_key = hmac.new(salted, b"Client Key", "sha256").digest()
        stored_key = hashlib.sha256(client_key).digest()
        channel = base64.b64encode(self.gs2.encode() + self.cbind).decode()
        without_proof = f"c={channel},r={fields['r']}"
        auth = f"{self.first_bare},{server_first.decode()},{without_proof}".encode()
        signature = hmac.new(stored_key, auth, "sha256").digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        server_key = hmac.new(salted, b"Server Key", "sha256").digest()
        self.expected_server_final = b"v=" + base64.b64encode(
            hmac.new(server_key, auth, "sha256").digest()
        )
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()


def _exchange(server: ScramServer, client: Client, mechanism: str = SCRAM_SHA_256) -> bytes:
    server_first = server.first(mechanism, client.first())
    return server.final(client.final(server_first))


# -- RFC 7677 -----------------------------------------------------------------------------


def test_the_rfc_7677_exchange_byte_for_byte():
    verifier = ScramVerifier.derive(
        "pencil", salt=base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ=="), iterations=4096
    )
    server = ScramServer(
        "user", verifier, mock_key=KEY, nonce=lambda: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    )
    first = server.first(SCRAM_SHA_256, b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
    assert first == (
        b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    )
    final = server.final(
        b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        b"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    )
    assert final == b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
    assert server.authenticated


# -- exchanges ----------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["s3cret", "correct horse battery staple", "pässwörd ✓"])
def test_the_right_password_logs_in_and_the_server_proves_itself(password):
    verifier = ScramVerifier.derive(password)
    client = Client(saslprep(password))
    final = _exchange(ScramServer("alice", verifier, mock_key=KEY), client)
    assert final == client.expected_server_final


def test_a_wrong_password_fails_with_28p01():
    server = ScramServer("alice", ScramVerifier.derive("right"), mock_key=KEY)
    with pytest.raises(
        AuthenticationFailed, match='password authentication failed for user "alice"'
    ) as e:
        _exchange(server, Client("wrong"))
    assert e.value.sqlstate == "28P01" and not server.authenticated


def test_an_unknown_user_looks_like_a_real_one_until_the_same_failure():
    def first(user: str, key: bytes = KEY) -> dict[str, str]:
        server = ScramServer(user, None, mock_key=key, nonce=lambda: "N")
        text = server.first(SCRAM_SHA_256, b"n,,n=,r=abc").decode()
        return dict(part.split("=", 1) for part in text.split(","))

    ghost = first("ghost")
    assert ghost["i"] == "4096" and len(base64.b64decode(ghost["s"])) == 16
    assert first("ghost") == ghost  # stable: a real salt does not change either
    assert first("ghost", b"other-key-other-key!") != ghost
    assert first("phantom")["s"] != ghost["s"]
    assert base64.b64decode(ghost["s"]) == mock_salt(KEY, "ghost")
    server = ScramServer("ghost", None, mock_key=KEY)
    with pytest.raises(
        AuthenticationFailed, match='password authentication failed for user "ghost"'
    ):
        _exchange(server, Client("anything"))


def test_the_user_name_inside_the_scram_message_is_ignored():
    """libpq sends n= empty; the login is the startup packet's user, as in PostgreSQL."""
    verifier = ScramVerifier.derive("pw")
    client = Client("pw")
    client.first_bare = "n=mallory,r=abc"
    assert _exchange(ScramServer("alice", verifier, mock_key=KEY), client)


MALFORMED_FIRST = [
    (SCRAM_SHA_256, None, "empty initial response"),
    ("SCRAM-SHA-1", b"n,,n=,r=a", "invalid SASL authentication mechanism"),
    (
        SCRAM_SHA_256_PLUS,
        b"p=tls-server-end-point,,n=,r=a",
        "invalid SASL authentication mechanism",
    ),
    (SCRAM_SHA_256, b"p=tls-server-end-point,,n=,r=a", "requires channel binding"),
    (SCRAM_SHA_256, b"p=tls-unique,,n=,r=a", "unsupported SCRAM channel-binding type"),
    (SCRAM_SHA_256, b"x,,n=,r=a", "unexpected channel-binding flag"),
    (SCRAM_SHA_256, b"n,a=admin,n=,r=a", "authorization identity"),
    (SCRAM_SHA_256, b"n,,m=ext,n=,r=a", "unsupported SCRAM extension"),
    (SCRAM_SHA_256, b"n,,r=a", "expected attribute 'n'"),
    (SCRAM_SHA_256, b"n,,n=,x=a", "expected attribute 'r'"),
    (SCRAM_SHA_256, b"n,,n=,r=", "invalid client nonce"),
    (SCRAM_SHA_256, b"n,,n=,r=a\x01b", "invalid client nonce"),
    (SCRAM_SHA_256, b"n", "no GS2 header"),
    (SCRAM_SHA_256, b"n,,n=,r=\xff", "not UTF-8"),
]


@pytest.mark.parametrize(("mechanism", "message", "problem"), MALFORMED_FIRST)
def test_a_malformed_client_first_message_is_a_protocol_error(mechanism, message, problem):
    server = ScramServer("alice", ScramVerifier.derive("pw"), mock_key=KEY)
    with pytest.raises(ProtocolError, match=problem) as e:
        server.first(mechanism, message)
    assert e.value.sqlstate == "08P01"


def _final_with(edit) -> bytes:
    client = Client("pw")
    server = ScramServer("alice", ScramVerifier.derive("pw"), mock_key=KEY)
    final = client.final(server.first(SCRAM_SHA_256, client.first()))
    return server.final(edit(final.decode()).encode())


MALFORMED_FINAL = [
    (lambda f: f.replace("c=biws", "c=eSws"), "channel binding check failed"),
    (lambda f: f.replace("c=biws", "c=!!"), "invalid base64"),
    (lambda f: f.replace(",r=", ",r=x"), "nonce mismatch"),
    (lambda f: f.replace("c=", "x="), "expected attribute 'c'"),
    (lambda f: f.rsplit(",p=", 1)[0], "expected attribute 'p'"),
    (lambda f: f.rsplit(",p=", 1)[0] + ",p=YWJj", "malformed proof"),
    (lambda f: "c=biws", "expected attribute 'r'"),
    (lambda f: "", "expected attribute 'c'"),
]


@pytest.mark.parametrize(("edit", "problem"), MALFORMED_FINAL)
def test_a_malformed_client_final_message_is_a_protocol_error(edit, problem):
    with pytest.raises(ProtocolError, match=problem):
        _final_with(edit)


def test_messages_out_of_order_are_refused():
    server = ScramServer("alice", ScramVerifier.derive("pw"), mock_key=KEY)
    with pytest.raises(ProtocolError, match="unexpected SASL message"):
        server.final(b"c=biws,r=a,p=YQ==")
    client = Client("pw")
    server.first(SCRAM_SHA_256, client.first())
    with pytest.raises(ProtocolError, match="unexpected SASL message"):
        server.first(SCRAM_SHA_256, client.first())


# -- channel binding ----------------------------------------------------------------------

CB = b"\x11" * 32


def test_channel_binding_is_offered_on_tls_and_checked():
    verifier = ScramVerifier.derive("pw")
    server = ScramServer("alice", verifier, mock_key=KEY, channel_binding=CB)
    assert server.mechanisms == (SCRAM_SHA_256_PLUS, SCRAM_SHA_256)
    client = Client("pw", gs2="p=tls-server-end-point,,", cbind=CB)
    assert _exchange(server, client, SCRAM_SHA_256_PLUS) == client.expected_server_final
    assert ScramServer("alice", verifier, mock_key=KEY).mechanisms == (SCRAM_SHA_256,)


def test_other_channel_binding_data_is_refused():
    server = ScramServer("alice", ScramVerifier.derive("pw"), mock_key=KEY, channel_binding=CB)
    client = Client("pw", gs2="p=tls-server-end-point,,", cbind=b"\x22" * 32)
    with pytest.raises(ProtocolError, match="channel binding check failed"):
        _exchange(server, client, SCRAM_SHA_256_PLUS)


@pytest.mark.parametrize(
    ("mechanism", "gs2", "problem"),
    [
        (SCRAM_SHA_256, "y,,", "negotiation error"),  # a downgrade: the server does bind
        (SCRAM_SHA_256_PLUS, "n,,", "without channel binding data"),
        (SCRAM_SHA_256, "p=tls-server-end-point,,", "selected SCRAM-SHA-256"),
    ],
)
def test_channel_binding_mismatches_are_refused(mechanism, gs2, problem):
    server = ScramServer("alice", ScramVerifier.derive("pw"), mock_key=KEY, channel_binding=CB)
    with pytest.raises(ProtocolError, match=problem):
        server.first(mechanism, f"{gs2}n=,r=abc".encode())


def test_a_client_that_could_bind_may_log_in_without_tls():
    server = ScramServer("alice", ScramVerifier.derive("pw"), mock_key=KEY)
    assert _exchange(server, Client("pw", gs2="y,,"))


# -- certificates for tls-server-end-point ------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("certs")
    made = {}
    for name, key_args, digest in (
        ("rsa-sha256", ["-newkey", "rsa:2048"], "-sha256"),
        ("ec-sha384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"], "-sha384"),
        ("rsa-sha1", ["-newkey", "rsa:2048"], "-sha1"),
    ):
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                *key_args,
                digest,
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-keyout",
                str(folder / f"{name}.key"),
                "-out",
                str(folder / f"{name}.pem"),
            ],
            check=True,
            capture_output=True,
        )
        made[name] = folder / name
    return made


def _fingerprint(pem: Path, digest: str) -> bytes:
    out = subprocess.run(
        ["openssl", "x509", "-in", str(pem), "-noout", "-fingerprint", f"-{digest}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return bytes.fromhex(out.strip().split("=", 1)[1].replace(":", ""))


@pytest.mark.parametrize(
    ("name", "digest"), [("rsa-sha256", "sha256"), ("ec-sha384", "sha384"), ("rsa-sha1", "sha256")]
)
def test_tls_server_end_point_hashes_the_certificate_with_its_signature_hash(
    certificates, name, digest
):
    pem = certificates[name].with_suffix(".pem")
    der = ssl.PEM_cert_to_DER_cert(pem.read_text())
    assert tls_server_end_point(der) == _fingerprint(pem, digest)


def test_tls_server_end_point_refuses_what_is_not_a_certificate():
    with pytest.raises(ValueError, match="not a DER certificate"):
        tls_server_end_point(b"\x30\x03\x02\x01\x01")


# -- PostgreSQL computes the same verifiers -----------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "password",
    [
        "pencil",
        "with spaces and \\ backslash",
        "pässwörd",
        "I\u00adX",  # soft hyphen: mapped to nothing by SASLprep
        "\u2168",  # ROMAN NUMERAL NINE: NFKC gives "IX"
        "\ufb01ne\u00a0day",  # ligature and no-break space
        "\u0627\u0644a",  # Arabic then Latin: fails bidi, used as given
        "a\u0221b",  # unassigned in Unicode 3.2: used as given
    ],
)
def test_verifiers_match_the_ones_postgresql_stores(pg_server, password):
    role = "veil_scram_" + hashlib.sha256(password.encode()).hexdigest()[:12]
    with psycopg.connect(pg.libpq(pg_server), autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {role}")
        try:
            conn.execute("SET password_encryption = 'scram-sha-256'")
            conn.execute(
                psycopg.sql.SQL("CREATE ROLE {} PASSWORD {}").format(
                    psycopg.sql.Identifier(role), psycopg.sql.Literal(password)
                )
            )
            row = conn.execute(
                "SELECT rolpassword FROM pg_authid WHERE rolname = %s", [role]
            ).fetchone()
        finally:
            conn.execute(f"DROP ROLE IF EXISTS {role}")
    assert row is not None
    stored = ScramVerifier.parse(row[0])
    ours = ScramVerifier.derive(password, salt=stored.salt, iterations=stored.iterations)
    assert ours == stored and str(ours) == row[0]
    assert stored.check_password(password)


# -- libpq logs in to a test-only server built from these pieces --------------------------


class LoginServer:
    """Just enough of a server for a real client to log in and run one query: startup
    (TLS when given a certificate), SCRAM, session parameters, one-row answers."""

    def __init__(self, verifiers: dict[str, ScramVerifier], cert: Path | None = None) -> None:
        self.verifiers = verifiers
        self.tls = None
        self.cb: bytes | None = None
        if cert is not None:
            self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.tls.load_cert_chain(cert.with_suffix(".pem"), cert.with_suffix(".key"))
            self.cb = tls_server_end_point(
                ssl.PEM_cert_to_DER_cert(cert.with_suffix(".pem").read_text())
            )
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.listener.close()
        self.thread.join(timeout=5)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            try:
                with conn:
                    conn.settimeout(10)
                    self._session(conn)
            except Exception as e:  # noqa: BLE001 (reported to the test)
                self.errors.append(e)

    def _session(self, conn: socket.socket | ssl.SSLSocket) -> None:
        reader = FrontendReader()
        pending: list[FrontendMessage] = []

        def read() -> FrontendMessage:
            while not pending:
                data = conn.recv(65536)
                if not data:
                    raise EOFError
                pending.extend(reader.feed(data))
            return pending.pop(0)

        message = read()
        while isinstance(message, SSLRequest | GSSENCRequest):
            if isinstance(message, SSLRequest) and self.tls is not None:
                conn.sendall(SSL_ACCEPTED)
                conn = self.tls.wrap_socket(conn, server_side=True)
            else:
                conn.sendall(SSL_REFUSED)
            message = read()
        assert isinstance(message, StartupMessage) and message.user is not None
        cb = self.cb if isinstance(conn, ssl.SSLSocket) else None
        scram = ScramServer(
            message.user, self.verifiers.get(message.user), mock_key=KEY, channel_binding=cb
        )
        conn.sendall(AuthenticationSASL(scram.mechanisms).encode())
        initial = read()
        assert isinstance(initial, AuthResponse)
        sasl = initial.sasl_initial()
        try:
            conn.sendall(
                AuthenticationSASLContinue(scram.first(sasl.mechanism, sasl.data)).encode()
            )
            final = read()
            assert isinstance(final, AuthResponse)
            server_final = scram.final(final.data)
        except (AuthenticationFailed, ProtocolError) as e:
            conn.sendall(ErrorResponse.from_error(e, severity="FATAL").encode())
            return
        out = [AuthenticationSASLFinal(server_final).encode(), AuthenticationOk().encode()]
        parameters = {**FORMAT_PARAMETERS, "server_version": "16.0", "server_encoding": "UTF8"}
        out += [ParameterStatus(k, v).encode() for k, v in parameters.items()]
        out += [BackendKeyData(1, b"\x00\x00\x00\x01").encode(), ReadyForQuery("I").encode()]
        conn.sendall(b"".join(out))
        encoder = RowEncoder(
            [ResultColumn("user", type_by_name("text")), ResultColumn("cb", type_by_name("bool"))]
        )
        while not isinstance(message := read(), Terminate):
            assert isinstance(message, Query)
            conn.sendall(
                encoder.row_description().encode()
                + encoder.encode_rows([(scram.user, cb is not None)])
                + CommandComplete("SELECT 1").encode()
                + ReadyForQuery("I").encode()
            )


@pytest.fixture
def login_server() -> Iterator[LoginServer]:
    server = LoginServer(
        {"alice": ScramVerifier.derive("wonderland"), "bob": ScramVerifier.derive("ünïcode ✓")}
    )
    yield server
    server.close()
    assert not server.errors


def _connect(port: int, user: str, password: str, **options: str) -> psycopg.Connection:
    options.setdefault("sslmode", "disable")
    return psycopg.connect(
        host="127.0.0.1",
        port=port,
        user=user,
        password=password,
        dbname="dw",
        gssencmode="disable",
        connect_timeout=10,
        **options,
    )


@pytest.mark.parametrize(("user", "password"), [("alice", "wonderland"), ("bob", "ünïcode ✓")])
def test_libpq_logs_in_with_scram(login_server, user, password):
    with _connect(login_server.port, user, password) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (user, False)


@pytest.mark.parametrize(("user", "password"), [("alice", "Wonderland"), ("nobody", "wonderland")])
def test_libpq_gets_the_same_error_for_a_wrong_password_and_an_unknown_user(
    login_server, user, password
):
    with pytest.raises(
        psycopg.OperationalError, match=f'password authentication failed for user "{user}"'
    ):
        _connect(login_server.port, user, password)


def test_libpq_binds_the_channel_to_the_tls_certificate(certificates):
    server = LoginServer(
        {"alice": ScramVerifier.derive("wonderland")}, cert=certificates["rsa-sha256"]
    )
    try:
        with _connect(
            server.port, "alice", "wonderland", sslmode="require", channel_binding="require"
        ) as conn:
            assert conn.execute("SELECT 1").fetchone() == ("alice", True)
            assert conn.pgconn.ssl_in_use
    finally:
        server.close()
    assert not server.errors
