"""Synthetic people: names, contact details and addresses drawn from Faker pools.

Faker costs tens of microseconds per value, far too slow for a hundred thousand
rows, so it is asked once for a few hundred to a few thousand names, streets and
cities per locale; rows then combine pool entries with ``random.Random``, which
is both fast and reproducible.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass

from faker import Faker

from cli.demo.identifiers import phone_number
from cli.demo.timeline import AS_OF, random_date, shift_years


@dataclass(frozen=True)
class Country:
    """Where a person lives, and what that implies for currency, tax and region."""

    code: str
    locale: str
    region: str
    currency: str
    tax_pct: int
    weight: int
    email_domains: tuple[str, ...]


_GLOBAL_DOMAINS = (
    "gmail.com",
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
)

COUNTRIES: tuple[Country, ...] = (
    Country("US", "en_US", "NA", "USD", 7, 52, (*_GLOBAL_DOMAINS, "aol.com", "comcast.net")),
    Country("CA", "en_CA", "NA", "CAD", 13, 6, (*_GLOBAL_DOMAINS, "shaw.ca", "rogers.com")),
    Country("GB", "en_GB", "EU", "GBP", 20, 10, (*_GLOBAL_DOMAINS, "btinternet.com", "sky.com")),
    Country(
        "DE", "de_DE", "EU", "EUR", 19, 9, (*_GLOBAL_DOMAINS, "gmx.de", "web.de", "t-online.de")
    ),
    Country("FR", "fr_FR", "EU", "EUR", 20, 7, (*_GLOBAL_DOMAINS, "orange.fr", "free.fr")),
    Country("NL", "nl_NL", "EU", "EUR", 21, 5, (*_GLOBAL_DOMAINS, "ziggo.nl", "kpnmail.nl")),
    Country("ES", "es_ES", "EU", "EUR", 21, 4, (*_GLOBAL_DOMAINS, "telefonica.net")),
    Country("IT", "it_IT", "EU", "EUR", 22, 3, (*_GLOBAL_DOMAINS, "libero.it", "virgilio.it")),
    Country(
        "AU", "en_AU", "APAC", "AUD", 10, 4, (*_GLOBAL_DOMAINS, "bigpond.com", "optusnet.com.au")
    ),
)
COUNTRY_BY_CODE = {c.code: c for c in COUNTRIES}
_STATE_METHOD = {"US": "state_abbr", "CA": "province_abbr", "AU": "state_abbr"}
# Faker's it_IT city list is built from a set, so its order (and any draw from it)
# changes with PYTHONHASHSEED; province capitals come from a fixed tuple.
_CITY_METHOD = {"IT": "administrative_unit"}


@dataclass(frozen=True)
class LocalePool:
    """Faker output for one locale, drawn once and reused for every row."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]
    postcodes: tuple[str, ...]
    states: tuple[str, ...]


@dataclass(frozen=True)
class Person:
    """One synthetic human with the personal data a shop or employer would hold."""

    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: dt.date
    street: str
    city: str
    state: str | None
    postal_code: str
    country: Country

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def one_line_address(self) -> str:
        """The address as a courier label prints it, e.g. "12 Oak St, Springfield, IL 62704"."""
        region = f"{self.state} {self.postal_code}" if self.state else self.postal_code
        if self.country.code in ("US", "CA", "AU"):
            return f"{self.street}, {self.city}, {region}, {self.country.code}"
        return f"{self.street}, {self.postal_code} {self.city}, {self.country.code}"


