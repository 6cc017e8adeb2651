"""The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it.

One :class:`ScramServer` per login attempt, driven by the three SASL messages::

    scram = ScramServer(user, verifier, mock_key=key, channel_binding=cb)
    send(AuthenticationSASL(scram.mechanisms))
    initial = (await read()).sasl_initial()                # AuthResponse -> SASLInitialResponse
    send(AuthenticationSASLContinue(scram.first(initial.mechanism, initial.data)))
    final = scram.final((await read()).data)               # raises AuthenticationFailed
    send(AuthenticationSASLFinal(final)); send(AuthenticationOk())

``verifier`` is the user's stored :class:`~policies.credentials.ScramVerifier`, or None
when there is no such user: the exchange then runs to the end with a salt derived from
``mock_key`` and the user name (stable across connections, restarts and gateways that
share the key, like a real one) and fails at the proof with the same
:class:`AuthenticationFailed` a wrong password gets, so neither the messages nor the
work done tell whether a user exists. Malformed messages raise
:class:`~masking.pgwire.errors.ProtocolError` (08P01) with PostgreSQL's wording.

As in PostgreSQL, the user name inside the SCRAM message is ignored (libpq sends an
empty one): the login is the ``user`` of the StartupMessage. Channel binding is
``tls-server-end-point`` (RFC 5929): give ``channel_binding=tls_server_end_point(cert)``
on a TLS connection and the server also offers SCRAM-SHA-256-PLUS; a client that
could bind but was told it cannot (``y``) is refused there as a downgrade.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable

from masking.pgwire.errors import AuthenticationFailed, ProtocolError
from policies.credentials import DEFAULT_ITERATIONS, SALT_LENGTH, ScramVerifier

__all__ = [
    "SCRAM_SHA_256",
    "SCRAM_SHA_256_PLUS",
    "ScramServer",
    "mock_salt",
    "tls_server_end_point",
]

SCRAM_SHA_256 = "SCRAM-SHA-256"
SCRAM_SHA_256_PLUS = "SCRAM-SHA-256-PLUS"
_CB_TYPE = "tls-server-end-point"
_NONCE_BYTES = 18  # PostgreSQL's SCRAM_RAW_NONCE_LEN


def mock_salt(mock_key: bytes, user: str) -> bytes:
    """The salt an unknown ``user`` appears to have: the same every time for one key."""
    digest = hmac.new(mock_key, b"veil-scram-mock-salt\0" + user.encode(), hashlib.sha256)
    return digest.digest()[:SALT_LENGTH]


class ScramServer:
    """One SCRAM-SHA-256 exchange, server side. Call :meth:`first`, then :meth:`final`."""

    def __init__(
        self,
        user: str,
        verifier: ScramVerifier | None,
        *,
        mock_key: bytes,
        mock_iterations: int = DEFAULT_ITERATIONS,
        channel_binding: bytes | None = None,
        nonce: Callable[[], str] | None = None,
    ) -> None:
        """``channel_binding`` is the tls-server-end-point data of this connection (None
        without TLS); ``nonce`` makes the server nonce (tests pin it)."""
        if len(mock_key) < 16:
            raise ValueError("mock_key must be at least 16 bytes of secret")
        self.user = user
        self._verifier = verifier
        self._mock_key = mock_key
        self._mock_iterations = mock_iterations
        self._channel_binding = channel_binding
        self._nonce = nonce or _random_nonce
        self._expected_cbind: bytes = b""
        self._combined_nonce = ""
        self._client_first_bare = ""
        self._server_first = ""
        self._state = "first"
        self.authenticated = False

    @property
    def mechanisms(self) -> tuple[str, ...]:
        """What to offer in AuthenticationSASL, preferred first."""
        if self._channel_binding is not None:
            return (SCRAM_SHA_256_PLUS, SCRAM_SHA_256)
        return (SCRAM_SHA_256,)

    def first(self, mechanism: str, client_first: bytes | None) -> bytes:
        """Check the SASLInitialResponse; return server-first-message (for
        AuthenticationSASLContinue)."""
        self._step("first", "final")
        if mechanism not in self.mechanisms:
            raise ProtocolError(
                "client selected an invalid SASL authentication mechanism",
                hint=f"This server offers {', '.join(self.mechanisms)}.",
            )
        if client_first is None:
            raise ProtocolError("malformed SCRAM message (empty initial response)")
        text = _text(client_first)
        gs2_header, bare = self._read_gs2_header(text, plus=mechanism == SCRAM_SHA_256_PLUS)
        attributes = bare.split(",")
        if attributes[0].startswith("m="):
            raise ProtocolError("client requires an unsupported SCRAM extension")
        if len(attributes) < 2 or not attributes[0].startswith("n="):
            raise ProtocolError(
                "malformed SCRAM message (expected attribute 'n' in client-first-message)"
            )
        if not attributes[1].startswith("r="):
            raise ProtocolError(
                "malformed SCRAM message (expected attribute 'r' in client-first-message)"
            )
        client_nonce = attributes[1][2:]
        if not client_nonce or not all(0x21 <= ord(c) <= 0x7E for c in client_nonce):
            raise ProtocolError("malformed SCRAM message (invalid client nonce)")
        self._client_first_bare = bare
        self._expected_cbind = gs2_header.encode()
        if gs2_header.startswith("p=") and self._channel_binding is not None:
            self._expected_cbind += self._channel_binding
        self._combined_nonce = client_nonce + self._nonce()
        verifier = self._verifier
        if verifier is not None:
            salt, iterations = verifier.salt, verifier.iterations
        else:
            salt = mock_salt(self._mock_key, self.user)
            iterations = self._mock_iterations
        self._server_first = (
            f"r={self._combined_nonce},s={base64.b64encode(salt).decode()},i={iterations}"
        )
        return self._server_first.encode()

    def final(self, client_final: bytes) -> bytes:
        """Verify client-final-message; return server-final-message (for
        AuthenticationSASLFinal). Raises AuthenticationFailed for a wrong proof or an
        unknown user, ProtocolError for a malformed message."""
        self._step("final", "done")
        text = _text(client_final)
        attributes = text.split(",")
        if not attributes[0].startswith("c="):
            raise ProtocolError(
                "malformed SCRAM message (expected attribute 'c' in client-final-message)"
            )
        if _b64decode(attributes[0][2:], "channel binding") != self._expected_cbind:
            raise ProtocolError("SCRAM channel binding check failed")
        if len(attributes) < 2 or not attributes[1].startswith("r="):
            raise ProtocolError(
                "malformed SCRAM message (expected attribute 'r' in client-final-message)"
            )
        if not hmac.compare_digest(attributes[1][2:].encode(), self._combined_nonce.encode()):
            raise ProtocolError("malformed SCRAM message (nonce mismatch)")
        proof_attribute = attributes[-1]
        if len(attributes) < 3 or not proof_attribute.startswith("p="):
            raise ProtocolError(
                "malformed SCRAM message (expected attribute 'p' in client-final-message)"
            )
        proof = _b64decode(proof_attribute[2:], "proof")
        if len(proof) != 32:
            raise ProtocolError("malformed SCRAM message (malformed proof in client-final)")
        without_proof = text[: len(text) - len(proof_attribute) - 1]
        auth_message = ",".join((self._client_first_bare, self._server_first, without_proof))
        auth_bytes = auth_message.encode()
        verifier = self._verifier
        # An unknown user is checked against random keys: the same work, and it fails.
        stored_key = verifier.stored_key if verifier else secrets.token_bytes(32)
        server_key = verifier.server_key if verifier else secrets.token_bytes(32)
        signature = hmac.new(stored_key, auth_bytes, hashlib.sha256).digest()
        client_key = bytes(a ^ b for a, b in zip(proof, signature, strict=True))
        valid = hmac.compare_digest(hashlib.sha256(client_key).digest(), stored_key)
        if not (valid and verifier is not None):
            raise AuthenticationFailed(self.user)
        self.authenticated = True
        server_signature = hmac.new(server_key, auth_bytes, hashlib.sha256).digest()
        return b"v=" + base64.b64encode(server_signature)

    def _read_gs2_header(self, text: str, *, plus: bool) -> tuple[str, str]:
        """Split off and check ``gs2-cbind-flag "," [authzid] ","``."""
        flag, sep, rest = text.partition(",")
        if not sep:
            raise ProtocolError("malformed SCRAM message (no GS2 header)")
        if flag == "p=" + _CB_TYPE:
            if self._channel_binding is None:
                raise ProtocolError(
                    "malformed SCRAM message (the client requires channel binding, which "
                    "this connection does not support)"
                )
            if not plus:
                raise ProtocolError(
                    "malformed SCRAM message (the client uses channel binding but selected "
                    f"{SCRAM_SHA_256})"
                )
        elif flag.startswith("p="):
            raise ProtocolError(f"unsupported SCRAM channel-binding type {flag[2:]!r}")
        elif flag in ("n", "y"):
            if plus:
                raise ProtocolError(
                    f"malformed SCRAM message (the client selected {SCRAM_SHA_256_PLUS} "
                    "without channel binding data)"
                )
            if flag == "y" and self._channel_binding is not None:
                raise ProtocolError("SCRAM channel binding negotiation error")
        else:
            raise ProtocolError("malformed SCRAM message (unexpected channel-binding flag)")
        authzid, sep, bare = rest.partition(",")
        if not sep:
            raise ProtocolError("malformed SCRAM message (no GS2 header)")
        if authzid:
            raise ProtocolError("client uses authorization identity, but it is not supported")
        return f"{flag},,", bare

    def _step(self, expected: str, following: str) -> None:
        if self._state != expected:
            raise ProtocolError("unexpected SASL message")
        self._state = following


def tls_server_end_point(certificate_der: bytes) -> bytes:
    """Channel-binding data of type tls-server-end-point (RFC 5929 section 4.1): the
    hash of the server's certificate, with the certificate's signature hash (SHA-256
    when that is MD5 or SHA-1). ValueError for signature algorithms without one
    (Ed25519, RSASSA-PSS): offer no channel binding then, as PostgreSQL does.

    ``certificate_der`` is the DER form, e.g. ``ssl.PEM_cert_to_DER_cert(pem_text)``.
    """
    oid = _signature_algorithm(certificate_der)
    name = _SIGNATURE_HASHES.get(oid)
    if name is None:
        raise ValueError(f"no channel binding for certificates signed with {oid}")
    return hashlib.new(name, certificate_der).digest()


#: Signature algorithm OID -> hash for tls-server-end-point (MD5 and SHA-1 become SHA-256).
_SIGNATURE_HASHES = {
    "1.2.840.113549.1.1.4": "sha256",  # md5WithRSAEncryption
    "1.2.840.113549.1.1.5": "sha256",  # sha1WithRSAEncryption
    "1.2.840.113549.1.1.11": "sha256",
    "1.2.840.113549.1.1.12": "sha384",
    "1.2.840.113549.1.1.13": "sha512",
    "1.2.840.113549.1.1.14": "sha224",
    "1.2.840.10045.4.1": "sha256",  # ecdsa-with-SHA1
    "1.2.840.10045.4.3.1": "sha224",
    "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384",
    "1.2.840.10045.4.3.4": "sha512",
    "1.2.840.10040.4.3": "sha256",  # dsa-with-sha1
    "2.16.840.1.101.3.4.3.2": "sha256",  # dsa-with-sha256
}


def _signature_algorithm(der: bytes) -> str:
    """The signatureAlgorithm OID of an X.509 certificate, from its DER."""
    try:
        body, _ = _der_element(der, 0, 0x30)  # Certificate
        _, after_tbs = _der_element(der, body, 0x30)  # tbsCertificate
        algorithm, _ = _der_element(der, after_tbs, 0x30)  # signatureAlgorithm
        oid_start, oid_end = _der_element(der, algorithm, 0x06)
    except IndexError:
        raise ValueError("not a DER certificate") from None
    return _oid_text(der[oid_start:oid_end])


def _der_element(der: bytes, pos: int, tag: int) -> tuple[int, int]:
    """(start of contents, end of element) of the element at ``pos``, which must be ``tag``."""
    if der[pos] != tag:
        raise ValueError("not a DER certificate")
    length = der[pos + 1]
    start = pos + 2
    if length & 0x80:
        size = length & 0x7F
        if not 1 <= size <= 4:
            raise ValueError("not a DER certificate")
        length = int.from_bytes(der[start : start + size], "big")
        start += size
    end = start + length
    if end > len(der):
        raise ValueError("not a DER certificate")
    return start, end


def _oid_text(raw: bytes) -> str:
    if not raw:
        raise ValueError("not a DER certificate")
    parts = [min(raw[0] // 40, 2), raw[0] - 40 * min(raw[0] // 40, 2)]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(map(str, parts))


def _random_nonce() -> str:
    return base64.b64encode(secrets.token_bytes(_NONCE_BYTES)).decode("ascii")


def _text(message: bytes) -> str:
    try:
        text = message.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("malformed SCRAM message (not UTF-8)") from None
    if "\0" in text:
        raise ProtocolError("malformed SCRAM message (contains NUL)")
    return text


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ProtocolError(f"malformed SCRAM message (invalid base64 in the {what})") from None
