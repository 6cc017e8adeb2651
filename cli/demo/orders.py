"""sales.products, sales.orders and sales.order_items.

Orders are generated in time order from the customers built earlier, so that
totals equal the sum of their lines plus tax and shipping and ids grow with
time: the consistency an analyst (and a lineage graph) expects. Payments and
shipments follow in ``cli.demo.fulfilment``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from cli.demo.customers import Customer, Row
from cli.demo.identifiers import invoice_number, order_number, version_string
from cli.demo.people import PersonFactory
from cli.demo.schema import money
from cli.demo.timeline import END_OF_DATA, HISTORY_START, at_midnight, recent_datetime


@dataclass(frozen=True)
class Category:
    """A product family: SKU prefix, name parts and a price band in cents."""

    name: str
    code: str
    nouns: tuple[str, ...]
    price_cents: tuple[int, int]
    has_firmware: bool = False


CATEGORIES: tuple[Category, ...] = (
    Category(
        "Electronics",
        "EL",
        (
            "Wireless Earbuds",
            "Smart Speaker",
            "USB-C Hub",
            "Action Camera",
            "Fitness Tracker",
            "Power Bank",
            "E-Reader",
            "Smart Plug",
            "Webcam",
            "Mechanical Keyboard",
        ),
        (1_999, 34_999),
        has_firmware=True,
    ),
    Category(
        "Home",
        "HM",
        (
            "Throw Blanket",
            "Table Lamp",
            "Wall Clock",
            "Storage Basket",
            "Bath Towel Set",
            "Scented Candle",
        ),
        (999, 12_999),
    ),
    Category(
        "Kitchen",
        "KT",
        (
            "Chef's Knife",
            "Cast Iron Skillet",
            "French Press",
            "Blender",
            "Cutting Board",
            "Spice Rack",
        ),
        (1_299, 24_999),
    ),
    Category(
        "Outdoor",
        "OD",
        ("Camping Tent", "Trail Backpack", "Water Bottle", "Headlamp", "Sleeping Bag", "Hammock"),
        (1_499, 39_999),
    ),
    Category(
        "Apparel",
        "AP",
        ("Rain Jacket", "Merino Sweater", "Running Shoes", "Beanie", "Hiking Socks", "Fleece Vest"),
        (1_299, 19_999),
    ),
    Category(
        "Office",
        "OF",
        ("Desk Organizer", "Notebook Set", "Monitor Stand", "Ergonomic Chair", "Fountain Pen"),
        (599, 49_999),
    ),
)
_BRANDS = ("Aurora", "Nimbus", "Vertex", "Lumen", "Kestrel", "Orbit", "Juniper", "Atlas", "Halcyon")
_EDITIONS = ("", "", " Pro", " Mini", " Max", " Lite", " 2nd Gen", " Plus")
_COLORS = ("BLK", "WHT", "GRY", "BLU", "RED", "GRN", "NAT")
_COUPONS = ("WELCOME10", "SPRING25", "VIP15", "FREESHIP", "BLACKFRIDAY", "LOYALTY5")


@dataclass(frozen=True)
class Product:
    product_id: int
    sku: str
    name: str
    category: str
    price_cents: int


@dataclass(frozen=True)
class Order:
    """What later tables need to know about an order."""

    order_id: int
    order_number: str
    customer: Customer
    ordered_at: dt.datetime
    status: str
    channel: str
    total_cents: int
    invoice_number: str | None
    ship_to: tuple[str, str, str, str] | None  # street, city, postal code, country
    product_ids: tuple[int, ...]


def make_products(rng: random.Random, count: int) -> tuple[list[Product], list[Row]]:
    """Products with unique SKUs like ``EL-4821-BLK`` and rows for sales.products."""
    products: list[Product] = []
    rows: list[Row] = []
    skus: set[str] = set()
    for product_id in range(1, count + 1):
        cat = CATEGORIES[product_id % len(CATEGORIES)]
        sku = f"{cat.code}-{rng.randint(1000, 9999)}-{rng.choice(_COLORS)}"
        while sku in skus:
            sku = f"{cat.code}-{rng.randint(1000, 9999)}-{rng.choice(_COLORS)}"
        skus.add(sku)
        name = f"{rng.choice(_BRANDS)} {rng.choice(cat.nouns)}{rng.choice(_EDITIONS)}"
        price = rng.randint(*cat.price_cents) // 100 * 100 + rng.choice((99, 95, 0, 49))
        firmware = version_string(rng, rng.randint(1, 5)) if cat.has_firmware else None
        created = recent_datetime(rng, at_midnight(dt.date(2019, 1, 1)), END_OF_DATA)
        products.append(Product(product_id, sku, name, cat.name, price))
        rows.append(
            (
                product_id,
                sku,
                name,
                cat.name,
                money(price),
                money(price * rng.randint(35, 70) // 100),
                firmware,
                rng.random() < 0.06,
                created,
            )
        )
    return products, rows


def _status(rng: random.Random, ordered_at: dt.datetime) -> str:
    age = END_OF_DATA - ordered_at
    if rng.random() < 0.04:
        return "cancelled"
    if age < dt.timedelta(days=1):
        return "placed"
    if age < dt.timedelta(days=3):
        return rng.choice(("processing", "shipped"))
    if age < dt.timedelta(days=10):
        return rng.choice(("shipped", "delivered", "delivered"))
    return "returned" if rng.random() < 0.05 else "delivered"


@dataclass(frozen=True)
class OrderTables:
    """The generated sales tables that hang off orders."""

    orders: list[Order]
    order_rows: list[Row]
    item_rows: list[Row]


def _lines(
    rng: random.Random, products: list[Product], weights: list[float]
) -> list[tuple[Product, int, int]]:
    """Order lines as (product, quantity, discount cents)."""
    count = rng.choices((1, 2, 3, 4, 5), weights=(45, 28, 15, 8, 4))[0]
    picked = rng.choices(products, weights=weights, k=count)
    lines: list[tuple[Product, int, int]] = []
    for product in dict.fromkeys(picked):
        qty = rng.choices((1, 2, 3, 4), weights=(75, 17, 6, 2))[0]
        discount = (
            product.price_cents * qty * rng.choice((5, 10, 15, 20)) // 100
            if rng.random() < 0.12
            else 0
        )
        lines.append((product, qty, discount))
    return lines


def _order_times(
    rng: random.Random, customers: list[Customer], count: int
) -> list[tuple[dt.datetime, Customer]]:
    """(ordered_at, customer) pairs in time order; a few customers buy a lot, many never."""
    weights = [min(12.0, rng.paretovariate(1.6)) if rng.random() < 0.85 else 0.0 for _ in customers]
    start = at_midnight(HISTORY_START)
    picks: list[tuple[dt.datetime, int, Customer]] = []
    for customer in rng.choices(customers, weights=weights, k=count):
        picks.append(
            (
                recent_datetime(rng, max(start, customer.signup_at), END_OF_DATA),
                customer.customer_id,
                customer,
            )
        )
    picks.sort(key=lambda p: (p[0], p[1]))
    return [(when, customer) for when, _, customer in picks]


def _unique_invoice(rng: random.Random, issued: set[str]) -> str:
    invoice = invoice_number(rng)
    while invoice in issued:
        invoice = invoice_number(rng)
    issued.add(invoice)
    return invoice


def _ship_to(
    rng: random.Random, people: PersonFactory, customer: Customer
) -> tuple[str, str, str, str]:
    """Usually the customer's own address; sometimes a gift or a workplace."""
    p, country = customer.person, customer.person.country
    if rng.random() < 0.9:
        return p.street, p.city, p.postal_code, country.code
    street, city, _, postcode = people.address(country)
    return street, city, postcode, country.code


