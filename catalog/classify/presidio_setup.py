"""Presidio, configured to run offline: no model download, no network, ever.

Presidio's defaults reach for the internet twice: its spaCy engine downloads
``en_core_web_lg`` when it is missing, and its email recognizer asks ``tldextract`` to
fetch the public suffix list. Here the spaCy engine loads a blank English pipeline (or
an installed model named in veil.yaml, never a download), and the email recognizer
validates domains against tldextract's bundled snapshot. The registry holds only the
recognizers Veil uses, plus Veil's own (names, street addresses) and custom ones from
veil.yaml, so each value is only checked for what its shape allows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import spacy
import tldextract
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    SpacyRecognizer,
    UsLicenseRecognizer,
    UsPassportRecognizer,
    UsSsnRecognizer,
)

from catalog.classify.people import NameDictionary
from catalog.classify.streets import find_street_addresses
from catalog.errors import ConfigError

#: Regions whose national phone formats are recognized (E.164 works for every country).
PHONE_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "CA", "AU", "IE", "CH", "AT", "BE")

_CUSTOM_NAME = re.compile(r"^[A-Z][A-Z0-9_]{1,99}$")


class OfflineSpacyNlpEngine(SpacyNlpEngine):
    """spaCy for Presidio without downloads: a blank pipeline, or an installed model."""

    def __init__(self, model: str | None = None) -> None:
        super().__init__(models=[{"lang_code": "en", "model_name": model or "blank:en"}])
        self._model = model

    def load(self) -> None:
        if not self._model:
            self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]
            return
        if not (spacy.util.is_package(self._model) or _is_path(self._model)):
            raise ConfigError(
                f"spaCy model {self._model!r} is not installed",
                hint="Install it (pip install <wheel of the model>) or unset "
                "classify.spacy_model to use Veil's built-in recognizers only.",
            )
        self.nlp = {"en": spacy.load(self._model)}  # type: ignore[assignment]

    @property
    def has_ner(self) -> bool:
        return bool(self._model)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's email recognizer, validating domains against the bundled suffix list."""

    @cached_property
    def _extract(self) -> tldextract.TLDExtract:
        return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)

    def validate_result(self, pattern_text: str) -> bool:
        return self._extract(pattern_text).fqdn != ""


class PersonNameRecognizer(EntityRecognizer):
    """PERSON without an NER model: capitalized word runs whose words are known names.

    In running text a name is two to four capitalized words with a known first name and
    a known or plausible last name, so "Dear Maria Keller," is found and "Great Product"
    is not.
    """

    _RUN = re.compile(r"\b[A-ZÀ-Þ][\w'’\-]+(?:\s+[A-ZÀ-Þ][\w'’\-]+){1,3}\b")

    def __init__(self, names: NameDictionary) -> None:
        super().__init__(supported_entities=["PERSON"], name="VeilPersonNameRecognizer")
        self._names = names

    def load(self) -> None:
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = []
        for match in self._RUN.finditer(text):
            if self._names.is_full_name(match.group(0).split(), strict=True):
                results.append(RecognizerResult("PERSON", match.start(), match.end(), 0.7))
        return results


class StreetAddressRecognizer(EntityRecognizer):
    """STREET_ADDRESS by the shape of street addresses in several countries."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["STREET_ADDRESS"], name="VeilStreetRecognizer")

    def load(self) -> None:
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [
            RecognizerResult("STREET_ADDRESS", start, end, 0.7)
            for start, end in find_street_addresses(text)
        ]


def custom_recognizers(specs: Sequence[Mapping[str, Any]]) -> list[EntityRecognizer]:
    """Recognizers from veil.yaml ``classify.recognizers``, validated with clear errors.

    Each spec has ``name`` (an entity name, UPPER_SNAKE) and either ``regex`` (with an
    optional ``score``) or ``deny_list``; ``context`` words raise the score nearby.
    """
    recognizers: list[EntityRecognizer] = []
    for i, spec in enumerate(specs):
        where = f"classify.recognizers[{i}]"
        if not isinstance(spec, Mapping):
            raise ConfigError(f"{where} must be a mapping with name and regex or deny_list")
        unknown = set(spec) - {"name", "regex", "score", "deny_list", "context"}
        if unknown:
            raise ConfigError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
        name = str(spec.get("name", ""))
        if not _CUSTOM_NAME.match(name):
            raise ConfigError(f"{where}.name must be an UPPER_SNAKE entity name, not {name!r}")
        context = [str(c) for c in spec.get("context", []) or []]
        if "regex" in spec:
            regex = str(spec["regex"])
            try:
                re.compile(regex)
            except re.error as e:
                raise ConfigError(f"{where}.regex is not a valid regular expression: {e}") from e
            score = float(spec.get("score", 0.8))
            if not 0 < score <= 1:
                raise ConfigError(f"{where}.score must be in (0, 1]")
            recognizers.append(
                PatternRecognizer(
                    supported_entity=name,
                    name=f"custom:{name}",
                    patterns=[Pattern(name, regex, score)],
                    context=context,
                )
            )
        elif "deny_list" in spec:
            deny = [str(v) for v in spec["deny_list"] or []]
            if not deny:
                raise ConfigError(f"{where}.deny_list must not be empty")
            recognizers.append(
                PatternRecognizer(
                    supported_entity=name, name=f"custom:{name}", deny_list=deny, context=context
                )
            )
        else:
            raise ConfigError(f"{where} needs a regex or a deny_list")
    return recognizers


def build_analyzer(
    names: NameDictionary,
    *,
    spacy_model: str | None = None,
    custom: Sequence[Mapping[str, Any]] = (),
) -> tuple[AnalyzerEngine, dict[str, EntityRecognizer]]:
    """An offline AnalyzerEngine for free text, and the recognizers by entity for values."""
    nlp = OfflineSpacyNlpEngine(spacy_model)
    nlp.load()
    by_entity: dict[str, EntityRecognizer] = {
        "EMAIL_ADDRESS": OfflineEmailRecognizer(),
        "PHONE_NUMBER": PhoneRecognizer(supported_regions=PHONE_REGIONS),
        "CREDIT_CARD": CreditCardRecognizer(),
        "IBAN_CODE": IbanRecognizer(),
        "IP_ADDRESS": IpRecognizer(),
        "US_SSN": UsSsnRecognizer(),
        "US_PASSPORT": UsPassportRecognizer(),
        "US_DRIVER_LICENSE": UsLicenseRecognizer(),
        "PERSON": PersonNameRecognizer(names),
        "STREET_ADDRESS": StreetAddressRecognizer(),
    }
    extra = custom_recognizers(custom)
    registry = RecognizerRegistry(recognizers=[*by_entity.values(), *extra])
    if nlp.has_ner:
        registry.add_recognizer(
            SpacyRecognizer(supported_entities=["PERSON", "LOCATION", "ORGANIZATION"])
        )
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
    for recognizer in extra:
        by_entity[recognizer.supported_entities[0]] = recognizer
    return analyzer, by_entity


def _is_path(name: str) -> bool:
    from pathlib import Path

    return Path(name).exists()
