"""The classifier on columns of every entity and every decoy family, as a table.

Values are made here (names from mimesis, a different source than the classifier's
name dictionary), with the mess real data has: nulls, blanks, case, stray spaces.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest
from mimesis import Person
from mimesis.locales import Locale

from catalog.classify import Classifier, ClassifierConfig, ColumnContext

RNG = random.Random(5)


def luhn_complete(prefix: str, length: int) -> str:
    digits = prefix + "".join(str(RNG.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return digits + str((10 - total % 10) % 10)


def luhn_failing(length: int = 16) -> str:
    good = luhn_complete("4", length)
    return good[:-1] + str((int(good[-1]) + 3) % 10)


def iban(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in rearranged))
    return f"{country}{98 - number % 97:02d}{bban}"


def spaced(s: str) -> str:
    return " ".join(s[i : i + 4] for i in range(0, len(s), 4))


def messy(values: list[object], blanks: float = 0.15) -> list[object]:
    out: list[object] = []
    for v in values:
        r = RNG.random()
        if r < blanks / 2:
            out.append(None)
        elif r < blanks:
            out.append("  ")
        elif isinstance(v, str) and r < blanks + 0.1:
            out.append(f"  {v.upper()} ")
        else:
            out.append(v)
    return out


def n(make, count: int = 100) -> list[object]:
    return [make(i) for i in range(count)]


PEOPLE = [Person(loc, seed=3) for loc in (Locale.EN, Locale.DE, Locale.FR, Locale.ES, Locale.IT)]
TODAY = dt.date.today()

CASES = [
    # (table, column, type, values, expected entity)
    ("customers", "email", "VARCHAR", messy(n(lambda i: f"user.{i}@example.com")), "EMAIL_ADDRESS"),
    ("tickets", "notes", "VARCHAR", n(lambda i: f"c{i}@mail.example.de"), "EMAIL_ADDRESS"),
    (
        "customers",
        "phone",
        "VARCHAR",
        messy(
            n(
                lambda i: RNG.choice(
                    [
                        "+1 212 555 {:04d}",
                        "(415) 555-{:04d}",
                        "+44 20 7946 {:04d}",
                        "+49 30 1234{:04d}",
                        "+33 1 42 68 {:04d}",
                    ]
                ).format(i)
            )
        ),
        "PHONE_NUMBER",
    ),
    ("leads", "contact", "VARCHAR", n(lambda i: f"+49 151 {20000000 + i * 37}"), "PHONE_NUMBER"),
    ("customers", "full_name", "VARCHAR", messy(n(lambda i: PEOPLE[i % 5].full_name())), "PERSON"),
    ("employees", "first_name", "VARCHAR", n(lambda i: PEOPLE[i % 5].first_name()), "PERSON"),
    ("employees", "last_name", "VARCHAR", n(lambda i: PEOPLE[i % 5].last_name()), "PERSON"),
    (
        "customers",
        "ssn",
        "VARCHAR",
        n(
            lambda i: (
                f"{RNG.randint(1, 665):03d}-{RNG.randint(1, 99):02d}-{RNG.randint(1, 9999):04d}"
            )
        ),
        "US_SSN",
    ),
    (
        "people",
        "id",
        "VARCHAR",
        n(
            lambda i: (
                f"{RNG.randint(1, 665):03d} {RNG.randint(1, 99):02d} {RNG.randint(1, 9999):04d}"
            )
        ),
        "US_SSN",
    ),
    (
        "payments",
        "card_number",
        "VARCHAR",
        n(
            lambda i: RNG.choice(
                [luhn_complete("4", 16), spaced(luhn_complete("51", 16)), luhn_complete("37", 15)]
            )
        ),
        "CREDIT_CARD",
    ),
    (
        "payments",
        "iban",
        "VARCHAR",
        n(lambda i: spaced(iban("DE", f"{RNG.randrange(10**18):018d}"))),
        "IBAN_CODE",
    ),
    (
        "ledger",
        "value",
        "VARCHAR",
        n(lambda i: iban("GB", f"WEST{RNG.randrange(10**14):014d}")),
        "IBAN_CODE",
    ),
    (
        "web",
        "client_ip",
        "VARCHAR",
        n(
            lambda i: (
                f"{RNG.randint(1, 223)}.{RNG.randrange(256)}.{RNG.randrange(256)}.{RNG.randint(1, 254)}"
            )
        ),
        "IP_ADDRESS",
    ),
    (
        "web",
        "addr6",
        "VARCHAR",
        n(lambda i: f"2001:db8:{i:x}::{RNG.randrange(65536):x}"),
        "IP_ADDRESS",
    ),
    (
        "customers",
        "birth_date",
        "DATE",
        n(lambda i: dt.date(RNG.randint(1940, 2004), RNG.randint(1, 12), RNG.randint(1, 28))),
        "DATE_OF_BIRTH",
    ),
    (
        "x",
        "col7",
        "DATE",
        n(lambda i: dt.date(RNG.randint(1940, 2004), RNG.randint(1, 12), RNG.randint(1, 28))),
        "DATE_OF_BIRTH",
    ),
    (
        "patients",
        "dob",
        "VARCHAR",
        n(lambda i: f"{RNG.randint(1, 12):02d}/{RNG.randint(1, 28):02d}/{RNG.randint(1940, 2004)}"),
        "DATE_OF_BIRTH",
    ),
    (
        "customers",
        "address",
        "VARCHAR",
        n(
            lambda i: RNG.choice(
                [
                    f"{i + 1} Baker Street, London",
                    f"Hauptstraße {i + 1}, 10115 Berlin",
                    f"{i + 1} rue de la Paix, 75002 Paris",
                    f"{100 + i} Main St, Springfield",
                ]
            )
        ),
        "STREET_ADDRESS",
    ),
    (
        "travellers",
        "passport_number",
        "VARCHAR",
        n(lambda i: f"{RNG.randrange(10**8, 10**9)}"),
        "US_PASSPORT",
    ),
    (
        "travellers",
        "doc",
        "VARCHAR",
        n(lambda i: f"{chr(65 + i % 26)}{RNG.randrange(10**7, 10**8)}"),
        "US_PASSPORT",
    ),
    (
        "drivers",
        "driver_license",
        "VARCHAR",
        n(lambda i: f"{chr(65 + i % 26)}{RNG.randrange(10**6, 10**7)}"),
        "US_DRIVER_LICENSE",
    ),
    (
        "support",
        "body",
        "VARCHAR",
        n(
            lambda i: RNG.choice(
                [
                    f"Hello, this is {PEOPLE[i % 5].full_name()} and you can reach me at {PEOPLE[i % 5].email()} any time.",
                    f"My card {luhn_complete('4', 16)} was charged twice for the same order, please refund it.",
                    "The parcel arrived late and the box was damaged, but the contents are fine overall.",
                    "Could you tell me when the blue model will be back in stock in your online store?",
                ]
            )
        ),
        "FREE_TEXT_PII",
    ),
    # Decoys: not personal data.
    (
        "products",
        "name",
        "VARCHAR",
        n(
            lambda i: (
                RNG.choice(
                    [
                        "Deluxe Widget Pro",
                        "Steel Hammer 500g",
                        "Blue Kettle 2L",
                        "Garden Hose 30m",
                        "Ergo Chair X2",
                    ]
                )
                + f" {i}"
            )
        ),
        None,
    ),
    ("orders", "order_number", "VARCHAR", n(lambda i: f"ORD-2025-{i:06d}"), None),
    ("orders", "id", "VARCHAR", n(lambda i: str(uuid.UUID(int=RNG.getrandbits(128)))), None),
    ("shipments", "tracking_code", "VARCHAR", n(lambda i: f"1Z{RNG.randrange(10**15):015d}"), None),
    ("invoices", "invoice_no", "VARCHAR", n(lambda i: f"{RNG.randrange(10**8, 10**9)}"), None),
    ("payments", "reference", "VARCHAR", n(lambda i: luhn_failing()), None),
    ("releases", "version", "VARCHAR", n(lambda i: f"{i % 5}.{i % 13}.{i % 7}"), None),
    ("files", "sha256", "VARCHAR", n(lambda i: f"{RNG.getrandbits(256):064x}"), None),
    (
        "events",
        "created_at",
        "TIMESTAMP",
        n(lambda i: dt.datetime(2025, 1 + i % 12, 1 + i % 28, 1 + i % 23, i % 60)),
        None,
    ),
    (
        "events",
        "happened",
        "VARCHAR",
        n(lambda i: f"2025-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00"),
        None,
    ),
    ("orders", "order_date", "DATE", n(lambda i: TODAY - dt.timedelta(days=i * 3)), None),
    ("x", "col3", "DATE", n(lambda i: TODAY - dt.timedelta(days=i * 2)), None),
    ("orders", "amount", "DECIMAL(12,2)", n(lambda i: round(RNG.uniform(1, 999), 2)), None),
    (
        "sales",
        "sku",
        "VARCHAR",
        n(lambda i: f"SKU-{RNG.randrange(10**5):05d}-{chr(65 + i % 26)}"),
        None,
    ),
    (
        "stores",
        "city",
        "VARCHAR",
        n(
            lambda i: RNG.choice(
                ["Springfield", "Hamburg", "Lyon", "Madrid", "Austin", "Denver", "Seattle", "Leeds"]
            )
        ),
        None,
    ),
    (
        "reviews",
        "comment",
        "VARCHAR",
        n(
            lambda i: (
                RNG.choice(
                    [
                        "Great quality and fast shipping, would buy again from this store.",
                        "The handle broke after two weeks of normal use, very disappointed.",
                        "Exactly as described, the colour matches the pictures perfectly.",
                        "Delivery took longer than promised but support was helpful.",
                    ]
                )
                + f" ({i})"
            )
        ),
        None,
    ),
    ("users", "active", "BOOLEAN", n(lambda i: i % 2 == 0), None),
    ("stats", "visits", "INTEGER", n(lambda i: RNG.randrange(1000)), None),
]


@pytest.fixture(scope="module")
def classifier():
    return Classifier()


@pytest.mark.parametrize(
    "table, column, dtype, values, expected",
    CASES,
    ids=[f"{c[0]}.{c[1]}->{c[4]}" for c in CASES],
)
def test_classify(classifier, table, column, dtype, values, expected):
    verdict = classifier.classify(ColumnContext(table, column, dtype), values)
    got = verdict.suggestion.entity if verdict.suggestion else None
    assert got == expected, verdict.suggestion


def test_evidence_and_example_never_hold_raw_values(classifier):
    values = [f"secret.person{i}@corp-example.com" for i in range(50)]
    verdict = classifier.classify(ColumnContext("t", "email", "VARCHAR"), values)
    assert verdict.suggestion is not None
    dumped = repr(verdict.suggestion)
    assert not any(v in dumped for v in values)
    assert "corp" not in dumped and "secret" not in dumped
    assert verdict.suggestion.masked_example == "xxxxxx.xxxxxx9@xxxx-xxxxxxx.xxx"
    assert verdict.suggestion.evidence["samples"] == verdict.analyzed


def test_prose_example_marks_entities_and_masks_the_rest(classifier):
    values = [f"Please call Maria Keller on +44 20 7946 {i:04d} about order {i}" for i in range(20)]
    verdict = classifier.classify(ColumnContext("t", "notes", "VARCHAR"), values)
    assert verdict.suggestion is not None and verdict.suggestion.entity == "FREE_TEXT_PII"
    example = verdict.suggestion.masked_example or ""
    assert "[PERSON]" in example and "[PHONE_NUMBER]" in example
    assert "Maria" not in example and "Please" not in example


def test_empty_column_with_a_telling_name_is_suggested_weakly(classifier):
    verdict = classifier.classify(ColumnContext("t", "ssn", "VARCHAR"), [None, "", None])
    assert verdict.suggestion is not None
    assert (verdict.suggestion.entity, verdict.suggestion.score) == ("US_SSN", 0.4)


def test_uniform_columns_stop_early(classifier):
    verdict = classifier.classify(
        ColumnContext("t", "email", "VARCHAR"), [f"u{i}@example.com" for i in range(500)]
    )
    assert verdict.analyzed < 100


def test_fingerprint_is_stable_under_resampling(classifier):
    ctx = ColumnContext("t", "email", "VARCHAR")
    a = classifier.classify(ctx, [f"a{i}@example.com" for i in range(100)])
    b = classifier.classify(ctx, [f"b{i}@example.org" for i in range(100)])
    c = classifier.classify(ctx, [f"Order {i}" for i in range(100)])
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_custom_recognizers_from_settings():
    config = ClassifierConfig(
        recognizers=({"name": "EMPLOYEE_ID", "regex": r"\bEMP-\d{6}\b", "score": 0.9},)
    )
    verdict = Classifier(config).classify(
        ColumnContext("t", "ref", "VARCHAR"), [f"EMP-{i:06d}" for i in range(60)]
    )
    assert verdict.suggestion is not None and verdict.suggestion.entity == "EMPLOYEE_ID"


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"name": "lower", "regex": "x"}, "UPPER_SNAKE"),
        ({"name": "X_ID", "regex": "("}, "not a valid regular expression"),
        ({"name": "X_ID"}, "needs a regex or a deny_list"),
        ({"name": "X_ID", "regex": "x", "colour": 1}, "unknown keys: colour"),
        ({"name": "X_ID", "regex": "x", "score": 3}, "score must be in"),
    ],
)
def test_bad_custom_recognizers_are_explained(spec, message):
    from catalog.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        Classifier(ClassifierConfig(recognizers=(spec,)))


def test_a_missing_spacy_model_is_an_error_not_a_download():
    from catalog.errors import ConfigError

    with pytest.raises(ConfigError, match="not installed"):
        Classifier(ClassifierConfig(spacy_model="en_core_web_nonexistent"))
