"""Column-name signals: what a column's name says about the personal data it may hold.

Names are split into lowercase words (snake_case, camelCase, kebab-case, digits) and
matched against keyword tables in several languages. A name signal never classifies a
column on its own: it raises or lowers the bar the values must clear (an ``id`` column
full of SSNs is still found by its values; a ``name`` column of product names is not
PERSON because its values do not look like names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.model import PiiEntity as E

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^a-z0-9äöüßéèêàáíóúñç]+")

#: Whole-word phrases (as word tuples) → entity. Longer phrases win over shorter ones.
_PHRASES: dict[E, tuple[str, ...]] = {
    E.EMAIL_ADDRESS: (
        "email",
        "e mail",
        "mail",
        "email address",
        "mail address",
        "courriel",
        "correo",
        "emailadresse",
        "mailadresse",
        "posta elettronica",
    ),
    E.PHONE_NUMBER: (
        "phone",
        "phone number",
        "tel",
        "telephone",
        "telefon",
        "telefonnummer",
        "telefono",
        "téléphone",
        "mobile",
        "mobil",
        "mobile number",
        "cell",
        "cellphone",
        "msisdn",
        "fax",
        "handy",
        "portable",
        "contact number",
        "phonenumber",
        "phone no",
    ),
    E.PERSON: (
        "first name",
        "firstname",
        "fname",
        "given name",
        "givenname",
        "forename",
        "last name",
        "lastname",
        "lname",
        "surname",
        "family name",
        "full name",
        "fullname",
        "middle name",
        "maiden name",
        "vorname",
        "nachname",
        "familienname",
        "prenom",
        "prénom",
        "nom",
        "nombre",
        "apellido",
        "apellidos",
        "cognome",
        "nome",
        "customer name",
        "contact name",
        "patient name",
        "employee name",
        "person name",
        "holder name",
        "cardholder",
        "cardholder name",
        "account holder",
        "beneficiary",
    ),
    E.US_SSN: ("ssn", "social security", "social security number", "social sec", "ss number"),
    E.CREDIT_CARD: (
        "card number",
        "cardnumber",
        "card no",
        "cc number",
        "ccnum",
        "cc",
        "credit card",
        "creditcard",
        "pan",
        "kreditkarte",
        "kartennummer",
        "carte",
        "numero carte",
        "tarjeta",
    ),
    E.IBAN_CODE: ("iban", "bank account", "kontonummer", "account iban"),
    E.IP_ADDRESS: (
        "ip",
        "ip address",
        "ipaddress",
        "ipaddr",
        "ipv4",
        "ipv6",
        "remote addr",
        "client ip",
        "source ip",
        "src ip",
        "dst ip",
        "remote ip",
    ),
    E.DATE_OF_BIRTH: (
        "dob",
        "d o b",
        "birth",
        "birthday",
        "birthdate",
        "date of birth",
        "birth date",
        "born",
        "born on",
        "geburtsdatum",
        "geburtstag",
        "naissance",
        "date naissance",
        "nacimiento",
        "fecha nacimiento",
        "nascita",
        "data nascita",
    ),
    E.STREET_ADDRESS: (
        "address",
        "addr",
        "street",
        "street address",
        "address line",
        "address1",
        "address 1",
        "address line1",
        "address line 1",
        "address2",
        "home address",
        "billing address",
        "shipping address",
        "mailing address",
        "strasse",
        "straße",
        "anschrift",
        "adresse",
        "rue",
        "calle",
        "direccion",
        "dirección",
        "indirizzo",
    ),
    E.US_PASSPORT: (
        "passport",
        "passport number",
        "passport no",
        "passport id",
        "reisepass",
        "passeport",
        "pasaporte",
        "passaporto",
    ),
    E.US_DRIVER_LICENSE: (
        "driver license",
        "drivers license",
        "driver licence",
        "drivers licence",
        "driving license",
        "driving licence",
        "dl number",
        "dln",
        "license number",
        "licence number",
        "license",
        "licence",
        "license no",
        "licence no",
        "dl",
        "dl id",
        "dl no",
        "cdl",
        "cdl number",
        "fuehrerschein",
        "führerschein",
        "permis conduire",
    ),
}

#: Words whose presence says a column is *not* personal data of the kind its other words
#: suggest (``product_name``, ``email_template``, ``ip_country``).
_NEGATIVE_WORDS = frozenset(
    {
        "product",
        "company",
        "file",
        "filename",
        "host",
        "hostname",
        "table",
        "brand",
        "category",
        "city",
        "country",
        "region",
        "sku",
        "order",
        "invoice",
        "tracking",
        "version",
        "hash",
        "checksum",
        "uuid",
        "guid",
        "template",
        "subject",
        "domain",
        "count",
        "type",
        "status",
        "flag",
        "is",
        "has",
        "opt",
        "optin",
        "sent",
        "campaign",
        "format",
        "code",
        "label",
        "title",
        "department",
        "team",
        "store",
        "shop",
        "warehouse",
        "vendor",
        "supplier",
        "merchant",
        "bank",
        "plan",
        "event",
        "mac",
        "url",
        "web",
        "server",
        "gateway",
        "ref",
        "reference",
    }
)

#: Compound words (German mostly) matched as substrings of a single word.
_COMPOUNDS: dict[str, E] = {
    "geburtsdatum": E.DATE_OF_BIRTH,
    "telefonnummer": E.PHONE_NUMBER,
    "emailadresse": E.EMAIL_ADDRESS,
    "strasse": E.STREET_ADDRESS,
    "straße": E.STREET_ADDRESS,
    "nachname": E.PERSON,
    "vorname": E.PERSON,
    "birthdate": E.DATE_OF_BIRTH,
    "birthday": E.DATE_OF_BIRTH,
}


@dataclass(frozen=True)
class NameSignal:
    """What the column name suggests: an entity and how strongly (0 none, 1 weak, 2 strong)."""

    entity: E | None
    strength: int
    negative: bool
    matched: str | None

    def supports(self, entity: str) -> bool:
        return self.entity is not None and self.entity.value == entity and self.strength > 0


_NONE = NameSignal(None, 0, False, None)
_INDEX: dict[tuple[str, ...], E] = {
    tuple(phrase.split()): entity for entity, phrases in _PHRASES.items() for phrase in phrases
}
_LONGEST = max(len(k) for k in _INDEX)


def words(name: str) -> list[str]:
    """``customerEmailAddr_2`` → ``['customer', 'email', 'addr', '2']``."""
    spaced = _CAMEL.sub(" ", name)
    return [w for w in _SPLIT.split(spaced.lower()) if w]


def name_signal(column: str, table: str = "") -> NameSignal:
    """The entity a column's name points to, if any.

    A phrase of two or more words, or an unambiguous single word (``email``, ``ssn``,
    ``iban``), is strong; a short, ambiguous one (``nom``, ``cc``, ``pan``, ``tel``) is
    weak. The bare word ``name`` is weak PERSON only in a table about people.
    """
    tokens = words(column)
    negative = any(t in _NEGATIVE_WORDS for t in tokens)
    best: tuple[int, E, str] | None = None
    for size in range(min(_LONGEST, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            window = tuple(tokens[start : start + size])
            entity = _INDEX.get(window)
            if entity is not None and (best is None or size > best[0]):
                best = (size, entity, " ".join(window))
        if best is not None:
            break
    if best is None:
        for token in tokens:
            for part, entity in _COMPOUNDS.items():
                if part in token and len(token) > len(part):
                    return NameSignal(entity, 1 if negative else 2, negative, part)
        if tokens and tokens[-1] == "name" and _about_people(table):
            return NameSignal(E.PERSON, 0 if negative else 1, negative, "name")
        return NameSignal(None, 0, negative, None) if negative else _NONE
    size, entity, phrase = best
    strong = size > 1 or len(phrase) >= 4 or phrase in _STRONG_SHORT
    strength = 1 if phrase in _WEAK or not strong else 2
    if negative:
        strength -= 1
    return NameSignal(entity, strength, negative, phrase)


_STRONG_SHORT = frozenset({"ssn", "dob", "ip", "tel", "rue"})
#: Words that point somewhere but are often used otherwise (software licenses).
_WEAK = frozenset({"license", "licence", "mail"})
_PEOPLE_TABLES = frozenset(
    {
        "customer",
        "customers",
        "user",
        "users",
        "person",
        "persons",
        "people",
        "employee",
        "employees",
        "staff",
        "member",
        "members",
        "contact",
        "contacts",
        "patient",
        "patients",
        "student",
        "students",
        "client",
        "clients",
        "account",
        "accounts",
        "lead",
        "leads",
        "applicant",
        "applicants",
        "author",
        "authors",
        "guest",
        "guests",
        "passenger",
        "passengers",
        "subscriber",
        "subscribers",
        "traveler",
        "travelers",
    }
)


def _about_people(table: str) -> bool:
    return any(w in _PEOPLE_TABLES for w in words(table))
