"""What PostgreSQL's system catalog shows a user: only the relations and columns they read.

Catalog queries (psql ``\\d``, ``\\dt``, ``\\dn``, ``\\l``, JDBC's DatabaseMetaData,
DBeaver, SQLAlchemy's inspector) read pg_catalog and information_schema on the warehouse
as Veil's service account, which sees everything. The names of tables and columns a
user may not read are themselves metadata a governance gateway should not hand out, so
the rewriter replaces each reference to a system relation that lists relations or
columns with a derived table of the rows this user may see::

    pg_catalog.pg_class c
    → (WITH _veil_relations(s, t, whole) AS (VALUES ('crm', 'customers', FALSE), …), …
       SELECT * FROM pg_catalog.pg_class WHERE oid IN (SELECT oid FROM _veil_visible)) AS c

What a user sees (a *visible* relation is a catalogued table or view with at least one
column the user may read; it is *whole* when every catalogued column is readable):

- relations: the system schemas' own (pg_catalog, information_schema) and the visible
  ones, plus the indexes of whole ones. Not: relations the catalog does not know (they
  cannot be queried either; a re-scan adds them), other schemas' relations, TOAST.
- columns (pg_attribute, information_schema.columns …): the readable catalogued
  columns of a visible relation; a column denied by a grant, or added since the scan,
  is absent. psql and JDBC number columns by their position among those shown.
- schemas: the system schemas and those holding a visible relation or the type of one
  of its readable columns. Databases (``\\l``): only the current one.
- objects that may name any of a table's columns (indexes, constraints, defaults,
  extended statistics definitions, triggers): only for whole relations. A view's
  definition (pg_views, information_schema.views, pg_rewrite, pg_rules) only when it
  is whole and reads only whole relations: the text names the tables it reads, and
  the stored form lists every column of each. Row security policies of the
  warehouse's tables are not shown (their expressions may read any table).
- types: those in visible schemas, but not the row type (nor its array) of a relation
  the user does not see.

Lookups keep working: psql's ``WHERE c.oid = '16384'`` and ``pg_table_is_visible(c.oid)``
read the filtered rows by the warehouse's own OIDs. The filter is SQL over the
warehouse's catalog (relations matched by schema and name), so it is evaluated at query
time; the name lists come from the policy decisions and are rebuilt with the enforcer
whenever the policy or the catalog changes (masking.service).

What a shown row's other columns say is not rewritten: ``relnatts`` and gaps in
``attnum`` still tell that a table has columns not shown, though not their names.

Not filtered: system relations that list no relation or column by name (pg_proc,
pg_roles, pg_settings, pg_depend's bare OIDs …) pass as before; functions that take an
OID or a name (``pg_get_indexdef``, ``pg_get_viewdef``, ``'s.t'::regclass``,
``to_regclass``) answer for any object a user names or guesses, because clients call
them on rows they have already read. pg_statistic, pg_stats and pg_statistic_ext_data
hold sampled data values and stay refused (masking.rewrite); pg_statistic_ext (the
definitions only) is filtered here instead of refused, because psql's ``\\d TABLE``
reads it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from policies.decide import TableDecision

__all__ = ["CATALOG_DIALECTS", "Visibility", "filtered_relation", "is_filtered"]

_SYSTEM = "('pg_catalog', 'information_schema')"

#: Sets of OIDs the filters use, as common table expressions in dependency order. Each
#: reads the per-user name lists ``_veil_relations(s, t, whole)`` and
#: ``_veil_columns(s, t, col)`` (see :func:`_data`).
_SETS: dict[str, str] = {
    "_veil_system_namespaces": f"""
        SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN {_SYSTEM}""",
    "_veil_user_relations": """
        SELECT c.oid, r.whole FROM pg_catalog.pg_class AS c
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        JOIN _veil_relations AS r ON r.s = n.nspname AND r.t = c.relname""",
    "_veil_system_relations": """
        SELECT oid FROM pg_catalog.pg_class
        WHERE relnamespace IN (SELECT oid FROM _veil_system_namespaces)""",
    "_veil_whole": """
        SELECT oid FROM _veil_system_relations
        UNION ALL SELECT oid FROM _veil_user_relations WHERE whole""",
    "_veil_visible": """
        SELECT oid FROM _veil_whole
        UNION ALL SELECT oid FROM _veil_user_relations WHERE NOT whole
        UNION ALL SELECT indexrelid FROM pg_catalog.pg_index
        WHERE indrelid IN (SELECT oid FROM _veil_user_relations WHERE whole)""",
    "_veil_attributes": """
        SELECT a.attrelid, a.attnum FROM pg_catalog.pg_attribute AS a
        WHERE a.attrelid IN (SELECT oid FROM _veil_visible)
        AND NOT a.attrelid IN (SELECT oid FROM _veil_user_relations)
        UNION ALL SELECT a.attrelid, a.attnum FROM pg_catalog.pg_attribute AS a
        JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        JOIN _veil_columns AS v ON v.s = n.nspname AND v.t = c.relname AND v.col = a.attname""",
    # Whole relations whose rewrite rules (a view's query) read only whole relations: a
    # definition names the tables it reads, and its stored form every one of their columns.
    "_veil_definitions": """
        SELECT oid FROM _veil_whole WHERE NOT oid IN (
            SELECT r.ev_class FROM pg_catalog.pg_rewrite AS r
            JOIN pg_catalog.pg_depend AS d
            ON d.classid = CAST('pg_catalog.pg_rewrite' AS REGCLASS) AND d.objid = r.oid
            WHERE d.refclassid = CAST('pg_catalog.pg_class' AS REGCLASS)
            AND NOT d.refobjid IN (SELECT oid FROM _veil_whole))""",
    "_veil_namespaces": """
        SELECT oid FROM _veil_system_namespaces
        UNION ALL SELECT relnamespace FROM pg_catalog.pg_class
        WHERE oid IN (SELECT oid FROM _veil_user_relations)
        UNION ALL SELECT t.typnamespace FROM pg_catalog.pg_attribute AS a
        JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
        WHERE a.attrelid IN (SELECT oid FROM _veil_user_relations)
        AND (a.attrelid, a.attnum) IN (SELECT attrelid, attnum FROM _veil_attributes)""",
}
_SET_NAME = re.compile(r"\b_veil_[a-z_]+\b")


def _oid_in(column: str, set_name: str) -> str:
    return f"{column} IN (SELECT oid FROM {set_name})"


def _named(schema: str, name: str, *, whole: bool = False) -> str:
    """Rows of a relation named by (schema, name) columns: system ones and visible ones."""
    which = " WHERE whole" if whole else ""
    pairs = f"SELECT s, t FROM _veil_relations{which}"
    return f"({schema} IN {_SYSTEM} OR ({schema}, {name}) IN ({pairs}))"


def _defined(schema: str, name: str) -> str:
    """Rows of a relation named by (schema, name) columns whose definition may be shown."""
    return (
        f"({schema}, {name}) IN (SELECT n.nspname, c.relname FROM pg_catalog.pg_class AS c "
        "JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace "
        "WHERE c.oid IN (SELECT oid FROM _veil_definitions))"
    )


def _column_named(schema: str, name: str, column: str) -> str:
    return (
        f"({schema} IN {_SYSTEM} OR "
        f"({schema}, {name}, {column}) IN (SELECT s, t, col FROM _veil_columns))"
    )


_CONSTRAINTS_OF_WHOLE = (
    "(constraint_schema, constraint_name) IN (SELECT tc.constraint_schema, tc.constraint_name "
    "FROM information_schema.table_constraints AS tc WHERE "
    + _named("tc.table_schema", "tc.table_name", whole=True)
    + ")"
)

#: The filtered relations: (schema, name) → the condition on its rows (PostgreSQL).
_POSTGRES: dict[tuple[str, str], str] = {
    # tables of pg_catalog, by the OIDs of what is shown
    ("pg_catalog", "pg_class"): _oid_in("oid", "_veil_visible"),
    ("pg_catalog", "pg_namespace"): _oid_in("oid", "_veil_namespaces"),
    ("pg_catalog", "pg_attribute"): (
        "(attrelid, attnum) IN (SELECT attrelid, attnum FROM _veil_attributes)"
    ),
    ("pg_catalog", "pg_attrdef"): (
        _oid_in("adrelid", "_veil_whole")
        + " AND (adrelid, adnum) IN (SELECT attrelid, attnum FROM _veil_attributes)"
    ),
    ("pg_catalog", "pg_index"): _oid_in("indrelid", "_veil_whole"),
    ("pg_catalog", "pg_constraint"): (
        _oid_in("connamespace", "_veil_namespaces")
        + " AND (conrelid = 0 OR "
        + _oid_in("conrelid", "_veil_whole")
        + ") AND (confrelid = 0 OR "
        + _oid_in("confrelid", "_veil_whole")
        + ")"
    ),
    ("pg_catalog", "pg_statistic_ext"): _oid_in("stxrelid", "_veil_whole"),
    ("pg_catalog", "pg_trigger"): _oid_in("tgrelid", "_veil_whole"),
    ("pg_catalog", "pg_policy"): _oid_in("polrelid", "_veil_system_relations"),
    ("pg_catalog", "pg_rewrite"): _oid_in("ev_class", "_veil_definitions"),
    ("pg_catalog", "pg_partitioned_table"): _oid_in("partrelid", "_veil_whole"),
    ("pg_catalog", "pg_publication_rel"): _oid_in("prrelid", "_veil_whole"),
    ("pg_catalog", "pg_sequence"): _oid_in("seqrelid", "_veil_visible"),
    ("pg_catalog", "pg_inherits"): (
        _oid_in("inhrelid", "_veil_visible") + " AND " + _oid_in("inhparent", "_veil_visible")
    ),
    ("pg_catalog", "pg_type"): (
        _oid_in("typnamespace", "_veil_namespaces")
        + " AND (typrelid = 0 OR "
        + _oid_in("typrelid", "_veil_visible")
        + " OR typrelid IN (SELECT oid FROM pg_catalog.pg_class WHERE relkind = 'c'))"
        + " AND (typelem = 0 OR NOT typelem IN (SELECT _veil_t.oid FROM pg_catalog.pg_type"
        " AS _veil_t WHERE _veil_t.typrelid <> 0 AND NOT _veil_t.typrelid IN"
        " (SELECT oid FROM _veil_visible) AND _veil_t.typrelid IN"
        " (SELECT oid FROM pg_catalog.pg_class WHERE relkind <> 'c')))"
    ),
    ("pg_catalog", "pg_description"): (
        "CASE WHEN classoid = CAST('pg_catalog.pg_class' AS REGCLASS)"
        " THEN (objsubid = 0 AND "
        + _oid_in("objoid", "_veil_visible")
        + ") OR (objoid, objsubid) IN (SELECT attrelid, attnum FROM _veil_attributes)"
        " WHEN classoid = CAST('pg_catalog.pg_namespace' AS REGCLASS) THEN "
        + _oid_in("objoid", "_veil_namespaces")
        + " ELSE TRUE END"
    ),
    ("pg_catalog", "pg_database"): "datname = current_database()",
    # views of pg_catalog, by the names in their rows
    ("pg_catalog", "pg_tables"): _named("schemaname", "tablename"),
    ("pg_catalog", "pg_views"): _defined("schemaname", "viewname"),
    ("pg_catalog", "pg_matviews"): _defined("schemaname", "matviewname"),
    ("pg_catalog", "pg_indexes"): _named("schemaname", "tablename", whole=True),
    ("pg_catalog", "pg_sequences"): _named("schemaname", "sequencename"),
    ("pg_catalog", "pg_policies"): f"schemaname IN {_SYSTEM}",
    ("pg_catalog", "pg_rules"): _defined("schemaname", "tablename"),
    ("pg_catalog", "pg_publication_tables"): _named("schemaname", "tablename"),
    **{
        ("pg_catalog", f"pg_{kind}_{scope}_tables"): _oid_in("relid", "_veil_visible")
        for kind in ("stat", "statio", "stat_xact")
        for scope in ("all", "user", "sys")
    },
    **{
        ("pg_catalog", f"pg_{kind}_{scope}_indexes"): _oid_in("relid", "_veil_whole")
        for kind in ("stat", "statio")
        for scope in ("all", "user", "sys")
    },
    # information_schema, by the names in its rows
    ("information_schema", "schemata"): (
        "schema_name IN (SELECT nspname FROM pg_catalog.pg_namespace WHERE "
        + _oid_in("oid", "_veil_namespaces")
        + ")"
    ),
    ("information_schema", "tables"): _named("table_schema", "table_name"),
    ("information_schema", "views"): _defined("table_schema", "table_name"),
    ("information_schema", "columns"): _column_named("table_schema", "table_name", "column_name"),
    ("information_schema", "column_privileges"): _column_named(
        "table_schema", "table_name", "column_name"
    ),
    ("information_schema", "role_column_grants"): _column_named(
        "table_schema", "table_name", "column_name"
    ),
    ("information_schema", "column_udt_usage"): _column_named(
        "table_schema", "table_name", "column_name"
    ),
    ("information_schema", "column_domain_usage"): _column_named(
        "table_schema", "table_name", "column_name"
    ),
    ("information_schema", "table_privileges"): _named("table_schema", "table_name"),
    ("information_schema", "role_table_grants"): _named("table_schema", "table_name"),
    ("information_schema", "sequences"): _named("sequence_schema", "sequence_name"),
    ("information_schema", "table_constraints"): _named("table_schema", "table_name", whole=True),
    ("information_schema", "key_column_usage"): _named("table_schema", "table_name", whole=True),
    ("information_schema", "constraint_table_usage"): _named(
        "table_schema", "table_name", whole=True
    ),
    ("information_schema", "constraint_column_usage"): _named(
        "table_schema", "table_name", whole=True
    ),
    ("information_schema", "check_constraints"): _CONSTRAINTS_OF_WHOLE,
    ("information_schema", "referential_constraints"): _CONSTRAINTS_OF_WHOLE,
    ("information_schema", "triggers"): _named(
        "event_object_schema", "event_object_table", whole=True
    ),
    ("information_schema", "view_table_usage"): (
        _named("view_schema", "view_name", whole=True)
        + " AND "
        + _named("table_schema", "table_name")
    ),
    ("information_schema", "view_column_usage"): (
        _named("view_schema", "view_name", whole=True)
        + " AND "
        + _column_named("table_schema", "table_name", "column_name")
    ),
}

#: Dialects whose system catalog is filtered, and their filters.
CATALOG_DIALECTS: Mapping[str, Mapping[tuple[str, str], str]] = {"postgres": _POSTGRES}


@dataclass(frozen=True)
class Visibility:
    """What one user may see of the warehouse's relations, by name.

    ``relations``: (schema, name, whole) of every catalogued relation with a readable
    column, ``whole`` when all its catalogued columns are readable. ``columns``:
    (schema, name, column) of every readable column of those relations.
    """

    relations: tuple[tuple[str, str, bool], ...] = ()
    columns: tuple[tuple[str, str, str], ...] = ()

    @classmethod
    def of(cls, decisions: Iterable[TableDecision]) -> Visibility:
        """
        >>> from policies.decide import ColumnDecision
        >>> from policies.facts import TableFacts
        >>> t = TableFacts("wh", "crm", "customers")
        >>> cols = (ColumnDecision("id", "INTEGER", True, None, ""),
        ...         ColumnDecision("born", "DATE", False, None, "denied"))
        >>> Visibility.of([TableDecision(t, "alice", (), cols)])
        Visibility(relations=(('crm', 'customers', False),), columns=(('crm', 'customers', 'id'),))
        """
        relations: list[tuple[str, str, bool]] = []
        columns: list[tuple[str, str, str]] = []
        for decision in decisions:
            if not decision.readable:
                continue
            facts = decision.table
            relations.append((facts.schema, facts.name, not decision.hidden))
            columns.extend(
                (facts.schema, facts.name, c.name) for c in decision.columns if c.readable
            )
        return cls(tuple(relations), tuple(columns))


def is_filtered(dialect: str, schema: str, name: str) -> bool:
    """Whether the rewriter replaces ``schema.name`` by a filtered derived table."""
    return (schema.lower(), name.lower()) in CATALOG_DIALECTS.get(dialect, {})


def filtered_relation(dialect: str, schema: str, name: str, visibility: Visibility) -> exp.Select:
    """The SELECT of the rows of system relation ``schema.name`` this user may see.

    >>> select = filtered_relation("postgres", "pg_catalog", "pg_database", Visibility())
    >>> select.sql("postgres")
    'SELECT * FROM pg_catalog.pg_database WHERE datname = CURRENT_DATABASE()'
    """
    select = _template(dialect, schema.lower(), name.lower()).copy()
    used = {t.name for t in select.find_all(exp.Table) if t.name.startswith("_veil_")}
    data = [_data(n, visibility) for n in ("_veil_relations", "_veil_columns") if n in used]
    if data:
        with_ = select.args.get("with_")
        if with_ is None:
            with_ = exp.With(expressions=[])
            select.set("with_", with_)
        with_.set("expressions", [*data, *with_.expressions])
    return select


@functools.cache
def _template(dialect: str, schema: str, name: str) -> exp.Select:
    """``WITH <the sets the condition uses> SELECT * FROM schema.name WHERE condition``."""
    condition = CATALOG_DIALECTS[dialect][(schema, name)]
    needed = _closure(set(_SET_NAME.findall(condition)))
    ctes = ", ".join(f"{n} AS ({sql.strip()})" for n, sql in _SETS.items() if n in needed)
    text = f"SELECT * FROM {schema}.{name} WHERE {condition}"
    parsed = sqlglot.parse_one(f"WITH {ctes} {text}" if ctes else text, read=dialect)
    assert isinstance(parsed, exp.Select)
    return parsed


def _closure(names: set[str]) -> set[str]:
    """``names`` and every set they read, transitively."""
    needed: set[str] = set()
    todo = [n for n in names if n in _SETS]
    while todo:
        current = todo.pop()
        if current in needed:
            continue
        needed.add(current)
        todo.extend(n for n in _SET_NAME.findall(_SETS[current]) if n in _SETS)
    return needed


def _data(name: str, visibility: Visibility) -> exp.CTE:
    """``_veil_relations(s, t, whole)`` or ``_veil_columns(s, t, col)`` as VALUES."""
    rows: tuple[tuple[str, str, object], ...]
    if name == "_veil_relations":
        rows, columns, last = visibility.relations, ("s", "t", "whole"), "BOOLEAN"
    else:
        rows, columns, last = visibility.columns, ("s", "t", "col"), "TEXT"
    body: exp.Expr
    if rows:
        body = exp.Values(expressions=[exp.tuple_(*map(_literal, row)) for row in rows])
    else:  # VALUES needs a row: an empty SELECT of the same types instead
        types = ("TEXT", "TEXT", last)
        body = exp.select(*(exp.cast(exp.null(), t) for t in types)).where(exp.false())
    return exp.CTE(
        this=body,
        alias=exp.TableAlias(
            this=exp.to_identifier(name), columns=[exp.to_identifier(c) for c in columns]
        ),
    )


def _literal(value: object) -> exp.Expr:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    return exp.Literal.string(str(value))
