"""Shared tables for the masking tests: parameters, typed sample data, and what each
method must return, computed independently in Python (hashlib, Decimal, datetime).

The SQL side must agree with these references on every engine; a reference is the
documentation of :mod:`masking.functions` made executable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from masking.functions import MaskSecrets, TypeFamily

F = TypeFamily

#: Secrets with a quote and a backslash: literals must be escaped in every dialect.
SECRETS = MaskSecrets(salt="s'alt\\1", token_key="k\"ey'\\2")

#: Parameters per method, as policies.methods.resolved_params would complete them.
PARAMS: Mapping[str, Mapping[str, object]] = {
    "null": {},
    "redact": {"value": "[it's redacted]"},
    "tokenize": {},
    "hash": {},
    "date_trunc": {"unit": "month"},
    "bucket": {"size": 10},
    "email": {},
    "partial": {"show_first": 1, "show_last": 3, "fill": "*"},
    # custom: see CUSTOM, chosen per type family
}


@dataclass(frozen=True)
class Custom:
    sql: str  # valid in DuckDB and PostgreSQL (and the goldens' dialects)
    python: Callable[[object], object]


def _trunc_mod10(x: object) -> object:
    if isinstance(x, Decimal):
        return x % 10  # Decimal's % keeps the dividend's sign, like SQL
    assert isinstance(x, int)
    r = abs(x) % 10
    return -r if x < 0 else r


CUSTOM: Mapping[TypeFamily, Custom] = {
    F.TEXT: Custom("value || '!'", lambda x: f"{x}!"),
    F.INTEGER: Custom("value % 10", _trunc_mod10),
    F.DECIMAL: Custom("ABS(value)", lambda x: abs(x)),
    F.FLOAT: Custom("value * 2", lambda x: x * 2),
    F.DATE: Custom("value + 1", lambda x: x + dt.timedelta(days=1)),
    F.TIMESTAMP: Custom("value", lambda x: x),
    F.BOOLEAN: Custom("NOT value", lambda x: not x),
    F.OTHER: Custom("value", lambda x: x),
}


def params_for(method: str, family: TypeFamily) -> Mapping[str, object]:
    if method == "custom":
        return {"expression": CUSTOM[family].sql}
    return PARAMS[method]


# --- references ---------------------------------------------------------------------


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_text(value: str, secrets: MaskSecrets = SECRETS) -> str:
    return sha256_hex(secrets.salt + value)


def token_text(value: str, secrets: MaskSecrets = SECRETS) -> str:
    return "tok_" + sha256_hex(secrets.token_key + ":" + value)[:16]


def digest_int(digest: str, high: int | None) -> int:
    n = int(digest[:15], 16)
    return n % (high + 1) if high is not None and high + 1 < 16**15 else n


def partial(value: str, show_first: int, show_last: int, fill: str) -> str:
    n, first, last = len(value), show_first, show_last
    if n <= first + last:
        return fill * n
    return value[:first] + fill * (n - first - last) + (value[n - last :] if last else "")


def email(value: str) -> str:
    return "***@" + value.rsplit("@", 1)[1] if "@" in value else "***"


def trunc(value: dt.date, unit: str) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)  # sessions run in UTC
        value = value.replace(hour=0, minute=0, second=0, microsecond=0)
    return value.replace(month=1 if unit == "year" else value.month, day=1)


def bucket_exact(value: int | Decimal, size: int, low: Decimal | None) -> Decimal:
    floored = (Decimal(value) / size).to_integral_value(rounding=ROUND_FLOOR) * size
    return low if low is not None and floored < low else floored


def bucket_float(value: float, size: int) -> float:
    return float(math.floor(value / size)) * size


# --- the sample table ---------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """One column of the sample table ``people``."""

    name: str
    family: TypeFamily
    #: DDL type per engine; engines missing here do not get the column
    ddl: Mapping[str, str]
    values: tuple[object, ...]
    #: a value of the column's type for ``WHERE col = <probe>``, as text to CAST
    probe: str | Mapping[str, str]
    #: exact numerics: (minimum, maximum) of the type
    bounds: tuple[Decimal, Decimal] | None = None
    #: the catalog's type string when it is not what the engine reports
    catalog_type: Mapping[str, str] = field(default_factory=dict)
    #: PostgreSQL char(n): computed text masks come back as text (documented)
    char_like: bool = False

    def probe_for(self, engine: str) -> str:
        return self.probe if isinstance(self.probe, str) else self.probe[engine]


def _b(low: int | str, high: int | str) -> tuple[Decimal, Decimal]:
    return Decimal(low), Decimal(high)


_D = Decimal
_UTC = dt.UTC
_TZ1 = dt.timezone(dt.timedelta(hours=1))

#: Row 4 is all NULL; row 6 repeats row 1 (determinism, joins).
ROWS = 6

COLUMNS: tuple[Col, ...] = (
    Col(
        "name",
        F.TEXT,
        {"duckdb": "VARCHAR", "postgres": "text"},
        ("Alice Smith", "Bob", 'O\'Brien \\ "q"', None, "Émile Zoë 🎉", "Alice Smith"),
        "x",
    ),
    Col(
        "email",
        F.TEXT,
        {"duckdb": "VARCHAR", "postgres": "character varying(255)"},
        (
            "alice@example.com",
            "a@b@corp.io",
            "no-at-sign",
            None,
            "émile@exämple.fr",
            "alice@example.com",
        ),
        "x",
    ),
    Col(
        "code",
        F.TEXT,
        {"duckdb": "VARCHAR(8)", "postgres": "character varying(8)"},
        ("AB123456", "x", "", None, "12345678", "AB123456"),
        "AB123456",
    ),
    Col(
        "initials",
        F.TEXT,
        {"postgres": "character(3)"},
        ("abc", "XYZ", "a-b", None, "ééé", "abc"),
        "abc",
        char_like=True,
    ),
    Col(
        "tiny",
        F.INTEGER,
        {"duckdb": "TINYINT"},
        (5, -128, 127, None, 0, 5),
        "5",
        bounds=_b(-128, 127),
    ),
    Col(
        "small",
        F.INTEGER,
        {"duckdb": "SMALLINT", "postgres": "smallint"},
        (12, -7, 32767, None, -32768, 12),
        "5",
        bounds=_b(-(2**15), 2**15 - 1),
    ),
    Col(
        "id",
        F.INTEGER,
        {"duckdb": "INTEGER", "postgres": "integer"},
        (42, -7, 2147483647, None, 0, 42),
        "5",
        bounds=_b(-(2**31), 2**31 - 1),
    ),
    Col(
        "big",
        F.INTEGER,
        {"duckdb": "BIGINT", "postgres": "bigint"},
        (9007199254740993, -9 * 10**18, 2**63 - 1, None, -(2**63), 9007199254740993),
        "5",
        bounds=_b(-(2**63), 2**63 - 1),
    ),
    Col(
        "num0",
        F.INTEGER,
        {"duckdb": "DECIMAL(6,0)", "postgres": "numeric(6,0)"},
        (_D(123456), _D(-5), _D(999999), None, _D(-999999), _D(123456)),
        "5",
        bounds=_b(-999999, 999999),
    ),
    Col(
        "amount",
        F.DECIMAL,
        {"duckdb": "DECIMAL(10,2)", "postgres": "numeric(10,2)"},
        (_D("1234.56"), _D("-5.50"), _D("0.00"), None, _D("-99999999.99"), _D("1234.56")),
        "5.5",
        bounds=_b("-99999999.99", "99999999.99"),
    ),
    Col(
        "score",
        F.FLOAT,
        {"duckdb": "DOUBLE", "postgres": "double precision"},
        (37.5, -0.5, 0.0, None, 123456.789, 37.5),
        "1.5",
    ),
    Col(
        "ratio",
        F.FLOAT,
        {"duckdb": "REAL", "postgres": "real"},
        (2.5, -12.25, 0.0, None, -3.5, 2.5),
        "1.5",
    ),
    Col(
        "born",
        F.DATE,
        {"duckdb": "DATE", "postgres": "date"},
        (
            dt.date(1990, 7, 15),
            dt.date(2000, 1, 1),
            dt.date(2024, 2, 29),
            None,
            dt.date(1970, 1, 1),
            dt.date(1990, 7, 15),
        ),
        "2020-01-01",
    ),
    Col(
        "seen",
        F.TIMESTAMP,
        {"duckdb": "TIMESTAMP", "postgres": "timestamp without time zone"},
        (
            dt.datetime(2024, 3, 15, 10, 11, 12, 500000),
            dt.datetime(1999, 12, 31, 23, 59, 59),
            dt.datetime(2024, 2, 29),
            None,
            dt.datetime(1970, 1, 1, 0, 0, 1),
            dt.datetime(2024, 3, 15, 10, 11, 12, 500000),
        ),
        "2020-01-01 00:00:00",
    ),
    Col(
        "seen_tz",
        F.TIMESTAMP,
        {"duckdb": "TIMESTAMP WITH TIME ZONE", "postgres": "timestamp with time zone"},
        (
            dt.datetime(2024, 3, 15, 23, 30, tzinfo=_UTC),
            dt.datetime(2000, 1, 1, 0, 30, tzinfo=_TZ1),  # still 1999-12 in UTC
            dt.datetime(2024, 2, 29, 12, tzinfo=_UTC),
            None,
            dt.datetime(1970, 1, 1, tzinfo=_UTC),
            dt.datetime(2024, 3, 15, 23, 30, tzinfo=_UTC),
        ),
        "2020-01-01 00:00:00+00",
    ),
    Col(
        "flag",
        F.BOOLEAN,
        {"duckdb": "BOOLEAN", "postgres": "boolean"},
        (True, False, True, None, False, True),
        "true",
    ),
    Col(
        "doc",
        F.OTHER,
        {"duckdb": "JSON", "postgres": "jsonb"},
        ('{"a": 1}', "[]", '"x"', None, '{"b": [1, 2]}', '{"a": 1}'),
        '{"a": 1}',
    ),
    Col(
        "uid",
        F.OTHER,
        {"duckdb": "UUID", "postgres": "uuid"},
        (
            "00000000-0000-0000-0000-000000000001",
            "6f1c2a3b-0000-4000-8000-000000000002",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
            None,
            "12345678-1234-5678-1234-567812345678",
            "00000000-0000-0000-0000-000000000001",
        ),
        "00000000-0000-0000-0000-000000000001",
    ),
    Col(
        "tags",
        F.OTHER,
        {"duckdb": "INTEGER[]", "postgres": "integer[]"},
        ([1, 2], [], [3], None, [-1], [1, 2]),
        {"duckdb": "[1, 2]", "postgres": "{1,2}"},
    ),
    Col(
        # What information_schema.columns.data_type says for any array: no element type.
        "tags_untyped",
        F.OTHER,
        {"postgres": "integer[]"},
        ([1, 2], [], [3], None, [-1], [1, 2]),
        {"postgres": "{1,2}"},
        catalog_type={"postgres": "ARRAY"},
    ),
)


def columns_for(engine: str) -> tuple[Col, ...]:
    return tuple(c for c in COLUMNS if engine in c.ddl)


class Raises:
    """Marker: mask_expression must refuse this combination."""


RAISES = Raises()


def expected(method: str, col: Col, raw: object, catalog_type: str) -> object:
    """What masking ``raw`` (a value of ``col``) with ``method`` must give."""
    if method == "custom" and col.catalog_type and catalog_type == "ARRAY":
        return RAISES
    if raw is None:
        return None
    family = col.family
    high = int(col.bounds[1]) if col.bounds else None
    if method == "null":
        return None
    if method == "redact":
        return PARAMS["redact"]["value"] if family is F.TEXT else None
    if method in ("hash", "tokenize"):
        if family is F.TEXT:
            return hash_text(str(raw)) if method == "hash" else token_text(str(raw))
        if family is F.INTEGER:
            key = SECRETS.salt if method == "hash" else SECRETS.token_key + ":"
            return digest_int(sha256_hex(key + str(raw)), high)
        return None
    if method == "date_trunc":
        if family in (F.DATE, F.TIMESTAMP):
            return trunc(raw, str(PARAMS["date_trunc"]["unit"]))
        return None
    if method == "bucket":
        size = int(PARAMS["bucket"]["size"])
        if family in (F.INTEGER, F.DECIMAL):
            low = col.bounds[0] if col.bounds else None
            return bucket_exact(raw, size, low)
        if family is F.FLOAT:
            return bucket_float(raw, size)
        return None
    if method == "email":
        return email(str(raw)) if family is F.TEXT else None
    if method == "partial":
        p = PARAMS["partial"]
        if family is not F.TEXT:
            return None
        return partial(str(raw), int(p["show_first"]), int(p["show_last"]), str(p["fill"]))
    if method == "custom":
        return CUSTOM[family].python(raw)
    raise AssertionError(f"no reference for {method}")


# --- golden files -------------------------------------------------------------------

#: Which families each method computes something for; everything else is a typed NULL.
APPLIES: Mapping[str, frozenset[TypeFamily]] = {
    "null": frozenset(),
    "redact": frozenset({F.TEXT}),
    "tokenize": frozenset({F.TEXT, F.INTEGER}),
    "hash": frozenset({F.TEXT, F.INTEGER}),
    "date_trunc": frozenset({F.DATE, F.TIMESTAMP}),
    "bucket": frozenset({F.INTEGER, F.DECIMAL, F.FLOAT}),
    "email": frozenset({F.TEXT}),
    "partial": frozenset({F.TEXT}),
    "custom": frozenset(F),
}

#: A representative column type per family, spelled as each warehouse reports it.
GOLDEN_TYPES: Mapping[str, Mapping[TypeFamily, str]] = {
    "postgres": {
        F.TEXT: "character varying(255)",
        F.INTEGER: "integer",
        F.DECIMAL: "numeric(12,2)",
        F.FLOAT: "double precision",
        F.DATE: "date",
        F.TIMESTAMP: "timestamp with time zone",
        F.BOOLEAN: "boolean",
        F.OTHER: "jsonb",
    },
    "duckdb": {
        F.TEXT: "VARCHAR",
        F.INTEGER: "BIGINT",
        F.DECIMAL: "DECIMAL(10,2)",
        F.FLOAT: "DOUBLE",
        F.DATE: "DATE",
        F.TIMESTAMP: "TIMESTAMP WITH TIME ZONE",
        F.BOOLEAN: "BOOLEAN",
        F.OTHER: "UUID",
    },
    "snowflake": {
        F.TEXT: "VARCHAR(16777216)",
        F.INTEGER: "NUMBER(38,0)",
        F.DECIMAL: "NUMBER(12,2)",
        F.FLOAT: "FLOAT",
        F.DATE: "DATE",
        F.TIMESTAMP: "TIMESTAMP_NTZ(9)",
        F.BOOLEAN: "BOOLEAN",
        F.OTHER: "VARIANT",
    },
    "bigquery": {
        F.TEXT: "STRING",
        F.INTEGER: "INT64",
        F.DECIMAL: "NUMERIC",
        F.FLOAT: "FLOAT64",
        F.DATE: "DATE",
        F.TIMESTAMP: "DATETIME",
        F.BOOLEAN: "BOOL",
        F.OTHER: "BYTES",
    },
    "trino": {
        F.TEXT: "varchar(255)",
        F.INTEGER: "integer",
        F.DECIMAL: "decimal(12,2)",
        F.FLOAT: "double",
        F.DATE: "date",
        F.TIMESTAMP: "timestamp(3) with time zone",
        F.BOOLEAN: "boolean",
        F.OTHER: "json",
    },
    "spark": {
        F.TEXT: "string",
        F.INTEGER: "int",
        F.DECIMAL: "decimal(12,2)",
        F.FLOAT: "double",
        F.DATE: "date",
        F.TIMESTAMP: "timestamp",
        F.BOOLEAN: "boolean",
        F.OTHER: "binary",
    },
    "redshift": {
        F.TEXT: "character varying(256)",
        F.INTEGER: "integer",
        F.DECIMAL: "numeric(12,2)",
        F.FLOAT: "double precision",
        F.DATE: "date",
        F.TIMESTAMP: "timestamp without time zone",
        F.BOOLEAN: "boolean",
        F.OTHER: "super",
    },
}


@dataclass(frozen=True)
class GoldenCase:
    method: str
    family: TypeFamily
    data_type: str

    @property
    def title(self) -> str:
        return f"{self.method} on {self.family.value} ({self.data_type})"


def golden_cases(dialect: str) -> list[GoldenCase]:
    """Every method on every family where its output differs from a typed NULL, plus
    ``null`` itself once per family."""
    return [
        GoldenCase(method, family, data_type)
        for family, data_type in GOLDEN_TYPES[dialect].items()
        for method in APPLIES
        if method == "null" or family in APPLIES[method]
    ]


#: Custom expressions valid in all seven dialects (the exec tests use CUSTOM).
GOLDEN_CUSTOM: Mapping[TypeFamily, str] = {
    F.TEXT: "LOWER(value)",
    F.INTEGER: "ABS(value)",
    F.DECIMAL: "ABS(value)",
    F.FLOAT: "ABS(value)",
    F.DATE: "value",
    F.TIMESTAMP: "value",
    F.BOOLEAN: "NOT value",
    F.OTHER: "value",
}


def golden_params(method: str, family: TypeFamily) -> Mapping[str, object]:
    if method == "custom":
        return {"expression": GOLDEN_CUSTOM[family]}
    return PARAMS[method]
