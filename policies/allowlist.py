"""Which functions a query (or a policy's predicate or custom mask) may call.

A user-defined function can read any table with its owner's rights, and some built-ins
read files, reach the network, sleep or change server state: any of them would bypass
the rewrite. So calls are checked against an allowlist, and everything else is refused.

sqlglot parses the built-ins it knows into typed expression classes (``exp.Upper``,
``exp.Sum`` …) and everything else into ``exp.Anonymous``. The rule is therefore:

* a typed built-in is allowed unless it is in :data:`_DENIED_BUILTINS` (file readers,
  sequence side effects);
* an anonymous call is allowed only if its lowercased name is in the dialect's list of
  harmless built-ins sqlglot does not model (``pg_typeof``, ``format_type`` …, the
  functions clients such as psql, DBeaver and JDBC call on connect);
* a schema-qualified call is allowed only for ``pg_catalog`` (PostgreSQL and Redshift)
  and only for a name the two rules above allow, or for one of the few client helpers
  in :data:`_QUALIFIED_EXTRA`: any other qualifier names a UDF.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect


@functools.cache
def _typed_builtins(dialect: str) -> frozenset[str]:
    parser = Dialect.get_or_raise(dialect).parser_class
    return frozenset(name.lower() for name in parser.FUNCTIONS)


def _is_typed_builtin(name: str, dialect: str) -> bool:
    return name in _typed_builtins(dialect)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Typed sqlglot built-ins that read files or have side effects.
_DENIED_BUILTINS: frozenset[type[exp.Expr]] = frozenset(
    {exp.ReadCSV, exp.ReadParquet, exp.ToFile, exp.NextValueFor}
)

# Harmless built-ins sqlglot parses as anonymous calls. Catalog-introspection functions
# are here because clients call them on connect; none of them reads table data.
_COMMON = _names(
    """
    abs acos asin atan atan2 cbrt ceiling cos cot degrees div gcd lcm ln log10 mod pi
    power radians round sign sin sqrt tan trunc width_bucket btrim chr concat_ws
    initcap lpad ltrim md5 octet_length bit_length overlay position quote_ident
    quote_literal quote_nullable regexp_match regexp_matches regexp_split_to_array
    regexp_split_to_table repeat replace reverse right left rpad rtrim split_part
    strpos to_hex translate ascii format age date_bin date_part isfinite justify_days
    justify_hours justify_interval make_date make_interval make_time make_timestamp
    make_timestamptz to_date to_number to_timestamp to_char clock_timestamp
    statement_timestamp transaction_timestamp timeofday array_append array_cat
    array_dims array_fill array_length array_lower array_ndims array_position
    array_positions array_prepend array_remove array_replace array_to_string
    array_upper cardinality string_to_array unnest generate_series generate_subscripts
    json_build_array json_build_object json_object json_array_elements
    json_array_elements_text json_each json_each_text json_object_keys json_typeof
    jsonb_build_array jsonb_build_object jsonb_array_elements jsonb_array_elements_text
    jsonb_each jsonb_each_text jsonb_object_keys jsonb_typeof jsonb_pretty jsonb_set
    jsonb_insert jsonb_strip_nulls json_strip_nulls row_to_json to_json to_jsonb
    array_to_json json_agg jsonb_agg json_object_agg jsonb_object_agg jsonb_path_query
    jsonb_path_exists string_agg array_agg bool_and bool_or every bit_and bit_or mode
    percentile_cont percentile_disc rank dense_rank row_number percent_rank cume_dist
    ntile lag lead first_value last_value nth_value corr covar_pop covar_samp
    regr_slope regr_intercept stddev stddev_pop stddev_samp var_pop var_samp variance
    num_nulls num_nonnulls nullif greatest least encode decode convert_to convert_from
    sha224 sha256 sha384 sha512 gen_random_uuid uuid host hostmask masklen netmask
    network inet_client_addr family range_merge lower_inf upper_inf isempty
    """
)

_POSTGRES_CATALOG = _names(
    """
    version current_schema current_schemas current_database current_catalog
    current_setting pg_typeof format_type pg_get_expr pg_get_userbyid pg_get_viewdef
    pg_get_indexdef pg_get_constraintdef pg_get_triggerdef pg_get_ruledef
    pg_get_function_arguments pg_get_function_result pg_get_function_identity_arguments
    pg_get_functiondef pg_get_keywords pg_get_serial_sequence pg_get_partkeydef
    pg_get_statisticsobjdef_columns pg_table_is_visible pg_type_is_visible
    pg_function_is_visible pg_opclass_is_visible pg_collation_is_visible
    pg_encoding_to_char pg_char_to_encoding pg_backend_pid pg_postmaster_start_time
    pg_is_in_recovery pg_relation_size pg_total_relation_size pg_table_size
    pg_indexes_size pg_size_pretty pg_relation_is_publishable pg_tablespace_location
    obj_description col_description shobj_description has_table_privilege
    has_column_privilege has_schema_privilege has_database_privilege
    has_function_privilege has_sequence_privilege has_any_column_privilege pg_has_role
    array_in regclass regtype regproc txid_current pg_current_xact_id inet_server_addr
    inet_server_port pg_my_temp_schema pg_is_other_temp_schema pg_jit_available
    pg_get_partition_constraintdef pg_index_column_has_property pg_indexam_has_property
    pg_index_has_property pg_options_to_table pg_get_publication_tables pg_column_size
    pg_get_statisticsobjdef to_regclass to_regtype to_regproc pg_sequence_parameters
    session_user current_user current_role user
    """
)

_DUCKDB_EXTRA = _names(
    """
    list_value list_extract list_contains list_aggregate list_sort list_distinct
    list_unique list_transform list_filter list_reduce len strlen contains starts_with
    ends_with prefix suffix string_split str_split regexp_full_match regexp_extract_all
    array_extract struct_pack struct_extract map_extract map_keys map_values epoch
    epoch_ms dayname monthname yearweek strptime strftime try_strptime typeof hash
    range current_setting version current_schema current_database pg_typeof format_type
    array_slice list_slice flatten bit_count base64 from_base64 to_base64 levenshtein
    jaccard damerau_levenshtein hamming json_extract json_extract_string json_valid
    json_array_length json_keys json_structure json_transform histogram arg_min arg_max
    median quantile_cont quantile_disc approx_count_distinct now today
    get_current_timestamp get_current_time current_localtimestamp
    """
)

_WAREHOUSE_EXTRA = _names(
    """
    iff nvl nvl2 zeroifnull nullifzero decode to_varchar to_char try_cast try_to_number
    try_to_date try_to_timestamp date_from_parts time_from_parts timestamp_from_parts
    dayofweek dayofyear weekofyear last_day add_months months_between format_date
    format_timestamp parse_date parse_timestamp safe_divide safe_cast generate_array
    generate_date_array date_format from_unixtime unix_timestamp element_at split
    regexp_like regexp_substr regexp_instr regexp_count approx_distinct array_join
    array_contains array_size array_construct object_construct parse_json
    try_parse_json get_path flatten json_extract_scalar json_extract_path_text
    json_value json_query listagg collect_list collect_set explode posexplode inline
    sequence array_distinct transform filter aggregate size concat_ws nanvl
    current_user now
    """
)

ALLOWED_ANONYMOUS: Mapping[str, frozenset[str]] = {
    "postgres": _COMMON | _POSTGRES_CATALOG,
    "redshift": _COMMON | _POSTGRES_CATALOG | _WAREHOUSE_EXTRA,
    "duckdb": _COMMON | _DUCKDB_EXTRA,
    "snowflake": _COMMON | _WAREHOUSE_EXTRA,
    "bigquery": _COMMON | _WAREHOUSE_EXTRA,
    "trino": _COMMON | _WAREHOUSE_EXTRA,
    "spark": _COMMON | _WAREHOUSE_EXTRA,
    "databricks": _COMMON | _WAREHOUSE_EXTRA,
}

_CATALOG_QUALIFIERS: Mapping[str, frozenset[str]] = {
    "postgres": frozenset({"pg_catalog"}),
    "redshift": frozenset({"pg_catalog"}),
}

#: Schema-qualified helpers outside pg_catalog that clients call: JDBC's
#: DatabaseMetaData.getPrimaryKeys/getIndexInfo expand index key arrays with
#: ``information_schema._pg_expandarray`` (a pure SQL function over its argument).
_QUALIFIED_EXTRA: Mapping[str, frozenset[tuple[str, str]]] = {
    "postgres": frozenset({("information_schema", "_pg_expandarray")}),
    "redshift": frozenset({("information_schema", "_pg_expandarray")}),
}


def disallowed_functions(expression: exp.Expr, dialect: str) -> list[str]:
    """Names of every call in ``expression`` that the dialect's allowlist refuses, sorted.

    >>> import sqlglot
    >>> disallowed_functions(sqlglot.parse_one("SELECT upper(x), pg_sleep(1) FROM t"),
    ...                      "postgres")
    ['pg_sleep']
    """
    allowed = ALLOWED_ANONYMOUS.get(dialect, _COMMON)
    qualifiers = _CATALOG_QUALIFIERS.get(dialect, frozenset())
    bad: set[str] = set()
    for node in expression.find_all(exp.Func):
        if isinstance(node, exp.Anonymous):
            name = str(node.name).lower()
            parent = node.parent
            if isinstance(parent, exp.Dot) and parent.expression is node:
                qualifier = parent.this.sql(dialect=dialect).lower().strip('"')
                if (qualifier, name) in _QUALIFIED_EXTRA.get(dialect, frozenset()):
                    continue
                if qualifier not in qualifiers or not (
                    name in allowed or _is_typed_builtin(name, dialect)
                ):
                    bad.add(f"{qualifier}.{name}")
                continue
            if name not in allowed:
                bad.add(name)
        elif type(node) in _DENIED_BUILTINS:
            bad.add(node.sql_name().lower())
        elif isinstance(node.parent, exp.Dot) and node.parent.expression is node:
            qualifier = node.parent.this.sql(dialect=dialect).lower().strip('"')
            if qualifier not in qualifiers:
                bad.add(f"{qualifier}.{node.sql_name().lower()}")
    return sorted(bad)
