"""The demo's ETL: the SQL that derives tables and views from the base tables.

These statements are executed on DuckDB by ``build_warehouse`` *and* replayed
verbatim into the query log, so the lineage Veil reconstructs from the log
describes exactly how the warehouse was built. Every statement is idempotent
(``CREATE OR REPLACE``, ``IF NOT EXISTS``, delete-then-insert), which is what
lets the nightly jobs in the log re-run them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from cli.demo.timeline import AS_OF


class EtlKind(StrEnum):
    CREATE_TABLE = "create_table"
    CREATE_TABLE_AS = "create_table_as"
    DELETE = "delete"
    INSERT_SELECT = "insert_select"
    CREATE_VIEW = "create_view"


@dataclass(frozen=True)
class DemoStatement:
    """One ETL statement as executed.

    ``query`` is the SELECT that fills or defines ``target`` (None for plain DDL
    and deletes), kept separately so tests can re-run it and compare contents.
    ``runner`` is the service account that runs it in the query log.
    """

    target: str
    kind: EtlKind
    sql: str
    runner: str
    query: str | None = None


ETL_USER = "etl_nightly"
DBT_USER = "dbt_runner"


def _ctas(target: str, query: str, runner: str) -> DemoStatement:
    sql = f"CREATE OR REPLACE TABLE {target} AS\n{query}"
    return DemoStatement(target, EtlKind.CREATE_TABLE_AS, sql, runner, query)


def _view(target: str, query: str) -> DemoStatement:
    sql = f"CREATE OR REPLACE VIEW {target} AS\n{query}"
    return DemoStatement(target, EtlKind.CREATE_VIEW, sql, DBT_USER, query)


EMAIL_LIST_QUERY = """\
SELECT
    c.customer_id,
    c.first_name,
    lower(c.email) AS email,
    c.country,
    c.signup_at AS subscribed_at
