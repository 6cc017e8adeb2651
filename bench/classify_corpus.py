"""A labeled warehouse for the PII classification benchmark (bench/classify.py).

:func:`build_corpus` writes a DuckDB file of realistic schemas and tables, 300+ columns,
and returns the ground truth: which :class:`catalog.model.PiiEntity` each column holds,
or ``None``. The corpus is built to be hard in the ways real warehouses are:

* every entity in several formats and locales (E.164 and national phone formats, cards
  of seven brands with and without separators, IBANs of a dozen countries, street
  addresses of four countries, driver licenses of a dozen states, dates of birth as
  DATE, TIMESTAMP and text, ...);
* messy values: NULLs, blanks and placeholders, upper/lower case, stray spaces;
* misleading column names (``notes`` full of emails, ``id`` full of SSNs, ``name`` full
  of product names, ``col7`` full of birth dates) and PII-sounding names on columns
  that hold no PII (``email_verified``, ``phone_type``, ``passport_country``);
* decoys shaped like PII: UUIDs, order and tracking numbers, 9-digit invoice numbers,
  Luhn-failing 16-digit numbers, version strings, hashes, timestamps, recent dates,
  amounts, postcodes, PII-free prose.

Person names (first, last, full, in prose) come from **mimesis**, never from Faker:
Veil's classifier uses Faker's name lists, and a benchmark drawing its names from the
same lists would only measure that the classifier can look itself up. Other values come
from Faker, mimesis or the helpers here (Luhn, mod-97, SSN rules are written out so the
tests can check them independently).

Everything is deterministic from the seed: each column draws from its own random
stream, seeded by the seed and the column's qualified name, so adding a column never
changes another one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import random
import re
import string
import unicodedata
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TypeVar

import duckdb
import phonenumbers
from faker import Faker
from mimesis import Address, Finance, Person
from mimesis.locales import Locale

_T = TypeVar("_T")
_P = TypeVar("_P", Person, Address, Finance)

#: The label values: catalog.model.PiiEntity values, kept as strings so the corpus
#: generator does not depend on the code it benchmarks.
ENTITIES = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "PERSON",
    "US_SSN",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "DATE_OF_BIRTH",
    "STREET_ADDRESS",
    "US_PASSPORT",
    "US_DRIVER_LICENSE",
    "FREE_TEXT_PII",
)

#: "Today" for the corpus. Fixed, so the corpus is the same whenever it is built; recent
#: (order, event) dates fall in the year before it, birth dates 20-86 years before it.
REFERENCE_DAY = dt.date(2026, 6, 30)

#: mimesis locales names are drawn from: Veil must know names beyond en_US.
NAME_LOCALES = (
    Locale.EN,
    Locale.EN_GB,
    Locale.DE,
    Locale.FR,
    Locale.ES,
    Locale.IT,
    Locale.NL,
    Locale.PL,
    Locale.PT_BR,
    Locale.SV,
)


# --- The random source of one column -----------------------------------------------------


class Gen:
    """Everything one column draws from: its own ``random.Random`` and reseeded providers.

    Providers (mimesis, Faker) are built once per locale and shared, because building
    them is slow; each column reseeds the ones it uses from its own stream on first use,
    so the column's values depend only on the seed and the column's name.
    """

    def __init__(self, seed: int, key: str) -> None:
        self.rng = random.Random(f"{seed}/{key}")
        self._base = self.rng.getrandbits(32)
        self._seeded: set[str] = set()

    def _provider_seed(self, name: str) -> int:
        return self._base ^ zlib.crc32(name.encode())

    def person(self, locale: Locale) -> Person:
        return self._reseeded(f"person/{locale.value}", _mimesis_person(locale))

    def address(self, locale: Locale) -> Address:
        return self._reseeded(f"address/{locale.value}", _mimesis_address(locale))

    def finance(self) -> Finance:
        return self._reseeded("finance", _mimesis_finance())

    def faker(self, locale: str) -> Faker:
        fake = _faker(locale)
        if f"faker/{locale}" not in self._seeded:
            self._seeded.add(f"faker/{locale}")
            fake.seed_instance(self._provider_seed(f"faker/{locale}"))
        return fake

    def _reseeded(self, name: str, provider: _P) -> _P:
        if name not in self._seeded:
            self._seeded.add(name)
            provider.reseed(self._provider_seed(name))
        return provider

    # Small conveniences used by the value generators.
    def digits(self, n: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(n))

    def letters(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_uppercase) for _ in range(n))

    def pick(self, options: Sequence[_T]) -> _T:
        return self.rng.choice(options)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


@cache
def _mimesis_person(locale: Locale) -> Person:
    return Person(locale)


@cache
def _mimesis_address(locale: Locale) -> Address:
    return Address(locale)


@cache
def _mimesis_finance() -> Finance:
    return Finance(Locale.EN)


@cache
def _faker(locale: str) -> Faker:
    return Faker(locale)


ValueFn = Callable[[Gen], object]


# --- Checksums and validity rules (exported: the tests check generated values) ---------


def luhn_valid(number: str) -> bool:
    """Luhn (mod-10) check of the digits in ``number``; separators are ignored."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) < 2:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_complete(partial: str) -> str:
    """``partial`` with the check digit that makes it pass Luhn appended."""
    for check in string.digits:
        if luhn_valid(partial + check):
            return partial + check
    raise AssertionError("unreachable: one check digit always fits")


def _iban_number(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text))


def iban_valid(iban: str) -> bool:
    """ISO 13616 mod-97 check of an IBAN, spaces and case ignored."""
    compact = "".join(iban.split()).upper()
    if len(compact) < 15 or not compact[:2].isalpha() or not compact.isalnum():
        return False
    return _iban_number(compact[4:] + compact[:4]) % 97 == 1


def iban_from_bban(country: str, bban: str) -> str:
    """The IBAN of ``bban`` in ``country``, with its mod-97 check digits."""
    check = 98 - _iban_number(bban + country + "00") % 97
    return f"{country}{check:02d}{bban}"


def ssn_valid(ssn: str) -> bool:
    """Issuable US SSN: area not 000, 666 or 9xx; group not 00; serial not 0000."""
    digits = "".join(c for c in ssn if c.isdigit())
    if len(digits) != 9:
        return False
    area, group, serial = int(digits[:3]), int(digits[3:5]), int(digits[5:])
    return area not in (0, 666) and area < 900 and group != 0 and serial != 0


def aba_valid(routing: str) -> bool:
    """ABA routing number checksum (3-7-1 weights)."""
    if len(routing) != 9 or not routing.isdigit():
        return False
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(routing, weights, strict=True)) % 10 == 0


# --- PII value generators ---------------------------------------------------------------

EMAIL_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.co.uk",
    "web.de",
    "gmx.de",
    "orange.fr",
    "free.fr",
    "icloud.com",
    "proton.me",
    "libero.it",
    "ziggo.nl",
)
COMPANY_DOMAINS = (
    "northwind-traders.com",
    "acme-logistics.io",
    "brightwave.co.uk",
    "kestrel-analytics.de",
    "mail.fabrikam.org",
    "lumio.consulting",
    "helios-energy.fr",
    "tailspin.travel",
)


