"""Identifiers that look like the real thing, PII and not.

A classifier is only tested when its inputs are hard: card numbers that pass
Luhn, IBANs whose check digits verify, SSNs obeying the SSA's allocation
rules, next to lookalikes (order numbers, 9-digit invoice numbers, 12-digit
tracking codes) that a naive regex would flag. Every function takes the
caller's ``random.Random`` so the demo stays reproducible from one seed.
"""

from __future__ import annotations

import ipaddress
import random
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass

_UPPER = string.ascii_uppercase
_ALNUM = _UPPER + string.digits


def _digits(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(_UPPER, k=n))


def _alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(_ALNUM, k=n))


# --- payment cards ---------------------------------------------------------


@dataclass(frozen=True)
class CardBrand:
    """A card network: its IIN prefixes and the length of its numbers."""

    name: str
    prefixes: tuple[str, ...]
    length: int


CARD_BRANDS: tuple[CardBrand, ...] = (
    CardBrand("visa", ("4",), 16),
    CardBrand("mastercard", ("51", "52", "53", "54", "55", "2221", "2720"), 16),
    CardBrand("amex", ("34", "37"), 15),
    CardBrand("discover", ("6011", "65"), 16),
)
_CARD_WEIGHTS = (50, 32, 12, 6)


def luhn_check_digit(partial: str) -> str:
    """The digit that makes ``partial + digit`` pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:  # doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str(-total % 10)


def card_number(rng: random.Random) -> tuple[str, str]:
    """A Luhn-valid card number and its brand name, e.g. ("4539...", "visa")."""
    brand = rng.choices(CARD_BRANDS, weights=_CARD_WEIGHTS)[0]
    prefix = rng.choice(brand.prefixes)
    body = prefix + _digits(rng, brand.length - len(prefix) - 1)
    return body + luhn_check_digit(body), brand.name


def format_card(number: str) -> str:
    """Group a card number the way people type it: 4-4-4-4, or 4-6-5 for Amex."""
    if len(number) == 15:
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


# --- bank accounts ---------------------------------------------------------


def _iban_numeric(text: str) -> str:
    return "".join(str(int(ch, 36)) for ch in text)


def _french_rib_key(bank: str, branch: str, account: str) -> str:
    return f"{97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97:02d}"


def _bban(rng: random.Random, country: str) -> str:
    """The national part of an IBAN, laid out as each country's banks do."""
    if country == "DE":
        return _digits(rng, 18)
    if country == "GB":
        return _letters(rng, 4) + _digits(rng, 14)
    if country == "NL":
        return _letters(rng, 4) + _digits(rng, 10)
    if country == "FR":
        bank, branch, account = _digits(rng, 5), _digits(rng, 5), _digits(rng, 11)
        return bank + branch + account + _french_rib_key(bank, branch, account)
    if country == "ES":
        return _digits(rng, 20)
    if country == "IT":
        return rng.choice(_UPPER) + _digits(rng, 10) + _digits(rng, 12)
    if country == "BE":
        return _digits(rng, 12)
    raise ValueError(f"no IBAN layout for country {country!r}")


IBAN_COUNTRIES = ("DE", "GB", "NL", "FR", "ES", "IT", "BE")


def iban(rng: random.Random, country: str) -> str:
    """An IBAN in electronic form whose check digits satisfy ISO 13616 mod 97."""
    bban = _bban(rng, country)
    check = 98 - int(_iban_numeric(bban + country + "00")) % 97
    return f"{country}{check:02d}{bban}"


def format_iban(value: str) -> str:
    """The printed form, in groups of four, as on a bank statement."""
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def aba_routing_number(rng: random.Random) -> str:
    """A US bank routing number with a valid ABA checksum (3-7-1 weights)."""
    district = rng.choice((*range(1, 13), *range(21, 33)))  # Federal Reserve ranges
    head = f"{district:02d}" + _digits(rng, 6)
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    partial = sum(int(d) * w for d, w in zip(head, weights, strict=True))
    return head + str(-partial % 10)


# --- government and contact identifiers ------------------------------------


