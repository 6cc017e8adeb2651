"""Finance and HR questions: headcount, pay, revenue against target."""

from __future__ import annotations

from cli.demo.queries.template import QueryTemplate, template

_FINANCE = ("dave",)

FINANCE_TEMPLATES: tuple[QueryTemplate, ...] = (
    template(
        "headcount_by_department",
        "hr",
        _FINANCE,
        """
        SELECT d.name, count(*) AS headcount FROM employees AS e
        JOIN departments AS d ON d.department_id = e.department_id
        WHERE e.is_active GROUP BY d.name ORDER BY headcount DESC
        """,
        weight=4,
        rows=(12, 12),
    ),
    template(
        "salary_percentiles",
        "hr",
        _FINANCE,
        """
        SELECT employee_id, job_title, salary,
               percent_rank() OVER (PARTITION BY department_id ORDER BY salary) AS pct
        FROM employees WHERE is_active
        """,
        rows=(25, 600),
    ),
    template(
        "team_roster",
        "hr",
        _FINANCE,
        """
        SELECT e.employee_id, e.first_name, e.last_name,
               m.first_name AS manager_first_name, m.last_name AS manager_last_name
        FROM employees AS e LEFT JOIN employees AS m ON m.employee_id = e.manager_id
        WHERE e.department_id = {department_id}
        """,
        weight=4,
        rows=(1, 150),
    ),
    template(
        "management_chain",
        "hr",
        _FINANCE,
        """
        WITH RECURSIVE chain AS (
            SELECT employee_id, manager_id, 0 AS depth FROM employees
        WHERE employee_id = {employee_id}
            UNION ALL
            SELECT e.employee_id, e.manager_id, c.depth + 1 FROM employees AS e
            JOIN chain AS c ON e.employee_id = c.manager_id
        )
        SELECT * FROM chain ORDER BY depth
        """,
        rows=(1, 4),
    ),
    template(
        "payroll_totals",
        "hr",
        _FINANCE,
        """
        SELECT pay_period, count(*) AS employees, sum(monthly_gross) AS gross FROM payroll_export
        GROUP BY pay_period ORDER BY pay_period
        """,
        weight=4,
        rows=(1, 3),
    ),
    template(
        "tenure_distribution",
        "hr",
        _FINANCE,
        """
        SELECT date_diff('year', hire_date, DATE '{day}') AS years, count(*) FROM employees
        WHERE termination_date IS NULL GROUP BY 1 ORDER BY 1
        """,
        rows=(10, 14),
    ),
    template(
        "attrition_by_quarter",
        "hr",
        _FINANCE,
        """
        SELECT date_trunc('quarter', termination_date) AS quarter, count(*) AS leavers
        FROM employees WHERE termination_date IS NOT NULL GROUP BY 1 ORDER BY 1
        """,
        rows=(10, 50),
    ),
    template(
        "employee_directory",
        "hr",
        _FINANCE,
        """
        SELECT employee_id, first_name, last_name, work_email, phone, hire_date FROM employees
        WHERE last_name LIKE '{initial}%' ORDER BY last_name
        """,
        weight=4,
        rows=(0, 40),
    ),
    template(
        "ltv_deciles",
        "analytics",
        _FINANCE,
        """
        SELECT decile, min(lifetime_value) AS low, max(lifetime_value) AS high, count(*) AS n
        FROM (SELECT lifetime_value, ntile(10) OVER (ORDER BY lifetime_value) AS decile
              FROM customer_order_summary) AS t
        GROUP BY decile ORDER BY decile
        """,
        rows=(10, 10),
    ),
    template(
        "monthly_revenue_for_region",
        "analytics",
        _FINANCE,
        """
        SELECT * FROM monthly_revenue WHERE region = '{region}' ORDER BY month
        """,
        weight=5,
        rows=(30, 90),
    ),
    template(
        "revenue_vs_target",
        "analytics",
        _FINANCE,
        """
        SELECT region, sum(revenue) AS revenue,
               CASE WHEN sum(revenue) > {target} THEN 'above' ELSE 'below' END AS vs_target
        FROM daily_revenue WHERE order_date BETWEEN DATE '{since}' AND DATE '{day}'
        GROUP BY region
        """,
        weight=4,
        rows=(3, 3),
    ),
    template(
        "rolling_revenue",
        "analytics",
        _FINANCE,
        """
        SELECT order_date, region, revenue,
               sum(revenue) OVER (PARTITION BY region ORDER BY order_date
                                  ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS revenue_7d
        FROM daily_revenue WHERE order_date >= DATE '{since}' ORDER BY region, order_date
        """,
        rows=(20, 400),
    ),
    template(
        "salaries_by_department",
        "hr",
        _FINANCE,
        """
        SELECT employee_id, salary FROM employees WHERE department_id = {department_id}
        """,
        standalone=False,
    ),
)
