"""The lineage corpus (tests/lineage/cases/*.yaml): every case through the real parser.

Cases the parser does not get right yet are listed in ``cases/known_failures.txt``;
they run as strict xfails, so a fix that makes one pass fails the suite until the
line is removed — the list only ever shrinks, and bench/lineage.py reports the rate.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lineage.model import EdgeKind
from lineage.parse import statement_lineage

CASES_DIR = Path(__file__).parent / "cases"


def load_cases() -> list[dict]:
    cases: list[dict] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        cases += yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return cases


def known_failures() -> set[str]:
    path = CASES_DIR / "known_failures.txt"
    if not path.exists():
        return set()
    return {
        line.split("#", 1)[0].strip()
        for line in path.read_text().splitlines()
        if line.split("#", 1)[0].strip()
    }


def check(case: dict) -> list[str]:
    """Differences between the parser and the case; empty when it passes."""
    wants_indirect = "indirect" in case
    result = statement_lineage(
        case["sql"],
        case.get("dialect"),
        schema=case.get("schema"),
        default_db=case.get("default_db"),
        default_schema=case.get("default_schema"),
        indirect=wants_indirect,
    )
    problems: list[str] = []
    if case.get("error"):
        if not result.error:
            problems.append("expected an error, got none")
        return problems
    if result.error:
        return [f"unexpected error: {result.error}"]
    direct = {
        (e.source, e.target, e.kind.value) for e in result.edges if e.kind is not EdgeKind.FILTER
    }
    expected = {tuple(e) for e in case.get("edges") or []}
    if direct != expected:
        problems.append(
            f"edges: missing {sorted(expected - direct)}, extra {sorted(direct - expected)}"
        )
    if wants_indirect:
        got = {
            (e.source, e.target, e.kind.value) for e in result.edges if e.kind is EdgeKind.FILTER
        }
        want = {tuple(e) for e in case.get("indirect") or []}
        if got != want:
            problems.append(f"indirect: missing {sorted(want - got)}, extra {sorted(got - want)}")
    for key, actual in (("sources", result.sources), ("targets", result.targets)):
        if key in case and set(case[key] or []) != set(actual):
            problems.append(f"{key}: expected {sorted(case[key] or [])}, got {sorted(actual)}")
    for column in case.get("ambiguous") or []:
        if not any(f"'{column}'" in w for w in result.warnings):
            problems.append(f"no ambiguity warning for {column!r}")
    return problems


CASES = load_cases()
KNOWN = known_failures()


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c,
            id=c["id"],
            marks=[pytest.mark.xfail(strict=True, reason="known gap")] if c["id"] in KNOWN else [],
        )
        for c in CASES
    ],
)
def test_case(case):
    problems = check(case)
    assert not problems, "\n".join(problems)


def test_known_failures_name_real_cases():
    assert {c["id"] for c in CASES} >= KNOWN
