"""Benchmark: column lineage, how right and how fast, against sqllineage on shared cases.

Three measurements in one run:

* **accuracy** on the project's corpus (tests/lineage/cases/*.yaml): every case through
  ``check`` from tests/lineage/test_corpus.py, the same runner the test suite uses.
  Pass rates overall, per dialect and per tag, and for the cases marked
  ``sqllineage: true`` (the *shared* cases).
* **sqllineage reference** on the shared cases: ``sqllineage.runner.LineageRunner``
  (sqlfluff parser, our dialect mapped to sqlfluff's name) against the case's expected
  edges. sqllineage has no edge kinds, so both tools are scored the same way there: a case
  passes when its set of (source column, target column) pairs equals the expected set.
  Speed: Veil's ``statement_lineage`` and sqllineage's ``get_column_lineage`` on the same
  statements, interleaved statement by statement, ``--repeat`` rounds, medians.
* **throughput**: distinct statements parsed per second (every non-error corpus case),
  and log lines ingested per second: the demo warehouse (scale 0.05) scanned into a fresh
  SQLite catalog, then ``ingest_records`` over a generated JSONL query log of ``--lines``
  lines with the demo's realistic repetition. The same-run baseline is just reading the
  log (``read_log``); a second ingest of the same file must add nothing.

The run exits 1, saying why, when Veil is not ahead of sqllineage on both accuracy and
statements/s on the shared cases (the check of issue 4's benchmark part).

Run from the repository root::

    .venv/bin/python bench/lineage.py           # full run; rewrites its bench/README.md section
    .venv/bin/python bench/lineage.py --quick   # 2,000 log lines, one round; no README
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __name__ == "__main__" and not __package__:
    # Run as `python bench/lineage.py`: make the repository root importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lineage.ingest as ingest_module
from bench._common import (
    BENCH_DIR,
    Samples,
    command_line,
    machine,
    markdown_table,
    text_table,
    timed,
    write_readme_section,
)
from catalog.scan import scan_warehouse
from catalog.store import open_store
from cli.demo import build_warehouse, write_query_log
from lineage.ingest import ingest_records
from lineage.model import EdgeKind, StatementLineage
from lineage.parse import statement_lineage
from lineage.readers import read_log


def _corpus_runner() -> Any:
    """tests/lineage/test_corpus.py, the runner the test suite uses (not a package)."""
    path = BENCH_DIR.parent / "tests" / "lineage" / "test_corpus.py"
    spec = importlib.util.spec_from_file_location("_veil_lineage_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_CORPUS = _corpus_runner()
check: Callable[[dict], list[str]] = _CORPUS.check
load_cases: Callable[[], list[dict]] = _CORPUS.load_cases

SECTION = "Lineage (bench/lineage.py)"
SQLLINEAGE_VERSION = "1.5.9"
#: Our (sqlglot) dialect names -> sqlfluff's, as sqllineage takes them.
SQLFLUFF_DIALECTS = {
    "spark": "sparksql",
    "spark2": "sparksql",
    "databricks": "databricks",
    "postgres": "postgres",
    "duckdb": "duckdb",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "redshift": "redshift",
    "tsql": "tsql",
    "trino": "trino",
    "presto": "trino",
    "athena": "athena",
    "hive": "hive",
    "mysql": "mysql",
    "oracle": "oracle",
    "sqlite": "sqlite",
    "clickhouse": "clickhouse",
    "teradata": "teradata",
    "materialize": "materialize",
}
LOG_TARGET_LINES_PER_S = 5_000
TOP_TAGS = 10


# --- sqllineage -------------------------------------------------------------------------


def sqllineage_runner() -> tuple[Any, str] | tuple[None, str]:
    """``(LineageRunner, version)``, or ``(None, why)`` when sqllineage cannot be imported."""
    try:
        from importlib import metadata

        from sqllineage.runner import LineageRunner
    except Exception as e:  # noqa: BLE001 - reported as n/a, never fatal
        return None, f"sqllineage not importable ({type(e).__name__}: {e})"
    return LineageRunner, metadata.version("sqllineage")


def sqlfluff_dialect(ours: str | None, supported: set[str]) -> str:
    name = SQLFLUFF_DIALECTS.get((ours or "").lower(), "ansi")
    return name if name in supported else "ansi"


def _column_name(column: object) -> str:
    text = str(column).lower()
    return text.removeprefix("<default>.")


def sqllineage_pairs(runner: Any, sql: str, dialect: str) -> tuple[set[tuple[str, str]], str]:
    """(source, target) column pairs sqllineage finds, and its error message if it failed."""
    try:
        paths = runner(sql, dialect=dialect, silent_mode=True).get_column_lineage()
    except Exception as e:  # noqa: BLE001 - a failure is a failed case, not a crash
        return set(), f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    return {(_column_name(p[0]), _column_name(p[-1])) for p in paths}, ""


def veil_pairs(case: dict) -> set[tuple[str, str]]:
    """Veil's direct (source, target) pairs, kinds dropped, as sqllineage is scored."""
    result = _veil(case)
    if result.error:
        return set()
    return {(e.source, e.target) for e in result.edges if e.kind is not EdgeKind.FILTER}


