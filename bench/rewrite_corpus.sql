-- Realistic analyst statements for bench/rewrite.py, over the demo company's tables
-- (cli/demo/schema.py). Each one runs unchanged on PostgreSQL and DuckDB, and so does
-- its rewrite (the benchmark executes every rewritten statement once to check).
-- "-- name:" starts a statement; "-- user:" says who sends it (default alice, an analyst
-- with a row filter on her region); the statement ends with ";".

-- name: top_customers_by_revenue
SELECT c.customer_id, c.first_name, c.last_name, c.email, SUM(o.total_amount) AS revenue
FROM sales.orders AS o
JOIN crm.customers AS c ON c.customer_id = o.customer_id
WHERE o.ordered_at >= DATE '2025-01-01' AND o.status <> 'cancelled'
GROUP BY c.customer_id, c.first_name, c.last_name, c.email
ORDER BY revenue DESC
LIMIT 20;

-- name: orders_by_status
SELECT status, COUNT(*) AS orders, SUM(total_amount) AS amount
FROM sales.orders
WHERE ordered_at >= DATE '2025-06-01'
GROUP BY status
ORDER BY orders DESC;

-- name: order_lines
SELECT i.line_number, p.sku, p.name, i.quantity, i.line_total
FROM sales.order_items AS i
JOIN sales.products AS p ON p.product_id = i.product_id
WHERE i.order_id = 1042
ORDER BY i.line_number;

-- name: category_revenue_trend
WITH monthly AS (
    SELECT date_trunc('month', o.ordered_at) AS month, p.category, SUM(i.line_total) AS revenue
    FROM sales.orders AS o
    JOIN sales.order_items AS i ON i.order_id = o.order_id
    JOIN sales.products AS p ON p.product_id = i.product_id
    WHERE o.status NOT IN ('cancelled', 'returned') AND o.ordered_at >= DATE '2024-01-01'
    GROUP BY 1, 2
)
SELECT month, category, revenue,
       revenue - LAG(revenue) OVER (PARTITION BY category ORDER BY month) AS change
FROM monthly
ORDER BY category, month;

-- name: top_customers_per_region
SELECT *
FROM (
    SELECT c.region, c.customer_id, c.email, SUM(o.total_amount) AS spend,
           RANK() OVER (PARTITION BY c.region ORDER BY SUM(o.total_amount) DESC) AS rnk
    FROM crm.customers AS c
    JOIN sales.orders AS o ON o.customer_id = c.customer_id
    GROUP BY c.region, c.customer_id, c.email
) AS ranked
WHERE rnk <= 10
ORDER BY region, rnk;

-- name: aov_by_channel
SELECT channel, COUNT(*) AS orders, ROUND(AVG(total_amount), 2) AS avg_order_value
FROM sales.orders
WHERE ordered_at BETWEEN DATE '2025-01-01' AND DATE '2025-03-31'
GROUP BY channel;

-- name: customer_segments
SELECT CASE WHEN order_count >= 5 THEN 'loyal'
            WHEN order_count >= 2 THEN 'repeat'
            ELSE 'one-time' END AS segment,
       COUNT(*) AS customers
FROM (SELECT customer_id, COUNT(*) AS order_count FROM sales.orders GROUP BY customer_id) AS t
GROUP BY 1
ORDER BY 2 DESC;

-- name: declines_by_brand
SELECT method, card_brand,
       COUNT(*) FILTER (WHERE status = 'declined') AS declined,
       COUNT(*) AS attempts
FROM sales.payments
WHERE paid_at >= DATE '2025-01-01'
GROUP BY method, card_brand
ORDER BY declined DESC;

-- name: refunds_by_customer
SELECT o.customer_id, c.email, SUM(p.amount) AS refunded
FROM sales.payments AS p
JOIN sales.orders AS o ON o.order_id = p.order_id
JOIN crm.customers AS c ON c.customer_id = o.customer_id
WHERE p.status = 'refunded'
GROUP BY o.customer_id, c.email
HAVING SUM(p.amount) > 100
ORDER BY refunded DESC;

