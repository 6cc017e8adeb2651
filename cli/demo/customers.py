"""crm.customers and crm.consent_events: the people the company sells to.

Customers are generated first and kept in memory, because orders, payments,
tickets and clickstream all refer back to them (same IPs, same names on
shipping labels, same cards across orders), which is what makes joins and
lineage in the demo meaningful.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from cli.demo.identifiers import demo_uuid, ipv4_address, ipv6_address, us_ssn
from cli.demo.people import Person, PersonFactory
from cli.demo.timeline import END_OF_DATA, HISTORY_START, at_midnight, random_datetime

Row = tuple[object, ...]

_FIRST_SIGNUP = at_midnight(HISTORY_START.replace(year=HISTORY_START.year - 2))
_TIERS = ("bronze", "silver", "gold", "platinum")
_PURPOSES = ("email_marketing", "sms_marketing", "profiling", "third_party_sharing")
_CONSENT_SOURCES = ("web", "app", "support", "import")


@dataclass(frozen=True)
class Customer:
    """A customer and the facts other tables reuse (their IPs show up in orders and web events)."""

    customer_id: int
    external_id: str
    person: Person
    signup_at: dt.datetime
    ips: tuple[str, ...]
    ssn: str | None
    loyalty_tier: str | None
    marketing_opt_in: bool
    is_active: bool


def _customer_ips(rng: random.Random) -> tuple[str, ...]:
    count = rng.choice((1, 1, 2, 3))
    return tuple(
        ipv6_address(rng) if rng.random() < 0.15 else ipv4_address(rng) for _ in range(count)
    )


def make_customers(rng: random.Random, people: PersonFactory, count: int) -> list[Customer]:
    """``count`` customers; US customers usually have an SSN on file (credit checks)."""
    customers = []
    for customer_id in range(1, count + 1):
        person = people.person()
        has_ssn = person.country.code == "US" and rng.random() < 0.8
        customers.append(
            Customer(
                customer_id=customer_id,
                external_id=demo_uuid(rng),
                person=person,
                signup_at=random_datetime(rng, _FIRST_SIGNUP, END_OF_DATA),
                ips=_customer_ips(rng),
                ssn=us_ssn(rng) if has_ssn else None,
                loyalty_tier=rng.choices((*_TIERS, None), weights=(50, 25, 12, 3, 10))[0],
                marketing_opt_in=rng.random() < 0.55,
                is_active=rng.random() < 0.93,
            )
        )
    return customers


def customer_rows(rng: random.Random, customers: list[Customer]) -> list[Row]:
    """Rows of crm.customers; some contact fields are missing, as in any CRM."""
    rows: list[Row] = []
    for c in customers:
        p = c.person
        rows.append(
            (
                c.customer_id,
                c.external_id,
                p.first_name,
                p.last_name,
                p.email if rng.random() > 0.01 else None,
                p.phone if rng.random() > 0.12 else None,
                p.date_of_birth if rng.random() > 0.08 else None,
                c.ssn,
                p.street,
                p.city,
                p.state,
                p.postal_code,
                p.country.code,
                p.country.region,
                c.signup_at,
                c.loyalty_tier,
                c.marketing_opt_in,
                c.is_active,
            )
        )
    return rows


def consent_rows(rng: random.Random, customers: list[Customer]) -> list[Row]:
    """crm.consent_events: grants and later withdrawals, in time order per customer."""
    rows: list[Row] = []
    for c in customers:
        for purpose in rng.sample(_PURPOSES, k=rng.choice((0, 1, 1, 2))):
            when = random_datetime(rng, c.signup_at, END_OF_DATA)
            changes = 1 if rng.random() < 0.8 else 2
            granted = (purpose == "email_marketing" and c.marketing_opt_in) or rng.random() < 0.5
            for _ in range(changes):
                source = rng.choice(_CONSENT_SOURCES)
                ip = rng.choice(c.ips) if source in ("web", "app") else None
                rows.append((len(rows) + 1, c.customer_id, purpose, granted, when, source, ip))
                when = random_datetime(rng, when, END_OF_DATA)
                granted = not granted
    return rows
