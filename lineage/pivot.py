"""PIVOT and UNPIVOT: which input columns make each output column.

PIVOT is ``SUM(CASE WHEN quarter = 'Q1' THEN amount END) AS "'Q1'" … GROUP BY <the other
columns>`` written short: each pivoted column aggregates the aggregation's arguments, the
FOR column only decides which rows feed it (a filter, like a CASE WHEN condition), and
every other input column passes through as an implicit GROUP BY key. UNPIVOT is the
inverse, a UNION ALL of ``SELECT <others>, 'q1' AS q, q1 AS amt``: the value column copies
each listed column, the name column holds names, not values.

sqlglot attaches a pivot to the table or derived table it reads (``pivots``) and, when
it can, lists the pivoted output names itself (``columns``, in each dialect's naming).
"""

from __future__ import annotations

from sqlglot import exp

from lineage.model import EdgeKind
from lineage.scopes import columns_in


def pivot_of(node: exp.Expr | None) -> exp.Pivot | None:
    """The (last) PIVOT/UNPIVOT applied to a FROM item, if any."""
    pivots = node.args.get("pivots") if isinstance(node, exp.Expr) else None
    return pivots[-1] if pivots else None


def pivot_alias(pivot: exp.Pivot) -> str:
    alias = pivot.args.get("alias")
    return alias.name if isinstance(alias, exp.TableAlias) else ""


def pivot_inputs(pivot: exp.Pivot, name: str) -> tuple[list[exp.Column], EdgeKind] | None:
    """The input columns output ``name`` is made from and how; None when ``name`` is
    one of the columns the pivot passes through unchanged."""
    wanted = _plain(name)
    if pivot.args.get("unpivot"):
        return _unpivot_inputs(pivot, wanted)
    aggregations = list(pivot.expressions)
    if not aggregations:
        return None
    named = [_plain(c.name) for c in pivot.args.get("columns") or []]
    if wanted in named:
        chosen = [aggregations[named.index(wanted) % len(aggregations)]]
    elif not named and wanted in _pivot_values(pivot):
        chosen = aggregations
    else:
        return None
    return [c for a in chosen for c in columns_in(a)], EdgeKind.AGGREGATE


def pivot_filters(pivot: exp.Pivot) -> list[exp.Column]:
    """The FOR columns of a PIVOT: they decide which rows feed each pivoted column."""
    if pivot.args.get("unpivot"):
        return []
    return [c for field in pivot.args.get("fields") or [] for c in columns_in(field.this)]


def pivot_consumed(pivot: exp.Pivot) -> set[str]:
    """Lowercased input columns a PIVOT consumes (aggregated or FOR); the rest group."""
    nodes = [*pivot.expressions, *[f.this for f in pivot.args.get("fields") or []]]
    return {c.name.lower() for node in nodes for c in columns_in(node)}


def _unpivot_inputs(pivot: exp.Pivot, wanted: str) -> tuple[list[exp.Column], EdgeKind] | None:
    value_names: list[str] = []
    for item in pivot.expressions:
        parts = item.expressions if isinstance(item, exp.Tuple) else [item]
        value_names += [_plain(p.name) for p in parts]
    fields = pivot.args.get("fields") or []
    if any(_plain(f.this.name) == wanted for f in fields):
        return [], EdgeKind.IDENTITY  # the name column: column names, not values
    if wanted not in value_names:
        return None
    index = value_names.index(wanted)
    columns: list[exp.Column] = []
    for field in fields:
        for entry in field.expressions:
            entry = entry.this if isinstance(entry, exp.PivotAlias) else entry
            parts = entry.expressions if isinstance(entry, exp.Tuple) else [entry]
            if index < len(parts):
                columns += columns_in(parts[index])
    return columns, EdgeKind.IDENTITY


def _pivot_values(pivot: exp.Pivot) -> list[str]:
    """The IN list's names: a value's alias, else the value itself."""
    values: list[str] = []
    for field in pivot.args.get("fields") or []:
        for entry in field.expressions:
            if isinstance(entry, exp.PivotAlias):
                values.append(_plain(entry.alias))
            else:
                values.append(_plain(entry.name))
    return values


def _plain(name: str) -> str:
    """Lowercased, without the quotes Snowflake keeps in pivoted names (``'Q1'``)."""
    return name.strip("'\"`").lower()
