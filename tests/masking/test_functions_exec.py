"""Masks executed on real DuckDB and PostgreSQL.

For every method on every column type of the sample table: the masked query runs,
its type is the column's type, its values are what tests/masking/cases.py computes in
Python, and the query shapes analysts write (WHERE =, GROUP BY, ORDER BY, UNION,
JOIN, IN, CREATE TABLE AS) still run on the masked column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import psycopg
import pytest
from sqlglot import exp

from catalog.errors import UsageError
from masking.functions import mask_expression
from tests.masking.cases import (
    COLUMNS,
    RAISES,
    SECRETS,
    Col,
    bucket_exact,
    bucket_float,
    columns_for,
    expected,
    golden_cases,
    golden_params,
    params_for,
    partial,
    trunc,
)
from tests.masking.engines import Engine, duckdb_engine, normalise, postgres_engine

ENGINE_NAMES = ("duckdb", "postgres")
METHODS = ("null", "redact", "tokenize", "hash", "date_trunc", "bucket", "email", "partial")
ALL_METHODS = (*METHODS, "custom")
#: Methods whose result on a text column is computed text (not a typed NULL).
TEXT_COMPUTED = frozenset({"redact", "tokenize", "hash", "email", "partial", "custom"})
BY_NAME = {c.name: c for c in COLUMNS}


def _engine_param(name: str) -> pytest.ParameterSet:
    marks = [pytest.mark.postgres] if name == "postgres" else []
    return pytest.param(name, marks=marks, id=name)


def _cases(methods: tuple[str, ...]) -> list[pytest.ParameterSet]:
    return [
        pytest.param(
            engine,
            method,
            col.name,
            marks=[pytest.mark.postgres] if engine == "postgres" else [],
            id=f"{engine}-{method}-{col.name}",
        )
        for engine in ENGINE_NAMES
        for method in methods
        for col in columns_for(engine)
    ]


@pytest.fixture(scope="module")
def engines(request: pytest.FixtureRequest) -> Iterator[Callable[[str], Engine]]:
    """Engines by name, each loaded once per module and only when a test asks for it
    (PostgreSQL only for tests marked ``postgres``)."""
    stack = ExitStack()
    loaded: dict[str, Engine] = {}

    def get(name: str) -> Engine:
        if name not in loaded:
            context = (
                duckdb_engine()
                if name == "duckdb"
                else postgres_engine(request.getfixturevalue("pg_module_database"))
            )
            loaded[name] = stack.enter_context(context)
        return loaded[name]

    with stack:
        yield get


@pytest.fixture
def engine(engines: Callable[[str], Engine], engine_name: str) -> Engine:
    return engines(engine_name)


def masked_sql(
    engine: Engine,
    col: Col,
    method: str,
    params: object = None,
    value: exp.Expr | None = None,
) -> str:
    expression = mask_expression(
        value if value is not None else exp.column(col.name),
        method=method,
        params=params if params is not None else params_for(method, col.family),  # type: ignore[arg-type]
        data_type=engine.catalog_types[col.name],
        dialect=engine.name,
        secrets=SECRETS,
    )
    return expression.sql(dialect=engine.name)


def masked_table(engine: Engine, col: Col, method: str, params: object = None) -> str:
    """``people`` as the gateway would expose it: the column replaced by its mask."""
    return f"(SELECT r, {masked_sql(engine, col, method, params)} AS {col.name} FROM people)"


# --- every method × every type -------------------------------------------------------


@pytest.mark.parametrize(("engine_name", "method", "column"), _cases(ALL_METHODS))
def test_mask_keeps_the_column_type_and_gives_the_documented_values(
    engine: Engine, method: str, column: str
) -> None:
    col = BY_NAME[column]
    data_type = engine.catalog_types[col.name]
    if expected(method, col, None, data_type) is RAISES:
        with pytest.raises(UsageError):
            masked_sql(engine, col, method)
        return
    m = masked_sql(engine, col, method)
    rows = engine.rows(
        f"SELECT r, {engine.fetchable(col.name, col)}, {engine.fetchable(m, col)}, "
        f"{engine.type_of_sql(col.name)}, {engine.type_of_sql(m)} FROM people ORDER BY r"
    )
    assert len(rows) == 6
    for r, raw, masked, raw_type, masked_type in rows:
        want_type = "text" if col.char_like and method in TEXT_COMPUTED else raw_type
        assert masked_type == want_type, f"row {r}"
        assert masked == normalise(expected(method, col, raw, data_type)), f"row {r}: {raw!r}"


SHAPES = {
    "where_equals": "SELECT {c} FROM {src} AS p WHERE {c} = {probe}",
    "group_order": "SELECT {c}, COUNT(*) FROM {src} AS p GROUP BY {c} ORDER BY {c}",
    "union_with_raw": "SELECT {c} FROM {src} AS p UNION ALL SELECT {c} FROM people",
    "self_join": "SELECT a.{c} FROM {src} AS a JOIN {src} AS b ON a.{c} = b.{c}",
    "in_raw": "SELECT {c} FROM {src} AS p WHERE {c} IN (SELECT {c} FROM people)",
    "count": "SELECT COUNT({c}), COUNT(*) FROM {src} AS p",
}


def _shape_sql(engine: Engine, col: Col, shape: str, src: str) -> str:
    probe = f"CAST('{col.probe_for(engine.name)}' AS {col.ddl[engine.name]})"
    return SHAPES[shape].format(c=col.name, src=src, probe=probe)


@pytest.mark.parametrize(("engine_name", "method", "column"), _cases(ALL_METHODS))
def test_queries_that_work_unmasked_still_work_on_the_masked_column(
    engine: Engine, method: str, column: str
) -> None:
    col = BY_NAME[column]
    if expected(method, col, None, engine.catalog_types[col.name]) is RAISES:
        return
    src = masked_table(engine, col, method)
    for shape in SHAPES:
        for source in ("people", src):  # the unmasked baseline, then the masked column
            engine.rows(f"SELECT COUNT(*) FROM ({_shape_sql(engine, col, shape, source)}) AS q")
    engine.run(f"CREATE TEMP TABLE masked_copy AS SELECT {col.name} FROM {src} AS p")
    try:
        copied = engine.rows(f"SELECT {engine.type_of_sql(col.name)} FROM masked_copy LIMIT 1")
        assert copied, "CREATE TABLE AS lost the rows"
    finally:
        engine.run("DROP TABLE masked_copy")


@pytest.mark.parametrize(("engine_name", "method", "column"), _cases(ALL_METHODS))
def test_null_stays_null_and_nothing_else_becomes_null(
    engine: Engine, method: str, column: str
) -> None:
    col = BY_NAME[column]
    if expected(method, col, None, engine.catalog_types[col.name]) is RAISES:
        return
    src = masked_table(engine, col, method)
    [(masked_count, total)] = engine.rows(_shape_sql(engine, col, "count", src))
    [(raw_count, _)] = engine.rows(_shape_sql(engine, col, "count", "people"))
    computes = expected(method, col, col.values[0], engine.catalog_types[col.name]) is not None
    assert total == 6
    assert masked_count == (raw_count if computes else 0)


# --- parameters beyond the defaults --------------------------------------------------------

PARTIAL_PARAMS = [
    {"show_first": 0, "show_last": 4, "fill": "*"},
    {"show_first": 2, "show_last": 2, "fill": "#"},
    {"show_first": 0, "show_last": 0, "fill": "x"},
    {"show_first": 3, "show_last": 0, "fill": "•"},
    {"show_first": 1, "show_last": 1, "fill": "<'>"},
    {"show_first": 1, "show_last": 1, "fill": ""},
    {"show_first": 40, "show_last": 40, "fill": "*"},
]


def _engines() -> list[pytest.ParameterSet]:
    return [_engine_param(name) for name in ENGINE_NAMES]


def _masked_values(engine: Engine, col: Col, method: str, params: object) -> list[tuple]:
    m = masked_sql(engine, col, method, params)
    return engine.rows(
        f"SELECT {engine.fetchable(col.name, col)}, {engine.fetchable(m, col)} "
        "FROM people ORDER BY r"
    )


@pytest.mark.parametrize("engine_name", _engines())
@pytest.mark.parametrize(
    "params", PARTIAL_PARAMS, ids=lambda p: "{show_first}-{show_last}-{fill!r}".format(**p)
)
def test_partial_keeps_first_and_last_characters(engine: Engine, params: dict) -> None:
    for name in ("name", "email", "code"):
        for raw, masked in _masked_values(engine, BY_NAME[name], "partial", params):
            want = None if raw is None else partial(raw, **params)
            assert masked == want, raw


@pytest.mark.parametrize("engine_name", _engines())
def test_email_keeps_only_the_domain_after_the_last_at(engine: Engine) -> None:
    values = dict(_masked_values(engine, BY_NAME["email"], "email", {}))
    assert values["alice@example.com"] == "***@example.com"
    assert values["a@b@corp.io"] == "***@corp.io"
    assert values["no-at-sign"] == "***"
    assert values["émile@exämple.fr"] == "***@exämple.fr"
    assert values[None] is None


@pytest.mark.parametrize("engine_name", _engines())
@pytest.mark.parametrize("unit", ["year", "month"])
def test_date_trunc_to_year_and_month(engine: Engine, unit: str) -> None:
    for name in ("born", "seen", "seen_tz"):
        for raw, masked in _masked_values(engine, BY_NAME[name], "date_trunc", {"unit": unit}):
            assert masked == (None if raw is None else normalise(trunc(raw, unit))), raw


@pytest.mark.parametrize("engine_name", _engines())
@pytest.mark.parametrize("size", [1, 7, 1000, 10**12])
def test_bucket_rounds_down_to_a_multiple_of_size(engine: Engine, size: int) -> None:
    for col in engine.columns:
        if col.family.value not in ("integer", "decimal", "float"):
            continue
        for raw, masked in _masked_values(engine, col, "bucket", {"size": size}):
            if raw is None:
                assert masked is None
            elif col.family.value == "float":
                assert masked == pytest.approx(bucket_float(raw, size), rel=1e-6), raw
            else:
                low = col.bounds[0] if col.bounds else None
                assert masked == bucket_exact(raw, size, low), (col.name, raw)


# --- determinism and joins ---------------------------------------------------------------


@pytest.mark.parametrize("engine_name", _engines())
@pytest.mark.parametrize("method", ["hash", "tokenize"])
def test_joins_on_hashed_keys_still_match(engine: Engine, method: str) -> None:
    names = [n for n in ("id", "big", "num0", "email", "name") if n in engine.catalog_types]
    for name in names:
        col = BY_NAME[name]
        engine.run(f"CREATE TEMP TABLE other AS SELECT {name} FROM people WHERE r IN (1, 2, 4)")
        try:
            unmasked = engine.rows(
                f"SELECT COUNT(*) FROM people AS a JOIN other AS b ON a.{name} = b.{name}"
            )
            m = mask_expression(
                exp.column(name),
                method=method,
                params={},
                data_type=engine.catalog_types[name],
                dialect=engine.name,
                secrets=SECRETS,
            ).sql(dialect=engine.name)
            masked = engine.rows(
                f"SELECT COUNT(*) FROM (SELECT {m} AS k FROM people) AS a "
                f"JOIN (SELECT {m} AS k FROM other) AS b ON a.k = b.k"
            )
            assert masked == unmasked == [(3,)], col.name  # rows 1 and 6 match row 1
        finally:
            engine.run("DROP TABLE other")


@pytest.mark.parametrize("engine_name", _engines())
def test_hash_is_deterministic_across_queries(engine: Engine) -> None:
    for name in ("name", "id"):
        col = BY_NAME[name]
        first = _masked_values(engine, col, "hash", {})
        second = _masked_values(engine, col, "hash", {})
        assert first == second
        assert first[0][1] == first[5][1]  # row 6 repeats row 1


@pytest.mark.postgres
def test_duckdb_and_postgresql_give_the_same_hashes_and_tokens(
    engines: Callable[[str], Engine],
) -> None:
    duck, pg = engines("duckdb"), engines("postgres")
    for method in ("hash", "tokenize"):
        for name in ("name", "email", "code", "small", "id", "big", "num0"):
            col = BY_NAME[name]
            in_duckdb = _masked_values(duck, col, method, {})
            assert in_duckdb == _masked_values(pg, col, method, {}), (method, name)


# --- text of bounded length -------------------------------------------------------------------


@pytest.mark.postgres
def test_a_hash_of_a_varchar_8_column_is_not_truncated(engines: Callable[[str], Engine]) -> None:
    pg = engines("postgres")
    src = masked_table(pg, BY_NAME["code"], "hash")
    rows = pg.rows(f"SELECT code, LENGTH(code) FROM {src} AS p WHERE code IS NOT NULL")
    assert {length for _, length in rows} == {64}
    assert pg.rows(f"SELECT code FROM {src} AS p WHERE code = 'AB123456'") == []
    pg.run(f"CREATE TEMP TABLE wide AS SELECT code FROM {src} AS p")
    pg.run("CREATE TEMP TABLE narrow (code varchar(8))")
    try:
        assert pg.rows("SELECT MAX(LENGTH(code)) FROM wide") == [(64,)]
        # Documented trade-off: an INSERT into a narrower column fails loudly instead
        # of storing a truncated (colliding) hash.
        with pytest.raises(psycopg.errors.StringDataRightTruncation):
            pg.run(f"INSERT INTO narrow SELECT code FROM {src} AS p")
    finally:
        pg.run("DROP TABLE wide, narrow")


# --- the golden SQL runs -----------------------------------------------------------------------

#: One value per golden column type, as text to CAST (the OTHER types differ).
GOLDEN_SAMPLES = {
    "text": "Alice <alice@example.com>",
    "integer": "-42",
    "decimal": "-1234.56",
    "float": "-2.5",
    "date": "2024-02-29",
    "timestamp": "2024-02-29 12:34:56+00",
    "boolean": "true",
    "other": {"postgres": '{"a": 1}', "duckdb": "00000000-0000-0000-0000-000000000001"},
}


@pytest.mark.parametrize("engine_name", _engines())
def test_golden_sql_runs_on_its_engine(engine: Engine) -> None:
    for case in golden_cases(engine.name):
        expression = mask_expression(
            exp.column("col"),
            method=case.method,
            params=golden_params(case.method, case.family),
            data_type=case.data_type,
            dialect=engine.name,
            secrets=SECRETS,
        )
        sql = exp.select(expression.as_("col")).from_("t").sql(dialect=engine.name)
        sample = GOLDEN_SAMPLES[case.family.value]
        if isinstance(sample, dict):
            sample = sample[engine.name]
        engine.run(f"CREATE TEMP TABLE t (col {case.data_type})")
        try:
            engine.run(f"INSERT INTO t VALUES (CAST('{sample}' AS {case.data_type})), (NULL)")
            [(typed,)] = engine.rows(
                f"SELECT DISTINCT {engine.type_of_sql('col')} FROM ({sql}) AS masked"
            )
            [(raw_type,)] = engine.rows(f"SELECT DISTINCT {engine.type_of_sql('col')} FROM t")
            assert typed == raw_type, case.title
        finally:
            engine.run("DROP TABLE t")