_UNDECOMPOSABLE = str.maketrans({"ß": "ss", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe"})


def _ascii(text: str) -> str:
    """An email-safe local part: accents dropped, spaces and quotes removed."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_UNDECOMPOSABLE))
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in kept if c.isalnum() or c in ".-_")


def _name(g: Gen, locale: Locale | None = None) -> tuple[str, str]:
    """(first, last) from mimesis, in ``locale`` or a random name locale."""
    person = g.person(locale or g.pick(NAME_LOCALES))
    return person.first_name(), person.last_name()


def email(g: Gen, style: str = "mixed") -> str:
    """An email address built from a mimesis name (or mimesis' own word-based one)."""
    first, last = _name(g)
    f, l_ = _ascii(first), _ascii(last)
    styles = {
        "first.last": lambda: f"{f}.{l_}@{g.pick(EMAIL_DOMAINS)}",
        "flast": lambda: f"{f[:1]}{l_}{g.rng.randint(1, 99)}@{g.pick(EMAIL_DOMAINS)}",
        "work": lambda: f"{f}.{l_}@{g.pick(COMPANY_DOMAINS)}",
        "plus": lambda: f"{f}+{g.pick(['news', 'shop', 'promo', 'x'])}@{g.pick(EMAIL_DOMAINS)}",
        "under": lambda: f"{f}_{l_}{g.rng.randint(1950, 2005)}@{g.pick(EMAIL_DOMAINS)}",
        "mimesis": lambda: g.person(Locale.EN).email(),
    }
    choice = g.pick(list(styles)) if style == "mixed" else style
    return styles[choice]()


def email_with_display_name(g: Gen) -> str:
    first, last = _name(g)
    return f"{first} {last} <{_ascii(first)}.{_ascii(last)}@{g.pick(EMAIL_DOMAINS)}>"


#: National number prefixes per region; the rest of the digits is random and the
#: result is kept only if libphonenumber calls it a valid number.
PHONE_PREFIXES = {
    "US": ("212", "415", "617", "312", "206", "305", "512", "702", "404", "303", "646", "718"),
    "GB": ("20", "161", "131", "113", "117", "7700", "7911", "7400", "7825"),
    "DE": ("30", "89", "40", "221", "69", "151", "152", "160", "170", "176"),
    "FR": ("1", "2", "3", "4", "5", "6", "7"),
}
PHONE_LENGTHS = {"US": (10,), "GB": (10,), "DE": (10, 11), "FR": (9,)}


def phone_number(g: Gen, region: str) -> phonenumbers.PhoneNumber:
    """A valid (per libphonenumber) number of ``region``."""
    code = phonenumbers.country_code_for_region(region)
    while True:
        prefix = g.pick(PHONE_PREFIXES[region])
        nsn = prefix + g.digits(g.pick(PHONE_LENGTHS[region]) - len(prefix))
        if region == "US" and nsn[3] in "01":  # exchanges never start with 0 or 1
            continue
        number = phonenumbers.parse(f"+{code}{nsn}")
        if phonenumbers.is_valid_number(number):
            return number


def phone(g: Gen, region: str, style: str) -> str:
    """A phone number of ``region`` written the way ``style`` names.

    Styles: ``e164`` (+14155550132), ``intl`` (+1 415-555-0132), ``national``
    ((415) 555-0132, 020 7946 0958, 030 1234567, 01 23 45 67 89), ``dashes``, ``dots``,
    ``slash`` (German 030/1234567), ``intl0`` (+49 (0)30 1234567), ``msisdn`` (E.164
    digits without the plus, as telecom exports write them).
    """
    number = phone_number(g, region)
    fmt = phonenumbers.PhoneNumberFormat
    national = phonenumbers.format_number(number, fmt.NATIONAL)
    nsn = phonenumbers.national_significant_number(number)
    e164 = phonenumbers.format_number(number, fmt.E164)
    if style == "e164":
        return e164
    if style == "msisdn":
        return e164[1:]
    if style == "intl":
        return phonenumbers.format_number(number, fmt.INTERNATIONAL)
    if style == "national":
        return national
    if style == "dashes" and region == "US":
        return f"{nsn[:3]}-{nsn[3:6]}-{nsn[6:]}"
    if style == "dots" and region == "US":
        return f"{nsn[:3]}.{nsn[3:6]}.{nsn[6:]}"
    if style == "dots":
        return national.replace(" ", ".")
    if style == "slash":
        area, _, rest = national.partition(" ")
        return f"{area}/{rest.replace(' ', '')}"
    if style == "intl0":
        area, _, rest = national.partition(" ")
        return f"+{number.country_code} (0){area[1:]} {rest}"
    if style == "one-dash" and region == "US":
        return f"1-{nsn[:3]}-{nsn[3:6]}-{nsn[6:]}"
    raise ValueError(f"no phone style {style!r} for {region}")


def phone_mixed(g: Gen) -> str:
    region = g.pick(("US", "GB", "DE", "FR"))
    styles = ["e164", "intl", "national"] + (["dashes", "dots"] if region == "US" else [])
    return phone(g, region, g.pick(styles))


def ssn(g: Gen, sep: str = "-") -> str:
    """An issuable SSN, avoiding the well-known fake ones (123-45-6789, repeated digits)."""
    while True:
        area = g.rng.randint(1, 899)
        if area == 666:
            continue
        group, serial = g.rng.randint(1, 99), g.rng.randint(1, 9999)
        value = f"{area:03d}{sep}{group:02d}{sep}{serial:04d}"
        digits = value.replace(sep, "")
        if digits != "123456789" and len(set(digits)) > 2:
            return value


#: brand → (prefix chooser, length).
CARD_BRANDS: dict[str, tuple[Callable[[Gen], str], int]] = {
    "visa": (lambda g: "4", 16),
    "mastercard": (lambda g: f"5{g.rng.randint(1, 5)}", 16),
    "mastercard2": (lambda g: str(g.rng.randint(2221, 2720)), 16),
    "amex": (lambda g: g.pick(("34", "37")), 15),
    "discover": (lambda g: g.pick(("6011", "65")), 16),
    "jcb": (lambda g: str(g.rng.randint(3528, 3589)), 16),
    "diners": (lambda g: "36", 14),
}


def card_digits(g: Gen, brand: str) -> str:
    prefix_of, length = CARD_BRANDS[brand]
    prefix = prefix_of(g)
    return luhn_complete(prefix + g.digits(length - len(prefix) - 1))


def group_card(digits: str, sep: str) -> str:
    """Digits grouped the way the brand prints them: 4-6-5 (Amex), 4-6-4 (Diners), 4-4-4-4."""
    if not sep:
        return digits
    if len(digits) in (14, 15):
        parts = [digits[:4], digits[4:10], digits[10:]]
    else:
        parts = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return sep.join(parts)


def card(g: Gen, brands: Sequence[str], seps: Sequence[str] = ("",)) -> str:
    return group_card(card_digits(g, g.pick(brands)), g.pick(seps))


#: Country → BBAN layout as (count, kind) with kind n (digit), a (letter), c (either).
IBAN_LAYOUTS: dict[str, tuple[tuple[int, str], ...]] = {
    "DE": ((8, "n"), (10, "n")),
    "FR": ((5, "n"), (5, "n"), (11, "c"), (2, "n")),
    "GB": ((4, "a"), (6, "n"), (8, "n")),
    "ES": ((4, "n"), (4, "n"), (1, "n"), (1, "n"), (10, "n")),
    "IT": ((1, "a"), (5, "n"), (5, "n"), (12, "c")),
    "NL": ((4, "a"), (10, "n")),
    "BE": ((3, "n"), (7, "n"), (2, "n")),
    "CH": ((5, "n"), (12, "c")),
    "AT": ((5, "n"), (11, "n")),
    "PL": ((8, "n"), (16, "n")),
    "IE": ((4, "a"), (6, "n"), (8, "n")),
    "PT": ((4, "n"), (4, "n"), (11, "n"), (2, "n")),
}
#: Real bank codes where the BBAN starts with letters, so the IBANs look like real ones.
IBAN_BANK_CODES = {
    "GB": ("NWBK", "BARC", "HBUK", "LOYD", "MIDL"),
    "NL": ("ABNA", "INGB", "RABO", "TRIO"),
    "IE": ("AIBK", "BOFI"),
}


def iban(g: Gen, countries: Sequence[str], spaced: bool | None = False) -> str:
    """A valid IBAN of one of ``countries``; grouped by four when ``spaced`` (None: either)."""
    country = g.pick(countries)
    parts = []
    for i, (count, kind) in enumerate(IBAN_LAYOUTS[country]):
        if i == 0 and country in IBAN_BANK_CODES:
            parts.append(g.pick(IBAN_BANK_CODES[country]))
        elif kind == "n":
            parts.append(g.digits(count))
        elif kind == "a":
            parts.append(g.letters(count))
        else:  # mostly digits, as real account numbers are
            parts.append("".join(g.pick(string.digits * 4 + "ABCDEFX") for _ in range(count)))
    value = iban_from_bban(country, "".join(parts))
    if spaced is None:
        spaced = g.chance(0.5)
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4)) if spaced else value


def ipv4(g: Gen, private: bool = False) -> str:
    if private:
        if g.chance(0.5):
            return f"10.{g.rng.randint(0, 255)}.{g.rng.randint(0, 255)}.{g.rng.randint(1, 254)}"
        return f"192.168.{g.rng.randint(0, 255)}.{g.rng.randint(1, 254)}"
    first = g.pick([n for n in range(1, 224) if n not in (10, 127, 172, 192)])
    rest = [g.rng.randint(0, 255), g.rng.randint(0, 255), g.rng.randint(1, 254)]
    return ".".join(str(n) for n in [first, *rest])


def ipv6(g: Gen, exploded: bool = False) -> str:
    """A global unicast IPv6 address; some groups zero so the compressed form has ``::``."""
    groups = [g.rng.randint(0x2001, 0x2A10)] + [g.rng.randint(0, 0xFFFF) for _ in range(7)]
    if g.chance(0.6):
        start = g.rng.randint(2, 5)
        for i in range(start, start + g.rng.randint(2, 3)):
            groups[i] = 0
    address = ipaddress.IPv6Address(sum(v << (16 * (7 - i)) for i, v in enumerate(groups)))
    return address.exploded if exploded else address.compressed


def ip_mixed(g: Gen) -> str:
    return ipv6(g) if g.chance(0.3) else ipv4(g)


def birth_date(g: Gen) -> dt.date:
    """A date of birth 20 to 86 years before REFERENCE_DAY."""
    start, end = dt.date(1940, 1, 1), dt.date(2006, 6, 30)
    return start + dt.timedelta(days=g.rng.randint(0, (end - start).days))


def birth_date_text(g: Gen, fmt: str) -> str:
    return birth_date(g).strftime(fmt)


def birth_timestamp(g: Gen) -> dt.datetime:
    """A date of birth stored in a TIMESTAMP column, as legacy systems do: at midnight."""
    return dt.datetime.combine(birth_date(g), dt.time())


def street_address(g: Gen, style: str) -> str:
    """A street address; ``style`` picks country, source and how much of it is there."""
    us, gb = g.faker("en_US"), g.faker("en_GB")
    de, fr = g.faker("de_DE"), g.faker("fr_FR")
    styles: dict[str, Callable[[], str]] = {
        "us": us.street_address,
        "us-mimesis": g.address(Locale.EN).address,
        "us-full": lambda: f"{us.street_address()}, {us.city()}, {us.state_abbr()} {us.zipcode()}",
        "us-multiline": lambda: _civilian(us.address),
        "gb": gb.street_address,
        "gb-full": lambda: f"{gb.street_address()}, {gb.city()} {gb.postcode()}",
        "de": de.street_address,
        "de-mimesis": g.address(Locale.DE).address,
        "de-full": lambda: f"{de.street_address()}, {de.postcode()} {de.city()}",
        "fr": fr.street_address,
        "fr-full": lambda: f"{fr.street_address()}, {fr.postcode()} {fr.city()}",
    }
    return styles[style]()


_MILITARY_POST = re.compile(r"\b[ADF]PO A[AEP] \d{5}\b")


def _civilian(make: Callable[[], str]) -> str:
    """A Faker en_US address that is not a military one ("USNS Smith\\nFPO AE 12345")."""
    while True:
        value = make()
        if not _MILITARY_POST.search(value):
            return value


def street_mixed(g: Gen) -> str:
    return street_address(g, g.pick(("us", "us-full", "gb", "gb-full", "de", "fr-full")))


def passport(g: Gen, style: str = "letter") -> str:
    """US passport number: a letter and 8 digits (next generation) or 9 digits (older)."""
    if style == "mixed":
        style = g.pick(("letter", "digits"))
    if style == "letter":
        return g.pick("ACEFGHJKLMNPRSTUVWXZ") + g.digits(8)
    return str(g.rng.randint(1, 9)) + g.digits(8)


#: State → license number layout: L letter, # digit, * letter or digit; others literal.
DL_LAYOUTS = {
    "CA": "L#######",
    "NY": "### ### ###",
    "FL": "L###-###-##-###-#",
    "IL": "L###-####-####",
    "TX": "########",
    "PA": "## ### ###",
    "WA": "WDL*********",
    "MI": "L ### ### ### ###",
    "NJ": "L#### ##### #####",
    "OH": "LL######",
    "WI": "L###-####-####-##",
    "MD": "L-###-###-###-###",
}


def driver_license(g: Gen, states: Sequence[str]) -> str:
    out = []
    for c in DL_LAYOUTS[g.pick(states)]:
        if c == "L":
            out.append(g.letters(1))
        elif c == "#":
            out.append(g.digits(1))
        elif c == "*":
            out.append(g.pick(string.ascii_uppercase + string.digits))
        else:
            out.append(c)
    return "".join(out)


def full_name(g: Gen, locale: Locale | None = None, style: str = "first last") -> str:
    first, last = _name(g, locale)
    if style == "last, first":
        return f"{last}, {first}"
    if style == "title":
        return f"{g.pick(('Mr.', 'Ms.', 'Mrs.', 'Dr.'))} {first} {last}"
    if style == "middle":
        return f"{first} {g.letters(1)}. {last}"
    return f"{first} {last}"


def first_name(g: Gen, locale: Locale | None = None) -> str:
    return _name(g, locale)[0]


def last_name(g: Gen, locale: Locale | None = None) -> str:
    return _name(g, locale)[1]


# --- Free text, with and without PII ----------------------------------------------------

_PII_TEXT = {
    "support": (
        "Customer {name} called about order {order}; please call back on {phone}.",
        "Hi, this is {first}. My new address is {address}. Thanks!",
        "Please send the invoice to {email} instead of the old address.",
        "{name} says the parcel never arrived. Reach her at {email} or {phone}.",
        "Refund requested by {name} to the card ending in {last4}, order {order}.",
        "Can you update my phone to {phone}? Regards, {name}",
    ),
    "kyc": (
        "Verified ID for {name}, born {dob}, SSN {ssn}.",
        "Passport {passport} checked against {name}; address {address} confirmed.",
        "Applicant {name} (DOB {dob}) failed the address check at {address}.",
        "Manual review: SSN {ssn} belongs to {name}, not to the account holder.",
    ),
    "payments": (
        "Chargeback on card {card} disputed by {name}.",
        "Customer {name} paid with {card}, please refund to IBAN {iban}.",
        "Wire from {iban} received, sender {name}.",
        "{name} asked us to remove card {card} from the account.",
    ),
    "hr": (
        "{name} did great work on the migration; {first} should lead the next one.",
        "Met with {name} about the reorg. Follow up by email: {email}.",
        "{first} is moving to {address} and asked for remote work.",
        "Emergency contact for {name}: {other}, {phone}.",
    ),
    "delivery": (
        "Leave with neighbour {name} at {address} if nobody answers.",
        "Call {phone} on arrival, ask for {first}.",
        "Gate code 4471. Recipient {name}, mobile {phone}.",
        "Deliver to {address}, back entrance. Contact {email}.",
    ),
    "de": (
        "Bitte rufen Sie {name} unter {phone} zurück.",
        "Neue Anschrift von {name}: {address}.",
        "Kunde {name} bittet um Rechnung an {email}.",
    ),
    "fr": (
        "Merci de rappeler {name} au {phone}.",
        "Nouvelle adresse de {name} : {address}.",
        "{name} demande la facture par e-mail : {email}.",
    ),
    "gift": (
        "Happy birthday {first}! Love, {other_first}",
        "Dear {name}, congratulations on the new job. {other_first}",
        "For {first} and {other_first}, with love from {name}.",
    ),
}

_CLEAN_TEXT = {
    "review": (
        "Great quality, arrived two days early.",
        "The zipper broke after a week. Disappointed.",
        "Fits as expected, the colour is a bit darker than in the photos.",
        "Will buy again. Packaging was excellent.",
        "Does what it says. Battery lasts about 10 hours.",
        "Too small, had to return it for size L.",
        "Mark on the sleeve when it arrived, otherwise fine.",
        "Hope it lasts longer than the previous model.",
        "Five stars, the best blender I have owned.",
        "Shipping took 12 days, product is okay.",
        "Instructions were unclear but assembly took 20 minutes.",
        "Sound quality is good for the price.",
    ),
    "ops": (
        "Disk usage on the reporting replica above 85 percent; rotated logs.",
        "Deploy of build 4812 rolled back after elevated 5xx rates.",
        "Nightly ETL finished late because the upstream export was delayed.",
        "Cache hit ratio dropped to 62 percent after the config change.",
        "Certificate renewed, expires in 90 days.",
        "Queue depth back to normal after scaling workers from 4 to 8.",
    ),
    "product": (
        "Lightweight waterproof shell with taped seams and two zip pockets.",
        "Stainless steel, dishwasher safe, 1.5 litre capacity.",
        "Organic cotton, relaxed fit, machine wash at 30 degrees.",
        "Includes charger, USB-C cable and a quick start guide.",
        "Made from recycled plastics; available in three colours.",
    ),
    "survey": (
        "The checkout was easy but the delivery options were confusing.",
        "I would like more vegetarian options in the menu.",
        "Support answered within an hour, very helpful.",
        "Prices went up too much this year.",
        "The app crashes when I open the order history.",
        "Nothing to add.",
    ),
}


def pii_text(g: Gen, domains: Sequence[str], share: float = 1.0) -> str:
    """A short note with PII inside: names, contacts, identifiers in running prose.

    With probability ``1 - share`` the note is PII-free instead, as real comment columns
    are a mix; every such column still carries PII in most of its values.
    """
    if not g.chance(share):
        return pii_free_text(g, ("survey", "review"))
    template = g.pick(_PII_TEXT[g.pick(domains)])
    locale = Locale.DE if "Bitte" in template or "Anschrift" in template else None
    first, last = _name(g, locale)
    slots = {
        "name": f"{first} {last}",
        "first": first,
        "other": full_name(g),
        "other_first": first_name(g),
        "email": email(g),
        "phone": phone_mixed(g),
        "address": street_mixed(g),
        "ssn": ssn(g),
        "dob": birth_date_text(g, g.pick(("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"))),
        "card": card(g, ("visa", "mastercard", "amex"), (" ", "")),
        "iban": iban(g, ("DE", "FR", "NL", "GB"), None),
        "passport": passport(g),
        "order": f"ORD-{g.digits(6)}",
        "last4": g.digits(4),
    }
    return template.format(**slots)


def pii_free_text(g: Gen, domains: Sequence[str]) -> str:
    """One to three sentences of prose without personal data."""
    pool = [s for d in domains for s in _CLEAN_TEXT[d]]
    return " ".join(g.rng.sample(pool, g.rng.randint(1, min(3, len(pool)))))


# --- Decoy value generators -------------------------------------------------------------


def uuid4_text(g: Gen) -> str:
    return str(uuid.UUID(int=g.rng.getrandbits(128), version=4))


def uuid4_value(g: Gen) -> uuid.UUID:
    return uuid.UUID(int=g.rng.getrandbits(128), version=4)


def order_number(g: Gen) -> str:
    style = g.rng.randint(0, 2)
    if style == 0:
        return f"ORD-{g.rng.randint(2024, 2026)}-{g.digits(6)}"
    if style == 1:
        return f"SO{g.digits(7)}"
    return f"#{g.rng.randint(100000, 999999)}"


def tracking_number(g: Gen, carrier: str) -> str:
    if carrier == "ups":
        return (
            "1Z"
            + "".join(g.pick(string.ascii_uppercase + string.digits) for _ in range(6))
            + (g.digits(10))
        )
    if carrier == "fedex":
        return g.digits(12)
    if carrier == "usps":
        digits = "94" + g.digits(20)
        return " ".join(digits[i : i + 4] for i in range(0, 22, 4))
    return g.digits(10)  # DHL


def luhn_failing_16(g: Gen, sep: str = "") -> str:
    """16 digits starting like a Visa or Mastercard, with a wrong check digit."""
    valid = card_digits(g, g.pick(("visa", "mastercard")))
    wrong = str((int(valid[-1]) + g.rng.randint(1, 9)) % 10)
    return group_card(valid[:-1] + wrong, sep)


def version_string(g: Gen, style: str = "semver") -> str:
    major, minor, patch = g.rng.randint(0, 12), g.rng.randint(0, 30), g.rng.randint(0, 40)
    if style == "assembly":  # .NET / Windows style; build numbers mostly above 255
        return f"{major}.{minor}.{g.rng.randint(100, 30000)}.{g.rng.randint(0, 9999)}"
    suffix = g.pick(("", "", "", "-beta.1", "-rc.2", "+build.7"))
    return f"{g.pick(('', 'v'))}{major}.{minor}.{patch}{suffix}"


def hex_digest(g: Gen, algorithm: str) -> str:
    return hashlib.new(algorithm, g.rng.randbytes(16)).hexdigest()


def recent_datetime(g: Gen) -> dt.datetime:
    """A moment in the year before REFERENCE_DAY: order, event, login times."""
    end = dt.datetime.combine(REFERENCE_DAY, dt.time(23, 59, 59))
    return end - dt.timedelta(seconds=g.rng.randint(0, 365 * 86400))


def recent_date(g: Gen) -> dt.date:
    return recent_datetime(g).date()


def future_date(g: Gen) -> dt.date:
    return REFERENCE_DAY + dt.timedelta(days=g.rng.randint(1, 3 * 365))


def timestamp_text(g: Gen, fmt: str) -> str:
    moment = recent_datetime(g)
    if fmt == "iso-z":
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{g.rng.randint(0, 999):03d}Z"
    return moment.strftime(fmt)


def epoch_seconds(g: Gen) -> int:
    return int(recent_datetime(g).replace(tzinfo=dt.UTC).timestamp())


def amount(g: Gen) -> Decimal:
    return Decimal(g.rng.randint(100, 250_000)) / 100


def amount_text(g: Gen, style: str) -> str:
    value = amount(g)
    if style == "usd":
        return f"${value:,.2f}"
    text = f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text} €"


