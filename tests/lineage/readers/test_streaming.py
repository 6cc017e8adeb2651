"""Readers stream: gzip transparently, open streams as well as paths, bounded memory on big logs."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.errors import UsageError
from lineage.readers import ReadStats, read_log

SAMPLES = Path(__file__).parent / "samples"
FORMAT_OF = {
    "generic.jsonl": "jsonl",
    "generic.csv": "csv",
    "postgres-csvlog.csv": "postgres-csvlog",
    "postgres-jsonlog.json": "postgres-jsonlog",
    "snowflake.csv": "snowflake",
    "snowflake.jsonl": "snowflake",
    "bigquery.jsonl": "bigquery",
    "bigquery.csv": "bigquery",
    "redshift.csv": "redshift",
    "redshift.jsonl": "redshift",
}


def summary(source, fmt):
    stats = ReadStats()
    records = list(read_log(source, fmt, stats=stats))
    return records, (stats.records, stats.failed, stats.skipped, stats.ignored, stats.skipped_lines)


@pytest.mark.parametrize("sample, fmt", FORMAT_OF.items())
def test_gzip_reads_like_the_plain_file_whatever_its_name(tmp_path, sample, fmt):
    plain = SAMPLES / sample
    for name in (sample + ".gz", sample):  # detected by content, not by suffix
        packed = tmp_path / name
        packed.write_bytes(gzip.compress(plain.read_bytes()))
        assert summary(packed, fmt) == summary(plain, fmt)


@pytest.mark.parametrize("sample, fmt", FORMAT_OF.items())
def test_an_open_text_stream_reads_like_the_file(sample, fmt):
    with (SAMPLES / sample).open(encoding="utf-8-sig", newline="") as stream:
        assert summary(stream, fmt) == summary(SAMPLES / sample, fmt)


def test_a_truncated_gzip_is_a_usage_error_after_the_statements_before_the_damage(tmp_path):
    lines = "".join(
        json.dumps({"query": f"SELECT {i}", "pad": "x" * 200}) + "\n" for i in range(5000)
    )
    packed = gzip.compress(lines.encode())
    log = tmp_path / "cut.jsonl.gz"
    log.write_bytes(packed[: len(packed) // 2])
    seen = []
    with pytest.raises(UsageError, match=r"cut\.jsonl\.gz is truncated or corrupt"):
        seen.extend(read_log(log, "jsonl"))
    assert len(seen) > 100


class LazyLog(io.TextIOBase):
    """A text stream whose lines are made on demand, counting how many were asked for."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.served = 0

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> str:
        self.served += 1
        return next(self._lines, "")


def demo_like_lines(count: int) -> Iterator[str]:
    for i in range(count):
        yield (
            json.dumps(
                {
                    "query_id": f"q{i}",
                    "query_text": f"SELECT customer_id, sum(total) FROM orders WHERE region = 'r{i % 7}' GROUP BY 1 -- {'x' * 120}",
                    "user_name": f"user{i % 5}",
                    "start_time": "2025-03-01T12:00:00.000Z",
                    "database_name": "demo",
                    "schema_name": "sales",
                    "status": "failed" if i % 25 == 0 else "success",
                    "error_message": "boom" if i % 25 == 0 else None,
                }
            )
            + "\n"
        )


def test_the_first_statement_arrives_before_the_rest_is_read():
    log = LazyLog(demo_like_lines(1_000_000))
    first = next(iter(read_log(log, "jsonl")))
    assert first.query_id == "q0" and log.served < 10


@pytest.mark.slow
@pytest.mark.parametrize(
    "fmt, render, count",
    [
        ("jsonl", lambda lines: lines, 200_000),
        ("csv", lambda lines: _as_csv(lines), 50_000),
    ],
)
def test_hundreds_of_thousands_of_lines_in_bounded_memory(fmt, render, count):
    # Fifty distinct lines made up front, served over and over: the log costs no memory.
    lines = list(render(demo_like_lines(50)))
    head, body = (lines[:1], lines[1:]) if fmt == "csv" else ([], lines)
    log = LazyLog(itertools.chain(head, itertools.islice(itertools.cycle(body), count)))
    stats = ReadStats()
    tracemalloc.start()
    try:
        seen = sum(1 for _ in read_log(log, fmt, stats=stats))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count and stats.failed == count // 25
    assert log.served > count
    # 15-60 MB of log text went through; a reader that kept it would peak far above this.
    assert peak < 2_000_000, f"peak {peak / 1e6:.1f} MB"


def _as_csv(lines: Iterator[str]) -> Iterator[str]:
    """The same records as CSV lines, made one at a time."""
    header = None
    for line in lines:
        obj = json.loads(line)
        if header is None:
            header = list(obj)
            yield _csv_line(header)
        yield _csv_line(["" if obj[k] is None else obj[k] for k in header])


def _csv_line(values: list[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()
