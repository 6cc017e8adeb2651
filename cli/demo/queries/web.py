"""Clickstream questions from the data scientist: sessions, funnels, IPs."""

from __future__ import annotations

from cli.demo.queries.template import QueryTemplate, template

_WEB = ("erin", "carol")

WEB_TEMPLATES: tuple[QueryTemplate, ...] = (
    template(
        "sessions_per_day",
        "web",
        _WEB,
        """
        SELECT CAST(started_at AS DATE) AS day, count(*) AS sessions,
               avg(event_count) AS events_per_session
        FROM sessions WHERE started_at >= DATE '{since}' GROUP BY 1 ORDER BY 1
        """,
        weight=5,
        rows=(7, 90),
    ),
    template(
        "checkout_funnel",
        "web",
        _WEB,
        """
        SELECT count(DISTINCT anonymous_id) FILTER (WHERE event_type = 'page_view') AS viewers,
               count(DISTINCT anonymous_id) FILTER (WHERE event_type = 'add_to_cart') AS carts,
               count(DISTINCT anonymous_id) FILTER (WHERE event_type = 'checkout') AS checkouts
        FROM events WHERE event_at >= DATE '{since}'
        """,
        weight=4,
        rows=(1, 1),
    ),
    template(
        "top_pages",
        "web",
        _WEB,
        """
        SELECT page_url, count(*) AS views FROM events WHERE event_type = 'page_view'
        GROUP BY page_url ORDER BY 2 DESC LIMIT {limit}
        """,
    ),
    template(
        "shared_ip_addresses",
        "web",
        _WEB,
        """
        SELECT ip_address, count(*) AS events, count(DISTINCT anonymous_id) AS visitors
        FROM events GROUP BY ip_address HAVING count(DISTINCT anonymous_id) > 1
        ORDER BY events DESC LIMIT {limit}
        """,
    ),
    template(
        "identified_sessions",
        "web",
        _WEB,
        """
        SELECT s.session_id, s.started_at, c.email, s.ip_address
        FROM sessions AS s JOIN crm.customers AS c ON c.customer_id = s.customer_id
        WHERE s.started_at >= DATE '{day}' LIMIT {limit}
        """,
        weight=4,
    ),
    template(
        "app_version_usage",
        "web",
        _WEB,
        """
        SELECT app_version, device_type, count(*) AS events FROM events
        WHERE app_version IS NOT NULL GROUP BY ALL ORDER BY 3 DESC
        """,
        rows=(20, 200),
    ),
    template(
        "gaps_between_clicks",
        "web",
        _WEB,
        """
        SELECT anonymous_id, event_at,
               lead(event_at) OVER (PARTITION BY anonymous_id ORDER BY event_at) - event_at AS gap
        FROM events WHERE customer_id = {customer_id} ORDER BY event_at
        """,
        rows=(0, 40),
    ),
    template(
        "landing_page_conversion",
        "web",
        _WEB,
        """
        SELECT landing_page, count(*) AS sessions, count(*) FILTER (WHERE converted) AS conversions
        FROM sessions GROUP BY landing_page ORDER BY sessions DESC LIMIT {limit}
        """,
    ),
    template(
        "events_since",
        "web",
        _WEB,
        """
        SELECT event_type, count(*) FROM events WHERE event_at >= DATE '{day}' GROUP BY event_type
        """,
        rows=(6, 6),
        standalone=False,
    ),
    template(
        "converting_visitor_events",
        "web",
        _WEB,
        """
        SELECT count(*) FROM events
        WHERE anonymous_id IN (SELECT anonymous_id FROM sessions WHERE converted)
        """,
        rows=(1, 1),
        standalone=False,
    ),
)