_PRODUCT_BRANDS = ("Acme", "Nordwind", "Lumio", "Kestrel", "Brightline", "Polar", "Vantage")
_PRODUCT_ADJECTIVES = ("Ultra", "Classic", "Compact", "Pro", "Eco", "Trail", "Urban", "Soft")
_PRODUCT_NOUNS = (
    "Blender",
    "Desk Lamp",
    "Rain Jacket",
    "Water Bottle",
    "Backpack",
    "Headphones",
    "Running Shoe",
    "Coffee Grinder",
    "Wool Sweater",
    "Phone Case",
    "Yoga Mat",
    "Kettle",
)


def product_name(g: Gen) -> str:
    model = g.pick(("", "", f" {g.rng.randint(2, 9)}", f" X{g.rng.randint(100, 900)}"))
    brand = g.pick(_PRODUCT_BRANDS)
    return f"{brand} {g.pick(_PRODUCT_ADJECTIVES)} {g.pick(_PRODUCT_NOUNS)}{model}"


def sku(g: Gen) -> str:
    if g.chance(0.5):
        return f"SKU-{g.letters(2)}-{g.digits(5)}"
    colour = g.pick(("BLU", "RED", "BLK", "WHT", "GRN"))
    return f"{g.letters(3)}-{colour}-{g.pick(('XS', 'S', 'M', 'L', 'XL'))}"


def ean13(g: Gen) -> str:
    body = g.pick(("400", "300", "500", "800", "870")) + g.digits(9)
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def aba_routing(g: Gen) -> str:
    while True:
        candidate = g.pick(("0", "1", "2", "3")) + g.digits(8)
        if aba_valid(candidate):
            return candidate


COUNTRY_CODES = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "PL", "SE", "CA", "AU", "BR")
US_STATES = ("CA", "NY", "TX", "FL", "IL", "PA", "OH", "WA", "MI", "NJ", "GA", "MA")
CITY_LOCALES = (Locale.EN, Locale.EN_GB, Locale.DE, Locale.FR, Locale.ES, Locale.IT)


def city(g: Gen) -> str:
    return g.address(g.pick(CITY_LOCALES)).city()


def postcode(g: Gen) -> str:
    locale = g.pick((Locale.EN, Locale.EN_GB, Locale.DE, Locale.FR))
    return g.address(locale).postal_code()


def country_name(g: Gen) -> str:
    return g.address(Locale.EN).country()


def company(g: Gen) -> str:
    return g.finance().company()


def job_title(g: Gen) -> str:
    return g.person(Locale.EN).occupation()


def masked_card(g: Gen) -> str:
    return f"**** **** **** {g.digits(4)}"


def masked_email(g: Gen) -> str:
    return f"{g.letters(1).lower()}***@{g.pick(EMAIL_DOMAINS)}"