-- name: late_shipments_by_carrier
SELECT s.carrier, COUNT(*) AS shipments,
       COUNT(*) FILTER (WHERE s.delivered_at > s.shipped_at + INTERVAL '5 days') AS late
FROM sales.shipments AS s
WHERE s.shipped_at >= DATE '2025-01-01'
GROUP BY s.carrier;

-- name: customer_shipments
SELECT s.tracking_code, s.carrier, s.recipient_name, s.ship_to, o.order_number
FROM sales.shipments AS s
JOIN sales.orders AS o ON o.order_id = s.order_id
WHERE o.customer_id = 311;

-- name: best_selling_products
SELECT p.sku, p.name, SUM(i.quantity) AS units,
       DENSE_RANK() OVER (ORDER BY SUM(i.quantity) DESC) AS rnk
FROM sales.order_items AS i
JOIN sales.products AS p ON p.product_id = i.product_id
GROUP BY p.sku, p.name
ORDER BY rnk
LIMIT 25;

-- name: cohort_retention
WITH first_orders AS (
    SELECT customer_id, MIN(date_trunc('month', ordered_at)) AS cohort
    FROM sales.orders
    GROUP BY customer_id
),
activity AS (
    SELECT DISTINCT o.customer_id, date_trunc('month', o.ordered_at) AS active_month
    FROM sales.orders AS o
)
SELECT f.cohort, a.active_month, COUNT(DISTINCT a.customer_id) AS active_customers
FROM first_orders AS f
JOIN activity AS a ON a.customer_id = f.customer_id
GROUP BY f.cohort, a.active_month
ORDER BY f.cohort, a.active_month;

-- name: opt_in_rate_by_country
SELECT country, AVG(CASE WHEN marketing_opt_in THEN 1 ELSE 0 END) AS opt_in_rate
FROM crm.customers
GROUP BY country;

-- name: weekly_signups
SELECT date_trunc('week', signup_at) AS week, COUNT(*) AS signups
FROM crm.customers
WHERE signup_at >= DATE '2025-01-01'
GROUP BY 1
ORDER BY 1;

-- name: latest_consent_per_purpose
SELECT customer_id, purpose, granted, recorded_at
FROM (
    SELECT ce.*, ROW_NUMBER() OVER (PARTITION BY customer_id, purpose ORDER BY recorded_at DESC) AS rn
    FROM crm.consent_events AS ce
) AS latest
WHERE rn = 1;

-- name: customers_without_orders
SELECT c.customer_id, c.email, c.signup_at
FROM crm.customers AS c
WHERE NOT EXISTS (SELECT 1 FROM sales.orders AS o WHERE o.customer_id = c.customer_id)
  AND c.signup_at < DATE '2025-01-01';

-- name: customer_lookup_by_email_domain
SELECT customer_id, first_name, last_name, email, phone, city
FROM crm.customers
WHERE email LIKE '%@example.com' AND is_active
ORDER BY last_name, first_name;

-- name: running_revenue
SELECT CAST(ordered_at AS DATE) AS day, SUM(total_amount) AS revenue,
       SUM(SUM(total_amount)) OVER (ORDER BY CAST(ordered_at AS DATE)) AS running_revenue,
       AVG(SUM(total_amount)) OVER (
           ORDER BY CAST(ordered_at AS DATE) ROWS BETWEEN 6 PRECEDING AND CURRENT ROW
       ) AS revenue_7d
FROM sales.orders
WHERE ordered_at >= DATE '2025-01-01'
GROUP BY 1
ORDER BY 1;

-- name: customer_lifetime_value
WITH order_totals AS (
    SELECT o.customer_id, COUNT(*) AS orders, SUM(o.total_amount) AS spent,
           MIN(o.ordered_at) AS first_order, MAX(o.ordered_at) AS last_order
    FROM sales.orders AS o
    WHERE o.status = 'completed'
    GROUP BY o.customer_id
)
SELECT c.customer_id, c.email, c.loyalty_tier, t.orders, t.spent,
       NTILE(10) OVER (ORDER BY t.spent DESC) AS decile
