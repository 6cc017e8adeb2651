"""The column classifier: values in, one PII suggestion (or none) out.

Build one :class:`Classifier` per process (Presidio and the name dictionary take a
second or two to load) and call :meth:`Classifier.classify` per column. Values are
deduplicated, analyzed in chunks, and analysis stops early once more values cannot
change the answer, so uniform columns (all emails, all amounts) cost a few dozen values.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.classify.decide import ColumnContext, decide, fingerprint, type_family
from catalog.classify.signals import name_signal
from catalog.classify.values import ValueAnalyzer, ValueFacts
from catalog.model import PiiEntity, PiiSuggestion

_CHUNK = 20
_MIN_BEFORE_STOPPING = 40


@dataclass(frozen=True)
class ClassifierConfig:
    """How to build a classifier; picklable, so worker processes can build their own."""

    spacy_model: str | None = None
    recognizers: tuple[Mapping[str, Any], ...] = field(default=())


@dataclass(frozen=True)
class ColumnVerdict:
    suggestion: PiiSuggestion | None
    fingerprint: str
    analyzed: int  # distinct values looked at (fewer than sampled when it stopped early)


class Classifier:
    """Presidio plus Veil's signals, ready to classify columns."""

    def __init__(self, config: ClassifierConfig | None = None) -> None:
        from catalog.classify.people import default_names
        from catalog.classify.presidio_setup import build_analyzer

        started = time.perf_counter()
        self.config = config or ClassifierConfig()
        names = default_names()
        analyzer, recognizers = build_analyzer(
            names, spacy_model=self.config.spacy_model, custom=self.config.recognizers
        )
        custom = tuple(str(spec["name"]) for spec in self.config.recognizers)
        self._values = ValueAnalyzer(
            names, analyzer, recognizers, custom, ner=bool(self.config.spacy_model)
        )
        self._values.warm_up()
        self.startup_seconds = time.perf_counter() - started

    def classify(self, ctx: ColumnContext, values: Iterable[object]) -> ColumnVerdict:
        """Classify one column from a sample of its values (raw Python values, any type)."""
        family = type_family(ctx.data_type)
        signal = name_signal(ctx.column, ctx.table)
        facts = ValueFacts()
        if family not in ("bool", "opaque"):
            bare_phones = signal.supports(PiiEntity.PHONE_NUMBER)
            self._analyze(_distinct(values), facts, signal.strength > 0, bare_phones)
        suggestion = decide(ctx, facts, signal)
        return ColumnVerdict(suggestion, fingerprint(ctx, suggestion), facts.values)

    def _analyze(
        self, values: Sequence[object], facts: ValueFacts, named: bool, bare_phones: bool
    ) -> None:
        for start in range(0, len(values), _CHUNK):
            for value in values[start : start + _CHUNK]:
                self._values.add(value, facts, bare_phones=bare_phones)
            if facts.values >= _MIN_BEFORE_STOPPING and _settled(facts, named):
                return


def _settled(facts: ValueFacts, named: bool) -> bool:
    """True when the remaining values cannot plausibly change the decision."""
    n = facts.values
    if facts.text_values:
        return facts.text_with_pii >= 5 or (n >= 60 and facts.text_with_pii == 0)
    top = max(facts.hits.values(), default=0)
    if top >= 0.95 * n:
        return True
    if len(facts.dates) >= 0.95 * n or facts.datetimes >= 0.95 * n:
        return False  # birth-date plausibility wants the whole spread of years
    quiet = not (
        facts.hits
        or facts.single_names
        or facts.nine_digits
        or facts.passport_like
        or facts.license_like
        or facts.dates
    )
    return quiet and not named


def _distinct(values: Iterable[object]) -> list[object]:
    seen: set[object] = set()
    out: list[object] = []
    for value in values:
        key = value.strip() if isinstance(value, str) else value
        try:
            if key in seen:
                continue
            seen.add(key)
        except TypeError:  # unhashable (lists, dicts from JSON columns)
            key = repr(value)
            if key in seen:
                continue
            seen.add(key)
        out.append(value)
    return out
