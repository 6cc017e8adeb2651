"""The demo warehouse's base tables, declared as data.

Keeping the DDL as data lets the loader derive ``CREATE TABLE`` statements,
the CSV column order and the load order (parents before children, so foreign
keys hold) from one declaration, and lets tests walk every table and column.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column. ``constraint`` is appended verbatim (``PRIMARY KEY``, ``NOT NULL``);
    ``references`` names the ``schema.table.column`` this one points to."""

    name: str
    type: str
    constraint: str = ""
    references: str | None = None

    def ddl(self, schema: str) -> str:
        """DuckDB only enforces foreign keys within one schema; others are documented instead."""
        parts = [self.name, self.type, self.constraint]
        if self.references and self.references.split(".")[0] == schema:
            table, column = self.references.rsplit(".", 1)
            parts.append(f"REFERENCES {table} ({column})")
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class TableSpec:
    """A base table: where it lives, its columns, and a description the catalog will show."""

    schema: str
    name: str
    columns: tuple[Column, ...]
    comment: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    def create_sql(self) -> str:
        body = ",\n    ".join(c.ddl(self.schema) for c in self.columns)
        return f"CREATE TABLE {self.qualified} (\n    {body}\n)"

    def comment_sql(self) -> list[str]:
        """The table's description, plus a note on every cross-schema reference."""
        statements = [f"COMMENT ON TABLE {self.qualified} IS {_quote(self.comment)}"]
        for c in self.columns:
            if c.references and c.references.split(".")[0] != self.schema:
                note = _quote(f"References {c.references} (not enforced across schemas).")
                statements.append(f"COMMENT ON COLUMN {self.qualified}.{c.name} IS {note}")
        return statements

    def references(self) -> list[tuple[str, str]]:
        """(``schema.table.column``, referenced ``schema.table.column``) per foreign key."""
        return [(f"{self.qualified}.{c.name}", c.references) for c in self.columns if c.references]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def money(cents: int) -> str:
    """A DECIMAL(12,2) value as CSV text; amounts are kept as integer cents until written."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _c(name: str, type_: str, constraint: str = "", references: str | None = None) -> Column:
    return Column(name, type_, constraint, references)


_MONEY = "DECIMAL(12,2)"
_PK = "PRIMARY KEY"
_NN = "NOT NULL"

DEPARTMENTS = TableSpec(
    "hr",
    "departments",
    (
        _c("department_id", "INTEGER", _PK),
        _c("name", "VARCHAR", _NN),
        _c("cost_center", "VARCHAR", _NN),
        _c("location", "VARCHAR", _NN),
        _c("parent_department_id", "INTEGER"),
    ),
    "Organisational units; cost centers feed the finance ledger.",
)

EMPLOYEES = TableSpec(
    "hr",
    "employees",
    (
        _c("employee_id", "INTEGER", _PK),
        _c("employee_number", "VARCHAR", _NN),
        _c("first_name", "VARCHAR", _NN),
        _c("last_name", "VARCHAR", _NN),
        _c("work_email", "VARCHAR", _NN),
        _c("personal_email", "VARCHAR"),
        _c("phone", "VARCHAR"),
        _c("date_of_birth", "DATE", _NN),
        _c("ssn", "VARCHAR"),
        _c("home_address", "VARCHAR"),
        _c("home_city", "VARCHAR"),
        _c("home_country", "VARCHAR", _NN),
        _c("hire_date", "DATE", _NN),
        _c("termination_date", "DATE"),
        _c("department_id", "INTEGER", _NN, "hr.departments.department_id"),
        _c("manager_id", "INTEGER"),
        _c("job_title", "VARCHAR", _NN),
        _c("salary", _MONEY, _NN),
        _c("bank_iban", "VARCHAR"),
        _c("bank_routing_number", "VARCHAR"),
        _c("bank_account_number", "VARCHAR"),
        _c("is_active", "BOOLEAN", _NN),
    ),
    "Everyone who works or worked here, with payroll bank details. HR-confidential.",
)

CUSTOMERS = TableSpec(
    "crm",
    "customers",
    (
        _c("customer_id", "INTEGER", _PK),
        _c("external_id", "UUID", _NN),
        _c("first_name", "VARCHAR", _NN),
        _c("last_name", "VARCHAR", _NN),
        _c("email", "VARCHAR"),
        _c("phone", "VARCHAR"),
        _c("date_of_birth", "DATE"),
        _c("ssn", "VARCHAR"),
        _c("street_address", "VARCHAR"),
        _c("city", "VARCHAR"),
        _c("state", "VARCHAR"),
        _c("postal_code", "VARCHAR"),
        _c("country", "VARCHAR", _NN),
        _c("region", "VARCHAR", _NN),
        _c("signup_at", "TIMESTAMP", _NN),
        _c("loyalty_tier", "VARCHAR"),
        _c("marketing_opt_in", "BOOLEAN", _NN),
        _c("is_active", "BOOLEAN", _NN),
    ),
    "One row per customer account; the system of record for contact details.",
)

CONSENT_EVENTS = TableSpec(
    "crm",
    "consent_events",
    (
        _c("consent_id", "BIGINT", _PK),
        _c("customer_id", "INTEGER", _NN, "crm.customers.customer_id"),
        _c("purpose", "VARCHAR", _NN),
        _c("granted", "BOOLEAN", _NN),
        _c("recorded_at", "TIMESTAMP", _NN),
        _c("source", "VARCHAR", _NN),
        _c("source_ip", "VARCHAR"),
    ),
    "Append-only history of marketing and profiling consents (GDPR art. 7 evidence).",
)

PRODUCTS = TableSpec(
    "sales",
    "products",
    (
        _c("product_id", "INTEGER", _PK),
        _c("sku", "VARCHAR", f"{_NN} UNIQUE"),
        _c("name", "VARCHAR", _NN),
        _c("category", "VARCHAR", _NN),
        _c("unit_price", _MONEY, _NN),
        _c("unit_cost", _MONEY, _NN),
        _c("firmware_version", "VARCHAR"),
        _c("is_discontinued", "BOOLEAN", _NN),
        _c("created_at", "TIMESTAMP", _NN),
    ),
    "Product catalogue.",
)

ORDERS = TableSpec(
    "sales",
    "orders",
    (
        _c("order_id", "BIGINT", _PK),
        _c("order_number", "VARCHAR", f"{_NN} UNIQUE"),
        _c("customer_id", "INTEGER", _NN, "crm.customers.customer_id"),
        _c("ordered_at", "TIMESTAMP", _NN),
        _c("status", "VARCHAR", _NN),
        _c("channel", "VARCHAR", _NN),
        _c("region", "VARCHAR", _NN),
        _c("currency", "VARCHAR", _NN),
        _c("subtotal_amount", _MONEY, _NN),
        _c("discount_amount", _MONEY, _NN),
        _c("tax_amount", _MONEY, _NN),
        _c("shipping_amount", _MONEY, _NN),
        _c("total_amount", _MONEY, _NN),
        _c("coupon_code", "VARCHAR"),
        _c("invoice_number", "VARCHAR"),
        _c("shipping_street", "VARCHAR"),
        _c("shipping_city", "VARCHAR"),
        _c("shipping_postal_code", "VARCHAR"),
        _c("shipping_country", "VARCHAR"),
        _c("client_ip", "VARCHAR"),
    ),
    "Customer orders, one row per checkout.",
)

ORDER_ITEMS = TableSpec(
    "sales",
    "order_items",
    (
        _c("order_item_id", "BIGINT", _PK),
        _c("order_id", "BIGINT", _NN, "sales.orders.order_id"),
        _c("line_number", "INTEGER", _NN),
        _c("product_id", "INTEGER", _NN, "sales.products.product_id"),
        _c("quantity", "INTEGER", _NN),
        _c("unit_price", _MONEY, _NN),
        _c("discount_amount", _MONEY, _NN),
        _c("line_total", _MONEY, _NN),
    ),
    "Order lines.",
)

PAYMENTS = TableSpec(
    "sales",
    "payments",
    (
        _c("payment_id", "BIGINT", _PK),
        _c("order_id", "BIGINT", _NN, "sales.orders.order_id"),
        _c("paid_at", "TIMESTAMP", _NN),
        _c("method", "VARCHAR", _NN),
        _c("status", "VARCHAR", _NN),
        _c("amount", _MONEY, _NN),
        _c("currency", "VARCHAR", _NN),
        _c("card_brand", "VARCHAR"),
        _c("card_number", "VARCHAR"),
        _c("card_expiry", "VARCHAR"),
        _c("cardholder_name", "VARCHAR"),
        _c("iban", "VARCHAR"),
        _c("payer_email", "VARCHAR"),
        _c("processor_ref", "VARCHAR", _NN),
    ),
    "Payment attempts, refunds included. Holds full card numbers from the legacy checkout.",
)

SHIPMENTS = TableSpec(
    "sales",
    "shipments",
    (
        _c("shipment_id", "BIGINT", _PK),
        _c("order_id", "BIGINT", _NN, "sales.orders.order_id"),
        _c("carrier", "VARCHAR", _NN),
        _c("tracking_code", "VARCHAR", _NN),
        _c("shipped_at", "TIMESTAMP", _NN),
        _c("delivered_at", "TIMESTAMP"),
        _c("recipient_name", "VARCHAR", _NN),
        _c("ship_to", "VARCHAR", _NN),
        _c("weight_kg", "DECIMAL(8,2)", _NN),
    ),
    "Parcels handed to carriers, with the printed label address.",
)

TICKETS = TableSpec(
    "support",
    "tickets",
    (
        _c("ticket_id", "INTEGER", _PK),
        _c("customer_id", "INTEGER", "", "crm.customers.customer_id"),
        _c("order_id", "BIGINT", "", "sales.orders.order_id"),
        _c("assigned_agent_id", "INTEGER", "", "hr.employees.employee_id"),
        _c("contact_email", "VARCHAR", _NN),
        _c("opened_at", "TIMESTAMP", _NN),
        _c("closed_at", "TIMESTAMP"),
        _c("status", "VARCHAR", _NN),
        _c("priority", "VARCHAR", _NN),
        _c("channel", "VARCHAR", _NN),
        _c("subject", "VARCHAR", _NN),
        _c("body", "VARCHAR", _NN),
        _c("satisfaction_score", "INTEGER"),
    ),
    "Support requests as customers wrote them (free text, may contain anything).",
)

TICKET_COMMENTS = TableSpec(
    "support",
    "ticket_comments",
    (
        _c("comment_id", "BIGINT", _PK),
        _c("ticket_id", "INTEGER", _NN, "support.tickets.ticket_id"),
        _c("author_type", "VARCHAR", _NN),
        _c("author_employee_id", "INTEGER", "", "hr.employees.employee_id"),
        _c("created_at", "TIMESTAMP", _NN),
        _c("is_internal", "BOOLEAN", _NN),
        _c("body", "VARCHAR", _NN),
    ),
    "Replies and internal notes on tickets.",
)

EVENTS = TableSpec(
    "web",
    "events",
    (
        _c("event_id", "BIGINT", _PK),
        _c("anonymous_id", "UUID", _NN),
        _c("customer_id", "INTEGER", "", "crm.customers.customer_id"),
        _c("event_at", "TIMESTAMP", _NN),
        _c("event_type", "VARCHAR", _NN),
        _c("page_url", "VARCHAR", _NN),
        _c("referrer", "VARCHAR"),
        _c("ip_address", "VARCHAR", _NN),
        _c("user_agent", "VARCHAR", _NN),
        _c("device_type", "VARCHAR", _NN),
        _c("app_version", "VARCHAR"),
        _c("country", "VARCHAR"),
    ),
    "Clickstream from the web shop and the mobile app (last 180 days).",
)

# Parents before children: COPY checks foreign keys row by row.
BASE_TABLES: tuple[TableSpec, ...] = (
    DEPARTMENTS,
    EMPLOYEES,
    CUSTOMERS,
    CONSENT_EVENTS,
    PRODUCTS,
    ORDERS,
    ORDER_ITEMS,
    PAYMENTS,
    SHIPMENTS,
    TICKETS,
    TICKET_COMMENTS,
    EVENTS,
)

# Schemas the ETL writes into, and the analysts' scratch space.
DERIVED_SCHEMAS = ("marketing", "analytics", "sandbox")
