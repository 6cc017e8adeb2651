"""Mistakes people make, each with the first line of the error DuckDB really raises.

Most are followed (``then``) by the corrected query, as in any real log.
"""

from __future__ import annotations

from cli.demo.queries.template import QueryTemplate, template

FAILING_TEMPLATES: tuple[QueryTemplate, ...] = (
    template(
        "typo_email_column",
        "crm",
        ("carol", "alice"),
        """
        SELECT customer_id, first_name, emial FROM customers WHERE country = '{country}'
        LIMIT {limit}
        """,
        error='Binder Error: Referenced column "emial" not found in FROM clause!',
        then="contacts_by_country",
    ),
    template(
        "typo_alias_column",
        "sales",
        ("alice", "dave", "erin"),
        """
        SELECT o.order_number, o.totl_amount FROM orders AS o WHERE o.ordered_at >= DATE '{since}'
        ORDER BY o.totl_amount DESC LIMIT {limit}
        """,
        error='Binder Error: Table "o" does not have a column named "totl_amount"',
        then="biggest_orders",
    ),
    template(
        "typo_table_name",
        "sales",
        ("alice", "dave", "erin"),
        """
        SELECT * FROM custmers WHERE customer_id = {customer_id}
        """,
        error="Catalog Error: Table with name custmers does not exist!",
        then="customer_by_id",
    ),
    template(
        "missing_schema",
        "sales",
        ("dave", "alice"),
        """
        SELECT invoice_id, amount FROM finance.invoices WHERE issued_at >= DATE '{since}'
        """,
        error=(
            'Catalog Error: Table with name "finance.invoices" does not exist because '
            'schema "finance" does not exist.'
        ),
    ),
    template(
        "form_instead_of_from",
        "sales",
        ("alice", "dave", "erin"),
        """
        SELECT region, sum(total_amount) AS revenue FORM orders GROUP BY region
        """,
        error='Parser Error: syntax error at or near "FORM"',
        then="revenue_by_region",
    ),
    template(
        "unclosed_parenthesis",
        "sales",
        ("alice", "dave", "erin"),
        """
        SELECT region, sum(total_amount FROM orders GROUP BY region
        """,
        error='Parser Error: syntax error at or near "FROM"',
        then="revenue_by_region",
    ),
    template(
        "column_not_grouped",
        "sales",
        ("alice", "dave", "erin"),
        """
        SELECT region, customer_id, count(*) AS orders FROM orders
        WHERE ordered_at >= DATE '{since}' GROUP BY region
        """,
        error=(
            'Binder Error: column "customer_id" must appear in the GROUP BY clause '
            "or must be part of an aggregate function."
        ),
        then="orders_per_customer_region",
    ),
    template(
        "misspelled_function",
        "support",
        ("bob",),
        """
        SELECT date_trunk('week', opened_at) AS week, count(*) FROM tickets GROUP BY 1 ORDER BY 1
        """,
        error="Catalog Error: Scalar Function with name date_trunk does not exist!",
        then="tickets_per_week",
    ),
    template(
        "dangling_and",
        "support",
        ("bob",),
        """
        SELECT ticket_id, subject FROM tickets WHERE status = 'open' AND
        """,
        error='Parser Error: syntax error at or near "AND"',
        then="open_ticket_subjects",
    ),
    template(
        "ambiguous_column",
        "crm",
        ("carol", "alice"),
        """
        SELECT customer_id, count(*) AS orders FROM customers AS c
        JOIN sales.orders AS o ON o.customer_id = c.customer_id GROUP BY customer_id
        """,
        error=(
            'Binder Error: Ambiguous reference to column name "customer_id" '
            "(use: 'c.customer_id' or 'o.customer_id')"
        ),
        then="orders_per_customer",
    ),
    template(
        "typo_employees_table",
        "hr",
        ("dave",),
        """
        SELECT employee_id, salary FROM employes WHERE department_id = {department_id}
        """,
        error="Catalog Error: Table with name employes does not exist!",
        then="salaries_by_department",
    ),
    template(
        "subquery_two_columns",
        "web",
        ("erin", "carol"),
        """
        SELECT count(*) FROM events
        WHERE anonymous_id IN (SELECT anonymous_id, customer_id FROM sessions WHERE converted)
        """,
        error="Binder Error: Subquery returns 2 columns - expected 1",
        then="converting_visitor_events",
    ),
    template(
        "impossible_date",
        "web",
        ("erin", "carol"),
        """
        SELECT event_type, count(*) FROM events WHERE event_at >= DATE '{bad_date}'
        GROUP BY event_type
        """,
        error='Conversion Error: date field value out of range: "{bad_date}"',
        then="events_since",
    ),
    template(
        "limit_typo",
        "hr",
        ("dave",),
        """
        SELECT first_name, last_name, salary FROM employees ORDER BY salary DESC LIMT {limit}
        """,
        error='Parser Error: syntax error at or near "LIMT"',
        then="salary_percentiles",
    ),
    template(
        "sandbox_wrong_table",
        "sandbox",
        ("alice", "carol", "erin"),
        """
        INSERT INTO sandbox.{user}_high_value_customer
        SELECT customer_id, email, NULL, lifetime_value FROM analytics.customer_order_summary
        WHERE order_count >= {min_orders}
        """,
        error="Catalog Error: Table with name {user}_high_value_customer does not exist!",
    ),
)
