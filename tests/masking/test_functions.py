"""masking.functions without a database: the registry, routing by type, errors, the
SQL shapes that matter, and the golden SQL of every method in every dialect.

Execution on real DuckDB and PostgreSQL is in test_functions_exec.py; properties
over arbitrary text in test_functions_properties.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from catalog.errors import UsageError, VeilError
from masking import functions
from masking.functions import (
    SUPPORTED_DIALECTS,
    MaskSecrets,
    TypeFamily,
    UnsupportedDialectError,
    mask_expression,
    type_family,
)
from policies.methods import METHODS, method_spec, resolved_params
from tests.masking.cases import (
    APPLIES,
    GOLDEN_TYPES,
    SECRETS,
    golden_cases,
    golden_params,
)

F = TypeFamily
GOLDEN_DIR = Path(__file__).parent / "golden" / "functions"


def mask_sql(
    method: str,
    data_type: str,
    dialect: str,
    params: dict[str, object] | None = None,
    value: exp.Expr | None = None,
    secrets: MaskSecrets = SECRETS,
) -> str:
    spec = method_spec(method)
    expression = mask_expression(
        value if value is not None else exp.column("c"),
        method=method,
        params=resolved_params(spec, params or {}),
        data_type=data_type,
        dialect=dialect,
        secrets=secrets,
    )
    return expression.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)


# --- the registry --------------------------------------------------------------------


@pytest.mark.parametrize("dialect", SUPPORTED_DIALECTS)
@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_registered_method_is_implemented_for_every_dialect_and_family(
    method: str, dialect: str
) -> None:
    for family, data_type in GOLDEN_TYPES[dialect].items():
        params = golden_params(method, family)
        sql = mask_sql(method, data_type, dialect, dict(params))
        assert sqlglot.parse_one(sql, dialect=dialect), (family, sql)


def test_the_sql_generator_implements_exactly_the_registered_methods() -> None:
    assert set(functions._FUNCTIONS) == set(METHODS)


def test_supported_dialects_are_the_seven_warehouses() -> None:
    assert set(SUPPORTED_DIALECTS) == {
        "postgres",
        "duckdb",
        "snowflake",
        "bigquery",
        "trino",
        "spark",
        "redshift",
    }
    assert set(GOLDEN_TYPES) == set(SUPPORTED_DIALECTS)


@pytest.mark.parametrize("dialect", SUPPORTED_DIALECTS)
def test_every_dialect_template_parses_as_its_dialect(dialect: str) -> None:
    profile = functions._DIALECTS[dialect]
    for template in (profile.sha256_hex, profile.hex_to_bigint, profile.repeat):
        if template is not None:
            tree = functions._parsed_template(template, dialect)
            assert not isinstance(tree, exp.Command)
            assert tree.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)


# --- errors ----------------------------------------------------------------------------


def test_unknown_method_is_a_usage_error_that_suggests_the_closest_name() -> None:
    with pytest.raises(UsageError, match="did you mean 'hash'"):
        mask_sql("hsh", "text", "postgres")


@pytest.mark.parametrize("dialect", ["oracle", "postgresql", "sqlite", ""])
def test_unknown_dialect_is_an_unsupported_dialect_error_listing_the_supported(
    dialect: str,
) -> None:
    with pytest.raises(UnsupportedDialectError) as info:
        mask_sql("hash", "text", dialect)
    assert isinstance(info.value, VeilError)
    assert info.value.hint and "duckdb" in info.value.hint
    with pytest.raises(UnsupportedDialectError):
        type_family("text", dialect)


def test_a_close_dialect_name_is_suggested() -> None:
    with pytest.raises(UnsupportedDialectError, match="did you mean 'postgres'"):
        type_family("text", "postgresql")


@pytest.mark.parametrize(
    ("method", "params", "message"),
    [
        ("bucket", {}, "needs the parameter 'size'"),
        ("bucket", {"size": 0}, "at least 1"),
        ("bucket", {"size": "10"}, "must be int"),
        ("bucket", {"size": True}, "must be int"),
        ("date_trunc", {"unit": "day"}, "one of year, month"),
        ("date_trunc", {"unit": "month'); DROP TABLE x; --"}, "one of year, month"),
        ("partial", {"show_first": -1}, "at least 0"),
        ("partial", {"fill": 3}, "must be str"),
        ("custom", {}, "needs the parameter 'expression'"),
    ],
)
def test_bad_parameters_are_refused_before_they_become_sql(
    method: str, params: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        mask_sql(method, "integer", "postgres", params)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("UPPER(value", "one SQL expression"),
        ("", "one SQL expression"),
        ("SELECT value FROM t", "one SQL expression"),
        ("value; SELECT 1", "one SQL expression"),
        ("value || (SELECT secret FROM t)", "one SQL expression"),
        ("value AS x", "one SQL expression"),
        ("value x", "one SQL expression"),
        ("value FROM t", "one SQL expression"),
        ("DISTINCT value", "one SQL expression"),
        ("*", "one SQL expression"),
        ("DROP TABLE t", "one SQL expression"),
        ("1, 2", "one SQL expression"),
    ],
)
def test_custom_expressions_that_are_not_expressions_are_refused(
    expression: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        mask_sql("custom", "text", "postgres", {"expression": expression})


def test_custom_on_a_type_without_a_sql_name_is_refused_rather_than_left_uncast() -> None:
    with pytest.raises(UsageError, match="cannot be cast back"):
        mask_sql("custom", "ARRAY", "postgres", {"expression": "value"})


def test_secrets_do_not_show_in_their_repr() -> None:
    secrets = MaskSecrets(salt="pepper", token_key="sesame")
    assert "pepper" not in repr(secrets) and "sesame" not in repr(secrets)


# --- routing by type --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "data_type", "family"),
    [
        ("duckdb", "VARCHAR", F.TEXT),
        ("duckdb", "INTEGER", F.INTEGER),
        ("duckdb", "BIGINT", F.INTEGER),
        ("duckdb", "HUGEINT", F.INTEGER),
        ("duckdb", "UTINYINT", F.INTEGER),
        ("duckdb", "DECIMAL(10,2)", F.DECIMAL),
        ("duckdb", "DECIMAL(18,0)", F.INTEGER),
        ("duckdb", "DOUBLE", F.FLOAT),
        ("duckdb", "REAL", F.FLOAT),
        ("duckdb", "DATE", F.DATE),
        ("duckdb", "TIMESTAMP", F.TIMESTAMP),
        ("duckdb", "TIMESTAMP WITH TIME ZONE", F.TIMESTAMP),
        ("duckdb", "TIMESTAMP_NS", F.TIMESTAMP),
        ("duckdb", "TIME", F.OTHER),
        ("duckdb", "BOOLEAN", F.BOOLEAN),
        ("duckdb", "UUID", F.OTHER),
        ("duckdb", "JSON", F.OTHER),
        ("duckdb", "INTEGER[]", F.OTHER),
        ("duckdb", "STRUCT(a INTEGER)", F.OTHER),
        ("duckdb", "BLOB", F.OTHER),
        ("duckdb", "BIT", F.OTHER),
        ("postgres", "character varying(255)", F.TEXT),
        ("postgres", "character(3)", F.TEXT),
        ("postgres", "text", F.TEXT),
        ("postgres", "integer", F.INTEGER),
        ("postgres", "smallint", F.INTEGER),
        ("postgres", "numeric(12,2)", F.DECIMAL),
        ("postgres", "numeric", F.DECIMAL),
        ("postgres", "money", F.OTHER),
        ("postgres", "double precision", F.FLOAT),
        ("postgres", "timestamp without time zone", F.TIMESTAMP),
        ("postgres", "timestamp with time zone", F.TIMESTAMP),
        ("postgres", "jsonb", F.OTHER),
        ("postgres", "bytea", F.OTHER),
        ("postgres", "ARRAY", F.OTHER),
        ("postgres", "USER-DEFINED", F.OTHER),
        ("postgres", "no such type at all", F.OTHER),
        ("snowflake", "NUMBER(38,0)", F.INTEGER),
        ("snowflake", "NUMBER(12,2)", F.DECIMAL),
        ("snowflake", "TIMESTAMP_NTZ(9)", F.TIMESTAMP),
        ("snowflake", "VARIANT", F.OTHER),
        ("bigquery", "STRING", F.TEXT),
        ("bigquery", "INT64", F.INTEGER),
        ("bigquery", "BIGNUMERIC", F.DECIMAL),
        ("bigquery", "DATETIME", F.TIMESTAMP),
        ("trino", "timestamp(3) with time zone", F.TIMESTAMP),
        ("spark", "timestamp_ntz", F.TIMESTAMP),
        ("redshift", "character varying(256)", F.TEXT),
        ("redshift", "super", F.OTHER),
    ],
)
def test_type_family(dialect: str, data_type: str, family: TypeFamily) -> None:
    assert type_family(data_type, dialect) is family


@pytest.mark.parametrize(
    ("dialect", "data_type", "cast_to"),
    [
        ("postgres", "character varying(255)", "VARCHAR"),
        ("postgres", "text", "TEXT"),
        ("postgres", "character(3)", "TEXT"),
        ("duckdb", "VARCHAR", "TEXT"),
        ("snowflake", "VARCHAR(16777216)", "VARCHAR"),
        ("bigquery", "STRING(10)", "STRING"),
        ("trino", "varchar(20)", "VARCHAR"),
        ("spark", "varchar(10)", "STRING"),
        ("spark", "char(5)", "STRING"),
        # Redshift's bare VARCHAR is VARCHAR(256): only MAX is unbounded.
        ("redshift", "character varying(16)", "VARCHAR(MAX)"),
        ("redshift", "character(10)", "VARCHAR(MAX)"),
    ],
)
def test_text_masks_are_cast_to_the_unbounded_text_type_so_nothing_is_truncated(
    dialect: str, data_type: str, cast_to: str
) -> None:
    sql = mask_sql("hash", data_type, dialect)
    assert sql.endswith(f" AS {cast_to})"), sql


@pytest.mark.parametrize("dialect", SUPPORTED_DIALECTS)
def test_methods_that_do_not_apply_give_null_of_the_column_type(dialect: str) -> None:
    for family, data_type in GOLDEN_TYPES[dialect].items():
        for method, families in APPLIES.items():
            if method == "custom" or family in families:
                continue
            typed = exp.DataType.build(data_type, dialect=dialect).sql(dialect=dialect)
            sql = mask_sql(method, data_type, dialect, dict(golden_params(method, family)))
            assert sql == f"CAST(NULL AS {typed})", (method, family)


@pytest.mark.parametrize("data_type", ["ARRAY", "USER-DEFINED", "no such type"])
def test_null_of_a_type_without_a_sql_name_takes_the_type_from_the_value(data_type: str) -> None:
    assert mask_sql("hash", data_type, "postgres") == "CASE WHEN FALSE THEN c END"


# --- shapes that matter -----------------------------------------------------------------


def test_null_stays_null_even_for_the_constant_of_redact() -> None:
    assert mask_sql("redact", "text", "postgres") == (
        "CAST(CASE WHEN c IS NULL THEN NULL ELSE '***' END AS TEXT)"
    )


@pytest.mark.parametrize("dialect", SUPPORTED_DIALECTS)
def test_secrets_with_quotes_and_backslashes_survive_as_exact_literals(dialect: str) -> None:
    secrets = MaskSecrets(salt="it's \\' a \"salt\"", token_key="k\\ey'")
    for method, data_type in (("hash", "integer"), ("tokenize", "integer")):
        sql = mask_sql(method, data_type, dialect, secrets=secrets)
        literals = {
            lit.this for lit in sqlglot.parse_one(sql, dialect=dialect).find_all(exp.Literal)
        }
        assert (secrets.salt if method == "hash" else secrets.token_key + ":") in literals


def test_a_compound_value_is_parenthesised_where_it_is_nested() -> None:
    value = sqlglot.parse_one("a + b")
    sql = mask_sql("custom", "integer", "postgres", {"expression": "value * 2"}, value=value)
    assert "(a + b) * 2" in sql
    sql = mask_sql("bucket", "integer", "postgres", {"size": 10}, value=value)
    assert "(a + b) % 10" in sql


def test_custom_substitutes_only_the_bare_identifier_value() -> None:
    sql = mask_sql("custom", "text", "duckdb", {"expression": "CONCAT(VALUE, t.value, 'value')"})
    assert "CONCAT(c, t.value, 'value')" in sql


def test_mask_expression_leaves_the_given_value_untouched_and_shares_no_nodes() -> None:
    value = exp.column("ssn", table="p")
    before = value.sql()
    result = mask_expression(
        value,
        method="partial",
        params={"show_first": 1, "show_last": 2, "fill": "*"},
        data_type="text",
        dialect="postgres",
        secrets=SECRETS,
    )
    assert value.sql() == before and value.parent is None
    nodes = list(result.walk())
    assert len({id(n) for n in nodes}) == len(nodes)
    assert all(n.parent is not None for n in nodes if n is not result)


def test_integer_hashes_are_reduced_to_the_column_type_range() -> None:
    assert "% 32768 END AS SMALLINT" in mask_sql("hash", "smallint", "postgres")
    assert "% 2147483648 END AS INT" in mask_sql("hash", "integer", "postgres")
    assert "% 1000000 END AS DECIMAL(6, 0)" in mask_sql("hash", "numeric(6,0)", "postgres")
    assert "%" not in mask_sql("hash", "bigint", "postgres")  # 60 bits always fit


def test_bucket_of_the_lowest_values_is_clamped_to_the_type_minimum() -> None:
    sql = mask_sql("bucket", "bigint", "postgres", {"size": 10})
    assert "WHEN c < -9223372036854775800 THEN (-9223372036854775807 - 1)" in sql
    sql = mask_sql("bucket", "numeric(10,2)", "postgres", {"size": 10})
    assert "WHEN c < -99999990.00 THEN -99999999.99" in sql
    # PostgreSQL's bare numeric has no minimum: nothing to clamp.
    assert " < -" not in mask_sql("bucket", "numeric", "postgres", {"size": 10})


def test_bigquery_truncates_datetime_and_timestamp_with_their_own_functions() -> None:
    assert "DATETIME_TRUNC(c, MONTH)" in mask_sql("date_trunc", "DATETIME", "bigquery")
    assert "TIMESTAMP_TRUNC(c, YEAR)" in mask_sql(
        "date_trunc", "TIMESTAMP", "bigquery", {"unit": "year"}
    )
    assert "DATE_TRUNC(c, MONTH)" in mask_sql("date_trunc", "DATE", "bigquery")


# --- golden SQL per dialect ---------------------------------------------------------------


def render_golden(dialect: str) -> str:
    lines = [
        f"-- Masking SQL for {dialect}: SELECT <mask(col)> AS col FROM t, per method and type.",
        "-- Generated by tests/masking/test_functions.py; regenerate with",
        "-- `pytest tests/masking --update-goldens` and review the diff.",
        f"-- salt = {SECRETS.salt!r}, token_key = {SECRETS.token_key!r} (test values).",
    ]
    for case in golden_cases(dialect):
        expression = mask_expression(
            exp.column("col"),
            method=case.method,
            params=golden_params(case.method, case.family),
            data_type=case.data_type,
            dialect=dialect,
            secrets=SECRETS,
        )
        select = exp.select(expression.as_("col")).from_("t")
        sql = select.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
        lines += ["", f"-- {case.title}", f"{sql};"]
    return "\n".join(lines) + "\n"


def golden_statements(dialect: str) -> list[tuple[str, str]]:
    """(title, SQL) pairs read back from a golden file."""
    text = (GOLDEN_DIR / f"{dialect}.sql").read_text(encoding="utf-8")
    out = []
    for block in text.split("\n\n")[1:]:
        title, sql = block.strip().split("\n", 1)
        out.append((title.removeprefix("-- "), sql.removesuffix(";")))
    return out


@pytest.mark.parametrize("dialect", SUPPORTED_DIALECTS)
def test_golden_sql(dialect: str, update_goldens: bool) -> None:
    path = GOLDEN_DIR / f"{dialect}.sql"
    actual = render_golden(dialect)
    if update_goldens:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing {path}; run pytest tests/masking --update-goldens"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("dialect", SUPPORTED_DIALECTS)
def test_golden_sql_parses_back_in_its_dialect(dialect: str) -> None:
    statements = golden_statements(dialect)
    assert len(statements) == len(golden_cases(dialect))
    for title, sql in statements:
        tree = sqlglot.parse_one(sql, dialect=dialect, error_level=ErrorLevel.RAISE)
        assert isinstance(tree, exp.Select), title
        assert tree.sql(dialect=dialect) == sql, title  # stable round trip


def test_parameters_left_out_get_their_defaults_and_unknown_ones_are_ignored() -> None:
    def sql(params: dict[str, object]) -> str:
        return mask_expression(
            exp.column("c"),
            method="partial",
            params=params,
            data_type="text",
            dialect="duckdb",
            secrets=SECRETS,
        ).sql("duckdb")

    full = {"show_first": 0, "show_last": 4, "fill": "*"}
    assert sql({"show_last": 4}) == sql(full)
    assert sql({**full, "exempt": ["auditor"], "tag": "pii"}) == sql(full)


def test_a_returned_mask_can_be_changed_without_affecting_later_ones() -> None:
    def mask() -> exp.Expr:
        return mask_expression(
            exp.column("c"),
            method="hash",
            params={},
            data_type="text",
            dialect="duckdb",
            secrets=SECRETS,
        )

    first = mask()
    before = first.sql("duckdb")
    for column in first.find_all(exp.Column):
        column.replace(exp.column("other"))
    assert mask().sql("duckdb") == before