def us_ssn(rng: random.Random) -> str:
    """An SSN the SSA could have issued: area 001-899 except 666, no zero groups."""
    area = rng.randint(1, 898)
    if area >= 666:
        area += 1
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def _phone_gb(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"+44 20 {_digits(rng, 4)} {_digits(rng, 4)}"
    return f"07{_digits(rng, 3)} {_digits(rng, 6)}"


def _phone_de(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"+49 30 {_digits(rng, 8)}"
    return f"01{rng.randint(50, 79)} {_digits(rng, 7)}"


def _pairs(rng: random.Random, n: int) -> str:
    return " ".join(_digits(rng, 2) for _ in range(n))


def _phone_fr(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"+33 {rng.randint(1, 5)} {_pairs(rng, 4)}"
    return f"06 {_pairs(rng, 4)}"


def _phone_nl(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"+31 20 {_digits(rng, 3)} {_digits(rng, 4)}"
    return f"06-{_digits(rng, 8)}"


def _phone_es(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"+34 6{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 3)}"
    return f"91 {_digits(rng, 3)} {_pairs(rng, 2)}"


def _phone_it(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"+39 06 {_digits(rng, 4)} {_digits(rng, 4)}"
    return f"+39 3{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 4)}"


def _phone_au(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"+61 2 {_digits(rng, 4)} {_digits(rng, 4)}"
    return f"04{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 3)}"


def _phone_nanp(rng: random.Random) -> str:
    area = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    exchange = f"{rng.randint(2, 9)}{_digits(rng, 2)}"
    return rng.choice(_NANP_FORMATS).format(a=area, e=exchange, n=_digits(rng, 4))


_NANP_FORMATS = ("({a}) {e}-{n}", "{a}-{e}-{n}", "+1 {a} {e} {n}", "{a}.{e}.{n}", "+1-{a}-{e}-{n}")
_PHONE_STYLES: dict[str, Callable[[random.Random], str]] = {
    "US": _phone_nanp,
    "CA": _phone_nanp,
    "GB": _phone_gb,
    "DE": _phone_de,
    "FR": _phone_fr,
    "NL": _phone_nl,
    "ES": _phone_es,
    "IT": _phone_it,
    "AU": _phone_au,
}


def phone_number(rng: random.Random, country: str) -> str:
    """A phone number written the way people in ``country`` write it, in one of several styles."""
    return _PHONE_STYLES[country](rng)


# --- network addresses -----------------------------------------------------

_PRIVATE_FIRST_OCTETS = {0, 10, 100, 127, 169, 172, 192, 198, 203}


def ipv4_address(rng: random.Random) -> str:
    """A public-looking IPv4 address (no private, loopback or documentation ranges)."""
    first = rng.randint(1, 223)
    while first in _PRIVATE_FIRST_OCTETS:
        first = rng.randint(1, 223)
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


_IPV6_PREFIXES = (0x2A02, 0x2001, 0x2600, 0x2A01, 0x2405, 0x2C0F)


def ipv6_address(rng: random.Random) -> str:
    """A global unicast IPv6 address in canonical compressed form."""
    groups = [rng.choice(_IPV6_PREFIXES), rng.getrandbits(16), rng.getrandbits(16)]
    groups += [0] * rng.choice((0, 1, 2)) + [rng.getrandbits(16) for _ in range(5)]
    packed = 0
    for g in groups[:8]:
        packed = (packed << 16) | g
    return str(ipaddress.IPv6Address(packed))


# --- non-PII lookalikes ----------------------------------------------------


def demo_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng`` rather than the OS, so it is reproducible."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def order_number(year: int, sequence: int) -> str:
    """E.g. ``ORD-2025-000123``: year of the order and its sequence within the year."""
    return f"ORD-{year}-{sequence:06d}"


def invoice_number(rng: random.Random) -> str:
    """A 9-digit invoice number: the classic false positive for an undashed SSN."""
    return str(rng.randint(100_000_000, 999_999_999))


def tracking_code(rng: random.Random, carrier: str) -> str:
    """A parcel tracking code in ``carrier``'s own format."""
    if carrier == "UPS":
        return f"1Z{_alnum(rng, 6)}{_digits(rng, 10)}"
    if carrier == "FedEx":
        return _digits(rng, 12)
    if carrier == "USPS":
        return "9400" + _digits(rng, 18)
    if carrier == "DHL":
        return _digits(rng, 10)
    if carrier == "Royal Mail":
        return f"{_letters(rng, 2)}{_digits(rng, 9)}GB"
    if carrier == "PostNL":
        return "3S" + _alnum(rng, 13)
    raise ValueError(f"unknown carrier {carrier!r}")


def version_string(rng: random.Random, major: int) -> str:
    """A semantic version such as ``4.12.3`` (looks like an IP address to some regexes)."""
    return f"{major}.{rng.randint(0, 19)}.{rng.randint(0, 9)}"
