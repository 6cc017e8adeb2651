"""Everything people and tools run against the demo warehouse, as query templates."""

from __future__ import annotations

from cli.demo.queries.dashboards import BROKEN_MODEL, LOOKER_TEMPLATES
from cli.demo.queries.finance import FINANCE_TEMPLATES
from cli.demo.queries.marketing import MARKETING_TEMPLATES
from cli.demo.queries.mistakes import FAILING_TEMPLATES
from cli.demo.queries.sales import SALES_TEMPLATES, SANDBOX_TEMPLATES
from cli.demo.queries.support import SUPPORT_TEMPLATES
from cli.demo.queries.template import (
    QueryTemplate,
    RenderContext,
    RenderedQuery,
    render,
)
from cli.demo.queries.web import WEB_TEMPLATES

ANALYSTS = ("alice", "bob", "carol", "dave", "erin")
LOOKER_USER = "looker_service"

ANALYST_TEMPLATES: tuple[QueryTemplate, ...] = (
    *SALES_TEMPLATES,
    *SANDBOX_TEMPLATES,
    *SUPPORT_TEMPLATES,
    *MARKETING_TEMPLATES,
    *FINANCE_TEMPLATES,
    *WEB_TEMPLATES,
    *FAILING_TEMPLATES,
)
ALL_TEMPLATES: tuple[QueryTemplate, ...] = (*ANALYST_TEMPLATES, *LOOKER_TEMPLATES, BROKEN_MODEL)
TEMPLATES_BY_NAME: dict[str, QueryTemplate] = {t.name: t for t in ALL_TEMPLATES}


def session(first: QueryTemplate) -> list[QueryTemplate]:
    """``first`` and what its user runs straight after it (``then``, transitively)."""
    chain = [first]
    while chain[-1].then:
        chain.append(TEMPLATES_BY_NAME[chain[-1].then])
    return chain


__all__ = [
    "ALL_TEMPLATES",
    "ANALYSTS",
    "ANALYST_TEMPLATES",
    "BROKEN_MODEL",
    "LOOKER_TEMPLATES",
    "LOOKER_USER",
    "TEMPLATES_BY_NAME",
    "QueryTemplate",
    "RenderContext",
    "RenderedQuery",
    "render",
    "session",
]
