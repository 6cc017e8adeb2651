"""Column decisions: combine value evidence, the column's name and its type into one answer.

Pure functions over :class:`ValueFacts`, so every rule is a row in a test table. The
rules, in words:

* A structured entity wins when at least half of the distinct values are that entity
  as a whole (a third, when the column's name says so too). Ties go to the entity the
  name supports, then to the better-validated entity (checksums beat patterns).
* Plain 9-digit numbers are SSNs or passport numbers only when the name says which:
  alone they are as likely invoice numbers. Likewise bare digit strings are phone
  numbers only in a column whose name says phone.
* Driver-license formats are too varied to trust without a name that says "license".
* Dates are birth dates when the name says so, or when they look like a population's
  birthdays: none in the future, spread over decades, ages between about 12 and 110.
  Timestamps with a time of day are events, not birthdays.
* Person names: full names count on their own; single words (first or last name
  columns) need at least 70% dictionary hits, or a name that says "name".
* Prose is FREE_TEXT_PII when at least a tenth of its values carry embedded PII (its
  score starts at 0.5: PII in a tenth of free-text values is already a column of PII).
* A column whose name strongly says PII but whose sample is empty is suggested with a
  low score: an empty ``ssn`` column is still the place SSNs will go.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
from dataclasses import dataclass

from catalog.classify.masking import masked_example
from catalog.classify.signals import NameSignal
from catalog.classify.values import ValueFacts
from catalog.model import PiiEntity as E
from catalog.model import PiiSuggestion

_STRUCTURED_THRESHOLD = 0.5
_NAMED_THRESHOLD = 0.3
_TEXT_PII_SHARE = 0.1
#: Validation strength, used to break ties: checksums, then strict formats, then patterns.
_PRIORITY = {
    E.CREDIT_CARD: 9,
    E.IBAN_CODE: 9,
    E.US_SSN: 8,
    E.EMAIL_ADDRESS: 8,
    E.IP_ADDRESS: 7,
    E.PHONE_NUMBER: 5,
    E.DATE_OF_BIRTH: 5,
    E.STREET_ADDRESS: 4,
    E.PERSON: 4,
    E.US_PASSPORT: 3,
    E.US_DRIVER_LICENSE: 2,
    E.FREE_TEXT_PII: 1,
}
_RECOGNIZER = {
    E.EMAIL_ADDRESS: "Presidio EmailRecognizer",
    E.PHONE_NUMBER: "Presidio PhoneRecognizer (phonenumbers)",
    E.CREDIT_CARD: "Presidio CreditCardRecognizer (Luhn)",
    E.IBAN_CODE: "Presidio IbanRecognizer (mod-97)",
    E.IP_ADDRESS: "Presidio IpRecognizer",
    E.US_SSN: "Presidio UsSsnRecognizer",
    E.US_PASSPORT: "passport number format",
    E.US_DRIVER_LICENSE: "Presidio UsLicenseRecognizer",
    E.PERSON: "name dictionary",
    E.STREET_ADDRESS: "street address patterns",
    E.DATE_OF_BIRTH: "date values",
    E.FREE_TEXT_PII: "Presidio analyzer on text",
}


@dataclass(frozen=True)
class ColumnContext:
    table: str
    column: str
    data_type: str


def type_family(data_type: str) -> str:
    """numeric, bool, date, timestamp, text or opaque: what values a type can hold."""
    t = data_type.lower()
    if t.startswith("bool"):
        return "bool"
    if "timestamp" in t or t.startswith("datetime"):
        return "timestamp"
    if t.startswith("date"):
        return "date"
    if t.startswith("time") or t.startswith("interval"):
        return "opaque"
    if any(k in t for k in ("uuid", "blob", "bytea", "binary", "json", "struct", "map[")):
        return "opaque" if "json" not in t else "text"
    if any(
        k in t
        for k in (
            "int",
            "numeric",
            "decimal",
            "double",
            "float",
            "real",
            "number",
            "money",
            "serial",
        )
    ):
        return "numeric"
    return "text"


def decide(
    ctx: ColumnContext, facts: ValueFacts, signal: NameSignal, *, today: dt.date | None = None
) -> PiiSuggestion | None:
    """The column's PII entity with score and evidence, or None."""
    today = today or dt.date.today()
    shares = _structured_shares(facts, signal)
    dob = _birth_dates(facts, signal, today)
    if dob is not None:
        shares[E.DATE_OF_BIRTH] = dob
    text_share = facts.text_with_pii / facts.text_values if facts.text_values else 0.0
    is_prose = facts.values and facts.text_values / facts.values >= 0.5

    chosen = _choose(shares, signal)
    if chosen is None and is_prose and text_share >= _TEXT_PII_SHARE and facts.text_with_pii >= 2:
        chosen = (E.FREE_TEXT_PII.value, text_share)
    if chosen is None:
        if facts.values == 0 and signal.entity is not None and signal.strength >= 2:
            return PiiSuggestion(
                signal.entity.value,
                0.4,
                {
                    "samples": 0,
                    "signals": [f"name: {signal.matched!r}"],
                    "type": ctx.data_type,
                    "note": "no values sampled; suggested by the column name alone",
                },
                None,
            )
        return None

    entity, share = chosen
    named = signal.supports(entity)
    if entity == E.FREE_TEXT_PII.value:
        # Prose rarely carries PII in every value; a tenth is already a column of PII.
        score = min(1.0, 0.5 + share)
    else:
        score = min(1.0, share * (1 + 0.1 * signal.strength if named else 1.0))
    hits = round(share * facts.values)
    signals = [f"values: {hits}/{facts.values} distinct values match ({_how(entity)})"]
    if entity == E.FREE_TEXT_PII.value:
        found = ", ".join(f"{e} in {n}" for e, n in facts.embedded.most_common())
        signals = [f"text: {facts.text_with_pii}/{facts.text_values} values contain PII ({found})"]
    if named:
        signals.append(f"name: {signal.matched!r}")
    signals.append(f"type: {ctx.data_type}")
    alternatives = {
        k: round(v, 3)
        for k, v in sorted(shares.items(), key=lambda kv: -kv[1])
        if k != entity and v > 0
    }
    evidence: dict[str, object] = {
        "samples": facts.values,
        "blanks": facts.blanks,
        "hits": hits,
        "share": round(share, 3),
        "signals": signals,
        "alternatives": alternatives,
        "type": ctx.data_type,
    }
    if entity == E.FREE_TEXT_PII.value:
        evidence["embedded"] = dict(facts.embedded)
    return PiiSuggestion(entity, round(score, 3), evidence, masked_example(entity, facts))


