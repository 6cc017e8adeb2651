"""The data behind ``veil demo``: a synthetic company's warehouse and its query log.

>>> from pathlib import Path; import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     warehouse = build_warehouse(Path(tmp) / "demo.duckdb", seed=7, scale=0.02)
...     log = write_query_log(Path(tmp) / "queries.jsonl", warehouse, statements=200)
...     log.statements, "alice" in log.users
(200, True)
"""

from __future__ import annotations

from cli.demo.etl import DemoStatement, EtlKind
from cli.demo.querylog import QueryLogSummary, write_query_log
from cli.demo.warehouse import DemoWarehouse, build_warehouse

__all__ = [
    "DemoStatement",
    "DemoWarehouse",
    "EtlKind",
    "QueryLogSummary",
    "build_warehouse",
    "write_query_log",
]
