"""Properties over arbitrary text: unicode, quotes, backslashes, '@' anywhere, empty.

On DuckDB, values arrive as bound parameters, so every string the warehouse could
hold is reachable; secrets and fills are arbitrary too, so their literals must be
escaped right. PostgreSQL gets the secrets property as well.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from masking.functions import MaskSecrets, mask_expression
from tests import pg
from tests.masking.cases import SECRETS, email, hash_text, partial, token_text

#: Any text a warehouse column can hold (no NUL, no lone surrogates).
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)
EMAILISH = TEXT | st.builds(lambda a, b: f"{a}@{b}", TEXT, TEXT)
PARTIAL_PARAMS = st.fixed_dictionaries(
    {
        "show_first": st.integers(0, 5),
        "show_last": st.integers(0, 5),
        "fill": st.sampled_from(["*", "#", "•", "'", "\\", "xy"]),
    }
)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    conn = duckdb.connect()
    yield conn
    conn.close()


def masked_query(
    method: str,
    params: dict[str, object],
    dialect: str = "duckdb",
    secrets: MaskSecrets = SECRETS,
) -> str:
    """A query masking its one bound text parameter."""
    m = mask_expression(
        exp.column("v"),
        method=method,
        params=params,
        data_type="VARCHAR",
        dialect=dialect,
        secrets=secrets,
    ).sql(dialect=dialect)
    if dialect == "duckdb":
        return f"SELECT {m} FROM (SELECT CAST(? AS VARCHAR) AS v) AS one"
    m = m.replace("%", "%%")  # psycopg's placeholder syntax
    return f"SELECT {m} FROM (SELECT CAST(%s AS VARCHAR) AS v) AS one"


def run(conn: duckdb.DuckDBPyConnection, sql: str, value: str) -> object:
    [(result,)] = conn.execute(sql, [value]).fetchall()
    return result


@SETTINGS
@given(value=TEXT, params=PARTIAL_PARAMS)
def test_partial_shows_only_the_kept_characters(
    duck: duckdb.DuckDBPyConnection, value: str, params: dict[str, object]
) -> None:
    result = run(duck, masked_query("partial", params), value)
    first, last, fill = int(params["show_first"]), int(params["show_last"]), str(params["fill"])
    assert result == partial(value, first, last, fill)
    hidden = value[first : len(value) - last] if len(value) > first + last else value
    if hidden and set(hidden) - set(fill):
        assert result != value


@SETTINGS
@given(value=EMAILISH)
def test_email_shows_only_the_domain(duck: duckdb.DuckDBPyConnection, value: str) -> None:
    result = run(duck, masked_query("email", {}), value)
    assert result == email(value)
    local = value.rsplit("@", 1)[0] if "@" in value else value
    if local != "***":
        assert result != value


@SETTINGS
@given(value=TEXT)
def test_hash_and_token_are_the_python_digests(duck: duckdb.DuckDBPyConnection, value: str) -> None:
    hashed = run(duck, masked_query("hash", {}), value)
    token = run(duck, masked_query("tokenize", {}), value)
    assert hashed == hash_text(value) and hashed != value
    assert token == token_text(value) and token != value


@SETTINGS
@given(salt=TEXT, key=TEXT, value=TEXT)
def test_any_secret_is_embedded_as_an_exact_literal(
    duck: duckdb.DuckDBPyConnection, salt: str, key: str, value: str
) -> None:
    secrets = MaskSecrets(salt=salt, token_key=key)
    assert run(duck, masked_query("hash", {}, secrets=secrets), value) == hash_text(value, secrets)
    assert run(duck, masked_query("tokenize", {}, secrets=secrets), value) == token_text(
        value, secrets
    )


@pytest.fixture(scope="module")
def pg_conn(pg_module_database: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(pg.libpq(pg_module_database), autocommit=True) as conn:
        yield conn


@pytest.mark.postgres
@settings(max_examples=100, deadline=None)
@given(salt=TEXT, value=TEXT, params=PARTIAL_PARAMS)
def test_postgresql_agrees_on_arbitrary_secrets_and_text(
    pg_conn: psycopg.Connection, salt: str, value: str, params: dict[str, object]
) -> None:
    secrets = MaskSecrets(salt=salt, token_key=salt)
    sql = masked_query("hash", {}, "postgres", secrets)
    assert pg_conn.execute(sql, [value]).fetchone() == (hash_text(value, secrets),)
    sql = masked_query("tokenize", {}, "postgres", secrets)
    assert pg_conn.execute(sql, [value]).fetchone() == (token_text(value, secrets),)
    sql = masked_query("partial", params, "postgres")
    want = partial(value, **params)
    assert pg_conn.execute(sql, [value]).fetchone() == (want,)
    sql = masked_query("email", {}, "postgres")
    assert pg_conn.execute(sql, [value]).fetchone() == (email(value),)
