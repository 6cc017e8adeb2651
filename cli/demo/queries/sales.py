"""Sales analysts' questions, and the scratch tables they build in ``sandbox``."""

from __future__ import annotations

from cli.demo.queries.template import QueryTemplate, template

_SALES = ("alice", "dave", "erin")
_SANDBOXERS = ("alice", "carol", "erin")

SALES_TEMPLATES: tuple[QueryTemplate, ...] = (
    template(
        "top_customers_by_revenue",
        "sales",
        _SALES,
        """
        SELECT c.customer_id, c.first_name, c.last_name, c.email, sum(o.total_amount) AS revenue
        FROM orders AS o
        JOIN crm.customers AS c ON c.customer_id = o.customer_id
        WHERE o.ordered_at >= DATE '{since}' AND o.status <> 'cancelled'
        GROUP BY c.customer_id, c.first_name, c.last_name, c.email
        ORDER BY revenue DESC
        LIMIT {limit}
        """,
        weight=6,
    ),
    template(
        "orders_by_status",
        "sales",
        _SALES,
        """
        SELECT status, count(*) AS orders, sum(total_amount) AS amount FROM orders
        WHERE ordered_at >= DATE '{since}' GROUP BY status ORDER BY orders DESC
        """,
        weight=6,
        rows=(3, 6),
    ),
    template(
        "order_by_number",
        "sales",
        _SALES,
        """
        SELECT * FROM orders WHERE order_number = '{order_number}'
        """,
        weight=5,
        rows=(0, 1),
    ),
    template(
        "order_lines",
        "sales",
        _SALES,
        """
        SELECT i.line_number, p.sku, p.name, i.quantity, i.line_total
        FROM order_items AS i JOIN products AS p ON p.product_id = i.product_id
        WHERE i.order_id = {order_id} ORDER BY i.line_number
        """,
        rows=(1, 5),
    ),
    template(
        "category_revenue_trend",
        "sales",
        _SALES,
        """
        WITH monthly AS (
            SELECT date_trunc('month', o.ordered_at) AS month, p.category,
                   sum(i.line_total) AS revenue
            FROM orders AS o
            JOIN order_items AS i ON i.order_id = o.order_id
            JOIN products AS p ON p.product_id = i.product_id
            WHERE o.status NOT IN ('cancelled', 'returned')
        AND o.ordered_at >= DATE '{cohort_start}'
            GROUP BY 1, 2
        )
        SELECT month, category, revenue,
               revenue - lag(revenue) OVER (PARTITION BY category ORDER BY month) AS change
        FROM monthly
        ORDER BY category, month
        """,
        rows=(30, 80),
    ),
    template(
        "top_customers_per_region",
        "sales",
        _SALES,
        """
        SELECT * FROM (
            SELECT c.region, c.customer_id, c.email, sum(o.total_amount) AS spend,
                   rank() OVER (PARTITION BY c.region ORDER BY sum(o.total_amount) DESC) AS rnk
            FROM crm.customers AS c JOIN orders AS o USING (customer_id)
            GROUP BY c.region, c.customer_id, c.email
        ) AS ranked
        WHERE rnk <= {limit}
        ORDER BY region, rnk
        """,
    ),
    template(
        "aov_by_channel",
        "sales",
        _SALES,
        """
        SELECT channel, count(*) AS orders, round(avg(total_amount), 2) AS avg_order_value
        FROM orders WHERE ordered_at BETWEEN DATE '{since}' AND DATE '{day}' GROUP BY channel
        """,
        rows=(4, 4),
    ),
    template(
        "customer_segments",
        "sales",
        _SALES,
        """
        SELECT CASE WHEN order_count >= 5 THEN 'loyal'
                    WHEN order_count >= 2 THEN 'repeat'
                    ELSE 'one-time' END AS segment,
               count(*) AS customers
        FROM (SELECT customer_id, count(*) AS order_count FROM orders GROUP BY customer_id) AS t
        GROUP BY 1 ORDER BY 2 DESC
        """,
        rows=(3, 3),
    ),
    template(
        "declines_by_brand",
        "sales",
        _SALES,
        """
        SELECT method, card_brand,
               count(*) FILTER (WHERE status = 'declined') AS declined, count(*) AS attempts
        FROM payments WHERE paid_at >= DATE '{since}'
        GROUP BY method, card_brand ORDER BY declined DESC
        """,
        rows=(4, 8),
    ),
    template(
        "refunds_by_customer",
        "sales",
        _SALES,
        """
        SELECT o.customer_id, c.email, sum(p.amount) AS refunded
        FROM payments AS p
        JOIN orders AS o ON o.order_id = p.order_id
        JOIN crm.customers AS c ON c.customer_id = o.customer_id
        WHERE p.status = 'refunded'
        GROUP BY o.customer_id, c.email
        HAVING sum(p.amount) > {min_total}
        ORDER BY refunded DESC
        """,
    ),
    template(
        "late_shipments_by_carrier",
        "sales",
        _SALES,
        """
        SELECT s.carrier, count(*) AS shipments,
               count(*) FILTER (WHERE s.delivered_at - s.shipped_at > INTERVAL 5 DAY) AS late
        FROM shipments AS s WHERE s.shipped_at >= DATE '{since}' GROUP BY s.carrier
        """,
        rows=(6, 9),
    ),
    template(
        "customer_shipments",
        "sales",
        _SALES,
        """
        SELECT s.tracking_code, s.carrier, s.recipient_name, s.ship_to, o.order_number
        FROM shipments AS s JOIN orders AS o ON o.order_id = s.order_id
        WHERE o.customer_id = {customer_id}
        """,
        rows=(0, 8),
    ),
    template(
        "best_selling_products",
        "sales",
        _SALES,
        """
        SELECT p.sku, p.name, sum(i.quantity) AS units,
               dense_rank() OVER (ORDER BY sum(i.quantity) DESC) AS rnk
        FROM order_items AS i JOIN products AS p ON p.product_id = i.product_id
        GROUP BY p.sku, p.name ORDER BY rnk LIMIT {limit}
        """,
        weight=5,
    ),
    template(
        "customer_order_history",
        "sales",
        _SALES,
        """
        SELECT order_number, ordered_at, status, total_amount FROM orders
        WHERE customer_id = {customer_id} ORDER BY ordered_at DESC
        """,
        weight=6,
        rows=(0, 12),
    ),
    template(
        "cohort_retention",
        "sales",
        _SALES,
        """
        WITH first_orders AS (
            SELECT customer_id, min(date_trunc('month', ordered_at)) AS cohort FROM orders
        GROUP BY customer_id
        ),
        activity AS (
            SELECT o.customer_id, f.cohort,
                   date_diff('month', f.cohort, date_trunc('month', o.ordered_at)) AS months_since
            FROM orders AS o JOIN first_orders AS f ON f.customer_id = o.customer_id
        )
        SELECT cohort, months_since, count(DISTINCT customer_id) AS customers
        FROM activity WHERE cohort >= DATE '{cohort_start}'
        GROUP BY cohort, months_since ORDER BY cohort, months_since
        """,
        rows=(20, 90),
    ),
    template(
        "discount_effect",
        "sales",
        _SALES,
        """
        SELECT CASE WHEN discount_amount > 0 THEN 'discounted' ELSE 'full price' END AS pricing,
               count(*) AS orders, avg(total_amount) AS aov
        FROM orders WHERE region = '{region}' GROUP BY 1
        """,
        rows=(2, 2),
    ),
    template(
        "dormant_signups",
        "sales",
        _SALES,
        """
        SELECT c.customer_id, c.email, c.signup_at FROM crm.customers AS c
        WHERE NOT EXISTS (SELECT 1 FROM orders AS o WHERE o.customer_id = c.customer_id)
          AND c.signup_at < DATE '{since}'
        ORDER BY c.signup_at LIMIT {limit}
        """,
    ),
    template(
        "big_orders_in_country",
        "sales",
        _SALES,
        """
        SELECT order_number, total_amount FROM orders
        WHERE customer_id IN (SELECT customer_id FROM crm.customers WHERE country = '{country}')
          AND total_amount > {min_total}
        ORDER BY total_amount DESC LIMIT {limit}
        """,
    ),
    template(
        "recent_order_details",
        "sales",
        _SALES,
        """
        SELECT order_number, customer_email, sku, quantity FROM order_details
        WHERE ordered_at >= DATE '{day}' LIMIT {limit}
        """,
        weight=4,
    ),
    template(
        "payment_instrument_mix",
        "sales",
        _SALES,
        """
        SELECT 'card' AS instrument, count(*) AS payments FROM payments
        WHERE card_number IS NOT NULL
        UNION ALL
        SELECT 'bank', count(*) FROM payments WHERE iban IS NOT NULL
        UNION ALL
        SELECT 'paypal', count(*) FROM payments WHERE payer_email IS NOT NULL
        """,
        rows=(3, 3),
    ),
    template(
        "orders_since_fully_qualified",
        "main",
        _SALES,
        """
        SELECT count(*) FROM {database}.sales.orders WHERE ordered_at >= DATE '{day}'
        """,
        rows=(1, 1),
    ),
    template(
        "revenue_by_region",
        "sales",
        _SALES,
        """
        SELECT region, sum(total_amount) AS revenue FROM orders GROUP BY region
        """,
        rows=(3, 3),
        standalone=False,
    ),
    template(
        "biggest_orders",
        "sales",
        _SALES,
        """
        SELECT o.order_number, o.total_amount FROM orders AS o
        WHERE o.ordered_at >= DATE '{since}' ORDER BY o.total_amount DESC LIMIT {limit}
        """,
        standalone=False,
    ),
    template(
        "orders_per_customer_region",
        "sales",
        _SALES,
        """
        SELECT region, customer_id, count(*) AS orders FROM orders
        WHERE ordered_at >= DATE '{since}' GROUP BY region, customer_id
        """,
        rows=(50, 400),
        standalone=False,
    ),
    template(
        "customer_by_id",
        "sales",
        _SALES,
        """
        SELECT * FROM crm.customers WHERE customer_id = {customer_id}
        """,
        rows=(1, 1),
    ),
)


