"""The lineage graph: column nodes, edges with kinds and counts, and questions over it.

Edges live in the store (lineage_edges); this module loads them into a networkx
MultiDiGraph (two columns can be linked by several kinds) and answers: what feeds a
column (upstream), where it goes (downstream), what a change to a column or table
affects (impact: columns, tables, owners, which carry PII), and how two columns connect.
Table nodes are implied by column names (``schema.table.column``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import sqlalchemy as sa

from catalog.store import Store
from catalog.store.models import LineageEdgeRow
from lineage.ingest import warehouse_context
from lineage.model import EdgeKind


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    kind: EdgeKind
    executions: int
    depth: int  # hops from the column asked about


def load_graph(
    store: Store, warehouse: str, *, kinds: Iterable[EdgeKind] | None = None
) -> nx.MultiDiGraph:
    """The warehouse's lineage graph (optionally only some edge kinds)."""
    ctx = warehouse_context(store, warehouse)
    wanted = {k.value for k in kinds} if kinds is not None else None
    graph: nx.MultiDiGraph = nx.MultiDiGraph()
    with store.session() as session:
        rows = session.execute(
            sa.select(
                LineageEdgeRow.source,
                LineageEdgeRow.target,
                LineageEdgeRow.kind,
                LineageEdgeRow.executions,
                LineageEdgeRow.id,
            ).where(LineageEdgeRow.warehouse_id == ctx.id)
        )
        for source, target, kind, executions, edge_id in rows:
            if wanted is None or kind in wanted:
                graph.add_edge(
                    source, target, key=kind, kind=kind, executions=executions, id=edge_id
                )
    return graph


def walk(
    graph: nx.MultiDiGraph,
    column: str,
    *,
    downstream: bool,
    depth: int | None = None,
    kinds: Iterable[EdgeKind] | None = None,
) -> list[GraphEdge]:
    """Edges reachable from ``column`` (breadth first), nearest first."""
    allowed = {k.value for k in kinds} if kinds is not None else None
    if column not in graph:
        return []
    found: list[GraphEdge] = []
    frontier, seen = [column], {column}
    level = 0
    while frontier and (depth is None or level < depth):
        level += 1
        following: list[str] = []
        for node in frontier:
            edges = (
                graph.out_edges(node, data=True) if downstream else graph.in_edges(node, data=True)
            )
            for source, target, data in edges:
                if allowed is not None and data["kind"] not in allowed:
                    continue
                found.append(
                    GraphEdge(source, target, EdgeKind(data["kind"]), data["executions"], level)
                )
                nxt = target if downstream else source
                if nxt not in seen:
                    seen.add(nxt)
                    following.append(nxt)
        frontier = following
    return found


def columns_of_table(graph: nx.MultiDiGraph, table: str) -> list[str]:
    prefix = table + "."
    return sorted(
        n for n in graph.nodes if n.startswith(prefix) and n.count(".") == table.count(".") + 1
    )


def path(graph: nx.MultiDiGraph, source: str, target: str) -> list[str] | None:
    """The shortest data path from one column to another, or None."""
    try:
        return list(nx.shortest_path(graph, source, target))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None


def table_of(column: str) -> str:
    return column.rsplit(".", 1)[0]