FROM order_totals AS t
JOIN crm.customers AS c ON c.customer_id = t.customer_id
ORDER BY t.spent DESC;

-- name: repeat_purchase_gap
SELECT customer_id, order_id, ordered_at,
       ordered_at - LAG(ordered_at) OVER (PARTITION BY customer_id ORDER BY ordered_at) AS gap
FROM sales.orders
WHERE status <> 'cancelled';

-- name: ticket_backlog_by_priority
SELECT priority, status, COUNT(*) AS tickets,
       AVG(EXTRACT(EPOCH FROM (COALESCE(closed_at, CURRENT_TIMESTAMP) - opened_at)) / 3600) AS avg_hours
FROM support.tickets
WHERE opened_at >= DATE '2025-01-01'
GROUP BY priority, status
ORDER BY priority, status;

-- name: tickets_with_customer_and_order
SELECT t.ticket_id, t.subject, t.status, c.email, c.phone, o.order_number, o.total_amount
FROM support.tickets AS t
LEFT JOIN crm.customers AS c ON c.customer_id = t.customer_id
LEFT JOIN sales.orders AS o ON o.order_id = t.order_id
WHERE t.priority = 'high' AND t.closed_at IS NULL
ORDER BY t.opened_at;

-- name: ticket_first_response
WITH first_reply AS (
    SELECT ticket_id, MIN(created_at) AS replied_at
    FROM support.ticket_comments
    WHERE author_type = 'agent' AND NOT is_internal
    GROUP BY ticket_id
)
SELECT t.channel, COUNT(*) AS tickets,
       AVG(EXTRACT(EPOCH FROM (r.replied_at - t.opened_at)) / 60) AS avg_minutes_to_reply
FROM support.tickets AS t
JOIN first_reply AS r ON r.ticket_id = t.ticket_id
GROUP BY t.channel;

-- name: satisfaction_by_agent_month
SELECT assigned_agent_id, date_trunc('month', opened_at) AS month,
       AVG(satisfaction_score) AS csat,
       RANK() OVER (PARTITION BY date_trunc('month', opened_at) ORDER BY AVG(satisfaction_score) DESC) AS rnk
FROM support.tickets
WHERE satisfaction_score IS NOT NULL
GROUP BY assigned_agent_id, date_trunc('month', opened_at);

-- name: ticket_search
SELECT ticket_id, subject, body, contact_email
FROM support.tickets
WHERE (subject LIKE '%refund%' OR body LIKE '%refund%') AND opened_at >= DATE '2025-03-01'
ORDER BY opened_at DESC
LIMIT 50;

-- name: sessions_by_device
SELECT device_type, COUNT(DISTINCT anonymous_id) AS visitors, COUNT(*) AS events
FROM web.events
WHERE event_at >= DATE '2025-06-01'
GROUP BY device_type
ORDER BY visitors DESC;

-- name: funnel
WITH steps AS (
    SELECT anonymous_id,
           MAX(CASE WHEN event_type = 'page_view' THEN 1 ELSE 0 END) AS viewed,
           MAX(CASE WHEN event_type = 'add_to_cart' THEN 1 ELSE 0 END) AS carted,
           MAX(CASE WHEN event_type = 'checkout' THEN 1 ELSE 0 END) AS checked_out
    FROM web.events
    WHERE event_at >= DATE '2025-05-01'
    GROUP BY anonymous_id
)
SELECT SUM(viewed) AS viewed, SUM(carted) AS carted, SUM(checked_out) AS checked_out,
       ROUND(100.0 * SUM(checked_out) / NULLIF(SUM(viewed), 0), 2) AS conversion_pct
FROM steps;

-- name: top_referrers
SELECT referrer, COUNT(*) AS visits, COUNT(DISTINCT customer_id) AS known_customers
FROM web.events
WHERE referrer IS NOT NULL AND event_type = 'page_view'
GROUP BY referrer
HAVING COUNT(*) > 10
ORDER BY visits DESC
LIMIT 20;

-- name: suspicious_ips
SELECT e.ip_address, COUNT(DISTINCT e.customer_id) AS customers, MIN(e.event_at) AS first_seen
FROM web.events AS e
WHERE e.customer_id IS NOT NULL
GROUP BY e.ip_address
HAVING COUNT(DISTINCT e.customer_id) > 3;

