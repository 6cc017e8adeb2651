"""BI dashboards refreshed by ``looker_service``, with the tool's generated aliases."""

from __future__ import annotations

from cli.demo.queries.template import QueryTemplate, template

_LOOKER = ("looker_service",)

LOOKER_TEMPLATES: tuple[QueryTemplate, ...] = (
    template(
        "looker_revenue_trend",
        "analytics",
        _LOOKER,
        """
        SELECT
            "daily_revenue"."order_date" AS "daily_revenue.order_date",
            COALESCE(SUM("daily_revenue"."revenue"), 0) AS "daily_revenue.total_revenue"
        FROM "analytics"."daily_revenue" AS "daily_revenue"
        WHERE "daily_revenue"."order_date" >= DATE '{since}'
        GROUP BY 1
        ORDER BY 1
        LIMIT 500
        """,
        weight=6,
        rows=(7, 90),
    ),
    template(
        "looker_revenue_by_region",
        "analytics",
        _LOOKER,
        """
        SELECT
            "daily_revenue"."region" AS "daily_revenue.region",
            COALESCE(SUM("daily_revenue"."revenue"), 0) AS "daily_revenue.total_revenue",
            COALESCE(SUM("daily_revenue"."orders"), 0) AS "daily_revenue.total_orders"
        FROM "analytics"."daily_revenue" AS "daily_revenue"
        WHERE "daily_revenue"."order_date" = DATE '{day}'
        GROUP BY 1
        ORDER BY 2 DESC
        LIMIT 500
        """,
        weight=6,
        rows=(3, 3),
    ),
    template(
        "looker_order_status",
        "analytics",
        _LOOKER,
        """
        SELECT
            "orders"."status" AS "orders.status",
            COUNT(*) AS "orders.count"
        FROM "sales"."orders" AS "orders"
        WHERE "orders"."ordered_at" >= TIMESTAMP '{hour}'
        GROUP BY 1
        ORDER BY 2 DESC
        LIMIT 500
        """,
        weight=5,
        rows=(1, 5),
    ),
    template(
        "looker_open_tickets",
        "analytics",
        _LOOKER,
        """
        SELECT
            "tickets"."priority" AS "tickets.priority",
            COUNT(*) AS "tickets.count"
        FROM "support"."tickets" AS "tickets"
        WHERE "tickets"."status" = 'open'
        GROUP BY 1
        ORDER BY 2 DESC
        LIMIT 500
        """,
        weight=4,
        rows=(4, 4),
    ),
    template(
        "looker_web_kpis",
        "analytics",
        _LOOKER,
        """
        SELECT
            COUNT(*) AS "sessions.count",
            COUNT(DISTINCT "sessions"."customer_id") AS "sessions.customers",
            AVG("sessions"."event_count") AS "sessions.avg_events"
        FROM "web"."sessions" AS "sessions"
        WHERE "sessions"."started_at" >= DATE '{day}'
        LIMIT 500
        """,
        weight=4,
        rows=(1, 1),
    ),
    template(
        "looker_ltv_tiers",
        "analytics",
        _LOOKER,
        """
        SELECT
            CASE
                WHEN "summary"."lifetime_value" >= 2000 THEN 'high'
                WHEN "summary"."lifetime_value" >= 500 THEN 'medium'
                ELSE 'low'
            END AS "summary.ltv_tier",
            "summary"."region" AS "summary.region",
            COUNT(*) AS "summary.count"
        FROM "analytics"."customer_order_summary" AS "summary"
        GROUP BY 1, 2
        LIMIT 500
        """,
        rows=(9, 9),
    ),
)

# A model someone added to the dbt project before the table it reads existed.
BROKEN_MODEL = template(
    "dbt_churn_features",
    "analytics",
    ("dbt_runner",),
    """
    CREATE OR REPLACE TABLE analytics.churn_features AS
    SELECT s.customer_id, s.lifetime_value, sc.churn_score
    FROM analytics.customer_order_summary AS s
    JOIN analytics.customer_scores AS sc ON sc.customer_id = s.customer_id
    """,
    error="Catalog Error: Table with name customer_scores does not exist!",
)
