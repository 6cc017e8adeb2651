"""Frontend and backend messages: exact bytes, round trips, and strict refusals."""

from __future__ import annotations

import doctest

import pytest

import masking.pgwire.backend as backend_module
import masking.pgwire.framing as framing_module
import masking.pgwire.frontend as frontend_module
import masking.pgwire.params as params_module
import masking.pgwire.scram as scram_module
import masking.pgwire.types as types_module
import masking.pgwire.values as values_module
import policies.credentials as credentials_module
from catalog.errors import VeilError
from masking.pgwire.backend import (
    BIND_COMPLETE,
    CLOSE_COMPLETE,
    EMPTY_QUERY_RESPONSE,
    NO_DATA,
    PARSE_COMPLETE,
    PORTAL_SUSPENDED,
    AuthenticationCleartextPassword,
    AuthenticationMD5Password,
    AuthenticationOk,
    AuthenticationSASL,
    AuthenticationSASLContinue,
    AuthenticationSASLFinal,
    BackendKeyData,
    BackendReader,
    BindComplete,
    CloseComplete,
    CommandComplete,
    DataRow,
    EmptyQueryResponse,
    ErrorResponse,
    FieldDescription,
    NegotiateProtocolVersion,
    NoData,
    NoticeResponse,
    ParameterDescription,
    ParameterStatus,
    ParseComplete,
    PortalSuspended,
    ReadyForQuery,
    RowDescription,
    data_row,
)
from masking.pgwire.errors import ProtocolError
from masking.pgwire.frontend import (
    AuthResponse,
    Bind,
    CancelRequest,
    Close,
    CopyData,
    CopyDone,
    CopyFail,
    Describe,
    Execute,
    Flush,
    FrontendReader,
    FunctionCall,
    GSSENCRequest,
    Parse,
    Query,
    SASLInitialResponse,
    SSLRequest,
    StartupMessage,
    Sync,
    Terminate,
)

STARTUP = StartupMessage({"user": "alice", "database": "dw", "application_name": "psql"})

FRONTEND = [
    Query("SELECT 1; SELECT 'two'"),
    Query(""),
    Parse("", "SELECT $1::int, $2", (23, 0)),
    Parse("s1", "SELECT * FROM t WHERE a = $1", ()),
    Bind("", "", (), (), ()),
    Bind("p1", "s1", (1,), (b"\x00\x00\x00\x01", None, b""), (0, 1)),
    Bind("", "s1", (0, 1), (b"abc", b"\x01"), (1,)),
    Describe("S", "s1"),
    Describe("P", ""),
    Execute("", 0),
    Execute("p1", 100),
    Close("S", "s1"),
    Close("P", "p1"),
    Sync(),
    Flush(),
    Terminate(),
    AuthResponse(b"n,,n=,r=abc"),
    CopyData(b"1\tx\n"),
    CopyDone(),
    CopyFail("client gave up"),
    FunctionCall(1598, (1,), (b"\x00\x00\x00\x2a", None), 1),
    Query("SELECT 'ünïcødé ✓ 𝄞'"),
]

STARTUP_PHASE = [
    STARTUP,
    StartupMessage({"user": "bob", "_pq_.extra": "1"}, 3, 2),
    SSLRequest(),
    GSSENCRequest(),
    CancelRequest(4242, b"\x01\x02\x03\x04"),
    CancelRequest(-7, bytes(range(32))),
]