-- name: orders_from_web_sessions
SELECT o.order_number, o.total_amount, e.device_type, e.page_url
FROM sales.orders AS o
JOIN web.events AS e ON e.customer_id = o.customer_id
 AND e.event_type = 'checkout'
 AND e.event_at BETWEEN o.ordered_at - INTERVAL '1 hour' AND o.ordered_at
WHERE o.ordered_at >= DATE '2025-06-01';

-- name: customer_contact_channels
SELECT 'email' AS channel, customer_id, email AS contact FROM crm.customers WHERE email IS NOT NULL
UNION ALL
SELECT 'phone', customer_id, phone FROM crm.customers WHERE phone IS NOT NULL
UNION ALL
SELECT 'ticket', customer_id, contact_email FROM support.tickets WHERE customer_id IS NOT NULL;

-- name: active_contacts_view
SELECT country, COUNT(*) AS contacts, COUNT(phone) AS with_phone
FROM crm.active_contacts
GROUP BY country
ORDER BY contacts DESC;

-- name: big_spenders_in_subquery
SELECT customer_id, first_name, last_name, date_of_birth, ssn
FROM crm.customers
WHERE customer_id IN (
    SELECT customer_id FROM sales.orders GROUP BY customer_id HAVING SUM(total_amount) > 5000
);

-- name: order_with_latest_payment
SELECT o.order_number, o.total_amount,
       (SELECT p.status FROM sales.payments AS p
        WHERE p.order_id = o.order_id ORDER BY p.paid_at DESC LIMIT 1) AS last_payment_status,
       (SELECT COUNT(*) FROM sales.shipments AS s WHERE s.order_id = o.order_id) AS parcels
FROM sales.orders AS o
WHERE o.ordered_at >= DATE '2025-06-01';

-- name: payment_methods_share
SELECT method, currency, SUM(amount) AS amount,
       SUM(amount) / SUM(SUM(amount)) OVER (PARTITION BY currency) AS share
FROM sales.payments
WHERE status = 'captured'
GROUP BY method, currency;

-- name: product_margin
SELECT p.category, p.name,
       SUM(i.line_total) AS revenue,
       SUM(i.quantity * p.unit_cost) AS cost,
       SUM(i.line_total) - SUM(i.quantity * p.unit_cost) AS margin
FROM sales.order_items AS i
JOIN sales.products AS p ON p.product_id = i.product_id
WHERE NOT p.is_discontinued
GROUP BY p.category, p.name
ORDER BY margin DESC;

-- name: shipping_destinations
SELECT o.shipping_country, o.shipping_city, COUNT(*) AS orders,
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY o.total_amount) AS median_order
FROM sales.orders AS o
GROUP BY o.shipping_country, o.shipping_city
ORDER BY orders DESC
LIMIT 30;

-- name: headcount_by_department
-- user: carol
SELECT d.name AS department, COUNT(*) AS headcount, AVG(e.salary) AS avg_salary
FROM hr.employees AS e
JOIN hr.departments AS d ON d.department_id = e.department_id
WHERE e.is_active
GROUP BY d.name
ORDER BY headcount DESC;

-- name: manager_span
-- user: carol
WITH managers AS (
    SELECT manager_id, COUNT(*) AS reports FROM hr.employees WHERE is_active GROUP BY manager_id
)
SELECT e.employee_id, e.first_name, e.last_name, e.work_email, m.reports
FROM managers AS m
JOIN hr.employees AS e ON e.employee_id = m.manager_id
ORDER BY m.reports DESC;

-- name: regional_summary_for_senior
-- user: bob
SELECT c.region, c.country,
       COUNT(DISTINCT c.customer_id) AS customers,
       COUNT(o.order_id) AS orders,
       SUM(o.total_amount) AS revenue
FROM crm.customers AS c
LEFT JOIN sales.orders AS o ON o.customer_id = c.customer_id
GROUP BY c.region, c.country
ORDER BY revenue DESC NULLS LAST;
