"""``veil pii …``: the steward's review of PII suggestions (list, confirm, reject)."""

from __future__ import annotations

import getpass

import click

from catalog.model import PiiStatus
from catalog.pii import PiiRecord, confirm, list_pii, pii_tags, reject
from cli.context import VeilContext
from cli.output import out_console, print_json


def _os_user() -> str:
    """Who is deciding, when --by is not given: the OS account running veil."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER/LOGNAME and no passwd entry (some containers)
        return "unknown"


_BY = click.option(
    "--by",
    default=_os_user,
    show_default="your OS user name",
    help="Who decides; recorded with the decision.",
)
_NOTE = click.option("--note", help="Why; recorded with the decision (e.g. a ticket number).")


@click.group()
def pii() -> None:
    """Review which columns hold personal data.

    `veil classify` suggests PII per column with a score and evidence (never raw
    values). Stewards confirm a suggestion (optionally changing its entity type) or
    reject it. Confirmed PII gets the tags `pii` and `pii.<entity>`, which masking rules
    can name. Until rejected, a suggestion is masked as if confirmed.

    \b
    Examples:
      veil pii list --status suggested
      veil pii confirm crm.customers.email
      veil pii confirm crm.customers.notes --entity FREE_TEXT_PII --note "JIRA-123"
      veil pii reject sales.orders.order_code
    """


@pii.command("list")
@click.option(
    "--status",
    type=click.Choice([s.value for s in PiiStatus]),
    help="Only suggestions waiting for review, or only decisions of one kind.",
)
@click.option("--warehouse", help="Only this warehouse.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def list_cmd(obj: VeilContext, status: str | None, warehouse: str | None, fmt: str) -> None:
    """List open suggestions and current decisions, column by column.

    Each line shows the column, entity, score, status, who suggested it (classifier,
    lineage or steward), a masked example and the evidence in short. A column can show
    a decision and, beside it, a newer suggestion: the data changed since a steward
    looked.

    \b
    Examples:
      veil pii list --status suggested          # the review queue
      veil pii list --warehouse demo --format json
    """
    records = list_pii(obj.store, status=PiiStatus(status) if status else None, warehouse=warehouse)
    if fmt == "json":
        print_json([_record_json(r) for r in records])
        return
    console = out_console()
    if not records:
        what = f"{status} PII" if status else "PII suggestions or decisions"
        console.print(f"No {what}. `veil classify` finds candidates.", markup=False)
        return
    header = ("COLUMN", "ENTITY", "SCORE", "STATUS", "SOURCE", "EXAMPLE", "EVIDENCE")
    rows = [
        (
            r.column,
            r.entity,
            f"{r.score:.2f}",
            r.status.value,
            r.source,
            r.masked_example or "-",
            r.summary or "-",
        )
        for r in records
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    for row in (header, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        console.print("  ".join([*cells, row[-1]]).rstrip(), markup=False)


@pii.command("confirm")
@click.argument("column")
@click.option(
    "--entity",
    help="The entity type, when it differs from the suggestion or there is none "
    "(e.g. EMAIL_ADDRESS, US_SSN, or a custom UPPER_SNAKE name).",
)
@_BY
@_NOTE
@click.pass_obj
def confirm_cmd(
    obj: VeilContext, column: str, entity: str | None, by: str, note: str | None
) -> None:
    """Confirm that COLUMN holds personal data.

    COLUMN is [warehouse.]schema.table.column. Without --entity, the open suggestion
    is confirmed as suggested; with it, as that type instead ("change type"). A column
    with no suggestion needs --entity. The column gets the tags pii and pii.<entity>.

    \b
    Examples:
      veil pii confirm crm.customers.email
      veil pii confirm demo.hr.employees.badge --entity EMPLOYEE_ID --note "HR-42"
    """
    record = confirm(obj.store, column, entity=entity, by=by, note=note)
    click.echo(
        f"Confirmed {record.column} as {record.entity} (tags: {', '.join(pii_tags(record.entity))})"
    )


@pii.command("reject")
@click.argument("column")
@_BY
@_NOTE
@click.pass_obj
def reject_cmd(obj: VeilContext, column: str, by: str, note: str | None) -> None:
    """Reject the PII suggestion (or reverse the confirmation) on COLUMN.

    Removes the pii and pii.<entity> tags a confirmation added. A later `veil classify`
    that sees the same data will not suggest it again; if the data changes, a new
    suggestion appears beside your decision.

    \b
    Examples:
      veil pii reject sales.orders.order_code --note "internal reference, not a phone"
    """
    record = reject(obj.store, column, by=by, note=note)
    click.echo(f"Rejected {record.entity} on {record.column}")


def _record_json(r: PiiRecord) -> dict[str, object]:
    return {
        "column": r.column,
        "entity": r.entity,
        "score": r.score,
        "status": r.status.value,
        "source": r.source,
        "evidence": r.evidence,
        "summary": r.summary,
        "masked_example": r.masked_example,
        "created_at": r.created_at.isoformat(),
        "decided_by": r.decided_by,
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
        "note": r.note,
    }
