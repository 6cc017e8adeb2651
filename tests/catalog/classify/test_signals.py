"""Column-name signals, as a table."""

from __future__ import annotations

import pytest

from catalog.classify.signals import name_signal, words


@pytest.mark.parametrize(
    "name, expected",
    [
        ("customerEmailAddr_2", ["customer", "email", "addr", "2"]),
        ("DATE_OF_BIRTH", ["date", "of", "birth"]),
        ("ssn", ["ssn"]),
        ("IPAddress", ["ip", "address"]),
        ("first-name", ["first", "name"]),
    ],
)
def test_words(name, expected):
    assert words(name) == expected


@pytest.mark.parametrize(
    "column, table, entity, strength",
    [
        ("email", "", "EMAIL_ADDRESS", 2),
        ("contact_email", "", "EMAIL_ADDRESS", 2),
        ("email_address", "", "EMAIL_ADDRESS", 2),
        ("ip_address", "", "IP_ADDRESS", 2),
        ("clientIp", "", "IP_ADDRESS", 2),
        ("date_of_birth", "", "DATE_OF_BIRTH", 2),
        ("dob", "", "DATE_OF_BIRTH", 2),
        ("Geburtsdatum", "", "DATE_OF_BIRTH", 2),
        ("telefonnummer", "", "PHONE_NUMBER", 2),
        ("mobile_phone", "", "PHONE_NUMBER", 2),
        ("ssn", "", "US_SSN", 2),
        ("card_number", "", "CREDIT_CARD", 2),
        ("iban", "", "IBAN_CODE", 2),
        ("first_name", "", "PERSON", 2),
        ("surname", "", "PERSON", 2),
        ("nachname", "", "PERSON", 2),
        ("street_address", "", "STREET_ADDRESS", 2),
        ("passport_number", "", "US_PASSPORT", 2),
        ("drivers_license", "", "US_DRIVER_LICENSE", 2),
        ("name", "customers", "PERSON", 1),
        ("name", "products", None, 0),
        ("product_name", "", None, 0),
        ("email_template", "", "EMAIL_ADDRESS", 1),
        ("order_date", "", None, 0),
        ("mac_address", "", "STREET_ADDRESS", 1),
        ("notes", "", None, 0),
        ("id", "", None, 0),
    ],
)
def test_name_signal(column, table, entity, strength):
    signal = name_signal(column, table)
    assert (signal.entity.value if signal.entity else None, signal.strength) == (entity, strength)