FROM crm.customers AS c
WHERE c.marketing_opt_in
  AND c.is_active
  AND c.email IS NOT NULL"""

SESSIONS_QUERY = """\
WITH ordered AS (
    SELECT
        e.event_id,
        e.anonymous_id,
        e.customer_id,
        e.event_at,
        e.event_type,
        e.page_url,
        e.ip_address,
        e.device_type,
        lag(e.event_at) OVER (
            PARTITION BY e.anonymous_id ORDER BY e.event_at, e.event_id
        ) AS previous_at
    FROM web.events AS e
),
numbered AS (
    SELECT
        o.event_id,
        o.anonymous_id,
        o.customer_id,
        o.event_at,
        o.event_type,
        o.page_url,
        o.ip_address,
        o.device_type,
        sum(CASE WHEN o.previous_at IS NULL
                   OR o.event_at - o.previous_at > INTERVAL 30 MINUTE THEN 1 ELSE 0 END) OVER (
            PARTITION BY o.anonymous_id ORDER BY o.event_at, o.event_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS session_number
    FROM ordered AS o
),
positioned AS (
    SELECT
        n.anonymous_id,
        n.session_number,
        n.customer_id,
        n.event_at,
        n.event_type,
        n.page_url,
        n.ip_address,
        n.device_type,
        row_number() OVER (
            PARTITION BY n.anonymous_id, n.session_number ORDER BY n.event_at, n.event_id
        ) AS position
    FROM numbered AS n
)
SELECT
    CAST(p.anonymous_id AS VARCHAR) || '-' || CAST(p.session_number AS VARCHAR) AS session_id,
    p.anonymous_id,
    max(p.customer_id) AS customer_id,
    min(p.event_at) AS started_at,
    max(p.event_at) AS ended_at,
    count(*) AS event_count,
    max(CASE WHEN p.position = 1 THEN p.ip_address END) AS ip_address,
    max(CASE WHEN p.position = 1 THEN p.page_url END) AS landing_page,
    max(CASE WHEN p.position = 1 THEN p.device_type END) AS device_type,
    bool_or(p.event_type = 'checkout') AS converted
FROM positioned AS p
GROUP BY p.anonymous_id, p.session_number"""

CUSTOMER_ORDER_SUMMARY_QUERY = """\
SELECT
    c.customer_id,
    c.email,
    c.first_name || ' ' || c.last_name AS full_name,
    c.region,
    count(o.order_id) AS order_count,
    coalesce(sum(o.total_amount), 0) AS lifetime_value,
    min(o.ordered_at) AS first_order_at,
    max(o.ordered_at) AS last_order_at
FROM crm.customers AS c
LEFT JOIN sales.orders AS o
    ON o.customer_id = c.customer_id
   AND o.status <> 'cancelled'
GROUP BY c.customer_id, c.email, c.first_name, c.last_name, c.region"""

_DAILY_REVENUE_SELECT = """\
SELECT
    CAST(o.ordered_at AS DATE) AS order_date,
    o.region,
    o.currency,
    count(DISTINCT o.order_id) AS orders,
    sum(CASE WHEN p.status = 'captured' THEN p.amount ELSE 0 END) AS revenue,
    sum(CASE WHEN p.status = 'refunded' THEN p.amount ELSE 0 END) AS refunds
FROM sales.orders AS o
JOIN sales.payments AS p
    ON p.order_id = o.order_id
   AND p.status IN ('captured', 'refunded')
{where}GROUP BY CAST(o.ordered_at AS DATE), o.region, o.currency"""
DAILY_REVENUE_QUERY = _DAILY_REVENUE_SELECT.format(where="")
_DAILY_REVENUE_COLUMNS = "(order_date, region, currency, orders, revenue, refunds)"

PAYROLL_DDL = """\
CREATE TABLE IF NOT EXISTS hr.payroll_export (
    employee_id INTEGER NOT NULL,
    full_name VARCHAR NOT NULL,
    iban VARCHAR,
    routing_number VARCHAR,
    account_number VARCHAR,
    monthly_gross DECIMAL(12,2) NOT NULL,
    pay_period DATE NOT NULL,
    PRIMARY KEY (employee_id, pay_period)
)"""

_PAYROLL_SELECT = """\
SELECT
    e.employee_id,
    e.first_name || ' ' || e.last_name AS full_name,
    e.bank_iban,
    e.bank_routing_number,
    e.bank_account_number,
    CAST(e.salary / 12 AS DECIMAL(12,2)) AS monthly_gross,
    DATE '{period}' AS pay_period
FROM hr.employees AS e
WHERE e.is_active"""
_PAYROLL_COLUMNS = (
    "(employee_id, full_name, iban, routing_number, account_number, monthly_gross, pay_period)"
)

CUSTOMER_CONTACTS_QUERY = """\
SELECT
    c.customer_id,
    c.first_name || ' ' || c.last_name AS full_name,
    c.email,
    c.phone,
    c.street_address,
    c.city,
    c.postal_code,
    c.country
FROM crm.customers AS c
WHERE c.is_active"""

ORDER_DETAILS_QUERY = """\
SELECT
    o.order_id,
    o.order_number,
    o.ordered_at,
    o.status,
    o.region,
    c.customer_id,
    c.email AS customer_email,
    c.first_name || ' ' || c.last_name AS customer_name,
    i.line_number,
    p.sku,
    p.name AS product_name,
    p.category,
    i.quantity,
    i.line_total
FROM sales.orders AS o
JOIN crm.customers AS c ON c.customer_id = o.customer_id
JOIN sales.order_items AS i ON i.order_id = o.order_id
JOIN sales.products AS p ON p.product_id = i.product_id"""

OPEN_TICKETS_QUERY = """\
SELECT
    t.ticket_id,
    t.opened_at,
    t.priority,
    t.channel,
    t.subject,
    t.contact_email,
    c.first_name || ' ' || c.last_name AS customer_name,
    c.phone AS customer_phone,
    a.first_name || ' ' || a.last_name AS agent_name
FROM support.tickets AS t
LEFT JOIN crm.customers AS c ON c.customer_id = t.customer_id
LEFT JOIN hr.employees AS a ON a.employee_id = t.assigned_agent_id
WHERE t.status IN ('open', 'pending')"""

MONTHLY_REVENUE_QUERY = """\
SELECT
    date_trunc('month', d.order_date) AS month,
    d.region,
    d.currency,
    sum(d.orders) AS orders,
    sum(d.revenue) AS revenue,
    sum(d.refunds) AS refunds
FROM analytics.daily_revenue AS d
GROUP BY date_trunc('month', d.order_date), d.region, d.currency"""


def payroll_statements(period: dt.date) -> list[DemoStatement]:
    """The month-end payroll export for ``period`` (first day of the month)."""
    query = _PAYROLL_SELECT.format(period=period.isoformat())
    return [
        DemoStatement("hr.payroll_export", EtlKind.CREATE_TABLE, PAYROLL_DDL, ETL_USER),
        DemoStatement(
            "hr.payroll_export",
            EtlKind.DELETE,
            f"DELETE FROM hr.payroll_export WHERE pay_period = DATE '{period.isoformat()}'",
            ETL_USER,
        ),
        DemoStatement(
            "hr.payroll_export",
            EtlKind.INSERT_SELECT,
            f"INSERT INTO hr.payroll_export {_PAYROLL_COLUMNS}\n{query}",
            ETL_USER,
            query,
        ),
    ]


def daily_revenue_increment(day: dt.date) -> list[DemoStatement]:
    """The nightly incremental refresh of one day of analytics.daily_revenue."""
    literal = f"DATE '{day.isoformat()}'"
    query = _DAILY_REVENUE_SELECT.format(where=f"WHERE CAST(o.ordered_at AS DATE) = {literal}\n")
    return [
        DemoStatement(
            "analytics.daily_revenue",
            EtlKind.DELETE,
            f"DELETE FROM analytics.daily_revenue WHERE order_date = {literal}",
            ETL_USER,
        ),
        DemoStatement(
            "analytics.daily_revenue",
            EtlKind.INSERT_SELECT,
            f"INSERT INTO analytics.daily_revenue {_DAILY_REVENUE_COLUMNS}\n{query}",
            ETL_USER,
            query,
        ),
    ]


def etl_statements() -> list[DemoStatement]:
    """The full refresh, in dependency order: what the last night of the log ran."""
    return [
        _ctas("marketing.email_list", EMAIL_LIST_QUERY, ETL_USER),
        _ctas("web.sessions", SESSIONS_QUERY, ETL_USER),
        *payroll_statements(AS_OF.replace(day=1)),
        _ctas("analytics.customer_order_summary", CUSTOMER_ORDER_SUMMARY_QUERY, DBT_USER),
        _ctas("analytics.daily_revenue", DAILY_REVENUE_QUERY, DBT_USER),
        _view("crm.customer_contacts", CUSTOMER_CONTACTS_QUERY),
        _view("sales.order_details", ORDER_DETAILS_QUERY),
        _view("support.open_tickets", OPEN_TICKETS_QUERY),
        _view("analytics.monthly_revenue", MONTHLY_REVENUE_QUERY),
    ]
