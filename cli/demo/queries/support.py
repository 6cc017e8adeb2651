"""The support lead's questions: queues, workload, resolution times, ticket text."""

from __future__ import annotations

from cli.demo.queries.template import QueryTemplate, template

_SUPPORT = ("bob",)

SUPPORT_TEMPLATES: tuple[QueryTemplate, ...] = (
    template(
        "open_tickets_by_priority",
        "support",
        _SUPPORT,
        """
        SELECT priority, count(*) FROM tickets WHERE status IN ('open', 'pending')
        GROUP BY priority ORDER BY count(*) DESC
        """,
        weight=6,
        rows=(4, 4),
    ),
    template(
        "agent_workload",
        "support",
        _SUPPORT,
        """
        SELECT e.first_name || ' ' || e.last_name AS agent, count(*) AS open_tickets
        FROM tickets AS t JOIN hr.employees AS e ON e.employee_id = t.assigned_agent_id
        WHERE t.status = 'open' GROUP BY 1 ORDER BY open_tickets DESC
        """,
        weight=4,
    ),
    template(
        "ticket_thread",
        "support",
        _SUPPORT,
        """
        SELECT t.ticket_id, t.subject, c.created_at, c.author_type, c.body
        FROM tickets AS t JOIN ticket_comments AS c ON c.ticket_id = t.ticket_id
        WHERE t.ticket_id = {ticket_id} ORDER BY c.created_at
        """,
        weight=6,
        rows=(0, 4),
    ),
    template(
        "search_ticket_bodies",
        "support",
        _SUPPORT,
        """
        SELECT ticket_id, opened_at, subject FROM tickets WHERE body ILIKE '%{keyword}%'
        ORDER BY opened_at DESC LIMIT {limit}
        """,
        weight=4,
    ),
    template(
        "resolution_time_by_channel",
        "support",
        _SUPPORT,
        """
        SELECT channel,
               round(avg(date_diff('hour', opened_at, closed_at)), 1) AS avg_hours,
               quantile_cont(date_diff('hour', opened_at, closed_at), 0.9) AS p90_hours
        FROM tickets WHERE closed_at IS NOT NULL AND opened_at >= DATE '{since}' GROUP BY channel
        """,
        rows=(4, 4),
    ),
    template(
        "csat_ranking",
        "support",
        _SUPPORT,
        """
        SELECT agent_id, avg_csat, rank() OVER (ORDER BY avg_csat DESC) AS rnk
        FROM (
            SELECT assigned_agent_id AS agent_id, avg(satisfaction_score) AS avg_csat
            FROM tickets WHERE satisfaction_score IS NOT NULL
            GROUP BY assigned_agent_id HAVING count(*) >= {min_n}
        ) AS s
        """,
    ),
    template(
        "open_tickets_queue",
        "support",
        _SUPPORT,
        """
        SELECT * FROM open_tickets WHERE priority = '{priority}' ORDER BY opened_at LIMIT {limit}
        """,
        weight=5,
    ),
    template(
        "tickets_from_domain",
        "support",
        _SUPPORT,
        """
        SELECT t.ticket_id, t.subject, t.status FROM tickets AS t
        JOIN crm.customers AS c ON c.customer_id = t.customer_id
        WHERE c.email LIKE '%@{email_domain}' AND t.opened_at >= DATE '{since}'
        """,
    ),
    template(
        "first_response_minutes",
        "support",
        _SUPPORT,
        """
        WITH first_reply AS (
            SELECT ticket_id, min(created_at) AS replied_at FROM ticket_comments
            WHERE author_type = 'agent' GROUP BY ticket_id
        )
        SELECT t.priority, avg(date_diff('minute', t.opened_at, f.replied_at)) AS avg_minutes
        FROM tickets AS t JOIN first_reply AS f ON f.ticket_id = t.ticket_id GROUP BY t.priority
        """,
        rows=(4, 4),
    ),
    template(
        "tickets_per_day",
        "support",
        _SUPPORT,
        """
        SELECT CAST(opened_at AS DATE) AS day, count(*) AS tickets FROM tickets
        WHERE opened_at >= DATE '{since}' GROUP BY 1 ORDER BY 1
        """,
        rows=(7, 90),
    ),
    template(
        "tickets_per_week",
        "support",
        _SUPPORT,
        """
        SELECT date_trunc('week', opened_at) AS week, count(*) FROM tickets GROUP BY 1 ORDER BY 1
        """,
        rows=(50, 130),
        standalone=False,
    ),
    template(
        "open_ticket_subjects",
        "support",
        _SUPPORT,
        """
        SELECT ticket_id, subject FROM tickets WHERE status = 'open' AND priority = '{priority}'
        """,
        standalone=False,
    ),
)