def user_agent(g: Gen) -> str:
    chrome = f"{g.rng.randint(100, 126)}.0.{g.rng.randint(4000, 6500)}.{g.rng.randint(10, 200)}"
    platform = g.pick(
        (
            "Windows NT 10.0; Win64; x64",
            "Macintosh; Intel Mac OS X 10_15_7",
            "X11; Linux x86_64",
            "iPhone; CPU iPhone OS 17_4 like Mac OS X",
        )
    )
    return (
        f"Mozilla/5.0 ({platform}) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{chrome} Safari/537.36"
    )


def url(g: Gen) -> str:
    path = "/".join(g.pick(("shop", "p", "cart", "search", "help", "blog")) for _ in range(2))
    return f"https://www.{g.pick(COMPANY_DOMAINS)}/{path}?ref={g.digits(4)}"


def mac_address(g: Gen) -> str:
    return ":".join(f"{g.rng.randint(0, 255):02x}" for _ in range(6))


def hostname(g: Gen) -> str:
    role = g.pick(("web", "db", "cache", "worker", "etl"))
    return f"{role}-{g.rng.randint(1, 40):02d}.{g.pick(('eu-west-1', 'us-east-2'))}.internal"


def json_payload(g: Gen) -> str:
    return json.dumps(
        {"sku": sku(g), "qty": g.rng.randint(1, 5), "price": float(amount(g)), "gift": False}
    )


def log_message(g: Gen) -> str:
    return g.pick(
        (
            f"GET /api/v2/orders/{g.digits(6)} 200 in {g.rng.randint(3, 900)} ms",
            f"retrying job {uuid4_text(g)} (attempt {g.rng.randint(1, 5)})",
            f"connection pool exhausted: {g.rng.randint(20, 64)} of 64 in use",
            f"cache miss for key product:{g.digits(5)}",
            "scheduler heartbeat ok",
        )
    )