def _veil(case: dict) -> StatementLineage:
    return statement_lineage(
        case["sql"],
        case.get("dialect"),
        schema=case.get("schema"),
        default_db=case.get("default_db"),
        default_schema=case.get("default_schema"),
    )


def expected_pairs(case: dict) -> set[tuple[str, str]]:
    return {(e[0], e[1]) for e in case.get("edges") or []}


# --- Results ----------------------------------------------------------------------------


@dataclass
class Rate:
    passed: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.passed += ok
        self.total += 1

    @property
    def ratio(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def text(self) -> str:
        return f"{self.passed}/{self.total} ({100 * self.ratio:.1f}%)" if self.total else "-"


@dataclass
class Accuracy:
    overall: Rate = field(default_factory=Rate)
    by_dialect: dict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))
    by_tag: dict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))
    shared: Rate = field(default_factory=Rate)
    failures: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class SharedResult:
    cases: int
    veil: Rate
    reference: Rate
    sqllineage_version: str
    disagreements: list[tuple[str, str]]  # (case id, what differs), sqllineage vs corpus
    veil_failures: list[str]
    veil_ms: Samples  # per-statement ms, median per statement over the rounds
    ref_ms: Samples
    veil_round_s: Samples
    ref_round_s: Samples


@dataclass
class IngestResult:
    lines: int
    statements: int
    new_statements: int
    unparseable: int
    failed: int
    edges: int
    seconds: Samples
    read_seconds: Samples
    parse_seconds: Samples
    fingerprint_seconds: Samples
    second_seconds: float
    second_added: str  # "" when the second ingest added nothing
    peak_rss_mb: float
    workers: int
    setup_seconds: float


def accuracy(cases: list[dict]) -> Accuracy:
    result = Accuracy()
    for case in cases:
        problems = check(case)
        ok = not problems
        result.overall.add(ok)
        result.by_dialect[case.get("dialect") or "(none)"].add(ok)
        for tag in case.get("tags") or []:
            result.by_tag[tag].add(ok)
        if case.get("sqllineage"):
            result.shared.add(ok)
        if problems:
            result.failures[case["id"]] = problems
    return result


