"""support.tickets and support.ticket_comments: free text as customers really write it.

Ticket bodies are where classification is hard: a name and a phone number in a
sentence, a full card number pasted in anger, an address in a reply, next to
order numbers, invoice numbers, tracking codes and version strings that only
look like personal data, and many tickets that contain nothing personal at all.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from cli.demo.customers import Customer, Row
from cli.demo.identifiers import (
    IBAN_COUNTRIES,
    card_number,
    format_card,
    format_iban,
    iban,
    tracking_code,
    us_ssn,
    version_string,
)
from cli.demo.orders import Order, Product
from cli.demo.people import Person, PersonFactory
from cli.demo.staff import SUPPORT_DEPARTMENT_ID, Employee
from cli.demo.timeline import END_OF_DATA, HISTORY_START, at_midnight, recent_datetime


@dataclass(frozen=True)
class Topic:
    """A kind of support request; placeholders are filled from ``_facts``."""

    subject: str
    bodies: tuple[str, ...]
    weight: int
    needs_order: bool = False
    countries: tuple[str, ...] = ()  # empty: any country
    priority: str | None = None


TOPICS: tuple[Topic, ...] = (
    Topic(
        "Can't log in to my account",
        (
            "Hi, I've been trying to log in since yesterday but the password reset email never "
            "arrives. My account email is {email}. Can you help? Thanks, {first}",
            "Hello,\nI can't access my account anymore. I changed my phone number to {phone}, "
            "maybe that's why the SMS code fails?\n\n{full_name}",
            "The login page keeps saying 'invalid credentials' even after a reset. "
            "App version {version} on Android.",
        ),
        weight=12,
    ),
    Topic(
        "Charged twice for order {order_number}",
        (
            "I was charged twice for order {order_number}. The card is {card}, "
            "please refund one of the charges.",
            "Hi, my bank statement shows two payments for {order_number} on the card ending in "
            "{last4}. Invoice {invoice}.",
            "Double charge AGAIN?? Order {order_number}. Call me at {phone}.",
        ),
        weight=8,
        needs_order=True,
        priority="high",
    ),
    Topic(
        "Change delivery address for {order_number}",
        (
            "Please ship {order_number} to my new address: {address}. Thanks!",
            "I moved last week. New address is {address}, phone {phone}. "
            "Order {order_number} hasn't shipped yet I think.",
        ),
        weight=7,
        needs_order=True,
    ),
    Topic(
        "Where is my order {order_number}?",
        (
            "My package with tracking number {tracking} hasn't moved for 5 days. "
            "Order {order_number}.",
            "Ordered on {order_date} and still nothing. Can you check tracking {tracking}?",
            "Hi, any update on {order_number}? It says delivered but I never got it.",
        ),
        weight=16,
        needs_order=True,
    ),
    Topic(
        "Return request {order_number}",
        (
            "I'd like to return the {product} from order {order_number}. "
            "It stopped charging after a week.",
            "Refund for {order_number} still not received after 14 days.",
            "The {product} arrived broken. Photos attached. Invoice no. {invoice}.",
        ),
        weight=10,
        needs_order=True,
    ),
    Topic(
        "Refund to bank account",
        ("Please refund invoice {invoice} to my bank account {iban}. Kind regards, {full_name}",),
        weight=3,
        needs_order=True,
        countries=("DE", "FR", "NL", "ES", "IT", "GB"),
    ),
    Topic(
        "Question about {product}",
        (
            "Does the {product} work with USB-C chargers? The manual is unclear.",
            "Is firmware {version} for the {product} out yet? Mine is stuck on the old one.",
            "What are the dimensions of the {product} when folded?",
        ),
        weight=12,
    ),
    Topic(
        "Delete my account",
        (
            "Under GDPR I request deletion of all my personal data. Name: {full_name}, "
            "date of birth {dob}, email {email}.",
            "Please send me a copy of all the data you hold about me ({email}, {phone}).",
        ),
        weight=4,
    ),
    Topic(
        "Identity verification for store credit",
        ("You asked for verification: my SSN is {ssn} and my date of birth is {dob}. {full_name}",),
        weight=2,
        countries=("US",),
    ),
    Topic(
        "App crashes at checkout",
        (
            "The iOS app (version {version}) crashes whenever I tap checkout. "
            "Reinstalling didn't help.",
            "Getting error 500 on the cart page since this morning.",
            "Prices show in the wrong currency when I switch region.",
        ),
        weight=10,
    ),
    Topic(
        "Feedback",
        (
            "Just wanted to say the {product} is excellent, thanks!",
            "The courier left the parcel in the rain. Not happy.",
            "Great service from your chat team today.",
        ),
        weight=8,
    ),
)

_PRIORITIES = ("low", "normal", "high", "urgent")
_CHANNELS = ("email", "chat", "phone", "web_form")
_AGENT_ACTIONS = (
    "I've issued a refund to your original payment method; it can take 5-10 business days.",
    "I've updated the delivery address on your order.",
    "I've escalated this to our logistics team and will update you within 48 hours.",
    "Could you confirm the last four digits of the card you used?",
    "I've re-sent the password reset link. Please also check your spam folder.",
    "A replacement is on its way at no cost.",
)
_CUSTOMER_REPLIES = (
    "Thanks, that worked!",
    "Still not resolved. Please call me on {phone}.",
    "The last four digits are {last4}.",
    "My new email is {alt_email}, please use that from now on.",
    "ok",
    "Any news? It's been a week.",
)
_INTERNAL_NOTES = (
    "Verified identity via DOB {dob} and last 4 of card {last4}.",
    "Escalated to Tier 2, see SUP-{jira}.",
    "Refund approved by team lead.",
    "Customer called again, very upset. Handle with care.",
    "Duplicate of ticket #{other_ticket}.",
    "Carrier claim opened, reference {tracking}.",
)


def _facts(
    rng: random.Random, person: Person, order: Order | None, product: str
) -> dict[str, object]:
    """Everything a ticket might mention, ready for ``str.format``."""
    card = card_number(rng)[0]
    code = person.country.code
    us = code == "US"
    dob = person.date_of_birth
    return {
        "first": person.first_name,
        "full_name": person.full_name,
        "email": person.email,
        "alt_email": person.email.replace("@", f"{rng.randint(2, 99)}@"),
        "phone": person.phone,
        "address": person.one_line_address(),
        "card": format_card(card) if rng.random() < 0.7 else card,
        "last4": card[-4:],
        "iban": format_iban(iban(rng, code if code in IBAN_COUNTRIES else "DE")),
        "ssn": us_ssn(rng),
        "dob": dob.strftime("%m/%d/%Y") if us else dob.isoformat(),
        "version": version_string(rng, rng.randint(3, 5)),
        "product": product,
        "order_number": order.order_number if order else "",
        "order_date": f"{order.ordered_at:%B} {order.ordered_at.day}" if order else "",
        "invoice": (order.invoice_number or "") if order else "",
        "tracking": tracking_code(rng, "UPS"),
        "jira": rng.randint(1000, 9999),
        "other_ticket": rng.randint(1, 5000),
    }


@dataclass(frozen=True)
class _Ticket:
    ticket_id: int
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    agent_id: int | None
    facts: dict[str, object]


def _opened_at(rng: random.Random, customer: Customer | None, order: Order | None) -> dt.datetime:
    if order is not None:
        return min(END_OF_DATA, order.ordered_at + dt.timedelta(hours=rng.randint(2, 480)))
    start = at_midnight(HISTORY_START)
    if customer is not None:
        start = max(start, customer.signup_at)
    return recent_datetime(rng, start, END_OF_DATA)


def _lifecycle(rng: random.Random, opened: dt.datetime) -> tuple[str, dt.datetime | None]:
    age = END_OF_DATA - opened
    if age < dt.timedelta(days=2):
        return rng.choice(("open", "open", "pending")), None
    if age < dt.timedelta(days=7):
        status = rng.choice(("open", "pending", "solved"))
    else:
        status = rng.choices(("solved", "closed", "open"), weights=(70, 28, 2))[0]
    if status in ("open", "pending"):
        return status, None
    return status, min(END_OF_DATA, opened + dt.timedelta(minutes=rng.randint(30, 14_400)))


def _pick_topic(rng: random.Random, country: str, has_order: bool) -> Topic:
    options = [
        t
        for t in TOPICS
        if (has_order or not t.needs_order) and (not t.countries or country in t.countries)
    ]
    return rng.choices(options, weights=[t.weight for t in options])[0]


@dataclass(frozen=True)
class SupportTables:
    ticket_rows: list[Row]
    comment_rows: list[Row]


@dataclass(frozen=True)
class _Draft:
    """A ticket before it gets its id (ids follow opening time)."""

    opened_at: dt.datetime
    customer: Customer | None
    person: Person
    topic: Topic
    order: Order | None
    facts: dict[str, object]


def _drafts(
    rng: random.Random,
    people: PersonFactory,
    customers: list[Customer],
    orders: list[Order],
    products: list[Product],
    count: int,
) -> list[_Draft]:
    invoiced: dict[int, list[Order]] = {}
    for placed in orders:
        if placed.invoice_number:
            invoiced.setdefault(placed.customer.customer_id, []).append(placed)
    product_names = {p.product_id: p.name for p in products}
    drafts = []
    for _ in range(count):
        customer = rng.choice(customers) if rng.random() < 0.9 else None
        person = customer.person if customer else people.person()
        candidates = invoiced.get(customer.customer_id, []) if customer else []
        topic = _pick_topic(rng, person.country.code, bool(candidates))
        order = rng.choice(candidates) if topic.needs_order else None
        product = product_names[rng.choice(order.product_ids)] if order else None
        facts = _facts(rng, person, order, product or rng.choice(products).name)
        opened = _opened_at(rng, customer, order)
        drafts.append(_Draft(opened, customer, person, topic, order, facts))
    drafts.sort(key=lambda d: (d.opened_at, d.person.email))
    return drafts


def make_support(
    rng: random.Random,
    people: PersonFactory,
    customers: list[Customer],
    orders: list[Order],
    products: list[Product],
    employees: list[Employee],
    count: int,
) -> SupportTables:
    """``count`` tickets (about half with personal data in the body) and their comments."""
    agents = [e for e in employees if e.department_id == SUPPORT_DEPARTMENT_ID] or employees
    ticket_rows: list[Row] = []
    tickets: list[_Ticket] = []
    drafts = _drafts(rng, people, customers, orders, products, count)
    for ticket_id, draft in enumerate(drafts, start=1):
        status, closed = _lifecycle(rng, draft.opened_at)
        agent = rng.choice(agents).employee_id if rng.random() < 0.95 else None
        priority = draft.topic.priority or rng.choices(_PRIORITIES, (20, 55, 20, 5))[0]
        rated = closed is not None and rng.random() < 0.6
        ticket_rows.append(
            (
                ticket_id,
                draft.customer.customer_id if draft.customer else None,
                draft.order.order_id if draft.order else None,
                agent,
                draft.person.email if rng.random() < 0.9 else draft.facts["alt_email"],
                draft.opened_at,
                closed,
                status,
                priority,
                rng.choices(_CHANNELS, (45, 30, 10, 15))[0],
                draft.topic.subject.format(**draft.facts),
                rng.choice(draft.topic.bodies).format(**draft.facts),
                rng.choices((1, 2, 3, 4, 5), (6, 6, 14, 34, 40))[0] if rated else None,
            )
        )
        tickets.append(_Ticket(ticket_id, draft.opened_at, closed, agent, draft.facts))
    staff = {e.employee_id: e for e in employees}
    return SupportTables(ticket_rows, _comment_rows(rng, tickets, staff))


def _comment_rows(
    rng: random.Random, tickets: list[_Ticket], staff: dict[int, Employee]
) -> list[Row]:
    rows: list[Row] = []
    for ticket in tickets:
        end = ticket.closed_at or END_OF_DATA
        times = sorted(
            recent_datetime(rng, ticket.opened_at, end)
            for _ in range(rng.choice((0, 1, 2, 2, 3, 4)))
        )
        for when in times:
            kind = rng.choices(("agent", "customer", "internal"), (50, 30, 20))[0]
            agent = staff.get(ticket.agent_id) if ticket.agent_id else None
            if kind == "agent" and agent is not None:
                action = rng.choice(_AGENT_ACTIONS)
                body = (
                    f"Hi {ticket.facts['first']},\n\nThanks for reaching out! {action}"
                    f"\n\nBest,\n{agent.first_name}\nBrightwell Support"
                )
                rows.append(
                    (len(rows) + 1, ticket.ticket_id, "agent", agent.employee_id, when, False, body)
                )
            elif kind == "internal" and agent is not None:
                body = rng.choice(_INTERNAL_NOTES).format(**ticket.facts)
                rows.append(
                    (len(rows) + 1, ticket.ticket_id, "agent", agent.employee_id, when, True, body)
                )
            else:
                body = rng.choice(_CUSTOMER_REPLIES).format(**ticket.facts)
                rows.append((len(rows) + 1, ticket.ticket_id, "customer", None, when, False, body))
    return rows