def booking_ref(g: Gen) -> str:
    return "".join(g.pick("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))


def flight_number(g: Gen) -> str:
    return f"{g.pick(('LH', 'BA', 'AF', 'UA', 'KL', 'DL'))} {g.rng.randint(10, 9999)}"


def coupon(g: Gen) -> str:
    return f"{g.pick(('SAVE', 'WELCOME', 'SPRING', 'VIP'))}{g.rng.randint(5, 50)}-{g.letters(4)}"


def constant_choice(options: Sequence[object]) -> ValueFn:
    return lambda g: g.pick(options)


def integer(low: int, high: int) -> ValueFn:
    return lambda g: g.rng.randint(low, high)


# --- Column kinds -----------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """What a column holds: its label, a family for reporting, and how to make a value.

    ``family`` groups kinds for the reports: for PII the format ("E.164", "US national"),
    for non-PII the decoy family ("UUID", "9-digit invoice number"), so false positives
    can be counted per family.
    """

    label: str | None
    family: str
    make: ValueFn
    sql_type: str = "VARCHAR"


def pii(entity: str, fmt: str, make: ValueFn, sql_type: str = "VARCHAR") -> Kind:
    assert entity in ENTITIES, entity
    return Kind(entity, fmt, make, sql_type)


def decoy(family: str, make: ValueFn, sql_type: str = "VARCHAR") -> Kind:
    return Kind(None, family, make, sql_type)


@dataclass(frozen=True)
class Mess:
    """How dirty a column's values are, as shares of its rows.

    ``nulls`` are SQL NULLs; ``blanks`` are empty or whitespace strings and placeholders
    ("N/A", "-", "unknown"); ``case`` rewrites values to upper, lower or a random mix;
    ``spaces`` pads a share of values with stray leading/trailing/double spaces.
    """

    nulls: float = 0.0
    blanks: float = 0.0
    case: str | None = None
    spaces: float = 0.0


CLEAN = Mess()
_PLACEHOLDERS = ("", " ", "  ", "N/A", "n/a", "-", "unknown", "none")


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    mess: Mess = CLEAN
    family: str | None = None  # overrides kind.family, e.g. "PII-like name"

    @property
    def label(self) -> str | None:
        return self.kind.label

    @property
    def family_name(self) -> str:
        return self.family or self.kind.family


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...]


def col(name: str, kind: Kind, mess: Mess = CLEAN, *, family: str | None = None) -> Column:
    return Column(name, kind, mess, family)


def table(qualified: str, *columns: Column) -> Table:
    schema, _, name = qualified.partition(".")
    return Table(schema, name, columns)


def messy_value(g: Gen, value: object, mess: Mess) -> object:
    """Apply ``mess`` to one generated value (text values only, beyond NULLs)."""
    roll = g.rng.random()
    if roll < mess.nulls:
        return None
    if not isinstance(value, str):
        return value
    if roll < mess.nulls + mess.blanks:
        return g.pick(_PLACEHOLDERS)
    if mess.case == "upper" or (mess.case == "mixed" and g.chance(1 / 3)):
        value = value.upper()
    elif mess.case == "lower" or (mess.case == "mixed" and g.chance(1 / 2)):
        value = value.lower()
    if mess.spaces and g.chance(mess.spaces):
        value = g.pick((f" {value}", f"{value} ", f"  {value}  ", value.replace(" ", "  ", 1)))
    return value


# The kinds, named once and reused across tables. PII kinds first.

E = "EMAIL_ADDRESS"
EMAIL_MIXED = pii(E, "mixed styles", email)
EMAIL_FIRST_LAST = pii(E, "first.last@", lambda g: email(g, "first.last"))
EMAIL_WORK = pii(E, "work first.last@company", lambda g: email(g, "work"))
EMAIL_PLUS = pii(E, "plus addressing", lambda g: email(g, "plus"))
EMAIL_MIMESIS = pii(E, "word-based (mimesis)", lambda g: email(g, "mimesis"))
EMAIL_DISPLAY = pii(E, "Display Name <address>", email_with_display_name)

P = "PHONE_NUMBER"
PHONE_US_NATIONAL = pii(P, "US (415) 555-0132", lambda g: phone(g, "US", "national"))
PHONE_US_DASHES = pii(P, "US 415-555-0132", lambda g: phone(g, "US", "dashes"))
PHONE_US_DOTS = pii(P, "US 415.555.0132", lambda g: phone(g, "US", "dots"))
PHONE_US_ONE = pii(P, "US 1-415-555-0132", lambda g: phone(g, "US", "one-dash"))
PHONE_E164_MIXED = pii(
    P, "E.164 US/UK/DE/FR", lambda g: phone(g, g.pick(("US", "GB", "DE", "FR")), "e164")
)
PHONE_E164_US = pii(P, "E.164 US", lambda g: phone(g, "US", "e164"))
PHONE_UK_NATIONAL = pii(P, "UK national", lambda g: phone(g, "GB", "national"))
PHONE_UK_INTL = pii(P, "UK +44 international", lambda g: phone(g, "GB", "intl"))
PHONE_DE_NATIONAL = pii(P, "DE national", lambda g: phone(g, "DE", "national"))
PHONE_DE_SLASH = pii(
    P, "DE 030/1234567 and +49 (0)30", lambda g: phone(g, "DE", g.pick(("slash", "intl0")))
)
PHONE_FR_NATIONAL = pii(P, "FR 01 23 45 67 89", lambda g: phone(g, "FR", "national"))
PHONE_FR_DOTS = pii(P, "FR 01.23.45.67.89", lambda g: phone(g, "FR", "dots"))
PHONE_MIXED = pii(P, "mixed countries and formats", phone_mixed)
PHONE_MSISDN = pii(
    P, "MSISDN (E.164 without +)", lambda g: phone(g, g.pick(("DE", "GB", "FR")), "msisdn")
)

N = "PERSON"
NAME_FIRST_EN = pii(N, "first name (en)", lambda g: first_name(g, Locale.EN))
NAME_LAST_EN = pii(N, "last name (en)", lambda g: last_name(g, Locale.EN))
NAME_FIRST_DE = pii(N, "first name (de)", lambda g: first_name(g, Locale.DE))
NAME_LAST_DE = pii(N, "last name (de)", lambda g: last_name(g, Locale.DE))
NAME_FIRST_MIXED = pii(N, "first name (mixed locales)", first_name)
NAME_FULL_MIXED = pii(N, "full name (mixed locales)", full_name)
NAME_FULL_FR = pii(N, "full name (fr)", lambda g: full_name(g, Locale.FR))
NAME_FULL_NL = pii(N, "full name (nl)", lambda g: full_name(g, Locale.NL))
NAME_FULL_PT = pii(N, "full name (pt-br)", lambda g: full_name(g, Locale.PT_BR))
NAME_FULL_ES_IT = pii(
    N, "full name (es/it)", lambda g: full_name(g, g.pick((Locale.ES, Locale.IT)))
)
NAME_LAST_FIRST = pii(N, "Last, First (en-gb)", lambda g: full_name(g, Locale.EN_GB, "last, first"))
NAME_TITLE = pii(N, "Mr./Dr. First Last", lambda g: full_name(g, None, "title"))
NAME_MIDDLE = pii(
    N, "First M. Last (pl/sv)", lambda g: full_name(g, g.pick((Locale.PL, Locale.SV)), "middle")
)

S = "US_SSN"
SSN_DASHED = pii(S, "123-45-6789", ssn)
SSN_SPACED = pii(S, "123 45 6789", lambda g: ssn(g, " "))
SSN_DOTTED = pii(S, "123.45.6789", lambda g: ssn(g, "."))
SSN_PLAIN = pii(S, "9 digits", lambda g: ssn(g, ""))

C = "CREDIT_CARD"
ALL_BRANDS = tuple(CARD_BRANDS)
CARD_VISA = pii(C, "Visa, no separators", lambda g: card(g, ("visa",)))
CARD_VISA_DASHED = pii(C, "Visa, dashes", lambda g: card(g, ("visa",), ("-",)))
CARD_MC_SPACED = pii(
    C, "Mastercard 5x/2x, spaces", lambda g: card(g, ("mastercard", "mastercard2"), (" ",))
)
CARD_AMEX = pii(C, "Amex 4-6-5 and plain", lambda g: card(g, ("amex",), (" ", "")))
CARD_DISCOVER = pii(C, "Discover, no separators", lambda g: card(g, ("discover",)))
CARD_JCB_DINERS = pii(C, "JCB and Diners", lambda g: card(g, ("jcb", "diners"), ("", " ")))
CARD_MIXED = pii(C, "all brands, mixed separators", lambda g: card(g, ALL_BRANDS, ("", " ", "-")))

IB = "IBAN_CODE"
IBAN_DE = pii(IB, "DE compact", lambda g: iban(g, ("DE",)))
IBAN_DE_SPACED = pii(IB, "DE grouped", lambda g: iban(g, ("DE",), True))
IBAN_FR_SPACED = pii(IB, "FR grouped", lambda g: iban(g, ("FR",), True))
IBAN_GB = pii(IB, "GB compact", lambda g: iban(g, ("GB",)))
IBAN_ES_SPACED = pii(IB, "ES grouped", lambda g: iban(g, ("ES",), True))
IBAN_IT = pii(IB, "IT compact", lambda g: iban(g, ("IT",)))
IBAN_NL = pii(IB, "NL compact", lambda g: iban(g, ("NL",)))
IBAN_BE_SPACED = pii(IB, "BE grouped", lambda g: iban(g, ("BE",), True))
IBAN_CH_AT = pii(IB, "CH/AT compact", lambda g: iban(g, ("CH", "AT")))
IBAN_PL_SPACED = pii(IB, "PL grouped", lambda g: iban(g, ("PL",), True))
IBAN_MIXED = pii(IB, "12 countries, either", lambda g: iban(g, tuple(IBAN_LAYOUTS), None))

IP = "IP_ADDRESS"
IP_V4 = pii(IP, "IPv4 public", ipv4)
IP_V4_PRIVATE = pii(IP, "IPv4 private", lambda g: ipv4(g, private=True))
IP_V4_PORT = pii(IP, "IPv4:port", lambda g: f"{ipv4(g)}:{g.pick((443, 8080, 51234))}")
IP_V4_LIST = pii(
    IP, "X-Forwarded-For list", lambda g: ", ".join(ipv4(g) for _ in range(g.rng.randint(1, 2)))
)
IP_V6 = pii(IP, "IPv6 compressed", ipv6)
IP_V6_FULL = pii(IP, "IPv6 exploded", lambda g: ipv6(g, exploded=True))
IP_MIXED = pii(IP, "IPv4 and IPv6", ip_mixed)
IP_V4_MAPPED = pii(IP, "IPv4 and ::ffff:IPv4", lambda g: g.pick(("::ffff:", "")) + ipv4(g))

D = "DATE_OF_BIRTH"
DOB_DATE = pii(D, "DATE", birth_date, "DATE")
DOB_TIMESTAMP = pii(D, "TIMESTAMP at midnight", birth_timestamp, "TIMESTAMP")
DOB_ISO = pii(D, "text ISO 1985-03-12", lambda g: birth_date_text(g, "%Y-%m-%d"))
DOB_US = pii(D, "text US 03/12/1985", lambda g: birth_date_text(g, "%m/%d/%Y"))
DOB_EU_DOTS = pii(D, "text EU 12.03.1985", lambda g: birth_date_text(g, "%d.%m.%Y"))
DOB_EU_SLASH = pii(D, "text EU 12/03/1985", lambda g: birth_date_text(g, "%d/%m/%Y"))
DOB_LONG = pii(D, "text March 12, 1985", lambda g: birth_date_text(g, "%B %d, %Y"))
DOB_COMPACT = pii(D, "text 19850312", lambda g: birth_date_text(g, "%Y%m%d"))

A = "STREET_ADDRESS"
ADDR_US = pii(A, "US street (Faker)", lambda g: street_address(g, "us"))
ADDR_US_MIMESIS = pii(A, "US street (mimesis)", lambda g: street_address(g, "us-mimesis"))
ADDR_US_FULL = pii(A, "US one line with city, state, ZIP", lambda g: street_address(g, "us-full"))
ADDR_US_MULTILINE = pii(A, "US two lines", lambda g: street_address(g, "us-multiline"))
ADDR_GB = pii(A, "UK street", lambda g: street_address(g, "gb"))
ADDR_GB_FULL = pii(A, "UK with town and postcode", lambda g: street_address(g, "gb-full"))
ADDR_DE = pii(A, "DE street (Faker)", lambda g: street_address(g, "de"))
ADDR_DE_MIMESIS = pii(A, "DE street (mimesis)", lambda g: street_address(g, "de-mimesis"))
ADDR_DE_FULL = pii(A, "DE with postcode and city", lambda g: street_address(g, "de-full"))
ADDR_FR = pii(A, "FR street", lambda g: street_address(g, "fr"))
ADDR_FR_FULL = pii(A, "FR with postcode and city", lambda g: street_address(g, "fr-full"))
ADDR_MIXED = pii(A, "US/UK/DE/FR mixed", street_mixed)

PP = "US_PASSPORT"
PASSPORT_LETTER = pii(PP, "letter + 8 digits", passport)
PASSPORT_DIGITS = pii(PP, "9 digits", lambda g: passport(g, "digits"))
PASSPORT_MIXED = pii(PP, "both", lambda g: passport(g, "mixed"))

DL = "US_DRIVER_LICENSE"
DL_CA = pii(DL, "CA A1234567", lambda g: driver_license(g, ("CA",)))
DL_TX = pii(DL, "TX 8 digits", lambda g: driver_license(g, ("TX",)))
DL_FL = pii(DL, "FL A123-456-78-901-2", lambda g: driver_license(g, ("FL",)))
DL_IL = pii(DL, "IL A123-4567-8901", lambda g: driver_license(g, ("IL",)))
DL_NY = pii(DL, "NY 123 456 789", lambda g: driver_license(g, ("NY",)))
DL_WA = pii(DL, "WA WDL + 9", lambda g: driver_license(g, ("WA",)))
DL_NJ = pii(DL, "NJ A1234 56789 01234", lambda g: driver_license(g, ("NJ",)))
DL_MI = pii(DL, "MI A 123 456 789 012", lambda g: driver_license(g, ("MI",)))
DL_OH = pii(DL, "OH AB123456", lambda g: driver_license(g, ("OH",)))
DL_PA = pii(DL, "PA 12 345 678", lambda g: driver_license(g, ("PA",)))
DL_WI_MD = pii(DL, "WI/MD dashed", lambda g: driver_license(g, ("WI", "MD")))
DL_MIXED = pii(DL, "12 states mixed", lambda g: driver_license(g, tuple(DL_LAYOUTS)))

F = "FREE_TEXT_PII"
TEXT_SUPPORT = pii(F, "support notes", lambda g: pii_text(g, ("support",), 0.8))
TEXT_KYC = pii(F, "KYC review notes", lambda g: pii_text(g, ("kyc",)))
TEXT_PAYMENTS = pii(F, "payment disputes", lambda g: pii_text(g, ("payments",), 0.9))
TEXT_HR = pii(F, "HR notes", lambda g: pii_text(g, ("hr",), 0.8))
TEXT_DELIVERY = pii(F, "delivery instructions", lambda g: pii_text(g, ("delivery",), 0.7))
TEXT_GIFT = pii(F, "gift messages (names only)", lambda g: pii_text(g, ("gift",)))
TEXT_DE_FR = pii(F, "German and French notes", lambda g: pii_text(g, ("de", "fr"), 0.9))
TEXT_MIXED = pii(F, "mixed notes", lambda g: pii_text(g, tuple(_PII_TEXT), 0.6))

# Non-PII kinds.
ID_SERIAL = decoy("integer id", integer(1, 10_000_000), "BIGINT")
SMALL_INT = decoy("small number", integer(1, 12), "INTEGER")
RATING = decoy("small number", integer(1, 5), "SMALLINT")
PERCENT = decoy("small number", lambda g: round(g.rng.uniform(0, 100), 1), "DOUBLE")
UUID_TEXT = decoy("UUID", uuid4_text)
UUID_NATIVE = decoy("UUID", uuid4_value, "UUID")
ORDER_NO = decoy("order number", order_number)
TRACKING_UPS = decoy("tracking number", lambda g: tracking_number(g, "ups"))
TRACKING_FEDEX = decoy("tracking number", lambda g: tracking_number(g, "fedex"))
TRACKING_USPS = decoy("tracking number", lambda g: tracking_number(g, "usps"))
TRACKING_DHL = decoy("tracking number", lambda g: tracking_number(g, "dhl"))
INVOICE_9 = decoy("9-digit invoice number", lambda g: str(g.rng.randint(100_000_000, 999_999_999)))
INVOICE_9_INT = decoy("9-digit invoice number", integer(100_000_000, 999_999_999), "INTEGER")
LUHN_FAIL = decoy("Luhn-failing 16 digits", luhn_failing_16)
LUHN_FAIL_SPACED = decoy("Luhn-failing 16 digits", lambda g: luhn_failing_16(g, " "))
VERSION = decoy("version string", version_string)
VERSION_ASSEMBLY = decoy("version string", lambda g: version_string(g, "assembly"))
SHA256 = decoy("hash", lambda g: hex_digest(g, "sha256"))
MD5 = decoy("hash", lambda g: hex_digest(g, "md5"))
SHA1 = decoy("hash", lambda g: hex_digest(g, "sha1"))
GIT_SHA = decoy("hash", lambda g: hex_digest(g, "sha1")[:7])
TS = decoy("timestamp", recent_datetime, "TIMESTAMP")
TS_TEXT_ISO = decoy("timestamp", lambda g: timestamp_text(g, "iso-z"))
TS_TEXT_SQL = decoy("timestamp", lambda g: timestamp_text(g, "%Y-%m-%d %H:%M:%S"))
TS_TEXT_US = decoy("timestamp", lambda g: timestamp_text(g, "%m/%d/%Y %I:%M %p"))
TS_EPOCH = decoy("timestamp", epoch_seconds, "BIGINT")
RECENT_DATE = decoy("recent or future date", recent_date, "DATE")
RECENT_DATE_TEXT = decoy("recent or future date", lambda g: recent_date(g).isoformat())
RECENT_DATE_US = decoy("recent or future date", lambda g: recent_date(g).strftime("%m/%d/%Y"))
RECENT_DATE_EU = decoy("recent or future date", lambda g: recent_date(g).strftime("%d.%m.%Y"))
FUTURE_DATE = decoy("recent or future date", future_date, "DATE")
AMOUNT = decoy("amount", amount, "DECIMAL(12,2)")
AMOUNT_USD = decoy("amount", lambda g: amount_text(g, "usd"))
AMOUNT_EUR = decoy("amount", lambda g: amount_text(g, "eur"))
AMOUNT_FLOAT = decoy("amount", lambda g: float(amount(g)), "DOUBLE")
SKU = decoy("SKU or code", sku)
COUPON = decoy("SKU or code", coupon)
EAN = decoy("SKU or code", ean13)
PRODUCT = decoy("product name", product_name)
COMPANY = decoy("company or job title", company)
JOB = decoy("company or job title", job_title)
DEPARTMENT = decoy(
    "company or job title",
    constant_choice(("Finance", "Sales", "Engineering", "Support", "Legal", "Marketing")),
)
CITY = decoy("place (city, country, postcode)", city)
COUNTRY = decoy("place (city, country, postcode)", constant_choice(COUNTRY_CODES))
COUNTRY_NAME = decoy("place (city, country, postcode)", country_name)
STATE = decoy("place (city, country, postcode)", constant_choice(US_STATES))
POSTCODE = decoy("place (city, country, postcode)", postcode)
REVIEW = decoy("prose without PII", lambda g: pii_free_text(g, ("review",)))
SURVEY = decoy("prose without PII", lambda g: pii_free_text(g, ("survey",)))
OPS_NOTE = decoy("prose without PII", lambda g: pii_free_text(g, ("ops",)))
PRODUCT_TEXT = decoy("prose without PII", lambda g: pii_free_text(g, ("product",)))
LOG_LINE = decoy("prose without PII", log_message)
BOOL = decoy("boolean", lambda g: g.chance(0.5), "BOOLEAN")
STATUS = decoy(
    "enum or category",
    constant_choice(("pending", "paid", "shipped", "delivered", "cancelled", "refunded")),
)
CURRENCY = decoy("enum or category", constant_choice(("EUR", "USD", "GBP", "CHF", "PLN")))
CHANNEL = decoy("enum or category", constant_choice(("web", "app", "store", "phone", "partner")))
PHONE_TYPE = decoy("enum or category", constant_choice(("mobile", "home", "work", "fax")))
ADDRESS_TYPE = decoy("enum or category", constant_choice(("billing", "shipping", "both")))
CARD_BRAND = decoy("enum or category", constant_choice(("visa", "mastercard", "amex", "discover")))
LOG_LEVEL = decoy("enum or category", constant_choice(("DEBUG", "INFO", "WARN", "ERROR")))
HTTP_METHOD = decoy("enum or category", constant_choice(("GET", "POST", "PUT", "DELETE")))
HTTP_STATUS = decoy("small number", constant_choice((200, 201, 204, 301, 404, 500)), "INTEGER")
USER_AGENT = decoy("web and network", user_agent)
URL = decoy("web and network", url)
MAC = decoy("web and network", mac_address)
HOST = decoy("web and network", hostname)
PORT = decoy("web and network", constant_choice((443, 8080, 5432, 6379, 9092)), "INTEGER")
MASKED_CARD = decoy("masked or partial PII", masked_card)
LAST4 = decoy("masked or partial PII", lambda g: g.digits(4))
MASKED_EMAIL = decoy("masked or partial PII", masked_email)
EMAIL_DOMAIN = decoy("masked or partial PII", lambda g: g.pick(EMAIL_DOMAINS))
EMAIL_HASH = decoy("hash", lambda g: hex_digest(g, "sha256"))
ROUTING = decoy("bank routing number", aba_routing)
PNR = decoy("travel code", booking_ref)
FLIGHT = decoy("travel code", flight_number)
SEAT = decoy("travel code", lambda g: f"{g.rng.randint(1, 40)}{g.pick('ABCDEF')}")
AIRPORT = decoy("travel code", constant_choice(("FRA", "LHR", "CDG", "JFK", "SFO", "AMS")))
JSON_BLOB = decoy("JSON without PII", json_payload)
LATITUDE = decoy("small number", lambda g: round(g.rng.uniform(-60, 70), 6), "DOUBLE")
LONGITUDE = decoy("small number", lambda g: round(g.rng.uniform(-120, 150), 6), "DOUBLE")

SEGMENT = decoy("enum or category", constant_choice(("gold", "silver", "bronze")))

#: Columns whose names sound like PII but hold none: the family they are reported under.
PII_NAMED = "PII-sounding name, no PII"

# Mess presets.
NULLS = Mess(nulls=0.2)
HOLES = Mess(nulls=0.1, blanks=0.15)
UPPER = Mess(case="upper")
LOWER = Mess(case="lower")
MIXED_CASE = Mess(case="mixed", spaces=0.2)
SPACES = Mess(spaces=0.3)
DIRTY = Mess(nulls=0.1, blanks=0.1, case="mixed", spaces=0.2)


# --- The warehouse ----------------------------------------------------------------------

TABLES: tuple[Table, ...] = (
    table(
        "crm.customers",
        col("id", ID_SERIAL),
        col("customer_uuid", UUID_TEXT),
        col("first_name", NAME_FIRST_EN),
        col("last_name", NAME_LAST_EN),
        col("email", EMAIL_MIXED),
        col("phone", PHONE_US_NATIONAL),
        col("date_of_birth", DOB_DATE),
        col("street", ADDR_US),
        col("city", CITY),
        col("postal_code", POSTCODE),
        col("country_code", COUNTRY),
        col("ssn_number", SSN_DASHED, SPACES),
        col("driver_license", DL_FL),
        col("bank_account", IBAN_ES_SPACED, NULLS),
        col("email_verified", BOOL, family=PII_NAMED),
        col("created_at", TS),
        col("lifetime_value", AMOUNT),
        col("segment", SEGMENT),
    ),
    table(
        "crm.contacts",
        col("contact_id", UUID_NATIVE),
        col("full_name", NAME_FULL_MIXED),
        col("email_address", EMAIL_FIRST_LAST, MIXED_CASE),
        col("mobile", PHONE_E164_MIXED),
        col("home_phone", PHONE_US_DOTS, NULLS),
        col("preferred_name", NAME_FIRST_MIXED),
        col("phone_type", PHONE_TYPE, family=PII_NAMED),
        col("company", COMPANY),
        col("job_title", JOB),
        col("updated_at", TS_TEXT_ISO),
    ),
    table(
        "crm.addresses",
        col("address_id", ID_SERIAL),
        col("line1", ADDR_US_MIMESIS),
        col("full_address", ADDR_US_FULL),
        col("address_type", ADDRESS_TYPE, family=PII_NAMED),
        col("state", STATE),
        col("zip", POSTCODE),
        col("latitude", LATITUDE),
        col("longitude", LONGITUDE),
    ),
    table(
        "crm.interactions",
        col("interaction_id", UUID_TEXT),
        col("summary", TEXT_SUPPORT),
        col("email_body", TEXT_DE_FR),
        col("channel", CHANNEL),
        col("occurred_at", TS),
    ),
    table(
        "crm.loyalty_members",
        col("member_no", LUHN_FAIL),
        col("born_on", DOB_EU_SLASH),
        col("nickname", NAME_FIRST_DE),
        col("points", decoy("small number", integer(0, 20000), "INTEGER")),
        col("tier", decoy("enum or category", constant_choice(("basic", "plus", "elite")))),
        col("joined_on", RECENT_DATE),
        col("dob_verified", BOOL, family=PII_NAMED),
    ),
    table(
        "crm.vip_customers",
        col("customer_id", ID_SERIAL),
        col("passport", PASSPORT_LETTER),
        col("assistant", NAME_FULL_NL),
        col("passport_country", COUNTRY, family=PII_NAMED),
        col("since", RECENT_DATE_TEXT),
    ),
    table(
        "sales.orders",
        col("order_id", ID_SERIAL),
        col("order_number", ORDER_NO),
        col("ref", CARD_MIXED),
        col("ship_to_name", NAME_FULL_MIXED, UPPER),
        col("ship_to", ADDR_US_FULL, SPACES),
        col("buyer", EMAIL_PLUS),
        col("gift_message", TEXT_GIFT, Mess(nulls=0.3)),
        col("order_date", RECENT_DATE),
        col("total", AMOUNT),
        col("currency", CURRENCY),
        col("status", STATUS),
        col("coupon_code", COUPON, NULLS),
    ),
    table(
        "sales.products",
        col("product_id", ID_SERIAL),
        col("name", PRODUCT, family=PII_NAMED),
        col("sku", SKU),
        col("ean", EAN),
        col("description", PRODUCT_TEXT),
        col("price", AMOUNT_FLOAT),
        col("launched", RECENT_DATE_US),
        col("in_stock", BOOL),
    ),
    table(
        "sales.reviews",
        col("review_id", UUID_TEXT),
        col("product_name", PRODUCT),
        col("rating", RATING),
        col("review_text", REVIEW),
        col(
            "title",
            decoy(
                "prose without PII",
                constant_choice(("Great", "Meh", "Love it", "Broke fast", "Good value")),
            ),
        ),
        col("submitted_at", TS_TEXT_SQL),
    ),
    table(
        "sales.pos_transactions",
        col("txn_id", UUID_NATIVE),
        col("card", CARD_VISA),
        col("card_brand", CARD_BRAND, family=PII_NAMED),
        col("masked_pan", MASKED_CARD),
        col("store_city", CITY),
        col("amount", AMOUNT_EUR),
        col("terminal_version", VERSION),
        col("sold_at", TS),
    ),
    table(
        "billing.invoices",
        col("invoice_no", INVOICE_9),
        col("bill_to", NAME_TITLE),
        col("billing_email", EMAIL_FIRST_LAST, SPACES),
        col("phone", PHONE_US_DASHES),
        col("billing_address", ADDR_US_MULTILINE),
        col("issued_on", RECENT_DATE),
        col("due_on", FUTURE_DATE),
        col("amount_due", AMOUNT_USD),
        col("pdf_sha256", SHA256),
    ),
    table(
        "billing.payment_methods",
        col("id", ID_SERIAL),
        col("card_number", CARD_VISA),
        col("pan", CARD_MC_SPACED),
        col("backup_card", CARD_MC_SPACED, NULLS),
        col("card_last4", LAST4, family=PII_NAMED),
        col(
            "expiry",
            decoy(
                "recent or future date",
                lambda g: f"{g.rng.randint(1, 12):02d}/{g.rng.randint(27, 32)}",
            ),
        ),
        col("gift_card_number", LUHN_FAIL_SPACED),
        col("token", SHA1),
    ),
    table(
        "billing.bank_accounts",
        col("account_id", ID_SERIAL),
        col("iban", IBAN_DE),
        col("routing_number", ROUTING),
        col("holder_type", decoy("enum or category", constant_choice(("private", "business")))),
        col("verified_at", TS),
    ),
    table(
        "billing.subscriptions",
        col("subscription_id", UUID_TEXT),
        col("card_no", CARD_JCB_DINERS),
        col("plan", decoy("enum or category", constant_choice(("monthly", "annual", "trial")))),
        col("renews_on", FUTURE_DATE),
        col("mrr", AMOUNT),
        col("seats", SMALL_INT),
    ),
    table(
        "billing.refunds",
        col("refund_id", ID_SERIAL),
        col("refund_iban", IBAN_IT),
        col("reason", SURVEY),
        col("amount", AMOUNT),
        col("refunded_at", TS_TEXT_ISO),
    ),
    table(
        "hr.employees",
        col("employee_id", ID_SERIAL),
        col("given_name", NAME_FIRST_DE),
        col("family_name", NAME_LAST_DE),
        col("manager_name", NAME_LAST_FIRST),
        col("work_email", EMAIL_WORK),
        col("phone_number", PHONE_DE_NATIONAL),
        col("birth_date", DOB_DATE),
        col("home_address", ADDR_DE_FULL),
        col("ssn", SSN_DASHED),
        col("passport", PASSPORT_LETTER, HOLES),
        col("dl_number", DL_MIXED),
        col("department", DEPARTMENT),
        col("hired_on", RECENT_DATE),
        col("salary", AMOUNT),
        col("is_manager", BOOL),
    ),
    table(
        "hr.payroll",
        col("payroll_id", ID_SERIAL),
        col("social_security_number", SSN_SPACED),
        col("iban", IBAN_DE_SPACED),
        col("gross", AMOUNT),
        col("period", decoy("enum or category", lambda g: f"2026-{g.rng.randint(1, 6):02d}")),
        col("paid_at", TS),
    ),
    table(
        "hr.tax_forms",
        col("form_id", ID_SERIAL),
        col("taxpayer_ssn", SSN_DASHED, HOLES),
        col("form_type", decoy("enum or category", constant_choice(("W-2", "1099-NEC", "W-4")))),
        col("tax_year", decoy("small number", integer(2019, 2025), "INTEGER")),
        col("filed_at", TS),
    ),
    table(
        "hr.dependents",
        col("dependent_id", ID_SERIAL),
        col("dependent_ssn", SSN_DASHED, NULLS),
        col("dob", DOB_ISO),
        col(
            "relationship",
            decoy("enum or category", constant_choice(("child", "spouse", "partner"))),
        ),
    ),
    table(
        "hr.contractors",
        col("contractor_id", ID_SERIAL),
        col("account", IBAN_BE_SPACED),
        col("date_naissance", DOB_EU_SLASH),
        col("anschrift", ADDR_DE),
        col("driving_licence_no", DL_OH),
        col("passport_no", PASSPORT_DIGITS),
        col("rate", AMOUNT),
    ),
    table(
        "hr.performance_reviews",
        col("review_id", ID_SERIAL),
        col("manager_comments", TEXT_HR),
        col("score", RATING),
        col("cycle", decoy("enum or category", constant_choice(("2025-H2", "2026-H1")))),
    ),
    table(
        "hr.exit_interviews",
        col("interview_id", ID_SERIAL),
        col("remarks", TEXT_HR, HOLES),
        col("would_return", BOOL),
        col("held_on", RECENT_DATE),
    ),
    table(
        "hr.visa_applications",
        col("application_id", UUID_TEXT),
        col("us_passport_number", PASSPORT_DIGITS, Mess(nulls=0.15)),
        col("destination", COUNTRY),
        col("submitted_on", RECENT_DATE_EU),
        col("fee", AMOUNT),
    ),
    table(
        "support.tickets",
        col("ticket_id", ID_SERIAL),
        col("requester", NAME_FULL_MIXED, LOWER),
        col("notes", EMAIL_MIXED),
        col("callback_number", PHONE_UK_NATIONAL, HOLES),
        col("body", TEXT_SUPPORT),
        col("comment", TEXT_MIXED),
        col(
            "priority",
            decoy("enum or category", constant_choice(("low", "normal", "high", "urgent"))),
        ),
        col("opened_at", TS),
        col("sla_hours", SMALL_INT),
    ),
    table(
        "support.agents",
        col("agent_id", ID_SERIAL),
        col("label", NAME_FULL_PT),
        col("team", DEPARTMENT),
        col("active", BOOL),
    ),
    table(
        "support.chat_sessions",
        col("session_id", UUID_TEXT),
        col("transcript", TEXT_MIXED),
        col("visitor_ip", IP_V6),
        col("user_agent", USER_AGENT),
        col("started_at", TS),
        col("duration_s", decoy("small number", integer(5, 3600), "INTEGER")),
    ),
    table(
        "support.call_logs",
        col("call_id", ID_SERIAL),
        col("transcript_excerpt", TEXT_SUPPORT, NULLS),
        col("caller", PHONE_E164_US),
        col("queue", decoy("enum or category", constant_choice(("billing", "tech", "sales")))),
        col("wait_seconds", decoy("small number", integer(0, 900), "INTEGER")),
    ),
    table(
        "marketing.leads",
        col("lead_id", ID_SERIAL),
        col("contact_person", NAME_FULL_FR, Mess(nulls=0.2, spaces=0.3)),
        col("mail", EMAIL_MIXED, HOLES),
        col("tel", PHONE_FR_NATIONAL),
        col("phone", PHONE_MIXED),
        col("adresse", ADDR_FR),
        col("geburtsdatum", DOB_EU_DOTS),
        col("source", CHANNEL),
        col("score", PERCENT),
        col("created_at", TS_TEXT_ISO),
    ),
    table(
        "marketing.newsletter_subscribers",
        col("subscriber_id", UUID_TEXT),
        col("subscriber", EMAIL_DISPLAY),
        col("email_hash", EMAIL_HASH, family=PII_NAMED),
        col("email_domain", EMAIL_DOMAIN),
        col("opted_in", BOOL),
        col("subscribed_at", TS),
    ),
    table(
        "marketing.sms_optins",
        col("optin_id", ID_SERIAL),
        col("msisdn", PHONE_MSISDN),
        col("country", COUNTRY),
        col("consented_at", TS_EPOCH),
    ),
    table(
        "marketing.email_opens",
        col("open_id", ID_SERIAL),
        col("opened_from_ip", IP_V4, Mess(nulls=0.25)),
        col(
            "campaign",
            decoy("SKU or code", lambda g: f"CMP-{g.rng.randint(2025, 2026)}-{g.digits(3)}"),
        ),
        col("client", USER_AGENT),
        col("opened_at", TS),
    ),
    table(
        "marketing.survey_responses",
        col("response_id", UUID_TEXT),
        col("free_text", TEXT_MIXED, HOLES),
        col("nps", decoy("small number", integer(0, 10), "INTEGER")),
        col("answer", SURVEY),
    ),
    table(
        "marketing.rewards",
        col("reward_id", ID_SERIAL),
        col("linked_card", CARD_MIXED, SPACES),
        col("voucher", COUPON),
        col("points_balance", decoy("small number", integer(0, 5000), "INTEGER")),
    ),
    table(
        "web.sessions",
        col("session_id", UUID_TEXT),
        col("ip_address", IP_V4),
        col("login", EMAIL_MIMESIS),
        col("user_agent", USER_AGENT),
        col("landing_url", URL),
        col("started_at", TS),
        col("pages", SMALL_INT),
    ),
    table(
        "web.page_views",
        col("view_id", ID_SERIAL),
        col("client_ip", IP_V4),
        col("x_forwarded_for", IP_V4_LIST),
        col("url", URL),
        col("referrer", URL, NULLS),
        col("viewed_at", TS_TEXT_ISO),
        col("load_ms", decoy("small number", integer(50, 9000), "INTEGER")),
    ),
    table(
        "web.api_requests",
        col("request_id", UUID_TEXT),
        col("caller", IP_V4_PORT),
        col("method", HTTP_METHOD),
        col("status", HTTP_STATUS),
        col("client_version", VERSION),
        col("latency_ms", decoy("small number", integer(1, 2000), "INTEGER")),
    ),
    table(
        "web.signups",
        col("signup_id", ID_SERIAL),
        col("phone", PHONE_US_ONE),
        col("birthday", DOB_LONG),
        col("license", DL_PA),
        col("email_confirmed", BOOL, family=PII_NAMED),
        col("signed_up_at", TS),
    ),
    table(
        "web.checkout_events",
        col("event_id", UUID_TEXT),
        col("cc_number", CARD_MIXED, NULLS),
        col("cart_value", AMOUNT),
        col(
            "step",
            decoy("enum or category", constant_choice(("cart", "shipping", "payment", "done"))),
        ),
        col("event_time", TS),
    ),
    table(
        "identity.accounts",
        col("account_id", ID_SERIAL),
        col("username", EMAIL_FIRST_LAST),
        col("mfa_phone", PHONE_E164_US),
        col("national_id", SSN_DASHED),
        col("dob", DOB_TIMESTAMP),
        col("password_hash", SHA256),
        col("last_login_at", TS),
        col("ssn_verified", BOOL, family=PII_NAMED),
    ),
    table(
        "identity.kyc_checks",
        col("id", SSN_DASHED),
        col("passport_number", PASSPORT_LETTER),
        col("drivers_license", DL_CA),
        col("birthdate", DOB_US),
        col("residential_address", ADDR_DE_MIMESIS),
        col("reviewer_note", TEXT_KYC),
        col("check_status", STATUS),
        col("checked_at", TS),
    ),
    table(
        "identity.login_events",
        col("event_id", ID_SERIAL),
        col("source_ip", IP_V6),
        col("device_mac", MAC),
        col("success", BOOL),
        col("at", TS_EPOCH),
    ),
    table(
        "identity.devices",
        col("device_id", UUID_NATIVE),
        col("last_ip", IP_MIXED),
        col("os_version", VERSION),
        col("app_build", VERSION_ASSEMBLY),
        col("registered_at", TS),
    ),
    table(
        "identity.travel_documents",
        col("document_id", ID_SERIAL),
        col("passport_no", PASSPORT_DIGITS),
        col("ppt_number", PASSPORT_LETTER, MIXED_CASE),
        col("issuing_country", COUNTRY),
        col("expires_on", FUTURE_DATE),
    ),
    table(
        "identity.id_documents",
        col("document_id", ID_SERIAL),
        col("dl", DL_MI),
        col("dl_state", STATE, family=PII_NAMED),
        col("scan_sha256", SHA256),
        col("uploaded_at", TS),
    ),
    table(
        "finance.payments",
        col("payment_id", ID_SERIAL),
        col("cardholder", NAME_FULL_MIXED, UPPER),
        col("cc", CARD_AMEX),
        col("amount", AMOUNT),
        col("auth_code", decoy("SKU or code", lambda g: g.digits(6))),
        col("paid_at", TS),
    ),
    table(
        "finance.refunds",
        col("refund_id", ID_SERIAL),
        col("card", CARD_MIXED),
        col("amount", AMOUNT_USD),
        col("processed_at", TS_TEXT_US),
    ),
    table(
        "finance.chargebacks",
        col("chargeback_id", ID_SERIAL),
        col("primary_account_number", CARD_VISA_DASHED),
        col("reason_code", decoy("SKU or code", constant_choice(("4837", "4853", "10.4", "13.1")))),
        col("amount", AMOUNT),
        col("received_on", RECENT_DATE),
    ),
    table(
        "finance.disputes",
        col("dispute_id", ID_SERIAL),
        col("description", TEXT_PAYMENTS),
        col("opened_on", RECENT_DATE),
        col("status", STATUS),
    ),
    table(
        "finance.payouts",
        col("payout_id", ID_SERIAL),
        col("iban", IBAN_FR_SPACED),
        col("beneficiary_iban", IBAN_GB),
        col("amount", AMOUNT),
        col("reference", ORDER_NO),
        col("batch_sha", MD5),
    ),
    table(
        "finance.sepa_mandates",
        col("mandate_id", decoy("SKU or code", lambda g: f"MNDT-{g.digits(8)}")),
        col("debtor_iban", IBAN_MIXED),
        col("creditor_iban", IBAN_NL),
        col("signed_on", RECENT_DATE),
    ),
    table(
        "finance.vendors",
        col("vendor_id", ID_SERIAL),
        col("vendor_name", COMPANY),
        col("iban", IBAN_CH_AT),
        col("country", COUNTRY_NAME),
        col(
            "payment_terms",
            decoy("enum or category", constant_choice(("net30", "net60", "prepaid"))),
        ),
    ),
    table(
        "finance.transfers",
        col("transfer_id", UUID_TEXT),
        col("counterparty", IBAN_PL_SPACED),
        col("amount", AMOUNT),
        col(
            "fx_rate", decoy("small number", lambda g: round(g.rng.uniform(0.8, 4.5), 4), "DOUBLE")
        ),
        col("booked_at", TS),
    ),
    table(
        "finance.loan_applications",
        col("application_id", ID_SERIAL),
        col("applicant_ssn", SSN_PLAIN),
        col("coapplicant_ssn", SSN_DASHED, Mess(nulls=0.3)),
        col("applicant_dob", DOB_DATE, Mess(nulls=0.1)),
        col("applicant_dl", DL_NJ),
        col("requested_amount", AMOUNT),
        col(
            "decision",
            decoy("enum or category", constant_choice(("approved", "declined", "review"))),
        ),
    ),
    table(
        "logistics.shipments",
        col("shipment_id", ID_SERIAL),
        col("tracking_number", TRACKING_UPS),
        col("recipient", NAME_FULL_NL),
        col("contact", PHONE_UK_INTL),
        col("notify_email", EMAIL_PLUS, NULLS),
        col("delivery_address", ADDR_GB_FULL),
        col("delivery_instructions", TEXT_DELIVERY, HOLES),
        col(
            "weight_kg", decoy("small number", lambda g: round(g.rng.uniform(0.1, 30), 2), "DOUBLE")
        ),
        col("shipped_at", TS),
    ),
    table(
        "logistics.drivers",
        col("driver_id", ID_SERIAL),
        col("license_number", DL_TX),
        col("cdl_number", DL_IL),
        col("state_license", DL_WI_MD),
        col("depot", CITY),
        col("vehicle_plate_hash", MD5),
    ),
    table(
        "logistics.returns",
        col("return_id", ID_SERIAL),
        col("pickup_address", ADDR_FR_FULL),
        col("carrier_tracking", TRACKING_USPS),
        col("dhl_ref", TRACKING_DHL),
        col("reason", REVIEW),
        col("requested_at", TS),
    ),
    table(
        "logistics.parcels",
        col("parcel_id", ID_SERIAL),
        col("fedex_tracking", TRACKING_FEDEX),
        col("warehouse", CITY),
        col("label_printed_at", TS_TEXT_SQL),
        col("payload", JSON_BLOB),
    ),
    table(
        "travel.bookings",
        col("booking_id", ID_SERIAL),
        col("pnr", PNR),
        col("traveler_passport", PASSPORT_MIXED),
        col("document_number", PASSPORT_LETTER),
        col("flight", FLIGHT),
        col("seat", SEAT),
        col("origin", AIRPORT),
        col("destination", AIRPORT),
        col("departs_at", TS),
        col("fare", AMOUNT),
    ),
    table(
        "travel.car_rentals",
        col("rental_id", ID_SERIAL),
        col("license_no", DL_NY),
        col("dl_id", DL_WA),
        col("dl_state", STATE, family=PII_NAMED),
        col("pickup_city", CITY),
        col("returned_on", RECENT_DATE),
    ),
    table(
        "travel.frequent_flyers",
        col("member_id", ID_SERIAL),
        col("passport", PASSPORT_LETTER, SPACES),
        col("tier", decoy("enum or category", constant_choice(("blue", "silver", "gold")))),
        col("miles", decoy("small number", integer(0, 900000), "INTEGER")),
    ),
    table(
        "benefits.members",
        col("member_id", ID_SERIAL),
        col("member_ssn", SSN_DOTTED),
        col("mailing_address", ADDR_GB),
        col("passport_num", PASSPORT_DIGITS),
        col("dob_text", DOB_COMPACT),
        col("plan_code", SKU),
    ),
    table(
        "benefits.claims",
        col("claim_id", ID_SERIAL),
        col("patient_ssn", SSN_DASHED),
        col("patient_dob", DOB_ISO),
        col("provider", COMPANY),
        col("amount_claimed", AMOUNT),
        col("filed_on", RECENT_DATE),
    ),
    table(
        "ops.firewall_logs",
        col("log_id", ID_SERIAL),
        col("src", IP_V4_MAPPED),
        col("dst", IP_V4_PRIVATE),
        col("dst_port", PORT),
        col("action", decoy("enum or category", constant_choice(("allow", "deny")))),
        col("logged_at", TS),
    ),
    table(
        "ops.audit_trail",
        col("entry_id", ID_SERIAL),
        col("remote_addr", IP_MIXED),
        col("host", HOST),
        col("message", LOG_LINE),
        col("level", LOG_LEVEL),
        col("logged_at", TS_TEXT_ISO),
    ),
    table(
        "ops.vpn_sessions",
        col("session_id", UUID_TEXT),
        col("assigned_ip", IP_V4_PRIVATE),
        col("public_ip", IP_V6_FULL),
        col("client_version", VERSION_ASSEMBLY),
        col("connected_at", TS),
    ),
    table(
        "ops.incidents",
        col("incident_id", ID_SERIAL),
        col("summary", OPS_NOTE),
        col("commit_sha", GIT_SHA),
        col("severity", SMALL_INT),
        col("resolved_at", TS),
    ),
    table(
        "ops.releases",
        col("release_id", ID_SERIAL),
        col("version", VERSION),
        col("build", VERSION_ASSEMBLY),
        col("commit", SHA1),
        col("artifact_md5", MD5),
        col("released_at", TS_TEXT_SQL),
    ),
    table(
        "staging.raw_import",
        col("col1", EMAIL_MIXED, DIRTY),
        col("col2", SSN_DASHED, HOLES),
        col("col3", NAME_FULL_ES_IT),
        col("col4", CARD_DISCOVER),
        col("col5", PHONE_UK_INTL),
        col("col6", IP_V6_FULL),
        col("col7", DOB_DATE),
        col("col8", ADDR_MIXED),
        col("col9", PASSPORT_LETTER),
        col("col10", TEXT_MIXED),
        col("col11", UUID_TEXT),
        col("col12", INVOICE_9),
        col("col13", LUHN_FAIL),
        col("col14", TS_TEXT_ISO),
        col("col15", AMOUNT_EUR),
    ),
    table(
        "staging.kv_export",
        col("key", DL_CA),
        col("value", IBAN_MIXED),
        col("attr_1", NAME_MIDDLE),
        col("attr_2", PHONE_DE_SLASH),
        col("attr_3", ADDR_GB_FULL),
        col("attr_4", INVOICE_9_INT),
        col("attr_5", RECENT_DATE_TEXT),
        col("attr_6", SHA256),
        col("loaded_at", TS),
    ),
    table(
        "staging.legacy_customers",
        col("cust_no", INVOICE_9),
        col("name", NAME_LAST_FIRST, MIXED_CASE),
        col("tel", PHONE_FR_DOTS),
        col("adr", ADDR_US_MULTILINE),
        col("geb_datum", DOB_EU_DOTS),
        col("ip", IP_V4, Mess(nulls=0.3)),
        col("mail", EMAIL_MIXED, DIRTY),
        col("notes", OPS_NOTE),
    ),
)


# --- Building the DuckDB file -----------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    """A built corpus: the DuckDB file and the truth about each of its columns.

    ``labels`` maps ``schema.table.column`` to a PiiEntity value or None (not PII);
    ``families`` maps the same keys to the format (PII) or decoy family (non-PII), for
    reports that break results down further.
    """

    path: Path
    labels: dict[str, str | None]
    families: dict[str, str] = field(default_factory=dict)
    rows: int = 0

    def columns_by_label(self) -> Counter[str | None]:
        return Counter(self.labels.values())


def select_tables(
    tables: Iterable[Table], per_entity: int | None, per_decoy_family: int | None
) -> list[Table]:
    """The tables to build, with at most so many columns per entity and per decoy family.

    The quick smoke run keeps a few columns of every entity and one of every decoy
    family (so it still exercises everything) instead of the whole corpus.
    """
    seen: Counter[str] = Counter()
    selected = []
    for t in tables:
        kept = []
        for c in t.columns:
            kind = c.label or f"decoy:{c.family_name}"
            cap = per_entity if c.label else per_decoy_family
            if cap is None or seen[kind] < cap:
                seen[kind] += 1
                kept.append(c)
        if kept:
            selected.append(Table(t.schema, t.name, tuple(kept)))
    return selected


def column_values(seed: int, t: Table, c: Column, rows: int) -> list[object]:
    """The ``rows`` values of one column, messy as its Mess says, from its own stream."""
    g = Gen(seed, f"{t.schema}.{t.name}.{c.name}")
    return [messy_value(g, c.kind.make(g), c.mess) for _ in range(rows)]


def build_corpus(
    path: Path,
    *,
    seed: int = 11,
    rows: int = 300,
    per_entity: int | None = None,
    per_decoy_family: int | None = None,
) -> Corpus:
    """Write the labeled warehouse to the DuckDB file ``path`` (replaced if it exists).

    ``per_entity`` and ``per_decoy_family`` cap the columns kept of each entity and
    each decoy family (see :func:`select_tables`); ``None`` keeps them all.
    """
    path = Path(path)
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)
    tables = select_tables(TABLES, per_entity, per_decoy_family)
    labels: dict[str, str | None] = {}
    families: dict[str, str] = {}
    with duckdb.connect(str(path)) as conn:
        for schema in sorted({t.schema for t in tables}):
            conn.execute(f'CREATE SCHEMA "{schema}"')
        for t in tables:
            _write_table(conn, t, [column_values(seed, t, c, rows) for c in t.columns])
            for c in t.columns:
                key = f"{t.schema}.{t.name}.{c.name}"
                labels[key], families[key] = c.label, c.family_name
        conn.execute("CHECKPOINT")
    return Corpus(path, labels, families, rows)


def _write_table(conn: duckdb.DuckDBPyConnection, t: Table, columns: list[list[object]]) -> None:
    qualified = f'"{t.schema}"."{t.name}"'
    ddl = ", ".join(f'"{c.name}" {c.kind.sql_type}' for c in t.columns)
    conn.execute(f"CREATE TABLE {qualified} ({ddl})")
    # One statement with every row's parameters: DuckDB's executemany runs one INSERT
    # per row and is 50x slower.
    rows = list(zip(*columns, strict=True))
    row_marks = "(" + ", ".join("?" for _ in t.columns) + ")"
    values = ", ".join(row_marks for _ in rows)
    conn.execute(f"INSERT INTO {qualified} VALUES {values}", [v for row in rows for v in row])


def describe(corpus: Corpus) -> str:
    """One line: columns, tables, PII and non-PII column counts."""
    tables = {key.rpartition(".")[0] for key in corpus.labels}
    pii_columns = sum(1 for label in corpus.labels.values() if label)
    return (
        f"{len(corpus.labels)} columns in {len(tables)} tables "
        f"({pii_columns} PII, {len(corpus.labels) - pii_columns} not PII), "
        f"{corpus.rows} rows each"
    )