def shared_cases(cases: list[dict], rounds: int) -> SharedResult | str:
    """Veil vs sqllineage on the ``sqllineage: true`` cases; a string says why n/a."""
    runner, version = sqllineage_runner()
    if runner is None:
        return version
    supported = set(runner.supported_dialects().get("sqlfluff", []))
    shared = [c for c in cases if c.get("sqllineage") and not c.get("error")]
    dialects = [sqlfluff_dialect(c.get("dialect"), supported) for c in shared]
    veil_rate, ref_rate = Rate(), Rate()
    disagreements: list[tuple[str, str]] = []
    veil_failures: list[str] = []
    # The scoring pass doubles as the warm-up (sqlfluff loads its dialects lazily).
    for case, dialect in zip(shared, dialects, strict=True):
        want = expected_pairs(case)
        got_veil = veil_pairs(case)
        veil_rate.add(got_veil == want)
        if got_veil != want:
            veil_failures.append(case["id"])
        got_ref, error = sqllineage_pairs(runner, case["sql"], dialect)
        ref_rate.add(got_ref == want and not error)
        if got_ref != want or error:
            why = error or (f"missing {sorted(want - got_ref)}, extra {sorted(got_ref - want)}")
            disagreements.append((case["id"], why))
    per_veil: list[list[float]] = [[] for _ in shared]
    per_ref: list[list[float]] = [[] for _ in shared]
    veil_round, ref_round = Samples(), Samples()
    for _ in range(rounds):
        v_total = r_total = 0.0
        for i, (case, dialect) in enumerate(zip(shared, dialects, strict=True)):
            _, v = timed(lambda case=case: _veil(case))
            _, r = timed(
                lambda case=case, dialect=dialect: sqllineage_pairs(runner, case["sql"], dialect)
            )
            per_veil[i].append(v)
            per_ref[i].append(r)
            v_total += v
            r_total += r
        veil_round.add(v_total)
        ref_round.add(r_total)
    return SharedResult(
        cases=len(shared),
        veil=veil_rate,
        reference=ref_rate,
        sqllineage_version=version,
        disagreements=disagreements,
        veil_failures=veil_failures,
        veil_ms=Samples([1000 * statistics.median(t) for t in per_veil]),
        ref_ms=Samples([1000 * statistics.median(t) for t in per_ref]),
        veil_round_s=veil_round,
        ref_round_s=ref_round,
    )


def parse_throughput(cases: list[dict], rounds: int) -> tuple[int, Samples]:
    """Seconds to parse every non-error corpus case once, per round."""
    statements = [c for c in cases if not c.get("error")]
    samples = Samples()
    for _ in range(rounds):
        started = time.perf_counter()
        for case in statements:
            _veil(case)
        samples.add(time.perf_counter() - started)
    return len(statements), samples


