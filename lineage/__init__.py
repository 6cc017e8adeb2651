"""Column-level lineage: statements → column edges, query-log readers, the lineage graph."""