def make_orders(
    rng: random.Random,
    people: PersonFactory,
    customers: list[Customer],
    products: list[Product],
    count: int,
) -> OrderTables:
    """``count`` orders with consistent money: total = lines - discount + tax + shipping."""
    weights = [min(40.0, rng.paretovariate(1.2)) for _ in products]
    orders: list[Order] = []
    order_rows: list[Row] = []
    item_rows: list[Row] = []
    per_year: dict[int, int] = {}
    invoices: set[str] = set()
    for order_id, (when, customer) in enumerate(_order_times(rng, customers, count), start=1):
        country = customer.person.country
        per_year[when.year] = per_year.get(when.year, 0) + 1
        lines = _lines(rng, products, weights)
        subtotal = sum(p.price_cents * q for p, q, _ in lines)
        discount = sum(d for _, _, d in lines)
        tax = (subtotal - discount) * country.tax_pct // 100
        shipping = 0 if subtotal >= 5_000 else rng.choice((499, 599, 799))
        status = _status(rng, when)
        channel = rng.choices(("web", "mobile", "store", "phone"), weights=(55, 30, 10, 5))[0]
        invoice = None if status == "cancelled" else _unique_invoice(rng, invoices)
        ship_to = None if channel == "store" else _ship_to(rng, people, customer)
        ip = rng.choice(customer.ips) if channel in ("web", "mobile") else None
        coupon = rng.choice(_COUPONS) if discount and rng.random() < 0.6 else None
        number = order_number(when.year, per_year[when.year])
        total = subtotal - discount + tax + shipping
        order_rows.append(
            (
                order_id,
                number,
                customer.customer_id,
                when,
                status,
                channel,
                country.region,
                country.currency,
                money(subtotal),
                money(discount),
                money(tax),
                money(shipping),
                money(total),
                coupon,
                invoice,
                *(ship_to or (None,) * 4),
                ip,
            )
        )
        for line_number, (product, qty, line_discount) in enumerate(lines, start=1):
            item_rows.append(
                (
                    len(item_rows) + 1,
                    order_id,
                    line_number,
                    product.product_id,
                    qty,
                    money(product.price_cents),
                    money(line_discount),
                    money(product.price_cents * qty - line_discount),
                )
            )
        orders.append(
            Order(
                order_id,
                number,
                customer,
                when,
                status,
                channel,
                total,
                invoice,
                ship_to,
                tuple(p.product_id for p, _, _ in lines),
            )
        )
    return OrderTables(orders, order_rows, item_rows)
