"""Street addresses by shape: house number and street word, in several countries.

US/UK ``12 Baker Street``, ``1600 Pennsylvania Ave NW``, ``Flat 3, 10 High Road``;
German ``Hauptstraße 5``, ``Bahnhofstr. 12a``, ``Am Markt 3``; French ``12 rue de la
Paix``, ``5 bis avenue Victor Hugo``; Spanish/Italian ``Calle Mayor 5``, ``Via Roma 10``.
A city, postcode or country may follow. Regular expressions, compiled once.
"""

from __future__ import annotations

import re

#: Street suffixes: the USPS standard suffix names (Publication 28, appendix C1) and
#: their common abbreviations, plus British ones. Plurals are matched by an optional "s".
_SUFFIX_WORDS = """
alley aly allee annex anx arcade arc avenue ave av bayou byu beach bch bend bnd bluff blf
bottom btm boulevard blvd branch br bridge brg brook brk burg bg bypass byp camp cp canyon cyn
cape cpe causeway cswy center ctr centre circle cir cliff clf club clb common cmn corner cor
course crse court ct cove cv creek crk crescent cres crest crst crossing xing crossroad xrd
curve curv dale dl dam dm divide dv drive dr estate est expressway expy extension ext fall
ferry fry field fld flat flt ford frd forest frst forge frg fork frk fort ft freeway fwy
garden gdn gardens gdns gateway gtwy glen gln green grn grove grv gr harbor hbr haven hvn
heights hts highway hwy hill hl hollow holw inlet inlt island is isle junction jct key ky
knoll knl lake lk land landing lndg lane ln light lgt loaf lf lock lck lodge ldg loop mall
manor mnr meadow mdw mews mill ml mission msn motorway mtwy mount mt mountain mtn neck nck
orchard orch oval overpass opas parade park parkway pkwy pass passage psge path pike pine pne
place pl plain pln plaza plz point pt port prt prairie pr radial radl ramp ranch rnch rapid
rpd rest rst ridge rdg river riv road rd route rte row rue run shoal shl shore shr skyway
spring spg spur square sq station sta stravenue stra stream strm street st summit smt
terrace ter terr throughway trwy trace trce track trak trafficway trfy trail trl trailer trlr
tunnel tunl turnpike tpke underpass upas union un valley vly viaduct via view vw village vlg
ville vl vista vis walk wall way wy well wl wells wls wharf quay close broadway
"""
_EN_TYPES = "|".join(sorted(set(_SUFFIX_WORDS.split()), key=len, reverse=True)) + ")(?:s"
#: Whole values: any case ("12 baker street" in messy data).
_EN = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?\s+(?:[NSEW]\.?\s+)?(?:[A-Z0-9][\w'.\-]*\s+){{0,4}}"
    rf"(?:{_EN_TYPES})?\b\.?",
    re.IGNORECASE,
)
#: Running text: street words capitalized, so "2 hours at the court" is not an address.
_EN_TEXT = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?\s+(?:[NSEW]\.?\s+)?(?:[A-Z0-9][\w'.\-]*\s+){{0,4}}"
    rf"(?i:{_EN_TYPES})?\b\.?"
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
    text = value.strip()
    head = _UNIT_PREFIX.sub("", text)
    if any(pattern.match(head) for pattern in _PATTERNS):
        return True
    # "Studio 1\nLouise Fields, …": after a unit, the street may have no number.
    return head != text and bool(_NUMBERLESS_STREET.match(head))


_UNIT_PREFIX = re.compile(
    r"^(?:flat|apt\.?|apartment|unit|suite|studio|room|floor)\s+\w+,?\s+", re.IGNORECASE
)
_NUMBERLESS_STREET = re.compile(rf"^(?:[A-Z][\w'.\-]*\s+){{1,4}}(?i:{_EN_TYPES})?\b")
