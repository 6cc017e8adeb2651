"""The demo's own query log reads back as written: every statement, every failure, every user."""

from __future__ import annotations

import gzip
import shutil

import pytest

from cli.demo import build_warehouse, write_query_log
from lineage.readers import ReadStats, Status, read_log


@pytest.fixture(scope="module")
def demo_log(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    warehouse = build_warehouse(tmp / "demo.duckdb", seed=7, scale=0.02)
    summary = write_query_log(tmp / "queries.jsonl", warehouse, statements=600)
    return summary, warehouse


def test_demo_log_reads_back_with_its_counts(demo_log):
    summary, warehouse = demo_log
    stats = ReadStats()
    records = list(read_log(summary.path, "jsonl", stats=stats))
    assert (stats.records, stats.failed) == (summary.statements, summary.failed)
    assert (stats.skipped, stats.ignored) == (0, 0)
    assert sorted({r.user for r in records if r.user}) == summary.users
    assert {r.database for r in records} == {warehouse.database_name}
    assert all(r.schema and r.query_id and r.start_time and r.start_time.tzinfo for r in records)
    assert [r.line for r in records] == list(range(1, summary.statements + 1))
    failed = [r for r in records if r.status is Status.FAILED]
    assert failed and all(r.error for r in failed)


def test_demo_log_gzipped_reads_the_same(demo_log, tmp_path):
    summary, _ = demo_log
    packed = tmp_path / "queries.jsonl.gz"
    with summary.path.open("rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert list(read_log(packed, "jsonl")) == list(read_log(summary.path, "jsonl"))
