"""web.events: six months of clickstream from the shop and the app.

Visitors come back in separate visits (so sessionizing by a 30-minute gap,
as the ETL does, finds real sessions), logged-in visitors share IP addresses
with their orders, and a few URLs leak an email address in a query string, as
real clickstreams do.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from urllib.parse import quote

from cli.demo.customers import Customer, Row
from cli.demo.identifiers import demo_uuid, ipv4_address, ipv6_address, version_string
from cli.demo.orders import Product
from cli.demo.people import COUNTRIES
from cli.demo.timeline import END_OF_DATA, recent_datetime

CLICKSTREAM_DAYS = 180
_USER_AGENTS = {
    "desktop": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/125.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    ),
    "mobile_web": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/125.0.0.0 Mobile Safari/537.36",
    ),
    "mobile_app": (
        "BrightwellApp/4 (iOS 17.5; iPhone15,2)",
        "BrightwellApp/4 (Android 14; SM-S918B)",
    ),
    "tablet": (
        "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1",
    ),
}
_DEVICES = tuple(_USER_AGENTS)
_DEVICE_WEIGHTS = (45, 30, 20, 5)
_REFERRERS = (
    None,
    None,
    "https://www.google.com/",
    "https://www.bing.com/",
    "https://www.facebook.com/",
    "https://newsletter.brightwellgoods.com/campaign/summer",
)
_SEARCH_TERMS = ("tent", "usb c hub", "merino", "gift for dad", "knife", "earbuds", "desk lamp")
_NEXT_EVENT = ("page_view", "search", "add_to_cart", "checkout", "login", "logout")
_NEXT_WEIGHTS = (60, 10, 14, 5, 6, 5)


@dataclass(frozen=True)
class _Visitor:
    anonymous_id: str
    customer: Customer | None
    device: str
    user_agent: str
    ip: str
    country: str


def _visitor(rng: random.Random, customers: list[Customer]) -> _Visitor:
    customer = rng.choice(customers) if rng.random() < 0.6 else None
    device = rng.choices(_DEVICES, weights=_DEVICE_WEIGHTS)[0]
    if customer is not None:
        ip, country = rng.choice(customer.ips), customer.person.country.code
    else:
        ip = ipv6_address(rng) if rng.random() < 0.15 else ipv4_address(rng)
        country = rng.choice(COUNTRIES).code
    return _Visitor(demo_uuid(rng), customer, device, rng.choice(_USER_AGENTS[device]), ip, country)


def _page(rng: random.Random, event_type: str, products: list[Product], visitor: _Visitor) -> str:
    if event_type == "search":
        return f"/search?q={quote(rng.choice(_SEARCH_TERMS))}"
    if event_type in ("add_to_cart", "checkout"):
        return "/cart" if event_type == "add_to_cart" else "/checkout"
    if event_type == "login" and visitor.customer and rng.random() < 0.05:
        # A password-reset link that carries the address in its query string.
        return f"/account/reset?email={quote(visitor.customer.person.email)}"
    if event_type in ("login", "logout"):
        return f"/account/{event_type}"
    return rng.choice(("/", "/help", "/account/orders", f"/products/{rng.choice(products).sku}"))


def event_rows(
    rng: random.Random, customers: list[Customer], products: list[Product], count: int
) -> list[Row]:
    """About ``count`` events in visits of 1-12 clicks, sorted by time and numbered."""
    visitors = [_visitor(rng, customers) for _ in range(max(1, count // 14))]
    start = END_OF_DATA - dt.timedelta(days=CLICKSTREAM_DAYS)
    drafts: list[tuple[dt.datetime, _Visitor, bool, str, str, str | None, str | None]] = []
    while len(drafts) < count:
        visitor = rng.choice(visitors)
        when = recent_datetime(rng, start, END_OF_DATA)
        logged_in = visitor.customer is not None and rng.random() < 0.7
        app_version = version_string(rng, 4) if visitor.device == "mobile_app" else None
        referrer = rng.choice(_REFERRERS)
        event_type = "page_view"
        for _ in range(min(count - len(drafts), rng.randint(1, 12))):
            drafts.append(
                (
                    when,
                    visitor,
                    logged_in,
                    event_type,
                    _page(rng, event_type, products, visitor),
                    referrer,
                    app_version,
                )
            )
            referrer = None
            when = min(END_OF_DATA, when + dt.timedelta(seconds=rng.randint(5, 600)))
            event_type = rng.choices(_NEXT_EVENT, weights=_NEXT_WEIGHTS)[0]
    drafts.sort(key=lambda d: (d[0], d[1].anonymous_id))
    return [
        (
            event_id,
            v.anonymous_id,
            v.customer.customer_id if logged_in and v.customer else None,
            when,
            event_type,
            page,
            referrer,
            v.ip,
            v.user_agent,
            v.device,
            app_version,
            v.country,
        )
        for event_id, (when, v, logged_in, event_type, page, referrer, app_version) in enumerate(
            drafts, start=1
        )
    ]