SANDBOX_TEMPLATES: tuple[QueryTemplate, ...] = (
    template(
        "sandbox_high_value_create",
        "sandbox",
        _SANDBOXERS,
        """
        CREATE OR REPLACE TABLE sandbox.{user}_high_value_customers AS
        SELECT c.customer_id, c.email, c.phone, s.lifetime_value
        FROM analytics.customer_order_summary AS s
        JOIN crm.customers AS c ON c.customer_id = s.customer_id
        WHERE s.lifetime_value > {min_ltv}
        """,
        weight=2,
        then="sandbox_high_value_append",
        rows=(20, 600),
    ),
    template(
        "sandbox_high_value_append",
        "sandbox",
        _SANDBOXERS,
        """
        INSERT INTO sandbox.{user}_high_value_customers
        SELECT c.customer_id, c.email, c.phone, s.lifetime_value
        FROM analytics.customer_order_summary AS s
        JOIN crm.customers AS c ON c.customer_id = s.customer_id
        WHERE s.order_count >= {min_orders} AND s.lifetime_value <= {min_ltv}
        """,
        then="sandbox_high_value_check",
        rows=(20, 600),
        standalone=False,
    ),
    template(
        "sandbox_high_value_check",
        "sandbox",
        _SANDBOXERS,
        """
        SELECT count(*) AS customers, sum(lifetime_value) AS total
        FROM {user}_high_value_customers
        """,
        rows=(1, 1),
        standalone=False,
    ),
    template(
        "sandbox_escalations",
        "sandbox",
        ("bob",),
        """
        CREATE OR REPLACE TABLE sandbox.{user}_escalations AS
        SELECT t.ticket_id, t.contact_email, t.body, t.priority
        FROM support.tickets AS t WHERE t.priority = 'urgent' AND t.status <> 'closed'
        """,
        weight=2,
        rows=(5, 200),
    ),
    template(
        "sandbox_winback",
        "sandbox",
        ("carol",),
        """
        CREATE OR REPLACE TABLE sandbox.{user}_winback AS
        SELECT s.customer_id, s.email, s.full_name, s.last_order_at
        FROM analytics.customer_order_summary AS s
        WHERE s.last_order_at < DATE '{since}' AND s.order_count >= 2
        """,
        weight=2,
        rows=(50, 2000),
    ),
    template(
        "sandbox_session_features",
        "sandbox",
        ("erin",),
        """
        CREATE OR REPLACE TABLE sandbox.{user}_session_features AS
        SELECT s.customer_id, count(*) AS sessions, sum(s.event_count) AS events,
               max(s.ended_at) AS last_seen
        FROM web.sessions AS s WHERE s.customer_id IS NOT NULL GROUP BY s.customer_id
        """,
        weight=2,
        rows=(300, 3000),
    ),
)
