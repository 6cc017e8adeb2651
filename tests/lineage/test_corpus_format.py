"""The lineage corpus (tests/lineage/cases/*.yaml) is well-formed and covers what it must.

This checks the data, not the parser: every case has the required keys, its SQL parses
in its dialect (or, for an error case, does not), its edges are well-formed and agree
with its sources and targets, and the corpus as a whole covers each dialect and
construct often enough. tests/lineage/test_corpus.py runs the parser over the same cases.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlglot
import yaml
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError

CASES_DIR = Path(__file__).parent / "cases"

#: Dialects the issue names; each must appear in at least MIN_PER_DIALECT cases.
DIALECTS = ("postgres", "duckdb", "snowflake", "bigquery", "redshift", "spark", "trino", "tsql")
MIN_PER_DIALECT = 15
MIN_CASES = 300
MIN_PER_CONSTRUCT = 5
MIN_SQLLINEAGE = 30
MIN_INDIRECT = 60

DIRECT_KINDS = {"identity", "transform", "aggregate"}

#: Construct tags: each must be used at least MIN_PER_CONSTRUCT times.
CONSTRUCT_TAGS = frozenset(
    {
        # statements
        "select",
        "insert",
        "insert_no_columns",
        "ctas",
        "view",
        "materialized_view",
        "merge",
        "update",
        "insert_overwrite",
        "select_into",
        # query shapes
        "cte",
        "recursive_cte",
        "subquery",
        "derived_table",
        "scalar_subquery",
        "union",
        "intersect",
        "except",
        # joins
        "join_inner",
        "join_left",
        "join_right",
        "join_full",
        "join_cross",
        "join_natural",
        "join_using",
        "join_lateral",
        # table functions
        "lateral",
        "unnest",
        "flatten",
        "explode",
        # expressions
        "window",
        "case",
        "cast",
        "try_cast",
        "struct",
        "json",
        "aggregate",
        # stars
        "star",
        "star_schema",
        "star_no_schema",
        "qualified_star",
        # names
        "alias_shadow",
        "quoting",
        "case_rules",
        "default_db",
        "default_schema",
        "three_part",
        # other
        "ambiguous",
        "error",
        "realistic",
    }
)
#: Tags allowed but not required to reach the minimum.
OTHER_TAGS = frozenset({"join_semi"})

REQUIRED_KEYS = frozenset(
    {"id", "dialect", "sql", "edges", "sources", "targets", "error", "sqllineage", "tags"}
)
OPTIONAL_KEYS = frozenset(
    {"schema", "default_db", "default_schema", "indirect", "ambiguous", "note", "error_reason"}
)
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


def load_cases() -> list[dict[str, Any]]:
    """Every case of every file, each with a ``file`` key naming where it came from."""
    cases: list[dict[str, Any]] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, list), f"{path.name}: must be a list of cases"
        for case in data:
            assert isinstance(case, dict), f"{path.name}: each case must be a mapping"
            cases.append({**case, "file": path.name})
    return cases


CASES = load_cases()


def _case_id(case: dict[str, Any]) -> str:
    return str(case.get("id", "?"))


def _table_of(name: str) -> str:
    return name.rsplit(".", 1)[0]


def test_corpus_is_large_enough():
    assert len(CASES) >= MIN_CASES


def test_ids_are_unique_snake_case():
    ids = [case.get("id") for case in CASES]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    bad = [i for i in ids if not isinstance(i, str) or not ID_PATTERN.match(i)]
    assert not bad, f"ids must be snake_case: {bad}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_case_keys_and_types(case):
    keys = set(case) - {"file"}
    assert keys >= REQUIRED_KEYS, f"missing keys: {sorted(REQUIRED_KEYS - keys)}"
    assert keys <= REQUIRED_KEYS | OPTIONAL_KEYS, (
        f"unknown keys: {sorted(keys - REQUIRED_KEYS - OPTIONAL_KEYS)}"
    )
    assert isinstance(case["sql"], str) and case["sql"].strip()
    assert isinstance(case["error"], bool)
    assert isinstance(case["sqllineage"], bool)
    Dialect.get_or_raise(case["dialect"])  # raises on an unknown dialect name
    for key in ("sources", "targets", "tags"):
        assert isinstance(case[key], list) and all(isinstance(v, str) for v in case[key]), key
        assert len(set(case[key])) == len(case[key]), f"{key} has duplicates"
    unknown_tags = set(case["tags"]) - CONSTRUCT_TAGS - OTHER_TAGS
    assert not unknown_tags, f"unknown tags: {sorted(unknown_tags)}"
    for key in ("default_db", "default_schema"):
        assert case.get(key) is None or isinstance(case[key], str), key
    if "ambiguous" in case:
        assert "ambiguous" in case["tags"]
        names = case["ambiguous"]
        assert isinstance(names, list) and names
        assert all(isinstance(n, str) and n == n.lower() and "." not in n for n in names)
    elif "ambiguous" in case["tags"]:
        pytest.fail("tag ambiguous without an ambiguous: list")


@pytest.mark.parametrize("case", [c for c in CASES if c.get("schema")], ids=_case_id)
def test_schema_maps_tables_of_one_depth_to_columns(case):
    schema = case["schema"]
    assert isinstance(schema, dict)
    depths = {len(table.split(".")) for table in schema}
    assert len(depths) == 1, "all schema tables must have the same number of name parts"
    for table, columns in schema.items():
        assert isinstance(columns, list) and columns, table
        assert all(isinstance(c, str) for c in columns), table
        assert len(set(columns)) == len(columns), f"{table}: duplicate columns"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_sql_parses_unless_error_case(case):
    if not case["error"]:
        statements = [s for s in sqlglot.parse(case["sql"], read=case["dialect"]) if s]
        assert len(statements) == 1, "a case holds exactly one statement"
        # sqlglot falls back to an opaque Command for syntax it does not understand.
        assert not any(isinstance(node, exp.Command) for node in statements[0].walk()), (
            "sqlglot only parses this statement as an opaque Command"
        )
        return
    assert case["edges"] == [] and case["sources"] == [] and case["targets"] == []
    assert "indirect" not in case
    if case.get("error_reason"):
        return  # documented as semantically invalid although it parses
    with pytest.raises(SqlglotError):
        sqlglot.parse(case["sql"], read=case["dialect"])


def _check_edge_shape(edge: Any) -> tuple[str, str, str]:
    assert isinstance(edge, list) and len(edge) == 3, f"edge must be [source, target, kind]: {edge}"
    source, target, kind = edge
    assert all(isinstance(v, str) and v for v in edge), edge
    assert source.count(".") >= 1, f"source must be table-qualified: {source}"
    assert not source.startswith(".") and not source.endswith("."), source
    assert ".." not in source and ".." not in target, edge
    return source, target, kind


def _check_targets(case: dict[str, Any], target: str) -> None:
    if case["targets"]:
        assert "." in target and _table_of(target) in case["targets"], (
            f"target {target} is not a column of a written table {case['targets']}"
        )
    else:
        assert "." not in target, f"a plain SELECT's targets are bare output names: {target}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_edges_are_well_formed_and_agree_with_tables(case):
    pairs = set()
    for edge in case["edges"]:
        source, target, kind = _check_edge_shape(edge)
        assert kind in DIRECT_KINDS, f"direct edges are identity/transform/aggregate: {edge}"
        assert (source, target) not in pairs, f"one kind per source/target pair: {edge}"
        pairs.add((source, target))
        assert _table_of(source) in case["sources"], f"source table of {source} not in sources"
        _check_targets(case, target)
        if source.endswith(".*") or target.endswith("*"):
            assert target == "*" or target.endswith(".*"), f"a * source feeds a * target: {edge}"
            assert kind == "identity", edge


@pytest.mark.parametrize("case", [c for c in CASES if "indirect" in c], ids=_case_id)
def test_filter_edges_reach_every_target_column(case):
    by_source: dict[str, set[str]] = {}
    for edge in case["indirect"]:
        source, target, kind = _check_edge_shape(edge)
        assert kind == "filter", f"indirect edges are filter edges: {edge}"
        assert _table_of(source) in case["sources"], f"source table of {source} not in sources"
        _check_targets(case, target)
        assert target not in by_source.get(source, set()), f"duplicate filter edge: {edge}"
        by_source.setdefault(source, set()).add(target)
    target_sets = {frozenset(targets) for targets in by_source.values()}
    assert len(target_sets) <= 1, "each filter column has an edge to every target column"
    direct_targets = {edge[1] for edge in case["edges"]}
    if target_sets:
        (every,) = target_sets
        assert direct_targets <= every, f"filter edges miss targets {direct_targets - every}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_mixed_case_names_are_quoted_in_the_sql(case):
    """An upper-case letter survives only from a quoted identifier (or a BigQuery path)."""
    names = [*case["sources"], *case["targets"]]
    for edge in case["edges"] + case.get("indirect", []):
        names.extend(edge[:2])
    sql = case["sql"]
    for name in names:
        for part in name.split("."):
            if part != part.lower():
                quoted = (f'"{part}"', f"`{part}`", f"[{part}]")
                in_backticks = any(part in chunk for chunk in re.findall(r"`[^`]*`", sql))
                assert any(q in sql for q in quoted) or in_backticks, (
                    f"{part!r} keeps its case but is not quoted in the SQL"
                )


@pytest.mark.parametrize("case", [c for c in CASES if not c["error"]], ids=_case_id)
def test_edge_names_come_from_the_sql_or_schema(case):
    """Catches typos: every table and column named in an edge is spelled in the SQL,
    the schema or the default database/schema."""
    known = case["sql"].lower()
    for table, columns in (case.get("schema") or {}).items():
        known += " " + table.lower() + " " + " ".join(columns).lower()
    known += f" {case.get('default_db') or ''} {case.get('default_schema') or ''}".lower()
    names = [*case["sources"], *case["targets"]]
    for edge in case["edges"] + case.get("indirect", []):
        names.extend(edge[:2])
    for name in names:
        for part in name.lstrip("#").split("."):
            assert part == "*" or part.lower() in known, f"{part!r} of {name} is not in the SQL"


@pytest.mark.parametrize("case", [c for c in CASES if c["sqllineage"]], ids=_case_id)
def test_sqllineage_cases_are_plain_writes(case):
    assert not case["error"] and case["targets"], "sqllineage cases write a table"
    assert not case.get("ambiguous")


def test_every_dialect_is_used_often_enough():
    counts = Counter(case["dialect"] for case in CASES)
    short = {d: counts[d] for d in DIALECTS if counts[d] < MIN_PER_DIALECT}
    assert not short, f"dialects under {MIN_PER_DIALECT} cases: {short}"


def test_every_construct_is_used_often_enough():
    counts = Counter(tag for case in CASES for tag in case["tags"])
    short = {t: counts[t] for t in sorted(CONSTRUCT_TAGS) if counts[t] < MIN_PER_CONSTRUCT}
    assert not short, f"constructs under {MIN_PER_CONSTRUCT} cases: {short}"


def test_enough_sqllineage_and_indirect_cases():
    assert sum(case["sqllineage"] for case in CASES) >= MIN_SQLLINEAGE
    assert sum("indirect" in case for case in CASES) >= MIN_INDIRECT
    errors = [case for case in CASES if case["error"]]
    assert len(errors) >= 10