def fingerprint(ctx: ColumnContext, suggestion: PiiSuggestion | None) -> str:
    """A digest of what the data looks like, stable under re-sampling.

    Re-classification compares it with the fingerprint of a steward's decision: only a
    change in type, entity or (coarsely) in how much of the column matches counts as
    "the data changed" and earns a new suggestion beside the decision.
    """
    if suggestion is None:
        bucket, entity = "none", "-"
    else:
        share = float(str(suggestion.evidence.get("share", 0)))
        bucket = "most" if share >= 0.9 else "many" if share >= 0.5 else "some"
        entity = suggestion.entity
    text = f"{type_family(ctx.data_type)}|{entity}|{bucket}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _structured_shares(facts: ValueFacts, signal: NameSignal) -> dict[str, float]:
    shares = {entity: facts.share(n) for entity, n in facts.hits.items()}
    if facts.nine_digits:
        for entity in (E.US_SSN, E.US_PASSPORT):
            if signal.supports(entity):
                shares[entity] = shares.get(entity, 0.0) + facts.share(facts.nine_digits)
    if facts.bare_phones and signal.supports(E.PHONE_NUMBER):
        shares[E.PHONE_NUMBER] = shares.get(E.PHONE_NUMBER, 0.0) + facts.share(facts.bare_phones)
    if facts.passport_like:
        shares[E.US_PASSPORT] = shares.get(E.US_PASSPORT, 0.0) + facts.share(facts.passport_like)
    if facts.license_like and signal.supports(E.US_DRIVER_LICENSE):
        shares[E.US_DRIVER_LICENSE] = facts.share(facts.license_like)
    person = facts.hits.get(E.PERSON, 0)
    # Names from places no list covers: a column of name-shaped values where a good part
    # (not all) has a known first name reads as a column of names.
    if (
        facts.share(facts.name_shaped) >= 0.8
        and facts.share(person) >= 0.25
        and facts.share(person) < _STRUCTURED_THRESHOLD
    ):
        person = facts.name_shaped
    if facts.single_names:
        singles = facts.share(facts.single_names)
        if signal.supports(E.PERSON) or singles >= 0.7:
            person += facts.single_names
    if person:
        shares[E.PERSON] = facts.share(person)
    return {str(k): v for k, v in shares.items()}


def _birth_dates(facts: ValueFacts, signal: NameSignal, today: dt.date) -> float | None:
    if not facts.dates:
        return None
    share = facts.share(len(facts.dates))
    if facts.datetimes > len(facts.dates):
        return None  # events with a time of day
    if signal.supports(E.DATE_OF_BIRTH):
        return share
    if signal.entity is not None or signal.negative:
        return None  # a name that says something else (order_date is not a birthday)
    years = [d.year for d in facts.dates]
    if any(d > today for d in facts.dates):
        return None
    ages = [(today - d).days / 365.25 for d in facts.dates]
    spread = max(years) - min(years)
    if spread >= 20 and min(ages) >= 12 and max(ages) <= 110 and statistics.median(ages) >= 18:
        return share
    return None


def _choose(shares: dict[str, float], signal: NameSignal) -> tuple[str, float] | None:
    candidates = []
    for entity, share in shares.items():
        named = signal.supports(entity)
        if share >= (_NAMED_THRESHOLD if named else _STRUCTURED_THRESHOLD):
            candidates.append((entity, share, named))
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (c[1], _priority(c[0])))
    for entity, share, named in candidates:
        if named and entity != best[0] and share >= 0.8 * best[1]:
            return entity, share
    return best[0], best[1]


def _priority(entity: str) -> int:
    try:
        return _PRIORITY.get(E(entity), 0)
    except ValueError:
        return 6  # a custom recognizer from veil.yaml: the admin asked for it


def _how(entity: str) -> str:
    try:
        return _RECOGNIZER.get(E(entity), entity)
    except ValueError:
        return f"custom recognizer {entity}"
