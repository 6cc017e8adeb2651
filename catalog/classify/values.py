"""Value evidence: which kinds of personal data each sampled value of a column is.

Each value is routed by its shape to the few recognizers that could match it (an
``@`` goes to the email recognizer, 13–19 digits to the card recognizer with its Luhn
check, two letters and two check digits to the IBAN recognizer…), so a sample costs a
fraction of running every Presidio recognizer on every value. A match counts for a
structured column only when it covers the whole value; prose goes to Presidio's full
analyzer, and what it finds inside is counted separately as embedded PII.
Results accumulate in :class:`ValueFacts`, which keeps no raw value beyond the one
example per entity needed to draw a masked example in memory.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from presidio_analyzer import AnalyzerEngine, EntityRecognizer

from catalog.classify.people import NameDictionary
from catalog.classify.streets import starts_with_street_address

_IPV4 = re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}$")
_IPV4_PORT = re.compile(r"^((?:\d{1,3}\.){3}\d{1,3}):\d{1,5}$")
_NAMED_EMAIL = re.compile(r"^[^<>@]*<\s*([^<>\s@]+@[^<>\s]+)\s*>$")
_IPV6 = re.compile(r"^[0-9A-Fa-f:]{2,39}(?:%\w+)?$")
_IBAN = re.compile(r"^[A-Za-z]{2}\d{2}[A-Za-z0-9]{10,30}$")
_PHONE_CHARS = re.compile(r"^[+(]?[\d\s().\-/]{6,24}(?:\s*(?:x|ext\.?)\s*\d{1,5})?$", re.I)
_SSN_FORMATTED = re.compile(r"^\d{3}[- .]\d{2}[- .]\d{4}$")
_PASSPORT = re.compile(r"^[A-Za-z]\d{8}$")
_LICENSE = re.compile(r"^[A-Za-z]{0,4}[\s\-]?\d[\dA-Za-z*\- ]{3,22}$")
_NAME_CHARS = re.compile(r"^[^\W\d_][\w'’\-. ,]*$")
_NOT_SEPARATOR = re.compile(r"[\s\-.()/+]")
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y%m%d",
)
_DATE_SHAPE = re.compile(
    r"^(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{8}|[A-Za-z]+\.? \d{1,2},? \d{4}|"
    r"\d{1,2} [A-Za-z]+\.? \d{4})$"
)
_TIME_PART = re.compile(r"[T ]\d{1,2}:\d{2}")

#: Entities looked for inside prose (free text).
TEXT_ENTITIES = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
    "PERSON",
    "STREET_ADDRESS",
)
_MIN_TEXT_SCORE = 0.4


@dataclass
class ValueFacts:
    """What the values of one column turned out to be, counted over distinct values."""

    values: int = 0  # distinct non-blank values analyzed
    blanks: int = 0
    hits: Counter[str] = field(default_factory=Counter)  # whole-value matches per entity
    text_values: int = 0  # values that are prose
    text_with_pii: int = 0  # prose values with at least one embedded entity
    embedded: Counter[str] = field(default_factory=Counter)  # prose values per embedded entity
    dates: list[dt.date] = field(default_factory=list)
    datetimes: int = 0  # values with a time of day
    nine_digits: int = 0  # plain 9-digit numbers: SSN, passport or invoice; the name decides
    passport_like: int = 0  # letter + 8 digits
    license_like: int = 0  # matches a US state driver-license format
    single_names: int = 0  # one known first or last name
    bare_phones: int = 0  # valid phone numbers written as bare digits: IDs look the same
    name_shaped: int = 0  # 2-5 capitalized words, initials allowed: names, titles, products
    #: One raw example per entity, kept in memory only to draw the masked example.
    examples: dict[str, str] = field(default_factory=dict)
    #: Spans of embedded entities in the first prose example, for its masked rendering.
    text_example_spans: list[tuple[int, int, str]] = field(default_factory=list)

    def share(self, count: int) -> float:
        return count / self.values if self.values else 0.0


class ValueAnalyzer:
    """Routes values to recognizers; built once per process (Presidio startup is costly)."""

    def __init__(
        self,
        names: NameDictionary,
        analyzer: AnalyzerEngine,
        recognizers: dict[str, EntityRecognizer],
        custom_entities: tuple[str, ...] = (),
        *,
        ner: bool = False,
    ) -> None:
        self.names = names
        self.analyzer = analyzer
        self.recognizers = recognizers
        self.custom_entities = custom_entities
        self._text_entities = list(TEXT_ENTITIES) + list(custom_entities)
        if ner:  # a full spaCy model adds what only NER finds
            self._text_entities += ["LOCATION", "ORGANIZATION"]

    def warm_up(self) -> None:
        """Pay first-use costs (tldextract's suffix list, phonenumbers' metadata) now."""
        facts = ValueFacts()
        for value in ("warm.up@example.com", "+1 212 555 0100", "4111 1111 1111 1111"):
            self.add(value, facts)

    def add(self, raw: object, facts: ValueFacts, *, bare_phones: bool = True) -> None:
        """Analyze one sampled value (already deduplicated) into ``facts``.

        ``bare_phones`` False skips checking bare digit strings as phone numbers (costly,
        and they only count in a column whose name says phone).
        """
        if raw is None:
            facts.blanks += 1
            return
        if isinstance(raw, dt.datetime):
            facts.values += 1
            if raw.time() == dt.time(0, 0):
                facts.dates.append(raw.date())
            else:
                facts.datetimes += 1
            return
        if isinstance(raw, dt.date):
            facts.values += 1
            facts.dates.append(raw)
            return
        if isinstance(raw, bool):
            facts.values += 1
            return
        value = str(raw).strip()
        if not value:
            facts.blanks += 1
            return
        facts.values += 1
        for entity in self._whole_value_entities(value, facts, bare_phones):
            facts.hits[entity] += 1
            facts.examples.setdefault(entity, value)

    def _whole_value_entities(self, value: str, facts: ValueFacts, bare_phones: bool) -> set[str]:
        found: set[str] = set()
        words = value.split()
        if len(words) >= 3 and starts_with_street_address(value):
            found.add("STREET_ADDRESS")
        elif _is_prose(value, words):
            self._prose(value, facts)
            return found
        if "@" in value and self._email(value, words):
            found.add("EMAIL_ADDRESS")
        if self._ip(value):
            found.add("IP_ADDRESS")
            return found
        compact = _NOT_SEPARATOR.sub("", value)
        if _IBAN.match(compact) and self._whole(value, "IBAN_CODE"):
            found.add("IBAN_CODE")
        if compact.isdigit():
            found |= self._digits(value, compact, facts, bare_phones)
        elif _PASSPORT.match(value):
            facts.passport_like += 1
        if _license_shaped(value):
            facts.license_like += 1
        if _DATE_SHAPE.match(value) or _TIME_PART.search(value):
            self._date(value, facts)
        if len(words) <= 5 and _NAME_CHARS.match(value):
            self._name(value, words, facts, found)
        if len(words) >= 2 and "STREET_ADDRESS" not in found and starts_with_street_address(value):
            found.add("STREET_ADDRESS")
        for entity in self.custom_entities:
            if self._whole(value, entity):
                found.add(entity)
        return found

    def _email(self, value: str, words: list[str]) -> bool:
        if len(words) == 1:
            return self._whole(value, "EMAIL_ADDRESS")
        named = _NAMED_EMAIL.match(value)  # "Ann Lee <ann@example.com>"
        return named is not None and self._whole(named.group(1), "EMAIL_ADDRESS")

    def _ip(self, value: str) -> bool:
        """One address, an address with a port, or a list (X-Forwarded-For)."""
        parts = [p.strip() for p in value.split(",")] if "," in value else [value]
        for part in parts:
            with_port = _IPV4_PORT.match(part)
            address = with_port.group(1) if with_port else part
            shaped = _IPV4.match(address) or (":" in address and _IPV6.match(address))
            if not shaped or not self._whole(address, "IP_ADDRESS"):
                return False
        return True

    def _digits(self, value: str, digits: str, facts: ValueFacts, bare_phones: bool) -> set[str]:
        found: set[str] = set()
        n = len(digits)
        if 13 <= n <= 19 and (self._whole(value, "CREDIT_CARD") or is_card_number(digits)):
            found.add("CREDIT_CARD")
        if n == 9:
            if _SSN_FORMATTED.match(value) and self._whole(value, "US_SSN", min_score=0.5):
                found.add("US_SSN")
            elif value.isdigit():
                facts.nine_digits += 1
        phone_sized = 7 <= n <= 15 and not found & {"US_SSN", "CREDIT_CARD"}
        phone_sized = phone_sized and (bare_phones or not value.isdigit())
        if phone_sized and _PHONE_CHARS.match(value) and self._whole(value, "PHONE_NUMBER"):
            if value.isdigit():
                facts.bare_phones += 1
                facts.examples.setdefault("PHONE_NUMBER", value)
            else:
                found.add("PHONE_NUMBER")
        return found

    def _name(self, value: str, words: list[str], facts: ValueFacts, found: set[str]) -> None:
        tokens = [w.strip(",") for w in words if w.strip(",")]
        if 2 <= len(tokens) <= 5 and _name_shaped(tokens):
            facts.name_shaped += 1
            facts.examples.setdefault("PERSON", value)
        if len(tokens) >= 2 and self.names.is_full_name(tokens):
            found.add("PERSON")
        elif len(tokens) == 1 and self.names.is_single_name(tokens[0]):
            facts.single_names += 1
            facts.examples.setdefault("PERSON", value)

    def _date(self, value: str, facts: ValueFacts) -> None:
        if _TIME_PART.search(value):
            head = re.split(r"[T ]", value, maxsplit=1)[0]
            parsed = _parse_date(head)
            if parsed is not None and not re.search(r"[T ]0?0:00(?::00)?(?:\.0+)?$", value):
                facts.datetimes += 1
                return
            if parsed is not None:
                facts.dates.append(parsed)
            return
        parsed = _parse_date(value)
        if parsed is not None:
            facts.dates.append(parsed)

    def _prose(self, value: str, facts: ValueFacts) -> None:
        facts.text_values += 1
        results = [
            r
            for r in self.analyzer.analyze(value, language="en", entities=self._text_entities)
            if r.score >= _MIN_TEXT_SCORE and _standalone(value, r.start, r.end, r.entity_type)
        ]
        if not results:
            return
        facts.text_with_pii += 1
        for entity in {r.entity_type for r in results}:
            facts.embedded[entity] += 1
        if "FREE_TEXT_PII" not in facts.examples:
            facts.examples["FREE_TEXT_PII"] = value
            facts.text_example_spans = sorted((r.start, r.end, r.entity_type) for r in results)

    def _whole(self, value: str, entity: str, *, min_score: float = 0.0) -> bool:
        """Does a recognizer of ``entity`` match (nearly) the whole value?"""
        recognizer = self.recognizers.get(entity)
        if recognizer is None:
            return False
        needed = len(value.strip()) * 0.9
        for result in recognizer.analyze(value, [entity], None):  # type: ignore[arg-type]
            if result.score >= min_score and result.end - result.start >= needed:
                return True
        return False


def _name_shaped(tokens: list[str]) -> bool:
    """Capitalized words (or consistently upper/lower case), an initial or a particle."""
    cased = [t for t in tokens if t.isalpha() or t.rstrip(".").isalpha() or "-" in t or "'" in t]
    if len(cased) != len(tokens):
        return False
    if all(t.islower() for t in tokens) or all(t.isupper() for t in tokens):
        return True
    return all(t[0].isupper() or len(t) <= 3 for t in tokens)


def _standalone(text: str, start: int, end: int, entity: str) -> bool:
    """A match that is a token of its own, not digits inside an id, a UUID or a version.

    Phone numbers are the troublemakers: any run of 7+ digits in a log line or a user
    agent can parse as one. In prose they must stand alone and look dialled.
    """
    if entity != "PHONE_NUMBER":
        return True
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before.isalnum() or after.isalnum() or before in "-_/.:" or after in "-_/":
        return False
    match = text[start:end]
    return sum(c.isdigit() for c in match) >= 9 or match.startswith(("+", "("))


def _license_shaped(value: str) -> bool:
    """The shapes of US state driver-license numbers: up to four letters, then digits
    (``A1234567``, ``A123-456-78-901-0``, ``123 456 789``, ``WDLABCD456DG``). Only
    counted where the column name says license: alone, the shape says little."""
    compact = _NOT_SEPARATOR.sub("", value).replace("*", "")
    digits = sum(c.isdigit() for c in compact)
    if not 5 <= len(compact) <= 16 or digits < 3:
        return False
    washington = value[:2].upper() == "WD" and len(compact) == 12 and compact.isalnum()
    return bool(_LICENSE.match(value)) or washington


def is_card_number(digits: str) -> bool:
    """Luhn-valid with a card network's number prefix (IIN), beyond Presidio's patterns.

    Presidio's recognizer misses, for one, Mastercard's 2221–2720 series.
    """
    if not 13 <= len(digits) <= 19 or not _luhn(digits):
        return False
    two, four = int(digits[:2]), int(digits[:4])
    return (
        digits[0] == "4"
        or 51 <= two <= 55
        or 2221 <= four <= 2720
        or two in (34, 37)
        or digits.startswith(("6011", "65", "644", "645", "646", "647", "648", "649"))
        or 3528 <= four <= 3589
        or digits.startswith(("300", "301", "302", "303", "304", "305", "36", "38", "62"))
    )


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_ALPHA_WORD = re.compile(r"^[^\W\d_]+[.,;:!?)]*$")


def _is_prose(value: str, words: list[str]) -> bool:
    """Several words of running text, as in comments, tickets and notes.

    Most of its words are plain words: a user agent or a log line has many words too,
    but they are tokens with digits and slashes.
    """
    if len(words) < 5 or len(value) < 25:
        return False
    plain = sum(1 for w in words if _ALPHA_WORD.match(w.lstrip("(\"'")))
    return plain >= 0.5 * len(words)


def _parse_date(text: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None