BACKEND = [
    AuthenticationOk(),
    AuthenticationCleartextPassword(),
    AuthenticationMD5Password(b"salt"),
    AuthenticationSASL(("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256")),
    AuthenticationSASLContinue(b"r=abc,s=c2FsdA==,i=4096"),
    AuthenticationSASLFinal(b"v=c2ln"),
    ParameterStatus("server_version", "16.0 (Veil)"),
    BackendKeyData(12345, b"\xde\xad\xbe\xef"),
    ReadyForQuery("I"),
    ReadyForQuery("T"),
    ReadyForQuery("E"),
    NegotiateProtocolVersion(0, ("_pq_.extra",)),
    RowDescription(()),
    RowDescription(
        (
            FieldDescription("id", 23, 4, -1, 1, 16384, 1),
            FieldDescription("emäil", 1043),
            FieldDescription("amount", 1700, -1, (10 << 16 | 2) + 4, 0),
        )
    ),
    DataRow(()),
    DataRow((b"1", None, b"", b"\x00\xff")),
    CommandComplete("SELECT 3"),
    CommandComplete("INSERT 0 1"),
    ParameterDescription((23, 25, 0)),
    EmptyQueryResponse(),
    ParseComplete(),
    BindComplete(),
    CloseComplete(),
    NoData(),
    PortalSuspended(),
    ErrorResponse.build("42501", "permission denied for column ssn", hint="Ask for a grant."),
    ErrorResponse.build("42601", "syntax error", severity="ERROR", position=8, detail="near ;"),
    NoticeResponse.build("01000", "masked 2 columns"),
]


@pytest.mark.parametrize("message", FRONTEND, ids=lambda m: type(m).__name__)
def test_every_frontend_message_round_trips(message):
    assert FrontendReader(startup=False).feed(message.encode()) == [message]


@pytest.mark.parametrize("message", STARTUP_PHASE, ids=lambda m: type(m).__name__)
def test_every_startup_packet_round_trips(message):
    assert FrontendReader().feed(message.encode()) == [message]


@pytest.mark.parametrize("message", BACKEND, ids=lambda m: type(m).__name__)
def test_every_backend_message_round_trips(message):
    assert BackendReader().feed(message.encode()) == [message]


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        (SSLRequest().encode(), b"\x00\x00\x00\x08\x04\xd2\x16\x2f"),
        (GSSENCRequest().encode(), b"\x00\x00\x00\x08\x04\xd2\x16\x30"),
        (
            CancelRequest(7, b"\x00\x00\x00\x09").encode(),
            bytes.fromhex("0000001004d2162e0000000700000009"),
        ),
        (
            StartupMessage({"user": "a"}).encode(),
            b"\x00\x00\x00\x10\x00\x03\x00\x00user\x00a\x00\x00",
        ),
        (Query("SELECT 1").encode(), b"Q\x00\x00\x00\x0dSELECT 1\x00"),
        (Sync().encode(), b"S\x00\x00\x00\x04"),
        (Execute("", 5).encode(), b"E\x00\x00\x00\x09\x00\x00\x00\x00\x05"),
        (AuthenticationOk().encode(), b"R\x00\x00\x00\x08\x00\x00\x00\x00"),
        (
            AuthenticationSASL(("SCRAM-SHA-256",)).encode(),
            b"R\x00\x00\x00\x17\x00\x00\x00\x0aSCRAM-SHA-256\x00\x00",
        ),
        (ReadyForQuery("I").encode(), b"Z\x00\x00\x00\x05I"),
        (
            BackendKeyData(1, b"\x00\x00\x00\x02").encode(),
            b"K\x00\x00\x00\x0c\x00\x00\x00\x01\x00\x00\x00\x02",
        ),
        (ParameterStatus("a", "b").encode(), b"S\x00\x00\x00\x08a\x00b\x00"),
        (CommandComplete("SELECT 1").encode(), b"C\x00\x00\x00\x0dSELECT 1\x00"),
        (data_row([b"42", None]), b"D\x00\x00\x00\x10\x00\x02\x00\x00\x00\x0242\xff\xff\xff\xff"),
        (EMPTY_QUERY_RESPONSE, b"I\x00\x00\x00\x04"),
        (PARSE_COMPLETE, b"1\x00\x00\x00\x04"),
        (BIND_COMPLETE, b"2\x00\x00\x00\x04"),
        (CLOSE_COMPLETE, b"3\x00\x00\x00\x04"),
        (NO_DATA, b"n\x00\x00\x00\x04"),
        (PORTAL_SUSPENDED, b"s\x00\x00\x00\x04"),
        (
            RowDescription((FieldDescription("a", 23, 4),)).encode(),
            b"T\x00\x00\x00\x1a\x00\x01a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x17\x00\x04\xff\xff\xff\xff\x00\x00",
        ),
        (
            ErrorResponse.build("XX000", "boom").encode(),
            b"E\x00\x00\x00\x20SERROR\x00VERROR\x00CXX000\x00Mboom\x00\x00",
        ),
    ],
)
def test_messages_have_postgresqls_exact_bytes(encoded, expected):
    assert encoded == expected


