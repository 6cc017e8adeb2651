"""Drift detection as a table of cases: old snapshot, new snapshot, expected changes."""

from __future__ import annotations

import pytest

from catalog.drift import diff_snapshots
from catalog.model import ChangeKind as K
from catalog.model import ColumnInfo, SchemaChange, TableInfo, TableKind, WarehouseSnapshot


def table(name="t", *cols, kind=TableKind.TABLE, sql=None, schema="s"):
    columns = tuple(
        ColumnInfo(c[0], c[1], i, *(c[2:] if len(c) > 2 else ())) for i, c in enumerate(cols, 1)
    )
    return TableInfo(schema, name, kind, columns, view_sql=sql)


def snap(*tables, schemas=("s",)):
    return WarehouseSnapshot(tuple(schemas), tuple(tables))


CASES = [
    ("nothing changed", snap(table("t", ("a", "INT"))), snap(table("t", ("a", "INT"))), []),
    (
        "row counts and comments are not drift",
        snap(TableInfo("s", "t", TableKind.TABLE, (), row_count=1, comment="x")),
        snap(TableInfo("s", "t", TableKind.TABLE, (), row_count=9, comment="y")),
        [],
    ),
    (
        "schema added",
        snap(schemas=("s",)),
        snap(schemas=("s", "u")),
        [SchemaChange(K.SCHEMA_ADDED, "u")],
    ),
    ("schema removed", snap(schemas=("s", "u")), snap(), [SchemaChange(K.SCHEMA_REMOVED, "u")]),
    ("table added", snap(), snap(table("t")), [SchemaChange(K.TABLE_ADDED, "s", "t", new="table")]),
    (
        "view removed",
        snap(table("v", kind=TableKind.VIEW, sql="SELECT 1")),
        snap(),
        [SchemaChange(K.TABLE_REMOVED, "s", "v", old="view")],
    ),
    (
        "column added and removed",
        snap(table("t", ("a", "INT"), ("b", "TEXT"))),
        snap(table("t", ("a", "INT"), ("c", "DATE"))),
        [
            SchemaChange(K.COLUMN_ADDED, "s", "t", "c", new="DATE"),
            SchemaChange(K.COLUMN_REMOVED, "s", "t", "b", old="TEXT"),
        ],
    ),
    (
        "type changed",
        snap(table("t", ("a", "INT"))),
        snap(table("t", ("a", "BIGINT"))),
        [SchemaChange(K.COLUMN_TYPE_CHANGED, "s", "t", "a", old="INT", new="BIGINT")],
    ),
    (
        "nullability changed",
        snap(table("t", ("a", "INT", True))),
        snap(table("t", ("a", "INT", False))),
        [SchemaChange(K.COLUMN_NULLABILITY_CHANGED, "s", "t", "a", old="NULL", new="NOT NULL")],
    ),
    (
        "column order alone is not drift",
        snap(table("t", ("a", "INT"), ("b", "INT"))),
        snap(table("t", ("b", "INT"), ("a", "INT"))),
        [],
    ),
    (
        "view definition changed",
        snap(table("v", kind=TableKind.VIEW, sql="SELECT a FROM t")),
        snap(table("v", kind=TableKind.VIEW, sql="SELECT b FROM t")),
        [
            SchemaChange(
                K.VIEW_DEFINITION_CHANGED, "s", "v", old="SELECT a FROM t", new="SELECT b FROM t"
            )
        ],
    ),
    (
        "re-indented view is not drift",
        snap(table("v", kind=TableKind.VIEW, sql="SELECT a\n  FROM t;")),
        snap(table("v", kind=TableKind.VIEW, sql=" SELECT a FROM t ")),
        [],
    ),
    (
        "table became a view",
        snap(table("t")),
        snap(table("t", kind=TableKind.VIEW, sql="SELECT 1")),
        [SchemaChange(K.TABLE_KIND_CHANGED, "s", "t", old="table", new="view")],
    ),
    (
        "same name in two schemas are different tables",
        snap(table("t", ("a", "INT"), schema="s"), schemas=("s", "u")),
        snap(table("t", ("a", "INT"), schema="u"), schemas=("s", "u")),
        [
            SchemaChange(K.TABLE_ADDED, "u", "t", new="table"),
            SchemaChange(K.TABLE_REMOVED, "s", "t", old="table"),
        ],
    ),
]


@pytest.mark.parametrize("old, new, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_diff_snapshots(old, new, expected):
    assert sorted(diff_snapshots(old, new), key=repr) == sorted(expected, key=repr)


@pytest.mark.parametrize(
    "change, text",
    [
        (
            SchemaChange(K.COLUMN_TYPE_CHANGED, "s", "t", "a", "INT", "BIGINT"),
            "column s.t.a type changed: INT → BIGINT",
        ),
        (SchemaChange(K.TABLE_ADDED, "s", "t", new="view"), "table s.t added (view)"),
        (
            SchemaChange(K.COLUMN_REMOVED, "s", "t", "a", old="TEXT"),
            "column s.t.a removed (was TEXT)",
        ),
        (SchemaChange(K.SCHEMA_ADDED, "u"), "schema u added"),
        (
            SchemaChange(K.VIEW_DEFINITION_CHANGED, "s", "v", old="x", new="y"),
            "view s.v definition changed",
        ),
    ],
)
def test_describe(change, text):
    assert change.describe() == text
