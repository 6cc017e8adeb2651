"""Lineage records: column edges, and what one statement reads and writes.

Names are dot-joined, most-qualified first (``db.schema.table.column``), lowercased
unless a quoted identifier's case matters, and carry no qualifier that neither the SQL,
the schema nor the request's default database/schema supplies. A plain SELECT has no
target table: its targets are the bare output column names.

Edge kinds (OpenLineage's DIRECT subtypes, plus its INDIRECT as ``filter``):

* ``identity``  the value is copied unchanged (renames and pass-through subqueries,
  CTEs and set operations included);
* ``transform`` the value is computed from the source without aggregation (functions,
  arithmetic, casts, CASE results, COALESCE, string and JSON access);
* ``aggregate`` the value is computed by an aggregate over the source (SUM, AVG, MIN,
  MAX, COUNT(col), STRING_AGG, …, as plain aggregates or window aggregates); when a
  path mixes kinds the strongest wins: aggregate > transform > identity;
* ``filter``    (only with ``indirect``) the source only decides which rows flow or how
  they are grouped: WHERE, JOIN ON/USING, GROUP BY, HAVING, QUALIFY, CASE/IF conditions,
  window PARTITION BY/ORDER BY; such a column has an edge to every target column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class EdgeKind(StrEnum):
    IDENTITY = "identity"
    TRANSFORM = "transform"
    AGGREGATE = "aggregate"
    FILTER = "filter"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {EdgeKind.IDENTITY: 0, EdgeKind.TRANSFORM: 1, EdgeKind.AGGREGATE: 2, EdgeKind.FILTER: 3}


@dataclass(frozen=True, order=True)
class ColumnEdge:
    source: str
    target: str
    kind: EdgeKind

    def as_json(self) -> dict[str, str]:
        return {"source": self.source, "target": self.target, "kind": self.kind.value}


@dataclass(frozen=True)
class StatementLineage:
    """The lineage of one statement, or why there is none.

    Parse failures do not raise: lineage degrades to a result with ``error`` set, so a
    bulk run keeps going and the statement is kept for review.
    """

    edges: tuple[ColumnEdge, ...] = ()
    sources: tuple[str, ...] = ()  # tables read, qualified as the edges are
    targets: tuple[str, ...] = ()  # tables written (empty for a plain SELECT)
    kind: str = ""  # select, insert, create_table_as, create_view, merge, update, …
    error: str | None = None
    warnings: tuple[str, ...] = ()  # e.g. an ambiguous unqualified column


def strongest_edges(edges: Iterable[ColumnEdge]) -> tuple[ColumnEdge, ...]:
    """The edges with one direct kind per (source, target), the strongest, in first-seen
    order; filter edges are kept beside them.

    A target column can be written by several projections (a MERGE's UPDATE branch copies
    ``s.email`` and its INSERT branch lowers it), and kinds met on different paths
    combine like kinds along one path: aggregate > transform > identity.
    """
    kept: dict[tuple[str, str, bool], ColumnEdge] = {}
    for edge in edges:
        key = (edge.source, edge.target, edge.kind is EdgeKind.FILTER)
        current = kept.get(key)
        if current is None or edge.kind.rank > current.kind.rank:
            kept[key] = edge
    return tuple(kept.values())
