"""Gateway login credentials: SCRAM-SHA-256 verifiers (RFC 5802, RFC 7677).

Veil never stores a gateway password, only what the server side of SCRAM needs to
check a login: a random salt, the PBKDF2 iteration count, ``StoredKey`` and
``ServerKey``. Neither key lets anyone log in (a client needs ``ClientKey``, which
only the password gives), and recovering the password from them costs a brute force
through PBKDF2. The text form is PostgreSQL's own (``pg_authid.rolpassword``), so a
verifier can move between Veil and PostgreSQL unchanged:

    SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>     (base64 parts)

Passwords are normalised with SASLprep (RFC 4013) first, exactly as PostgreSQL and
libpq do: when the password is not valid for SASLprep it is used as given.

This module is pure (no I/O); :mod:`policies.users` stores verifiers and the gateway's
:mod:`masking.pgwire.scram` checks client proofs against them.

>>> v = ScramVerifier.derive("pencil", salt=bytes(16), iterations=4096)
>>> ScramVerifier.parse(str(v)) == v
True
>>> v.check_password("pencil"), v.check_password("pencil ")
(True, False)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import stringprep
import unicodedata
from dataclasses import dataclass

__all__ = [
    "DEFAULT_ITERATIONS",
    "SALT_LENGTH",
    "ScramVerifier",
    "client_key",
    "salted_password",
    "saslprep",
]

#: PostgreSQL's default (scram_iterations) and RFC 7677's minimum.
DEFAULT_ITERATIONS = 4096
#: PostgreSQL's SCRAM_DEFAULT_SALT_LEN.
SALT_LENGTH = 16
#: libpq refuses longer passwords (MAX_PASSWORD_LENGTH in PostgreSQL's saslprep.c).
MAX_PASSWORD_BYTES = 1024
#: Refuse absurd counts from a stored text (a login would spin for minutes).
MAX_ITERATIONS = 10_000_000

_MECHANISM = "SCRAM-SHA-256"
_TEXT = re.compile(
    r"^SCRAM-SHA-256\$(\d{1,9}):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$"
)


@dataclass(frozen=True, repr=False)
class ScramVerifier:
    """What the server keeps for one login. ``repr`` shows no key material."""

    iterations: int
    salt: bytes
    stored_key: bytes
    server_key: bytes

    @classmethod
    def derive(
        cls, password: str, *, salt: bytes | None = None, iterations: int = DEFAULT_ITERATIONS
    ) -> ScramVerifier:
        """A verifier for ``password`` with a fresh random salt (or ``salt``)."""
        if not DEFAULT_ITERATIONS <= iterations <= MAX_ITERATIONS:
            raise ValueError(
                f"iterations must be between {DEFAULT_ITERATIONS} and {MAX_ITERATIONS}"
            )
        salt = secrets.token_bytes(SALT_LENGTH) if salt is None else salt
        salted = salted_password(password, salt, iterations)
        return cls(
            iterations=iterations,
            salt=salt,
            stored_key=hashlib.sha256(client_key(salted)).digest(),
            server_key=_hmac(salted, b"Server Key"),
        )

    @classmethod
    def parse(cls, text: str) -> ScramVerifier:
        """Read the text form; ValueError (never echoing the text) when it is not one."""
        match = _TEXT.match(text)
        if match is None:
            raise ValueError("not a SCRAM-SHA-256 verifier")
        try:
            salt, stored, server = (base64.b64decode(g, validate=True) for g in match.groups()[1:])
        except binascii.Error:
            raise ValueError("not a SCRAM-SHA-256 verifier (bad base64)") from None
        iterations = int(match.group(1))
        if len(stored) != 32 or len(server) != 32 or not salt:
            raise ValueError("not a SCRAM-SHA-256 verifier (bad key lengths)")
        if not 1 <= iterations <= MAX_ITERATIONS:
            raise ValueError("not a SCRAM-SHA-256 verifier (bad iteration count)")
        return cls(iterations, salt, stored, server)

    def __str__(self) -> str:
        b64 = _b64
        return (
            f"{_MECHANISM}${self.iterations}:{b64(self.salt)}"
            f"${b64(self.stored_key)}:{b64(self.server_key)}"
        )

    def __repr__(self) -> str:
        return f"ScramVerifier(iterations={self.iterations}, salt=<{len(self.salt)} bytes>)"

    def check_password(self, password: str) -> bool:
        """Whether ``password`` is the one this verifier was made from (constant time)."""
        salted = salted_password(password, self.salt, self.iterations)
        stored = hashlib.sha256(client_key(salted)).digest()
        return hmac.compare_digest(stored, self.stored_key)


def salted_password(password: str, salt: bytes, iterations: int) -> bytes:
    """SaltedPassword := Hi(Normalize(password), salt, i), Hi being PBKDF2-HMAC-SHA-256."""
    return hashlib.pbkdf2_hmac("sha256", saslprep(password).encode("utf-8"), salt, iterations)


def client_key(salted: bytes) -> bytes:
    """ClientKey := HMAC(SaltedPassword, "Client Key")."""
    return _hmac(salted, b"Client Key")


def saslprep(password: str) -> str:
    """SASLprep (RFC 4013) of a password, with PostgreSQL's fallback: a password that
    SASLprep refuses (prohibited or unassigned characters, bad bidirectional text) is
    used as given, so any password works and non-ASCII ones agree with libpq's.

    >>> saslprep("I\\u00adX"), saslprep("\\u2168"), saslprep("a\\u0007b")
    ('IX', 'IX', 'a\\x07b')
    """
    if password.isascii():
        return password  # PostgreSQL's fast path, control characters included
    prepared = _strict_saslprep(password)
    return password if prepared is None else prepared


def _strict_saslprep(text: str) -> str | None:
    mapped = "".join(
        " " if stringprep.in_table_c12(ch) else ch for ch in text if not stringprep.in_table_b1(ch)
    )
    if not mapped:
        return None
    # PostgreSQL (and libpq) check prohibited characters and bidirectional text on the
    # mapped string, before normalisation; do the same so both sides agree.
    for ch in mapped:
        if any(check(ch) for check in _PROHIBITED):
            return None
    if any(stringprep.in_table_d1(ch) for ch in mapped):
        if any(stringprep.in_table_d2(ch) for ch in mapped):
            return None
        if not (stringprep.in_table_d1(mapped[0]) and stringprep.in_table_d1(mapped[-1])):
            return None
    return unicodedata.ucd_3_2_0.normalize("NFKC", mapped)


_PROHIBITED = (
    stringprep.in_table_c12,
    stringprep.in_table_c21_c22,
    stringprep.in_table_c3,
    stringprep.in_table_c4,
    stringprep.in_table_c5,
    stringprep.in_table_c6,
    stringprep.in_table_c7,
    stringprep.in_table_c8,
    stringprep.in_table_c9,
    stringprep.in_table_a1,
)


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
