"""Types without a server: DuckDB's names mapped, rows encoded, parameters decoded,
binary codecs that read back what they write (the server oracle is test_types_oracle)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from masking.pgwire import params, values
from masking.pgwire.backend import BackendReader, DataRow, FieldDescription, RowDescription
from masking.pgwire.errors import InvalidParameter, ProtocolError
from masking.pgwire.types import (
    TYPES,
    EncodeError,
    ResultColumn,
    RowEncoder,
    decode_parameter,
    resolve_formats,
    type_by_name,
    type_for_duckdb,
    type_for_value,
)

DUCKDB_TYPES = [
    ("BOOLEAN", "bool", -1),
    ("TINYINT", "int2", -1),
    ("UTINYINT", "int2", -1),
    ("SMALLINT", "int2", -1),
    ("USMALLINT", "int4", -1),
    ("INTEGER", "int4", -1),
    ("UINTEGER", "int8", -1),
    ("BIGINT", "int8", -1),
    ("UBIGINT", "numeric", -1),
    ("HUGEINT", "numeric", -1),
    ("DECIMAL(18,3)", "numeric", (18 << 16 | 3) + 4),
    ("decimal(38, 0)", "numeric", (38 << 16) + 4),
    ("FLOAT", "float4", -1),
    ("DOUBLE", "float8", -1),
    ("VARCHAR", "varchar", -1),
    ("BLOB", "bytea", -1),
    ("DATE", "date", -1),
    ("TIME", "time", -1),
    ("TIME WITH TIME ZONE", "timetz", -1),
    ("TIMESTAMP", "timestamp", -1),
    ("TIMESTAMP_NS", "timestamp", -1),
    ("TIMESTAMP WITH TIME ZONE", "timestamptz", -1),
    ("INTERVAL", "interval", -1),
    ("UUID", "uuid", -1),
    ("JSON", "json", -1),
    ("INTEGER[]", "text", -1),
    ("STRUCT(a INTEGER)", "text", -1),
    ("MAP(VARCHAR, INTEGER)", "text", -1),
    ("ENUM('a', 'b')", "text", -1),
    ("BIT", "text", -1),
]


@pytest.mark.parametrize(("duck", "pg", "modifier"), DUCKDB_TYPES)
def test_duckdb_types_map_to_postgresql_types(duck, pg, modifier):
    pg_type, mod = type_for_duckdb(duck)
    assert (pg_type.name, mod) == (pg, modifier)


def test_duckdb_result_descriptions_map_through_their_type_objects():
    with duckdb.connect() as conn:
        cursor = conn.execute(
            "SELECT 1::INTEGER a, 2.5::DECIMAL(9,2) b, now() c, [1] d, 'x'::VARCHAR e"
        )
        columns = [
            ResultColumn.from_duckdb(name, str(kind)) for name, kind, *_ in cursor.description
        ]
        rows = cursor.fetchall()
    assert [(c.name, c.type.name) for c in columns] == [
        ("a", "int4"),
        ("b", "numeric"),
        ("c", "timestamptz"),
        ("d", "text"),
        ("e", "varchar"),
    ]
    wire = RowEncoder(columns).encode_rows(rows)
    (row,) = BackendReader().feed(wire)
    assert isinstance(row, DataRow) and row.values[0] == b"1" and row.values[1] == b"2.50"
    assert row.values[3] == b"[1]"


def test_row_encoder_describes_and_encodes_in_the_formats_asked():
    columns = [
        ResultColumn("id", type_by_name("int8"), table_oid=16384, column_number=1),
        ResultColumn("amount", type_by_name("numeric"), (10 << 16 | 2) + 4),
        ResultColumn("seen", type_by_name("timestamptz")),
    ]
    encoder = RowEncoder(columns, formats=[1, 0, 1])
    assert encoder.row_description() == RowDescription(
        (
            FieldDescription("id", 20, 8, -1, 1, 16384, 1),
            FieldDescription("amount", 1700, -1, (10 << 16 | 2) + 4, 0),
            FieldDescription("seen", 1184, 8, -1, 1),
        )
    )
    when = dt.datetime(2000, 1, 1, 0, 0, 1, tzinfo=dt.UTC)
    rows = BackendReader().feed(
        encoder.encode_rows([(7, Decimal("1.50"), when), (None, None, None)])
    )
    assert rows == [
        DataRow((b"\x00" * 7 + b"\x07", b"1.50", (1_000_000).to_bytes(8, "big"))),
        DataRow((None, None, None)),
    ]


def test_timestamptz_text_follows_the_session_time_zone():
    columns = [ResultColumn("t", type_by_name("timestamptz"))]
    when = dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.UTC)
    paris = RowEncoder(columns, timezone=ZoneInfo("Europe/Paris")).encode_rows([(when,)])
    india = RowEncoder(columns, timezone=ZoneInfo("Asia/Kolkata")).encode_rows([(when,)])
    assert BackendReader().feed(paris)[0].values == (b"2024-07-01 14:00:00+02",)
    assert BackendReader().feed(india)[0].values == (b"2024-07-01 17:30:00+05:30",)


@pytest.mark.parametrize(
    ("formats", "count", "expected"),
    [((), 3, (0, 0, 0)), ((1,), 2, (1, 1)), ((0, 1), 2, (0, 1)), ((), 0, ())],
)
def test_result_formats_resolve_like_postgresql(formats, count, expected):
    assert resolve_formats(formats, count) == expected


def test_result_formats_of_the_wrong_count_are_a_protocol_error():
    with pytest.raises(ProtocolError, match="2 result formats but query has 3 columns"):
        resolve_formats((0, 1), 3)


def test_a_value_the_column_type_cannot_hold_names_the_column_not_the_value():
    encoder = RowEncoder([ResultColumn("ssn", type_by_name("int4"))], formats=[1])
    with pytest.raises(EncodeError, match="column 'ssn': a str value cannot be sent as int4") as e:
        encoder.encode_rows([("078-05-1120",)])
    assert "078" not in str(e.value)
    with pytest.raises(EncodeError, match="2 values for 1 columns"):
        encoder.encode_rows([(1, 2)])


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (True, "bool"),
        (1, "int8"),
        (1.5, "float8"),
        (Decimal("1"), "numeric"),
        (b"x", "bytea"),
        (dt.datetime(2020, 1, 1), "timestamp"),
        (dt.date(2020, 1, 1), "date"),
        (dt.time(1), "time"),
        (dt.timedelta(1), "interval"),
        (uuid.uuid4(), "uuid"),
        ("x", "text"),
        ([1, 2], "text"),
    ],
)
def test_values_of_unknown_columns_get_their_natural_type(value, name):
    assert type_for_value(value).name == name


def test_unknown_type_names_list_the_known_ones():
    with pytest.raises(Exception, match="unknown PostgreSQL type 'int3'; known: bool, bpchar"):
        type_by_name("int3")


# -- text spellings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.timedelta(0), "00:00:00"),
        (dt.timedelta(days=1), "1 day"),
        (dt.timedelta(days=-2), "-2 days"),
        (dt.timedelta(hours=-1), "-01:00:00"),
        (dt.timedelta(days=-1, hours=-2, microseconds=-500), "-1 days -02:00:00.0005"),
        (values.Interval(14, 3, 4 * 3_600_000_000), "1 year 2 mons 3 days 04:00:00"),
        (values.Interval(-1, 2, -1), "-1 mons +2 days -00:00:00.000001"),
        (values.Interval(0, -3, 60_000_000), "-3 days +00:01:00"),
    ],
)
def test_intervals_are_spelled_as_intervalstyle_postgres(value, text):
    assert values.interval_text(value) == text.encode()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("-0.00"), "0.00"),
        (Decimal("1E+3"), "1000"),
        (Decimal("NaN"), "NaN"),
        (Decimal("-Infinity"), "-Infinity"),
        (12, "12"),
    ],
)
def test_numerics_are_spelled_without_exponents_or_negative_zero(value, text):
    assert values.numeric_text(value) == text.encode()


def test_json_values_that_are_not_text_are_serialised():
    assert values.str_text({"a": [1, None]}) == b'{"a": [1, null]}'


# -- parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "oid", "fmt", "expected"),
    [
        (b"42", 23, 0, 42),
        (b"\x00\x00\x00\x2a", 23, 1, 42),
        (b"on", 16, 0, True),
        (b"\x00", 16, 1, False),
        (b"-1.5e3", 701, 0, -1500.0),
        (b"12.340", 1700, 0, Decimal("12.340")),
        (b"2024-02-29", 1082, 0, dt.date(2024, 2, 29)),
        (b"2024-02-29 01:02:03+02", 1184, 0, dt.datetime(2024, 2, 28, 23, 2, 3, tzinfo=dt.UTC)),
        (b"text as is", 0, 0, "text as is"),
        (b"1 day", 1186, 0, "1 day"),
        (b"\x01{}", 3802, 1, "{}"),
        (None, 23, 1, None),
        (b"\\x0aff", 17, 0, b"\n\xff"),
        (b"a\\000\\\\", 17, 0, b"a\x00\\"),
    ],
)
def test_bind_parameters_decode_by_type_and_format(data, oid, fmt, expected):
    assert decode_parameter(data, oid, fmt) == expected


@pytest.mark.parametrize(
    ("data", "oid", "fmt", "sqlstate", "message"),
    [
        (b"12a", 23, 0, "22P02", "invalid input syntax for type integer"),
        (b"99999", 21, 0, "22003", "out of range for type smallint"),
        (b"maybe", 16, 0, "22P02", "type boolean"),
        (b"1.2.3", 1700, 0, "22P02", "type numeric"),
        (b"sNaN", 1700, 0, "22P02", "type numeric"),
        (b"2024-13-01", 1082, 0, "22P02", "type date"),
        (b"not-a-uuid", 2950, 0, "22P02", "type uuid"),
        (b"\\x0", 17, 0, "22P02", "type bytea"),
        (b"\\9", 17, 0, "22P02", "type bytea"),
        (b"\xff", 25, 0, "22P02", "invalid byte sequence"),
        (b"\x00\x00\x2a", 23, 1, "22P03", "incorrect binary data format for type integer"),
        (b"\x02", 16, 1, "22P03", "type boolean"),
        (b"\x02{}", 3802, 1, "22P03", "unsupported jsonb version"),
        (b"\x00\x01\x00\x00\x00\x00\x00\x00\x27\x10", 1700, 1, "22P03", "invalid digit"),
        (b"\x00\x00\x00\x00\x12\x34\x00\x00", 1700, 1, "22P03", "invalid sign"),
        (b"\x00\x01", 1700, 1, "22P03", "type numeric"),
        (b"x", 600, 1, "22P03", "binary format is not supported for a parameter of type OID 600"),
        ((2**63 - 1).to_bytes(8, "big"), 1114, 1, "22P03", "timestamp out of range"),
    ],
)
def test_bad_parameters_are_statement_errors_that_never_quote_the_value(
    data, oid, fmt, sqlstate, message
):
    with pytest.raises(InvalidParameter, match=message) as e:
        decode_parameter(data, oid, fmt)
    assert e.value.sqlstate == sqlstate
    if len(data) > 2:
        assert data.decode("latin-1") not in str(e.value)


# -- binary codecs read back what they write ----------------------------------------------

_decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(d.adjusted()) < 1000
)


@given(_decimals)
def test_numeric_binary_round_trips(number):
    back = params.numeric_from_binary(values.numeric_binary(number))
    assert back == number
    assert values.numeric_text(back) == values.numeric_text(number)


_ROUND_TRIPS = {
    "bool": st.booleans(),
    "int2": st.integers(-(2**15), 2**15 - 1),
    "int4": st.integers(-(2**31), 2**31 - 1),
    "int8": st.integers(-(2**63), 2**63 - 1),
    "float8": st.floats(allow_nan=False),
    "float4": st.floats(width=32, allow_nan=False),
    "text": st.text(),
    "bytea": st.binary(),
    "date": st.dates(),
    "time": st.times(),
    "timestamp": st.datetimes(),
    "timestamptz": st.datetimes(timezones=st.just(dt.UTC)),
    "uuid": st.uuids(),
    "timetz": st.times(
        timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-5, minutes=-30))])
    ),
}


@pytest.mark.parametrize("name", sorted(_ROUND_TRIPS))
def test_binary_codecs_round_trip(name):
    pg_type = type_by_name(name)

    @given(_ROUND_TRIPS[name])
    def check(value):
        assert pg_type.decode_binary(pg_type.encode_binary(value)) == value

    check()


@given(st.timedeltas(min_value=dt.timedelta(days=-(10**6)), max_value=dt.timedelta(days=10**6)))
def test_intervals_round_trip_through_binary(delta):
    decoded = params.interval_from_binary(values.interval_binary(delta))
    assert decoded.months == 0 and decoded.to_timedelta() == delta


def test_every_type_has_all_four_codecs():
    for pg_type in TYPES.values():
        assert all(
            callable(f)
            for f in (
                pg_type.encode_text,
                pg_type.encode_binary,
                pg_type.decode_text,
                pg_type.decode_binary,
            )
        )