def test_error_response_carries_a_veil_errors_sqlstate_message_and_hint():
    class Denied(VeilError):
        sqlstate = "42501"

    response = ErrorResponse.from_error(Denied("no access to ssn", hint="ask"), severity="FATAL")
    assert (response.severity, response.code, response.message, response.hint) == (
        "FATAL",
        "42501",
        "no access to ssn",
        "ask",
    )
    assert response.fields["S"] == "FATAL" and response.detail is None


@pytest.mark.parametrize(
    ("tag", "rows"),
    [("SELECT 3", 3), ("INSERT 0 12", 12), ("UPDATE 0", 0), ("SET", None), ("BEGIN", None)],
)
def test_command_complete_reports_the_row_count_of_its_tag(tag, rows):
    assert CommandComplete(tag).rows == rows


def test_sasl_initial_response_reads_the_mechanism_and_data():
    wire = SASLInitialResponse("SCRAM-SHA-256", b"n,,n=,r=xyz").encode()
    (message,) = FrontendReader(startup=False).feed(wire)
    assert isinstance(message, AuthResponse)
    assert message.sasl_initial() == SASLInitialResponse("SCRAM-SHA-256", b"n,,n=,r=xyz")
    empty = SASLInitialResponse("SCRAM-SHA-256", None).encode()
    assert FrontendReader(startup=False).feed(empty)[0].sasl_initial().data is None


def test_password_message_reads_a_cleartext_password():
    assert AuthResponse(b"secret\x00").password() == "secret"
    with pytest.raises(ProtocolError):
        AuthResponse(b"secret").password()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"SCRAM-SHA-256", "NUL"),
        (b"SCRAM-SHA-256\x00\x00\x00", "shorter"),
        (b"SCRAM-SHA-256\x00\x00\x00\x00\x05ab", "shorter"),
        (b"SCRAM-SHA-256\x00\xff\xff\xff\xfe", "value length -2"),
        (b"SCRAM-SHA-256\x00\x00\x00\x00\x01ab", "after its content"),
    ],
)
def test_a_malformed_sasl_initial_response_is_a_protocol_error(data, problem):
    with pytest.raises(ProtocolError, match=problem):
        AuthResponse(data).sasl_initial()


def test_startup_message_properties():
    assert STARTUP.user == "alice" and STARTUP.database == "dw"
    assert StartupMessage({"user": "bob"}).database == "bob"
    assert StartupMessage({"user": "x", "_pq_.a": "1"}).protocol_options == ("_pq_.a",)


def test_bind_param_format_applies_one_code_to_all():
    assert Bind("", "", (), (b"1", b"2")).param_format(1) == 0
    assert Bind("", "", (1,), (b"1", b"2")).param_format(1) == 1
    assert Bind("", "", (0, 1), (b"1", b"2")).param_format(1) == 1


def test_strings_with_nul_cannot_be_encoded():
    with pytest.raises(ValueError, match="NUL"):
        Query("a\x00b").encode()
    with pytest.raises(ValueError, match="NUL"):
        ParameterStatus("a", "b\x00").encode()


@pytest.mark.parametrize(
    "module",
    [
        framing_module,
        frontend_module,
        backend_module,
        values_module,
        params_module,
        types_module,
        scram_module,
        credentials_module,
    ],
    ids=lambda m: m.__name__,
)
def test_docstring_examples_run(module):
    result = doctest.testmod(module)
    assert result.failed == 0
