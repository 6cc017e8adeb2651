"""Encoders and decoders against real PostgreSQL: byte for byte what it sends.

PostgreSQL's ``*_send`` functions return a value's exact binary wire format, and its
output functions (``boolout``, ``numeric_out``, …) the text format; values come from DuckDB (what the gateway will encode),
so the whole path DuckDB value -> wire bytes is checked. Random batches (numeric,
float4/8, timestamps, intervals) go to the server in one query each.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import struct
from decimal import Decimal

import duckdb
import psycopg
import pytest

from masking.pgwire import params, values
from masking.pgwire.types import TYPES, type_by_name, type_for_duckdb

pytestmark = pytest.mark.postgres

# (PostgreSQL type, DuckDB type, literal): the literal cast to each side's type.
CASES = [
    ("bool", "BOOLEAN", "true"),
    ("bool", "BOOLEAN", "false"),
    ("int2", "SMALLINT", "-32768"),
    ("int2", "TINYINT", "-7"),
    ("int4", "INTEGER", "2147483647"),
    ("int4", "USMALLINT", "65535"),
    ("int8", "BIGINT", "-9223372036854775808"),
    ("int8", "UINTEGER", "4294967295"),
    ("float4", "FLOAT", "1.5"),
    ("float4", "FLOAT", "-0.1"),
    ("float4", "FLOAT", "3.4028235e38"),
    ("float4", "FLOAT", "1e-45"),
    ("float4", "FLOAT", "'NaN'"),
    ("float4", "FLOAT", "'-Infinity'"),
    ("float8", "DOUBLE", "0.1"),
    ("float8", "DOUBLE", "-1e300"),
    ("float8", "DOUBLE", "123456789012345.6"),
    ("float8", "DOUBLE", "1e15"),
    ("float8", "DOUBLE", "5e-324"),
    ("float8", "DOUBLE", "'Infinity'"),
    ("float8", "DOUBLE", "'-0'"),
    ("numeric", "DECIMAL(10,2)", "-12.50"),
    ("numeric", "DECIMAL(18,0)", "0"),
    ("numeric", "DECIMAL(38,10)", "0.0000000001"),
    ("numeric", "DECIMAL(38,4)", "99999999999999999999999999999999.9999"),
    ("numeric", "DECIMAL(4,3)", "-0.000"),
    ("numeric", "HUGEINT", "170141183460469231731687303715884105727"),
    ("numeric", "UBIGINT", "18446744073709551615"),
    ("varchar", "VARCHAR", "'héllo, wörld ✓'"),
    ("varchar", "VARCHAR", "''"),
    ("text", "VARCHAR", "'multi\nline\ttext'"),
    ("date", "DATE", "'2024-02-29'"),
    ("date", "DATE", "'0001-01-01'"),
    ("date", "DATE", "'1999-12-31'"),
    ("time", "TIME", "'00:00:00'"),
    ("time", "TIME", "'23:59:59.999999'"),
    ("time", "TIME", "'12:34:56.5'"),
    ("timetz", "TIMETZ", "'12:34:56.789+05:30'"),
    ("timetz", "TIMETZ", "'01:02:03-08'"),
    ("timestamp", "TIMESTAMP", "'2024-02-29 13:14:15.123456'"),
    ("timestamp", "TIMESTAMP", "'1970-01-01 00:00:00'"),
    ("timestamp", "TIMESTAMP", "'1900-06-30 23:59:59.5'"),
    ("timestamp", "TIMESTAMP_NS", "'2000-01-01 00:00:00.000001'"),
    ("timestamptz", "TIMESTAMPTZ", "'2024-06-01 12:00:00+02'"),
    ("timestamptz", "TIMESTAMPTZ", "'1969-12-31 23:59:59.999999+00'"),
    ("interval", "INTERVAL", "'1 day 02:03:04.5'"),
    ("interval", "INTERVAL", "'-1 hours'"),
    ("interval", "INTERVAL", "'-3 days -00:00:00.000001'"),
    ("interval", "INTERVAL", "'00:00:00'"),
    ("interval", "INTERVAL", "'1 day 12:00:00'"),
    ("uuid", "UUID", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"),
    ("bytea", "BLOB", "'\\x00ff10'"),
    ("json", "JSON", """'{"a": [1, 2.5, null], "b": "✓"}'"""),
]

# PostgreSQL's *_send function of each type.
SEND = {
    "bool": "boolsend",
    "int2": "int2send",
    "int4": "int4send",
    "int8": "int8send",
    "float4": "float4send",
    "float8": "float8send",
    "numeric": "numeric_send",
    "varchar": "varcharsend",
    "text": "textsend",
    "date": "date_send",
    "time": "time_send",
    "timetz": "timetz_send",
    "timestamp": "timestamp_send",
    "timestamptz": "timestamptz_send",
    "interval": "interval_send",
    "uuid": "uuid_send",
    "bytea": "byteasend",
    "json": "json_send",
    "jsonb": "jsonb_send",
}

# PostgreSQL's output function of each type: the text format on the wire.
OUT = {name: send.replace("send", "out") for name, send in SEND.items()}
OUT.update(varchar="varcharout", text="textout", bytea="byteaout")


def _pg_cast(pg_type: str, duck_type: str) -> str:
    if pg_type == "numeric" and duck_type.startswith("DECIMAL"):
        return duck_type.replace("DECIMAL", "numeric")
    return pg_type


def _duck_literal(duck_type: str, literal: str) -> str:
    if duck_type == "BLOB":
        return "'\\x00\\xFF\\x10'::BLOB"  # DuckDB's escape syntax for the same bytes
    return f"({literal})::{duck_type}"


def _duckdb_value(duck_type: str, literal: str) -> object:
    with duckdb.connect() as conn:
        conn.execute("SET TimeZone = 'UTC'")
        row = conn.execute(f"SELECT {_duck_literal(duck_type, literal)}").fetchone()
        assert row is not None
        return row[0]


@pytest.mark.parametrize(("pg_type", "duck_type", "literal"), CASES, ids=lambda x: str(x)[:30])
def test_duckdb_values_encode_exactly_as_postgresql_sends_them(
    oracle: psycopg.Connection, pg_type: str, duck_type: str, literal: str
) -> None:
    value = _duckdb_value(duck_type, literal)
    mapped, _ = type_for_duckdb(duck_type)
    assert mapped.name == pg_type or (pg_type, mapped.name) == ("text", "varchar")
    cast = _pg_cast(pg_type, duck_type)
    row = oracle.execute(
        f"SELECT {SEND[pg_type]}(({literal})::{cast}), {OUT[pg_type]}(({literal})::{cast})::text"
    ).fetchone()
    assert row is not None
    sent, text = row
    t = type_by_name(pg_type)
    assert t.encode_binary(value) == sent
    assert t.encode_text(value) == text.encode()
    decoded = t.decode_binary(sent)
    if pg_type == "interval":
        assert isinstance(decoded, values.Interval) and decoded.to_timedelta() == value
    elif pg_type == "float4" or pg_type == "float8":
        assert struct.pack("!d", decoded) == struct.pack("!d", value) or value != value
    elif pg_type == "jsonb" or pg_type == "json":
        assert decoded == value
    else:
        assert decoded == value


TEXT_PARAMETERS = [
    ("bool", "'yes'"),
    ("int2", "' -12 '"),
    ("int8", "'9223372036854775807'"),
    ("float8", "'-Infinity'"),
    ("float8", "'1.5e-7'"),
    ("numeric", "'-0.0100'"),
    ("numeric", "'NaN'"),
    ("date", "'2024-02-29'"),
    ("time", "'23:59:59.5'"),
    ("timetz", "'12:00:00+05:30'"),
    ("timestamp", "'2024-02-29 13:14:15.5'"),
    ("timestamptz", "'2024-02-29 13:14:15.5+02'"),
    ("uuid", "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'"),
    ("bytea", "'\\x00ff'"),
    ("bytea", "'a\\000b\\\\c'"),
]


@pytest.mark.parametrize(("pg_type", "literal"), TEXT_PARAMETERS)
def test_text_parameters_read_as_postgresql_reads_them(
    oracle: psycopg.Connection, pg_type: str, literal: str
) -> None:
    row = oracle.execute(
        f"SELECT {literal}::text, {SEND[pg_type]}({literal}::{pg_type})"
    ).fetchone()
    assert row is not None
    text, sent = row
    t = type_by_name(pg_type)
    assert repr(t.decode_text(text.encode())) == repr(t.decode_binary(sent))


def _batch(oracle: psycopg.Connection, pg_type: str, texts: list[str]) -> list[tuple]:
    send = SEND[pg_type]
    return oracle.execute(
        f"SELECT {send}(x::{pg_type}), {OUT[pg_type]}(x::{pg_type})::text"
        " FROM unnest(%s::text[]) WITH ORDINALITY"
        " AS u(x, n) ORDER BY n",
        [texts],
    ).fetchall()


def _random_decimals(rng: random.Random, count: int) -> list[Decimal]:
    found = [Decimal("0"), Decimal("-0"), Decimal("0.000"), Decimal("1E+20"), Decimal("1E-20")]
    for _ in range(count):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 40)))
        exponent = rng.randint(-45, 25)
        sign = rng.choice("-+")
        found.append(Decimal(f"{sign}{digits}E{exponent}"))
    return found


def test_random_numerics_match_numeric_send_both_ways(oracle: psycopg.Connection) -> None:
    numbers = _random_decimals(random.Random(7), 3000)
    texts = [format(d, "f") for d in numbers]
    for number, (sent, text) in zip(numbers, _batch(oracle, "numeric", texts), strict=True):
        assert values.numeric_binary(number) == sent, number
        assert values.numeric_text(number) == text.encode(), number
        back = params.numeric_from_binary(sent)
        assert back == number and values.numeric_text(back) == text.encode()


def test_random_float8s_match_float8send_and_float8out(oracle: psycopg.Connection) -> None:
    rng = random.Random(8)
    numbers = [struct.unpack("!d", rng.randbytes(8))[0] for _ in range(3000)]
    numbers += [rng.uniform(-1e6, 1e6) for _ in range(1000)]
    numbers += [10.0**e for e in range(-20, 25)] + [1.5 * 10.0**e for e in range(-20, 25)]
    numbers += [2.0**e for e in range(-1074, 1024, 3)] + [
        2.0**52 + 0.5,
        2.0**53 + 2,
        1.7976931348623157e308,
    ]
    numbers += [math.nextafter(2.0**e, 0) for e in range(-1000, 1024, 11)]
    numbers = [x for x in numbers if x == x]  # NaN is covered by CASES
    rows = _batch(oracle, "float8", [repr(x) for x in numbers])
    for number, (sent, text) in zip(numbers, rows, strict=True):
        assert values.float8_binary(number) == sent
        assert values.float8_text(number) == text.encode(), (number, text)


def test_random_float4s_match_float4send_and_float4out(oracle: psycopg.Connection) -> None:
    rng = random.Random(4)
    numbers = [struct.unpack("!f", rng.randbytes(4))[0] for _ in range(3000)]
    numbers += [
        struct.unpack("!f", struct.pack("!f", rng.uniform(-1e4, 1e4)))[0] for _ in range(1000)
    ]
    numbers += [10.0**e for e in range(-10, 20)] + [16777216.0, 16777217.0, 0.1, 1 / 3]
    numbers += [2.0**e for e in range(-149, 128)] + [3.4028234663852886e38, 1e-45]
    numbers = [struct.unpack("!f", struct.pack("!f", x))[0] for x in numbers if x == x]
    rows = _batch(oracle, "float4", [repr(x) for x in numbers])
    for number, (sent, text) in zip(numbers, rows, strict=True):
        assert values.float4_binary(number) == sent
        assert values.float4_text(number) == text.encode(), (number, text)


def test_random_timestamps_match_timestamp_send(oracle: psycopg.Connection) -> None:
    rng = random.Random(5)
    start, span = dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31) - dt.datetime(1, 1, 1)
    stamps = [
        start + dt.timedelta(microseconds=rng.randrange(int(span.total_seconds() * 1e6)))
        for _ in range(2000)
    ]
    texts = [s.isoformat(sep=" ") for s in stamps]
    for stamp, (sent, text) in zip(stamps, _batch(oracle, "timestamp", texts), strict=True):
        assert values.timestamp_binary(stamp) == sent
        assert values.timestamp_text(stamp) == text.encode()
        assert params.timestamp_from_binary(sent) == stamp
        aware = stamp.replace(tzinfo=dt.UTC)
        assert values.timestamptz_binary(aware) == sent
        assert params.timestamptz_from_binary(sent) == aware
    dates = [s.date() for s in stamps]
    rows = _batch(oracle, "date", [d.isoformat() for d in dates])
    for day, (sent, text) in zip(dates, rows, strict=True):
        assert values.date_binary(day) == sent and values.date_text(day) == text.encode()
        assert params.date_from_binary(sent) == day


def test_random_intervals_match_interval_send_and_output(oracle: psycopg.Connection) -> None:
    rng = random.Random(6)
    deltas = [dt.timedelta(microseconds=rng.randrange(-(10**15), 10**15)) for _ in range(1500)] + [
        dt.timedelta(days=rng.randint(-400, 400)) for _ in range(100)
    ]
    fields = [values._interval_fields(d) for d in deltas]
    intervals = [values.Interval(rng.randint(-50, 50), d, us) for _, d, us in fields[:500]]
    cases = [*deltas, *intervals]
    texts = []
    for case in cases:
        months, days, micros = values._interval_fields(case)
        texts.append(f"{months} months {days} days {micros} microseconds")
    for case, (sent, text) in zip(cases, _batch(oracle, "interval", texts), strict=True):
        assert values.interval_binary(case) == sent
        assert values.interval_text(case) == text.encode(), (case, text)
        decoded = params.interval_from_binary(sent)
        if isinstance(case, dt.timedelta):
            assert decoded.to_timedelta() == case


def test_every_type_has_the_oid_and_size_postgresql_has(oracle: psycopg.Connection) -> None:
    rows = oracle.execute(
        "SELECT oid::int, typname, typlen, typarray::int FROM pg_type WHERE oid = ANY(%s)",
        [list(TYPES)],
    ).fetchall()
    assert {(oid, name, size, array) for oid, name, size, array in rows} == {
        (t.oid, t.name, t.size, t.array_oid) for t in TYPES.values()
    }
