"""sales.payments and sales.shipments: what happens to an order after checkout.

A customer's card recurs across their payments (so hashing a card number still
joins), declined attempts precede the capture that succeeded, returns are
refunded, and each parcel's label carries the name and address on the order.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Iterator

from cli.demo.customers import Customer, Row
from cli.demo.identifiers import card_number, iban, tracking_code
from cli.demo.orders import Order
from cli.demo.people import PersonFactory
from cli.demo.schema import money
from cli.demo.timeline import END_OF_DATA

_CARRIERS = {
    "US": ("UPS", "FedEx", "USPS"),
    "CA": ("UPS", "FedEx"),
    "GB": ("Royal Mail", "DHL"),
    "NL": ("PostNL", "DHL"),
    "DE": ("DHL", "UPS"),
    "FR": ("DHL", "UPS"),
    "ES": ("DHL", "UPS"),
    "IT": ("DHL", "UPS"),
    "AU": ("DHL", "FedEx"),
}

_SEPA_COUNTRIES = ("DE", "FR", "NL", "ES", "IT")


def _method(rng: random.Random, country: str) -> str:
    if country in _SEPA_COUNTRIES:
        return rng.choices(("card", "sepa_debit", "paypal"), weights=(55, 30, 15))[0]
    if country == "GB":
        return rng.choices(("card", "bank_transfer", "paypal"), weights=(75, 10, 15))[0]
    return rng.choices(("card", "paypal"), weights=(85, 15))[0]


class _Wallets:
    """Each customer's cards and bank accounts, reused across their payments."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._cards: dict[int, list[tuple[str, str, str]]] = {}
        self._ibans: dict[int, str] = {}

    def card(self, customer: Customer, when: dt.datetime) -> tuple[str, str, str]:
        cards = self._cards.setdefault(customer.customer_id, [])
        if not cards or self._rng.random() < 0.12:
            number, brand = card_number(self._rng)
            expires = when + dt.timedelta(days=self._rng.randint(200, 1500))
            cards.append((brand, number, f"{expires.month:02d}/{expires.year % 100:02d}"))
        return self._rng.choice(cards)

    def iban(self, customer: Customer) -> str:
        code = customer.person.country.code
        country = code if code in (*_SEPA_COUNTRIES, "GB") else "DE"
        if customer.customer_id not in self._ibans:
            self._ibans[customer.customer_id] = iban(self._rng, country)
        return self._ibans[customer.customer_id]


_REF_ALPHABET = string.ascii_letters + string.digits
_REF_PREFIX = {"card": "pi_", "paypal": "PAYID-", "sepa_debit": "sepa_", "bank_transfer": "bt_"}


def _processor_ref(rng: random.Random, method: str) -> str:
    """The payment processor's id for the charge, e.g. ``pi_3NxQ…``."""
    return _REF_PREFIX[method] + "".join(rng.choices(_REF_ALPHABET, k=24))


def _attempts(rng: random.Random, order: Order) -> Iterator[tuple[str, dt.datetime]]:
    """(status, paid_at) of each payment attempt on ``order``."""
    paid = order.ordered_at + dt.timedelta(seconds=rng.randint(2, 90))
    if order.status == "cancelled":
        if rng.random() < 0.5:
            yield "declined", paid
        return
    if rng.random() < 0.06:
        yield "declined", paid
        paid += dt.timedelta(seconds=rng.randint(30, 600))
    yield ("authorized" if order.status == "placed" else "captured"), paid
    if order.status == "returned":
        yield "refunded", min(END_OF_DATA, paid + dt.timedelta(days=rng.randint(10, 30)))


def payment_rows(rng: random.Random, orders: list[Order]) -> list[Row]:
    """sales.payments: full PANs (Luhn-valid), IBANs for debits, payer emails for PayPal."""
    wallets = _Wallets(rng)
    rows: list[Row] = []
    for order in orders:
        customer = order.customer
        person = customer.person
        for status, paid_at in _attempts(rng, order):
            method = _method(rng, person.country.code)
            brand = number = expiry = holder = account = payer = None
            if method == "card":
                brand, number, expiry = wallets.card(customer, paid_at)
                holder = person.full_name.upper() if rng.random() < 0.5 else person.full_name
            elif method in ("sepa_debit", "bank_transfer"):
                account, holder = wallets.iban(customer), person.full_name
            else:
                payer = person.email
            rows.append(
                (
                    len(rows) + 1,
                    order.order_id,
                    paid_at,
                    method,
                    status,
                    money(order.total_cents),
                    person.country.currency,
                    brand,
                    number,
                    expiry,
                    holder,
                    account,
                    payer,
                    _processor_ref(rng, method),
                )
            )
    return rows


def shipment_rows(rng: random.Random, people: PersonFactory, orders: list[Order]) -> list[Row]:
    """sales.shipments: one parcel per shipped order (sometimes two), labelled for the recipient."""
    rows: list[Row] = []
    for order in orders:
        if order.ship_to is None or order.status not in ("shipped", "delivered", "returned"):
            continue
        person = order.customer.person
        street, city, postcode, country = order.ship_to
        recipient = (
            person.full_name if rng.random() < 0.92 else " ".join(people.name(person.country))
        )
        label = f"{recipient}, {street}, {postcode} {city}, {country}"
        for _ in range(2 if rng.random() < 0.05 else 1):
            carrier = rng.choice(_CARRIERS[country])
            shipped = min(END_OF_DATA, order.ordered_at + dt.timedelta(hours=rng.randint(4, 72)))
            delivered = None
            if order.status != "shipped":
                delivered = min(END_OF_DATA, shipped + dt.timedelta(hours=rng.randint(20, 200)))
            rows.append(
                (
                    len(rows) + 1,
                    order.order_id,
                    carrier,
                    tracking_code(rng, carrier),
                    shipped,
                    delivered,
                    recipient,
                    label,
                    money(rng.randint(20, 2500)),
                )
            )
    return rows