def _draw_pool(fake: Faker, code: str, size: int) -> LocalePool:
    state_method = _STATE_METHOD.get(code)
    city_method = _CITY_METHOD.get(code, "city")
    return LocalePool(
        first_names=tuple(fake.first_name() for _ in range(size)),
        last_names=tuple(fake.last_name() for _ in range(size)),
        streets=tuple(fake.street_address().replace("\n", " ").strip() for _ in range(size)),
        cities=tuple(getattr(fake, city_method)() for _ in range(max(20, size // 3))),
        postcodes=tuple(fake.postcode() for _ in range(max(20, size // 2))),
        states=tuple(getattr(fake, state_method)() for _ in range(60)) if state_method else (),
    )


def draw_pools(seed: int, *, size: int) -> dict[str, LocalePool]:
    """Per-country pools of Faker values; ``size`` names for the US, fewer elsewhere."""
    pools = {}
    for country in COUNTRIES:
        fake = Faker(country.locale)
        fake.seed_instance(f"{seed}:{country.code}")
        local_size = size if country.code == "US" else max(40, size // 5)
        pools[country.code] = _draw_pool(fake, country.code, local_size)
    return pools


_NOT_LOCAL_PART = re.compile(r"[^a-z]")


def ascii_slug(text: str) -> str:
    """``"Müller-Lüdenscheidt"`` → ``"mullerludenscheidt"``: what survives in an email address."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _NOT_LOCAL_PART.sub("", folded) or "user"


class PersonFactory:
    """Makes people with unique email addresses; one factory per table keeps tables independent."""

    def __init__(self, rng: random.Random, pools: dict[str, LocalePool]) -> None:
        self._rng = rng
        self._pools = pools
        self._emails: set[str] = set()
        self._weights = [c.weight for c in COUNTRIES]

    def country(self) -> Country:
        return self._rng.choices(COUNTRIES, weights=self._weights)[0]

    def name(self, country: Country) -> tuple[str, str]:
        pool = self._pools[country.code]
        return self._rng.choice(pool.first_names), self._rng.choice(pool.last_names)

    def email(self, first: str, last: str, domain: str) -> str:
        """A unique, well-formed address in one of the shapes people actually pick."""
        rng, f, la = self._rng, ascii_slug(first), ascii_slug(last)
        shapes = (f"{f}.{la}", f"{f}{la}", f"{f[0]}{la}", f"{f}_{la}", f"{la}.{f}", f"{f}.{la}")
        local = rng.choice(shapes)
        if rng.random() < 0.35:
            local += str(rng.choice((rng.randint(1, 99), rng.randint(1960, 2005))))
        address = f"{local}@{domain}"
        while address in self._emails:
            address = f"{local}{rng.randint(100, 9999)}@{domain}"
        self._emails.add(address)
        return address

    def work_email(self, first: str, last: str, domain: str) -> str:
        """``first.last@domain``, numbered on collision, as a corporate directory assigns them."""
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        address, n = f"{local}@{domain}", 1
        while address in self._emails:
            n += 1
            address = f"{local}{n}@{domain}"
        self._emails.add(address)
        return address

    def address(self, country: Country) -> tuple[str, str, str | None, str]:
        """Street, city, state (None where the country has none) and postal code."""
        pool, rng = self._pools[country.code], self._rng
        state = rng.choice(pool.states) if pool.states else None
        return rng.choice(pool.streets), rng.choice(pool.cities), state, rng.choice(pool.postcodes)

    def date_of_birth(self) -> dt.date:
        """Adults, mostly 25-55 years old on ``AS_OF``."""
        age = min(85, max(18, int(self._rng.gauss(40, 13))))
        born_by = shift_years(AS_OF, -age)
        return random_date(self._rng, shift_years(born_by, -1), born_by)

    def person(self, country: Country | None = None, *, domain: str | None = None) -> Person:
        """A complete person; ``domain`` forces the email domain (e.g. the employer's)."""
        country = country or self.country()
        first, last = self.name(country)
        street, city, state, postcode = self.address(country)
        return Person(
            first_name=first,
            last_name=last,
            email=self.email(first, last, domain or self._rng.choice(country.email_domains)),
            phone=phone_number(self._rng, country.code),
            date_of_birth=self.date_of_birth(),
            street=street,
            city=city,
            state=state,
            postal_code=postcode,
            country=country,
        )
