"""Catalog introspection (psql ``\\d``, SQLAlchemy's inspector, psycopg's TypeInfo) for a
DuckDB warehouse, answered from a *shadow catalog* that holds only what the user may see.

Passing pg_catalog/information_schema queries to the warehouse would show the raw
schema of everything (DuckDB's own pg_catalog emulation) to anyone. Instead, per
(policy version, catalog version, user) the gateway builds an in-memory DuckDB database
with the warehouse's schemas and, for each table the user may read, an *empty* table
(a view for a view) with only the columns the user may read, typed as catalogued. Then
DuckDB's pg_catalog and information_schema describe exactly the visible objects, and
since every table is empty no data value can come out of it. The shadow has no
external access (no files, no ATTACH), so a "catalog query" cannot reach anything else.

A statement is answered here when it is a plain query whose relations are all system
relations (pg_catalog, information_schema, unqualified ``pg_*``), none of them on
:data:`masking.rewrite.BLOCKED_SYSTEM_RELATIONS` (unless it is an empty stub here), and
no table function but generate_series and unnest. Before it runs,
the PostgreSQL spellings DuckDB lacks are rewritten (:func:`translate`):
``OPERATOR(pg_catalog.~)``, ``COLLATE pg_catalog.default``, ``::regclass``/``::regtype``
casts, ``to_regtype()``, ``pg_catalog.``-qualified functions; relations DuckDB does not
emulate (pg_inherits, pg_policy, pg_statistic_ext, pg_publication…, pg_roles) are
empty table macros with PostgreSQL's columns, and pg_class, pg_namespace and
pg_database are completed or narrowed the same way (``veil_<name>()``), so none of
them shows up as a relation. Catalog queries are audited like any statement.

Known differences from PostgreSQL: type names and OIDs come from DuckDB's emulation
(``format_type`` is mapped to PostgreSQL's names, ``pg_type.typname`` is not);
``pg_table_is_visible`` is always true, so ``\\dt`` lists every schema's tables rather
than only search_path's; nullability, defaults, keys, indexes and comments are not in
the shadow (the catalog facts do not carry them); masked columns keep their
catalogued type even when the mask changes it; functions psql needs for ``\\df`` and
other commands beyond tables, views and schemas (``pg_get_function_result`` …) are
missing and fail with an error.

PostgreSQL relay (:mod:`masking.gateway.relay`): not handled here. Its catalog queries
go through enforcement to the warehouse, where :mod:`masking.system_catalog` replaces
the system relations that list tables and columns (pg_class, pg_attribute,
information_schema.columns …) with the same relations filtered to what the user may
read, so psql and JDBC see the warehouse's own OIDs and types, narrowed per user.
JDBC's getPrimaryKeys calls ``information_schema._pg_expandarray``, which the shadow
catalog does not have: over DuckDB it fails with 42P01.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from masking.gateway.backend import BackendError
from masking.gateway.duckdb_backend import DuckDBConnection, DuckDBResult
from masking.gateway.duckdb_backend import translate as translate_error
from masking.pgwire.types import ResultColumn
from masking.rewrite import BLOCKED_SYSTEM_RELATIONS, SYSTEM_SCHEMAS, Enforcer

if TYPE_CHECKING:
    from masking.gateway.execution import Portal, Prepared
    from masking.gateway.session import Session

__all__ = ["ShadowCatalogs", "answer", "answers", "describe", "is_catalog_query", "translate"]

#: Relations psql and drivers read that DuckDB's pg_catalog lacks: empty, with the
#: columns the clients name. They are table macros (``veil_<name>()``), not tables, so
#: they never show up in pg_class or information_schema.tables.
_STUBS: dict[str, str] = {
    "pg_inherits": "inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN",
    "pg_policy": "oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, "
    "polpermissive BOOLEAN, polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR",
    "pg_statistic_ext": "oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, "
    "stxowner BIGINT, stxstattarget INTEGER, stxkeys SMALLINT[], stxkind VARCHAR[]",
    "pg_publication": "oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN, "
    "pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, "
    "pubviaroot BOOLEAN",
    "pg_publication_rel": "oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, "
    "prattrs SMALLINT[]",
    "pg_publication_namespace": "oid BIGINT, pnpubid BIGINT, pnnspid BIGINT",
    "pg_trigger": "oid BIGINT, tgrelid BIGINT, tgname VARCHAR, tgenabled VARCHAR, "
    "tgisinternal BOOLEAN, tgparentid BIGINT",
    "pg_rewrite": "oid BIGINT, rulename VARCHAR, ev_class BIGINT, ev_type VARCHAR, "
    "ev_enabled VARCHAR, is_instead BOOLEAN",
    "pg_foreign_table": "ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR[]",
    "pg_partitioned_table": "partrelid BIGINT, partstrat VARCHAR, partnatts SMALLINT",
    "pg_roles": "oid BIGINT, rolname VARCHAR, rolsuper BOOLEAN, rolinherit BOOLEAN, "
    "rolcreaterole BOOLEAN, rolcreatedb BOOLEAN, rolcanlogin BOOLEAN, rolconnlimit INTEGER, "
    "rolvaliduntil TIMESTAMP",
    "pg_extension": "oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT, "
    "extversion VARCHAR",
    "pg_range": "rngtypid BIGINT, rngsubtype BIGINT, rngmultitypid BIGINT",
    "pg_event_trigger": "oid BIGINT, evtname VARCHAR, evtevent VARCHAR, evtenabled VARCHAR",
}
#: DuckDB's pg_catalog relations completed with columns psql reads that it lacks.
_EXTENDED: dict[str, str] = {
    "pg_class": "SELECT *, false AS relforcerowsecurity FROM pg_catalog.pg_class",
    # DuckDB's default schema "main" is shown only when the user may read a table in it.
    "pg_namespace": "SELECT * FROM pg_catalog.pg_namespace WHERE nspname <> 'main' OR $main",
    # The warehouse as the one database, with the columns psql's \l reads.
    "pg_database": "SELECT 1 AS oid, $database AS datname, 10 AS datdba, 6 AS encoding, "
    "'c' AS datlocprovider, true AS datallowconn, -1 AS datconnlimit, 'C' AS datcollate, "
    "'C' AS datctype, CAST(NULL AS VARCHAR) AS daticulocale, "
    "CAST(NULL AS VARCHAR[]) AS datacl, false AS datistemplate",
}
#: Functions DuckDB lacks, as macros of the shadow (``$name`` is the owner shown).
_MACROS = (
    "CREATE MACRO pg_get_userbyid(id) AS $owner",
    "CREATE MACRO pg_encoding_to_char(e) AS 'UTF8'",
    "CREATE MACRO pg_relation_is_publishable(r) AS false",
    "CREATE MACRO pg_get_serial_sequence(t, c) AS CAST(NULL AS VARCHAR)",
    "CREATE MACRO pg_get_statisticsobjdef_columns(o) AS CAST(NULL AS VARCHAR)",
    "CREATE MACRO pg_get_indexdef(i, c, p) AS CAST(NULL AS VARCHAR)",
    "CREATE MACRO array_upper(a, d) AS len(a)",
    "CREATE MACRO veil_pg_get_expr(e, r) AS pg_catalog.pg_get_expr(e, r), "
    "(e, r, p) AS pg_catalog.pg_get_expr(e, r)",
    "CREATE MACRO veil_pg_get_constraintdef(c) AS pg_catalog.pg_get_constraintdef(c), "
    "(c, p) AS pg_catalog.pg_get_constraintdef(c)",
    # PostgreSQL's names for the types DuckDB's format_type spells its own way.
    "CREATE MACRO veil_format_type(t, m) AS CASE pg_catalog.format_type(t, m) "
    "WHEN 'int4' THEN 'integer' WHEN 'int2' THEN 'smallint' WHEN 'int8' THEN 'bigint' "
    "WHEN 'float4' THEN 'real' WHEN 'float8' THEN 'double precision' "
    "WHEN 'bool' THEN 'boolean' WHEN 'varchar' THEN 'character varying' "
    "WHEN 'timestamp' THEN 'timestamp without time zone' "
    "WHEN 'timestamptz' THEN 'timestamp with time zone' "
    "WHEN 'time' THEN 'time without time zone' WHEN 'timetz' THEN 'time with time zone' "
    "ELSE pg_catalog.format_type(t, m) END",
    "CREATE MACRO to_regtype(n) AS (SELECT min(oid) FROM pg_catalog.pg_type t "
    "WHERE t.typname = lower(CAST(n AS VARCHAR)))",
    "CREATE MACRO parse_ident_last(n) AS lower(split_part(CAST(n AS VARCHAR), '.', -1))",
    "CREATE MACRO parse_ident_schema(n) AS CASE WHEN contains(CAST(n AS VARCHAR), '.') "
    "THEN lower(split_part(CAST(n AS VARCHAR), '.', 1)) END",
    "CREATE MACRO to_regclass(n) AS (SELECT min(c.oid) FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace "
    "WHERE c.relname = parse_ident_last(n) "
    "AND (s.nspname = parse_ident_schema(n) OR parse_ident_schema(n) IS NULL))",
    "CREATE MACRO veil_regtype_name(o) AS (SELECT min(typname) FROM pg_catalog.pg_type t "
    "WHERE t.oid = o)",
    "CREATE MACRO veil_regclass_name(o) AS (SELECT min(CASE WHEN s.nspname IN "
    "('main', 'pg_catalog') THEN c.relname ELSE s.nspname || '.' || c.relname END) "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace "
    "WHERE c.oid = o)",
    "CREATE MACRO veil_regnamespace_name(o) AS (SELECT min(nspname) "
    "FROM pg_catalog.pg_namespace s WHERE s.oid = o)",
)
#: Functions called differently on the shadow: PostgreSQL name → (name, arguments kept).
#: Arguments are kept (the macros take PostgreSQL's optional ones) so ``$n`` stay.
_FUNCTIONS = {
    "json_build_object": ("json_object", None),
    "format_type": ("veil_format_type", None),
    "pg_get_expr": ("veil_pg_get_expr", None),
    "pg_get_constraintdef": ("veil_pg_get_constraintdef", None),
}
_REG_TYPES = {"regclass", "regtype", "regnamespace", "regproc", "regprocedure", "regrole"}
_TEXT_PATCHES = (
    (re.compile(r"OPERATOR\s*\(\s*pg_catalog\s*\.\s*([~!<>=*]+)\s*\)", re.IGNORECASE), r"\1"),
    (re.compile(r"\s+COLLATE\s+pg_catalog\s*\.\s*\"?default\"?", re.IGNORECASE), ""),
    (re.compile(r"\bpg_catalog\s*\.\s*(?=[A-Za-z_]\w*\s*\()", re.IGNORECASE), ""),
    (re.compile(r"::\s*pg_catalog\s*\.\s*", re.IGNORECASE), "::"),
)
#: Shadows kept: one per (state, user); the oldest goes first.
_MAX_SHADOWS = 64


def _patch_text(sql: str) -> str:
    for pattern, replacement in _TEXT_PATCHES:
        sql = pattern.sub(replacement, sql)
    return sql


def _parse(sql: str) -> exp.Expr | None:
    try:
        expressions = sqlglot.parse(_patch_text(sql), read="postgres")
    except (ParseError, sqlglot.errors.TokenError):
        return None
    if len(expressions) != 1 or expressions[0] is None:
        return None
    return expressions[0]


def _is_system(table: exp.Table) -> bool:
    name, schema = table.name.lower(), table.db.lower()
    if table.catalog:
        return False
    if schema:
        return schema in SYSTEM_SCHEMAS
    return name.startswith("pg_")


@functools.lru_cache(maxsize=1024)
def is_catalog_query(sql: str) -> bool:
    """Is ``sql`` a query that reads only (permitted) system relations?"""
    if "pg_" not in sql.lower() and "information_schema" not in sql.lower():
        return False
    tree = _parse(sql)
    if not isinstance(tree, exp.Query):
        return False
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    tables = list(tree.find_all(exp.Table))
    seen = False
    for table in tables:
        if isinstance(table.this, exp.GenerateSeries | exp.ExplodingGenerateSeries | exp.Unnest):
            continue  # psql's \d reads generate_series: it reads nothing
        if not isinstance(table.this, exp.Identifier):
            return False  # any other table function (read_csv …): never on the shadow
        if not table.db and table.name.lower() in ctes:
            continue
        name = table.name.lower()
        if not _is_system(table) or (name in BLOCKED_SYSTEM_RELATIONS and name not in _STUBS):
            return False  # blocked ones are refused by enforcement; stubs are empty
        seen = True
    return seen


def _reg_name(cast: exp.Cast) -> str | None:
    to = cast.to
    name = to.sql(dialect="postgres").lower().split(".")[-1].strip('"')
    return name if name in _REG_TYPES else None


def _transform(node: exp.Expr) -> exp.Expr:
    """One node rewritten; sqlglot does not descend into a replacement, so the
    replacement's own operand is transformed here."""
    if isinstance(node, exp.Table) and _is_system(node):
        name = node.name.lower()
        if name in _STUBS or name in _EXTENDED:
            alias = node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name))
            return exp.Table(this=exp.Anonymous(this=f"veil_{name}", expressions=[]), alias=alias)
        return node
    if isinstance(node, exp.Column) and node.args.get("db") is not None:
        if node.text("db").lower() in SYSTEM_SCHEMAS:  # pg_catalog.pg_class.relname
            node.set("db", None)
        return node
    if isinstance(node, exp.Anonymous) and node.name.lower() in _FUNCTIONS:
        name, arity = _FUNCTIONS[node.name.lower()]
        args = [e.transform(_transform) for e in node.expressions]
        return exp.Anonymous(this=name, expressions=args[:arity] if arity else args)
    if isinstance(node, exp.Cast):
        reg = _reg_name(node)
        target = node.to.sql(dialect="postgres").lower()
        if target in ("text", "varchar", "name") and isinstance(node.this, exp.Cast):
            inner_reg = _reg_name(node.this)
            if inner_reg is not None:
                fn = {"regclass": "veil_regclass_name", "regnamespace": "veil_regnamespace_name"}
                return exp.func(
                    fn.get(inner_reg, "veil_regtype_name"), node.this.this.transform(_transform)
                )
        inner = node.this.transform(_transform)
        if reg is not None:
            if isinstance(inner, exp.Literal) and inner.is_string:
                lookup = "to_regclass" if reg == "regclass" else "to_regtype"
                if inner.name.isdigit():
                    return exp.cast(exp.Literal.number(inner.name), "BIGINT")
                return exp.func(lookup, inner)
            return exp.cast(inner, "BIGINT")
        if target in ("oid", "regoper", "regoperator", "xid"):
            return exp.cast(inner, "BIGINT")
    return node


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """``sql`` (PostgreSQL) as the shadow DuckDB runs it."""
    tree = _parse(sql)
    if tree is None:
        raise ValueError("not a catalog query")
    # Casts are rewritten innermost-last: transform visits parents first, so a
    # ``x::regclass::text`` is seen whole.
    tree = tree.transform(_transform)
    return tree.sql(dialect="duckdb")


