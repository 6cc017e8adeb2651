"""hr.departments and hr.employees: the company's own people.

Employees carry the most sensitive data in the demo (SSNs, salaries, payroll
bank accounts) and double as support agents, so tickets and comments can join
to a real person on the other side of the conversation.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from cli.demo.customers import Row
from cli.demo.identifiers import aba_routing_number, iban, us_ssn
from cli.demo.people import COUNTRY_BY_CODE, PersonFactory
from cli.demo.schema import money
from cli.demo.timeline import AS_OF, random_date, shift_years

COMPANY_DOMAIN = "brightwellgoods.com"
FOUNDED = dt.date(2012, 3, 1)


@dataclass(frozen=True)
class Department:
    department_id: int
    name: str
    cost_center: str
    location: str
    parent_id: int | None
    titles: tuple[str, ...]
    salary_k: tuple[int, int]  # yearly base salary band, thousands


DEPARTMENT_LIST: tuple[Department, ...] = (
    Department(
        1,
        "Executive",
        "CC-1000",
        "New York",
        None,
        ("Chief Officer", "Executive Assistant"),
        (120, 420),
    ),
    Department(
        2,
        "Engineering",
        "CC-2000",
        "Amsterdam",
        1,
        ("Software Engineer", "Senior Software Engineer", "Engineering Manager", "SRE"),
        (70, 210),
    ),
    Department(
        3,
        "Data & Analytics",
        "CC-2100",
        "Amsterdam",
        2,
        ("Data Analyst", "Data Engineer", "Analytics Manager"),
        (65, 180),
    ),
    Department(
        4,
        "Customer Support",
        "CC-3000",
        "London",
        1,
        ("Support Agent", "Senior Support Agent", "Support Team Lead"),
        (32, 75),
    ),
    Department(
        5,
        "Sales",
        "CC-4000",
        "New York",
        1,
        ("Account Executive", "Sales Manager", "Sales Development Rep"),
        (55, 170),
    ),
    Department(
        6,
        "Marketing",
        "CC-4100",
        "Berlin",
        5,
        ("Marketing Manager", "Content Strategist", "CRM Specialist"),
        (50, 150),
    ),
    Department(
        7,
        "Finance",
        "CC-5000",
        "New York",
        1,
        ("Accountant", "Financial Analyst", "Controller"),
        (60, 190),
    ),
    Department(
        8,
        "People",
        "CC-5100",
        "London",
        1,
        ("HR Business Partner", "Recruiter", "Payroll Specialist"),
        (45, 130),
    ),
    Department(
        9,
        "Logistics",
        "CC-6000",
        "Austin",
        1,
        ("Warehouse Associate", "Logistics Coordinator", "Fulfilment Manager"),
        (35, 110),
    ),
    Department(
        10,
        "Legal & Privacy",
        "CC-5200",
        "Berlin",
        1,
        ("Counsel", "Privacy Officer", "Paralegal"),
        (70, 220),
    ),
    Department(11, "Security", "CC-2200", "Austin", 2, ("Security Engineer", "CISO"), (90, 240)),
    Department(
        12,
        "Product",
        "CC-2300",
        "San Francisco",
        1,
        ("Product Manager", "Product Designer", "UX Researcher"),
        (80, 200),
    ),
)
_LOCATION_COUNTRY = {
    "New York": "US",
    "Austin": "US",
    "San Francisco": "US",
    "London": "GB",
    "Berlin": "DE",
    "Amsterdam": "NL",
}
_DEPARTMENT_WEIGHTS = (1, 18, 6, 26, 12, 7, 5, 4, 14, 2, 2, 5)
SUPPORT_DEPARTMENT_ID = 4


def department_rows() -> list[Row]:
    return [
        (d.department_id, d.name, d.cost_center, d.location, d.parent_id) for d in DEPARTMENT_LIST
    ]


@dataclass(frozen=True)
class Employee:
    employee_id: int
    first_name: str
    last_name: str
    department_id: int
    is_active: bool


def _plausible_birth(born: dt.date, *, min_age: int) -> dt.date:
    while born > shift_years(AS_OF, -min_age):
        born = shift_years(born, -5)
    return born


def _hire_and_leave(rng: random.Random, born: dt.date) -> tuple[dt.date, dt.date | None]:
    """Hired at 19 or older since the company started in 2012; one in ten has left."""
    earliest = max(FOUNDED, shift_years(born, 19))
    hired = random_date(rng, earliest, AS_OF - dt.timedelta(days=20))
    if rng.random() < 0.1:
        return hired, random_date(rng, hired + dt.timedelta(days=60), AS_OF)
    return hired, None


def _bank_details(rng: random.Random, country: str) -> tuple[str | None, str | None, str | None]:
    """Payroll account: an IBAN in Europe, routing plus account number in the US."""
    if country == "US":
        return None, aba_routing_number(rng), str(rng.randint(10**7, 10**12 - 1))
    return iban(rng, country), None, None


def make_employees(
    rng: random.Random, people: PersonFactory, count: int
) -> tuple[list[Employee], list[Row]]:
    """``count`` employees; employees 1-12 head the departments of the same id."""
    employees: list[Employee] = []
    rows: list[Row] = []
    for employee_id in range(1, count + 1):
        if employee_id <= len(DEPARTMENT_LIST):
            dept = DEPARTMENT_LIST[employee_id - 1]
        else:
            dept = rng.choices(DEPARTMENT_LIST, weights=_DEPARTMENT_WEIGHTS)[0]
        country = COUNTRY_BY_CODE[_LOCATION_COUNTRY[dept.location] if rng.random() < 0.85 else "US"]
        person = people.person(country)
        first, last = person.first_name, person.last_name
        # Heads (employees 1-12, one per department) report to the parent department's head.
        is_head = employee_id <= len(DEPARTMENT_LIST)
        born = _plausible_birth(person.date_of_birth, min_age=35 if is_head else 21)
        hired, left = (FOUNDED, None) if employee_id == 1 else _hire_and_leave(rng, born)
        manager = dept.parent_id if is_head else dept.department_id
        title = dept.titles[0] if is_head else rng.choice(dept.titles)
        salary_cents = rng.randint(*dept.salary_k) * 100_000 + rng.choice((0, 50_000))
        iban_, routing, account = _bank_details(rng, country.code)
        rows.append(
            (
                employee_id,
                f"E{employee_id + 1000:05d}",
                first,
                last,
                people.work_email(first, last, COMPANY_DOMAIN),
                person.email if rng.random() < 0.6 else None,
                person.phone,
                born,
                us_ssn(rng) if country.code == "US" else None,
                person.street,
                person.city,
                country.code,
                hired,
                left,
                dept.department_id,
                manager,
                title,
                money(salary_cents),
                iban_,
                routing,
                account,
                left is None,
            )
        )
        employees.append(Employee(employee_id, first, last, dept.department_id, left is None))
    return employees, rows