class _Stopwatch:
    """Wraps a module function and adds up the wall time spent in it."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn, self.seconds = fn, 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


def log_ingest(lines: int, rounds: int) -> IngestResult:
    with tempfile.TemporaryDirectory(prefix="veil-bench-lineage-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        warehouse = build_warehouse(folder / "demo.duckdb", scale=0.05)
        log = write_query_log(folder / "queries.jsonl", warehouse, statements=lines)
        url = f"duckdb:///{warehouse.path.resolve()}"
        setup = time.perf_counter() - started
        seconds, read_s, parse_s, fp_s = Samples(), Samples(), Samples(), Samples()
        report = None
        second_seconds, second_added = 0.0, ""
        original_parse, original_fp = ingest_module._parse_all, ingest_module.fingerprint
        for round_no in range(rounds):
            # Baseline: only reading the log, interleaved with the ingest it feeds.
            _, r = timed(lambda: sum(1 for _ in read_log(log.path, "jsonl")))
            read_s.add(r)
            store = open_store(f"sqlite:///{folder / f'catalog{round_no}.db'}")
            try:
                scan_warehouse(store, url, "demo")
                parse_watch = _Stopwatch(original_parse)
                fp_watch = _Stopwatch(original_fp)
                ingest_module._parse_all, ingest_module.fingerprint = parse_watch, fp_watch
                try:
                    report, s = timed(
                        lambda store=store: ingest_records(
                            store, "demo", read_log(log.path, "jsonl")
                        )
                    )
                finally:
                    ingest_module._parse_all, ingest_module.fingerprint = (
                        original_parse,
                        original_fp,
                    )
                seconds.add(s)
                parse_s.add(parse_watch.seconds)
                fp_s.add(fp_watch.seconds)
                if round_no == 0:
                    again, second_seconds = timed(
                        lambda store=store: ingest_records(
                            store, "demo", read_log(log.path, "jsonl")
                        )
                    )
                    if (
                        again.new_statements
                        or again.duplicates != again.records
                        or again.edges != report.edges
                    ):
                        second_added = (
                            f"{again.new_statements} new statements, "
                            f"{again.records - again.duplicates} records not seen as duplicates, "
                            f"edges {report.edges} -> {again.edges}"
                        )
            finally:
                store.close()
        assert report is not None
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return IngestResult(
            lines=report.records,
            statements=report.statements,
            new_statements=report.new_statements,
            unparseable=report.unparseable,
            failed=report.failed,
            edges=report.edges,
            seconds=seconds,
            read_seconds=read_s,
            parse_seconds=parse_s,
            fingerprint_seconds=fp_s,
            second_seconds=second_seconds,
            second_added=second_added,
            peak_rss_mb=peak,
            workers=os.cpu_count() or 1,
            setup_seconds=setup,
        )


# --- Report -----------------------------------------------------------------------------


def _rate_rows(acc: Accuracy) -> list[list[str]]:
    rows = [["all cases", acc.overall.text()], ["shared with sqllineage", acc.shared.text()]]
    for name, rate in sorted(acc.by_dialect.items(), key=lambda kv: (-kv[1].total, kv[0])):
        rows.append([f"dialect {name}", rate.text()])
    top = sorted(acc.by_tag.items(), key=lambda kv: (-kv[1].total, kv[0]))[:TOP_TAGS]
    for name, rate in top:
        rows.append([f"tag {name}", rate.text()])
    return rows


def _per_s(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}" if seconds > 0 else "-"


def verdict(shared: SharedResult | str) -> list[str]:
    """Why Veil is not ahead of sqllineage on the shared cases; empty when it is."""
    if isinstance(shared, str):
        return [f"no sqllineage reference: {shared}"]
    why = []
    if shared.veil.ratio <= shared.reference.ratio:
        why.append(
            f"accuracy on shared cases: Veil {shared.veil.text()} is not ahead of "
            f"sqllineage {shared.reference.text()}"
        )
    veil_rate = shared.cases / shared.veil_round_s.median
    ref_rate = shared.cases / shared.ref_round_s.median
    if veil_rate <= ref_rate:
        why.append(
            f"speed on shared cases: Veil {veil_rate:,.1f} statements/s is not ahead of "
            f"sqllineage {ref_rate:,.1f}"
        )
    return why


def speed_rows(shared: SharedResult) -> list[list[str]]:
    v, r = shared.veil_round_s.median, shared.ref_round_s.median
    return [
        [
            f"sqllineage {shared.sqllineage_version}",
            shared.reference.text(),
            f"{shared.ref_ms.median:.2f}",
            f"{r:.3f}",
            shared.ref_round_s.spread(),
            _per_s(shared.cases, r),
            "1.00 (baseline)",
        ],
        [
            "Veil statement_lineage",
            shared.veil.text(),
            f"{shared.veil_ms.median:.2f}",
            f"{v:.3f}",
            shared.veil_round_s.spread(),
            _per_s(shared.cases, v),
            f"{r / v:.1f}x" if v else "-",
        ],
    ]


SPEED_HEADERS = [
    "tool",
    "shared cases passed",
    "ms/statement (median)",
    "s per round (median)",
    "rounds min-max",
    "statements/s",
    "speed vs sqllineage",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 log lines, one round")
    parser.add_argument("--lines", type=int, default=None, help="log lines (default 100,000)")
    parser.add_argument("--repeat", type=int, default=None, help="rounds (default 3)")
    parser.add_argument("--no-readme", action="store_true", help="do not write bench/README.md")
    args = parser.parse_args(argv)
    lines = args.lines or (2_000 if args.quick else 100_000)
    rounds = args.repeat or (1 if args.quick else 3)
    write = not (args.quick or args.no_readme)
    # sqlglot logs a warning for each statement it falls back to parsing as a Command.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    started = time.perf_counter()

    cases = load_cases()
    print(f"corpus: {len(cases)} cases", flush=True)
    acc = accuracy(cases)
    print(text_table(["cases", "Veil passes (check)"], _rate_rows(acc)), flush=True)
    if acc.failures:
        known = _CORPUS.known_failures()
        print(
            f"failing corpus cases ({len(acc.failures)}, "
            f"{len(set(acc.failures) & known)} in known_failures.txt):",
            ", ".join(sorted(acc.failures)),
        )

    shared = shared_cases(cases, rounds)
    if isinstance(shared, str):
        print(f"\nsqllineage reference: n/a ({shared})")
    else:
        print(f"\nshared cases ({shared.cases}), scored as (source, target) pairs, no kinds:")
        print(text_table(SPEED_HEADERS, speed_rows(shared)))
        for case_id, why in shared.disagreements:
            print(f"  sqllineage differs from the corpus on {case_id}: {why}")
        for case_id in shared.veil_failures:
            print(f"  Veil differs from the corpus on {case_id}")

    parsed, parse_s = parse_throughput(cases, rounds)
    print(
        f"\nparse: {parsed} distinct statements, median {parse_s.median:.3f} s "
        f"({parse_s.spread()}), {_per_s(parsed, parse_s.median)} statements/s",
        flush=True,
    )

    ingest = log_ingest(lines, rounds)
    s = ingest.seconds.median
    print(
        f"ingest: {ingest.lines:,} lines in {s:.2f} s ({ingest.seconds.spread()}), "
        f"{_per_s(ingest.lines, s)} lines/s; {ingest.statements:,} distinct statements; "
        f"parse {ingest.parse_seconds.median:.2f} s, fingerprint "
        f"{ingest.fingerprint_seconds.median:.2f} s; read-only baseline "
        f"{ingest.read_seconds.median:.2f} s; second ingest {ingest.second_seconds:.2f} s "
        f"({ingest.second_added or 'added nothing'}); peak RSS {ingest.peak_rss_mb:.0f} MB"
    )

    problems = verdict(shared)
    if ingest.second_added:
        print(f"note: the second ingest of the same log added something: {ingest.second_added}")
    total = time.perf_counter() - started
    if write:
        write_readme_section(SECTION, readme_body(acc, shared, parsed, parse_s, ingest, total))
        print("\nwrote bench/README.md section", repr(SECTION))
    if problems:
        print("\nFAIL: Veil is not ahead of sqllineage on the shared cases:")
        for line in problems:
            print(f"  - {line}")
        return 1
    print("\nOK: Veil is ahead of sqllineage on accuracy and statements/s on the shared cases")
    return 0


def readme_body(
    acc: Accuracy,
    shared: SharedResult | str,
    parsed: int,
    parse_s: Samples,
    ingest: IngestResult,
    total: float,
) -> str:
    known = _CORPUS.known_failures()
    m = machine(["sqlglot", "sqllineage", "sqlfluff", "sqlalchemy", "duckdb"])
    out = [
        "How right Veil's column lineage is on the project's corpus, and how fast it parses",
        "and ingests, next to the `sqllineage` package on the corpus cases both tools",
        "handle (`sqllineage: true`), measured in the same run. Speed figures are medians of",
        f"{len(ingest.seconds.values)} interleaved rounds.",
        "",
        f"- Command: `{command_line()}`",
        f"- Machine: {m.markdown()}",
        f"- Corpus: {acc.overall.total} cases in tests/lineage/cases/*.yaml, "
        f"{len(acc.by_dialect)} dialects; scored by `check` from tests/lineage/test_corpus.py "
        "(edges with kinds, indirect edges where the case lists them, sources, targets, "
        "ambiguity warnings)",
        f"- Whole run, log generation and catalog scans included: {total:.0f} s",
        "",
        "### Accuracy (Veil, every corpus case)",
        "",
        markdown_table(["cases", "passed"], _rate_rows(acc)),
        "",
        f"- Failing: {len(acc.failures)} case(s), {len(set(acc.failures) & known)} of them "
        "listed in tests/lineage/cases/known_failures.txt"
        + (
            f"; not listed: {', '.join(f'`{c}`' for c in sorted(set(acc.failures) - known))}"
            if set(acc.failures) - known
            else ""
        ),
        "",
        "### Shared cases: Veil vs sqllineage",
        "",
    ]
    if isinstance(shared, str):
        out += [f"sqllineage reference: n/a ({shared}).", ""]
    else:
        v, r = shared.veil_round_s.median, shared.ref_round_s.median
        out += [
            f"{shared.cases} cases. Both tools are scored the same way: a case passes when",
            "its set of (source column, target column) pairs equals the expected edges with",
            "kinds dropped (sqllineage has none); sqllineage's `<default>` schema is read as",
            "no schema. Each statement runs through Veil (`statement_lineage`) and then",
            "sqllineage (`LineageRunner(sql, dialect=<sqlfluff name>, silent_mode=True)"
            ".get_column_lineage()`), after a warm-up pass.",
            "",
            markdown_table(SPEED_HEADERS, speed_rows(shared)),
            "",
            f"- Accuracy: Veil {shared.veil.text()}, sqllineage {shared.reference.text()}; "
            f"ratio {shared.veil.ratio / shared.reference.ratio:.2f}"
            if shared.reference.ratio
            else f"- Accuracy: Veil {shared.veil.text()}, sqllineage {shared.reference.text()}",
            f"- Speed: Veil {_per_s(shared.cases, v)} statements/s, sqllineage "
            f"{_per_s(shared.cases, r)} statements/s: Veil {r / v:.1f}x faster",
        ]
        for case_id, why in shared.disagreements:
            out.append(f"- sqllineage differs from the corpus on `{case_id}`: {why}")
        for case_id in shared.veil_failures:
            out.append(f"- Veil differs from the corpus on `{case_id}`")
        problems = verdict(shared)
        out.append(
            "- Issue 4 check (Veil ahead on both accuracy and statements/s): "
            + ("met" if not problems else "NOT met: " + "; ".join(problems))
        )
        out.append("")
    s = ingest.seconds.median
    rest = s - ingest.parse_seconds.median - ingest.fingerprint_seconds.median
    out += [
        "### Throughput",
        "",
        markdown_table(
            ["measurement", "count", "seconds (median)", "runs min-max", "per second"],
            [
                [
                    "parse every non-error corpus case (`statement_lineage`)",
                    f"{parsed} statements",
                    f"{parse_s.median:.3f}",
                    parse_s.spread(),
                    f"{_per_s(parsed, parse_s.median)} statements/s",
                ],
                [
                    "read the log only (`read_log`, baseline)",
                    f"{ingest.lines:,} lines",
                    f"{ingest.read_seconds.median:.2f}",
                    ingest.read_seconds.spread(),
                    f"{_per_s(ingest.lines, ingest.read_seconds.median)} lines/s",
                ],
                [
                    "ingest the log (`ingest_records`, fresh SQLite catalog)",
                    f"{ingest.lines:,} lines",
                    f"{s:.2f}",
                    ingest.seconds.spread(),
                    f"{_per_s(ingest.lines, s)} lines/s",
                ],
                [
                    "ingest the same log again (must add nothing)",
                    f"{ingest.lines:,} lines",
                    f"{ingest.second_seconds:.2f}",
                    "-",
                    f"{_per_s(ingest.lines, ingest.second_seconds)} lines/s",
                ],
            ],
        ),
        "",
        f"- Log: `write_query_log` over `build_warehouse(scale=0.05)` (built and written in "
        f"{ingest.setup_seconds:.1f} s), {ingest.lines:,} JSONL lines, "
        f"{ingest.statements:,} distinct statements ({ingest.failed:,} lines the warehouse "
        f"reported as failed, skipped; {ingest.unparseable} unparseable); "
        f"{ingest.edges:,} lineage edges; the demo warehouse scanned into a fresh SQLite "
        "catalog before each round (not timed)",
        f"- Where the ingest time goes (median round): parsing `_parse_all` "
        f"{ingest.parse_seconds.median:.2f} s ({100 * ingest.parse_seconds.median / s:.0f}%, "
        f"up to {ingest.workers} fork workers when a batch has many new statements), "
        f"fingerprinting {ingest.fingerprint_seconds.median:.2f} s "
        f"({100 * ingest.fingerprint_seconds.median / s:.0f}%), the rest (reading, "
        f"de-duplication, catalog writes) {rest:.2f} s ({100 * rest / s:.0f}%)",
        f"- Read-only baseline: ingest takes {s / ingest.read_seconds.median:.1f}x the time "
        "of just reading the log",
        f"- Second ingest of the same file: "
        f"{'added nothing' if not ingest.second_added else ingest.second_added}",
        f"- Peak RSS of the benchmark process: {ingest.peak_rss_mb:.0f} MB",
        f"- Issue 4 target (>= {LOG_TARGET_LINES_PER_S:,} lines/s): "
        + ("met" if ingest.lines / s >= LOG_TARGET_LINES_PER_S else "NOT met"),
    ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