def _type_or_text(con: duckdb.DuckDBPyConnection, data_type: str) -> str:
    try:
        con.execute(f"SELECT CAST(NULL AS {data_type})")
    except duckdb.Error:
        return "VARCHAR"
    return data_type


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Shadow:
    """One user's shadow catalog: an in-memory DuckDB database of empty tables."""

    def __init__(self, enforcer: Enforcer, user: str, database: str) -> None:
        # A plain ":memory:": named in-memory databases are shared within the process,
        # which would mix users' shadows.
        self.con = duckdb.connect(":memory:", config={"enable_external_access": False})
        con = self.con
        for stub, columns in _STUBS.items():
            nulls = ", ".join(
                f"CAST(NULL AS {c.split(' ', 1)[1]}) AS {c.split(' ', 1)[0]}"
                for c in columns.split(", ")
            )
            con.execute(f"CREATE MACRO veil_{stub}() AS TABLE SELECT {nulls} WHERE false")
        for macro in _MACROS:
            con.execute(macro.replace("$owner", "'" + user.replace("'", "''") + "'"))
        schemas: set[str] = set()
        for facts in enforcer.facts.tables:
            decision = enforcer.decision(user, facts)
            readable = [c for c in decision.columns if c.readable]
            if not readable or not facts.schema:
                continue
            if facts.schema.lower() not in schemas and facts.schema.lower() != "main":
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(facts.schema)}")
            schemas.add(facts.schema.lower())
            typed = []
            for column in readable:
                found = facts.column(column.name)
                data_type = _type_or_text(con, found.data_type if found else "VARCHAR")
                typed.append((column.name, data_type))
            target = f"{_q(facts.schema)}.{_q(facts.name)}"
            if facts.kind == "view":
                select = ", ".join(f"CAST(NULL AS {t}) AS {_q(n)}" for n, t in typed)
                con.execute(f"CREATE VIEW {target} AS SELECT {select} WHERE false")
            else:
                body = ", ".join(f"{_q(n)} {t}" for n, t in typed)
                con.execute(f"CREATE TABLE {target} ({body})")
        quoted = "'" + database.replace("'", "''") + "'"
        main = "true" if "main" in schemas else "false"
        for name, query in _EXTENDED.items():
            query = query.replace("$database", quoted).replace("$main", main)
            con.execute(f"CREATE MACRO veil_{name}() AS TABLE {query}")
        con.execute("SET lock_configuration = true")

    def run(self, sql: str, params: Sequence[object] = ()) -> DuckDBResult:
        return DuckDBConnection(self.con).run(translate(sql), params)

    def close(self) -> None:
        self.con.close()


