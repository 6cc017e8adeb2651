"""Street addresses by shape: house number and street word, in several countries.

US/UK ``12 Baker Street``, ``1600 Pennsylvania Ave NW``, ``Flat 3, 10 High Road``;
German ``Hauptstraße 5``, ``Bahnhofstr. 12a``, ``Am Markt 3``; French ``12 rue de la
Paix``, ``5 bis avenue Victor Hugo``; Spanish/Italian ``Calle Mayor 5``, ``Via Roma 10``.
A city, postcode or country may follow. Regular expressions, compiled once.
"""

from __future__ import annotations

import re

_EN_TYPES = (
    r"street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|"
    r"way|terrace|ter|terr|circle|cir|parkway|pkwy|highway|hwy|square|sq|trail|trl|loop|"
    r"row|crescent|cres|close|gardens|gdns|grove|gr|mews|hill|walk|alley|aly|plaza|plz|"
    r"pt|ridge|pike|wharf|quay|broadway|expressway|expy|freeway|fwy|junction|jct|landing|"
    r"manor|meadows?|motorway"
)
#: Whole values: any case ("12 baker street" in messy data).
_EN = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?\s+(?:[NSEW]\.?\s+)?(?:[A-Z0-9][\w'.\-]*\s+){{0,4}}"
    rf"(?:{_EN_TYPES})\b\.?",
    re.IGNORECASE,
)
#: Running text: street words capitalized, so "2 hours at the court" is not an address.
_EN_TEXT = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?\s+(?:[NSEW]\.?\s+)?(?:[A-Z0-9][\w'.\-]*\s+){{0,4}}"
    rf"(?i:{_EN_TYPES})\b\.?"
)
_DE = re.compile(
    r"\b(?:[A-ZÄÖÜ][\wäöüß\-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|ufer|"
    r"chaussee|steig|pfad)|(?:Am|An der|Auf dem|Im|In der|Zum|Zur)\s+[A-ZÄÖÜ][\wäöüß\-]+)"
    r"\s+\d{1,4}\s?[a-z]?\b",
)
_FR = re.compile(
    r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|"
    r"impasse|quai|cours|route|square)\s+[\w'’\-]+",
    re.IGNORECASE,
)
_ES_IT = re.compile(
    r"\b(?:calle|c/|avenida|avda\.|paseo|plaza|via|viale|piazza|corso|largo|rua)\s+"
    r"(?:[\w'’\-]+\s+){0,4}\d{1,4}\b",
    re.IGNORECASE,
)
_PATTERNS = (_EN, _DE, _FR, _ES_IT)
_TEXT_PATTERNS = (_EN_TEXT, _DE, _FR, _ES_IT)


def find_street_addresses(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of street-address-like text within running text."""
    spans = []
    for pattern in _TEXT_PATTERNS:
        spans += [(m.start(), m.end()) for m in pattern.finditer(text)]
    return spans


def starts_with_street_address(value: str) -> bool:
    """True when the value opens with a street address (the rest may be city and postcode).

    A UK flat prefix (``Flat 3,``) or a German/Spanish address that puts the number last
    also count.
    """
    head = re.sub(r"^(?:flat|apt|apartment|unit|suite)\s+\w+,?\s+", "", value.strip(), flags=re.I)
    for pattern in _PATTERNS:
        match = pattern.match(head)
        if match:
            return True
    return False
