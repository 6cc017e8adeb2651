"""Marketing's questions: audiences, consents, sign-ups (PII-heavy by nature)."""

from __future__ import annotations

from cli.demo.queries.template import QueryTemplate, template

_MARKETING = ("carol", "alice")

MARKETING_TEMPLATES: tuple[QueryTemplate, ...] = (
    template(
        "email_list_by_country",
        "marketing",
        _MARKETING,
        """
        SELECT country, count(*) AS subscribers FROM email_list GROUP BY country ORDER BY 2 DESC
        """,
        weight=4,
        rows=(9, 9),
    ),
    template(
        "opt_in_rate",
        "crm",
        _MARKETING,
        """
        SELECT country, avg(CASE WHEN marketing_opt_in THEN 1 ELSE 0 END) AS opt_in_rate
        FROM customers GROUP BY country
        """,
        rows=(9, 9),
    ),
    template(
        "weekly_signups",
        "crm",
        _MARKETING,
        """
        SELECT date_trunc('week', signup_at) AS week, count(*) AS signups FROM customers
        WHERE signup_at >= DATE '{since}' GROUP BY 1 ORDER BY 1
        """,
        rows=(1, 13),
    ),
    template(
        "campaign_audience",
        "marketing",
        ("carol",),
        """
        WITH recent_buyers AS (
            SELECT DISTINCT customer_id FROM sales.orders WHERE ordered_at >= DATE '{since}'
        )
        SELECT e.email, e.first_name FROM email_list AS e
        JOIN recent_buyers AS r ON r.customer_id = e.customer_id
        WHERE e.country = '{country}'
        """,
        weight=5,
        rows=(5, 400),
    ),
    template(
        "latest_consents",
        "crm",
        _MARKETING,
        """
        SELECT customer_id, purpose, granted, recorded_at FROM consent_events
        QUALIFY row_number() OVER (PARTITION BY customer_id, purpose
        ORDER BY recorded_at DESC) = 1
        """,
        rows=(300, 6000),
    ),
    template(
        "contacts_in_country",
        "crm",
        _MARKETING,
        """
        SELECT full_name, email, phone FROM customer_contacts WHERE country = '{country}'
        LIMIT {limit}
        """,
        weight=4,
    ),
    template(
        "tiers_by_region",
        "crm",
        _MARKETING,
        """
        SELECT loyalty_tier, region, count(*) FROM customers GROUP BY loyalty_tier, region
        ORDER BY 1, 2
        """,
        rows=(15, 15),
    ),
    template(
        "age_bands",
        "crm",
        _MARKETING,
        """
        SELECT CASE
                 WHEN date_of_birth >= DATE '1997-01-01' THEN 'gen_z'
                 WHEN date_of_birth >= DATE '1981-01-01' THEN 'millennial'
                 WHEN date_of_birth >= DATE '1965-01-01' THEN 'gen_x'
                 WHEN date_of_birth IS NULL THEN 'unknown'
                 ELSE 'boomer' END AS generation,
               count(*) AS customers
        FROM customers GROUP BY 1 ORDER BY 2 DESC
        """,
        rows=(5, 5),
    ),
    template(
        "duplicate_emails",
        "crm",
        _MARKETING,
        """
        SELECT lower(email) AS email, count(*) FROM customers GROUP BY 1 HAVING count(*) > 1
        """,
        rows=(0, 3),
    ),
    template(
        "contacts_by_country",
        "crm",
        _MARKETING,
        """
        SELECT customer_id, first_name, email FROM customers WHERE country = '{country}'
        LIMIT {limit}
        """,
        standalone=False,
    ),
    template(
        "orders_per_customer",
        "crm",
        _MARKETING,
        """
        SELECT c.customer_id, count(*) AS orders FROM customers AS c
        JOIN sales.orders AS o ON o.customer_id = c.customer_id GROUP BY c.customer_id
        """,
        rows=(100, 5000),
        standalone=False,
    ),
)