class ShadowCatalogs:
    """Shadows per (enforcer, user): a new enforcer (policy or catalog change) means new
    shadows."""

    def __init__(self) -> None:
        self._shadows: OrderedDict[tuple[int, str], tuple[Enforcer, Shadow]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, enforcer: Enforcer, user: str, database: str) -> Shadow:
        key = (id(enforcer), user)
        with self._lock:
            found = self._shadows.get(key)
            if found is not None and found[0] is enforcer:
                self._shadows.move_to_end(key)
                return found[1]
        shadow = Shadow(enforcer, user, database)
        with self._lock:
            # Replaced and evicted shadows are not closed here: a result may still be
            # reading from them; they go when the last reference does.
            self._shadows[key] = (enforcer, shadow)
            self._shadows.move_to_end(key)
            while len(self._shadows) > _MAX_SHADOWS:
                self._shadows.popitem(last=False)
        return shadow

    def run(
        self, enforcer: Enforcer, user: str, database: str, sql: str, params: Sequence[Any]
    ) -> DuckDBResult:
        return self.get(enforcer, user, database).run(sql, params)


def answers(session: Session, sql: str) -> bool:
    """Does the shadow catalog answer ``sql`` for this session (a DuckDB warehouse)?"""
    dialect = getattr(session.gateway.backend, "dialect", None)
    return dialect == "duckdb" and is_catalog_query(sql)


def describe(session: Session, prepared: Prepared) -> tuple[ResultColumn, ...] | None:
    """The result columns of a prepared catalog query (Describe of a statement): it is
    run with NULL parameters, which on empty tables costs nothing."""
    result = _run(session, prepared.sql, (None,) * prepared.param_count)
    try:
        return result.columns
    finally:
        result.close()


def answer(session: Session, portal: Portal) -> DuckDBResult:
    """Run the portal's catalog query on the session user's shadow catalog."""
    return _run(session, portal.prepared.sql, portal.params)


def _run(session: Session, sql: str, params: Sequence[object]) -> DuckDBResult:
    gateway = session.gateway
    enforcer = gateway.enforcement.current_enforcer()
    try:
        return gateway.shadows.run(enforcer, session.user, gateway.warehouse, sql, params)
    except duckdb.Error as e:  # building the shadow failed
        raise translate_error(e) from e
    except ValueError as e:
        raise BackendError(str(e), sqlstate="0A000") from e
