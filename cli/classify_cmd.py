"""``veil classify``: find personal data in catalogued warehouses."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict

import click

from catalog.classify import ClassifierConfig
from catalog.classify.run import ClassifyReport, classify_warehouse
from cli.context import VeilContext
from cli.output import err_console, out_console, phase_progress, print_json


@click.command()
@click.option("--warehouse", help="Only this warehouse (default: every catalogued warehouse).")
@click.option(
    "--table",
    "tables",
    multiple=True,
    metavar="SCHEMA.TABLE",
    help="Only these tables (repeatable).",
)
@click.option(
    "--sample-size",
    type=click.IntRange(1, 1_000_000),
    help="Rows sampled per table (default from settings: 100).",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    help="Parallel processes; 0 = one per core for large jobs (default from settings).",
)
@click.option("--dry-run", is_flag=True, help="Report what would be suggested; record nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def classify(
    obj: VeilContext,
    warehouse: str | None,
    tables: tuple[str, ...],
    sample_size: int | None,
    workers: int | None,
    dry_run: bool,
    fmt: str,
) -> None:
    """Suggest which columns hold personal data, with a score and the evidence.

    Samples each table (randomly where the engine can), runs Presidio's recognizers
    (offline: nothing is downloaded) with Veil's name, address and date rules, and
    weighs the column's name and type. Suggestions wait for a steward's review
    (`veil pii list`, `veil pii confirm`, `veil pii reject`); a re-run never overrides
    a steward's decision. No raw value is stored: evidence holds counts and a masked
    example only.

    \b
    Examples:
      veil classify
      veil classify --warehouse demo --table crm.customers --sample-size 500
    """
    settings = obj.settings
    config = ClassifierConfig(
        spacy_model=settings.classify_spacy_model or None,
        recognizers=tuple(settings.classify_recognizers),
    )
    store = obj.store
    with phase_progress() as progress:
        report = classify_warehouse(
            store,
            warehouse,
            sample_size=sample_size or settings.classify_sample_size,
            workers=settings.classify_workers if workers is None else workers,
            config=config,
            tables=tables or None,
            progress=progress,
            record=not dry_run,
        )
    if fmt == "json":
        print_json(report_json(report))
    else:
        print_report(report, dry_run=dry_run)


def print_report(report: ClassifyReport, *, dry_run: bool = False) -> None:
    console = out_console()
    found = report.suggestions
    rate = len(report.columns) / report.seconds if report.seconds else 0.0
    console.print(
        f"Classified {len(report.columns):,} columns in {report.tables:,} tables in "
        f"{report.seconds:.1f}s ({rate:,.0f} columns/s; startup {report.startup_seconds:.1f}s): "
        f"{len(found)} look like personal data."
    )
    by_entity = Counter(c.suggestion.entity for c in found if c.suggestion is not None)
    if by_entity:
        console.print(
            "  " + ", ".join(f"{entity} {n}" for entity, n in by_entity.most_common()),
            markup=False,
        )
    if report.recorded is not None:
        r = report.recorded
        console.print(
            f"Recorded: {r.new} new, {r.updated} updated, {r.unchanged} unchanged, "
            f"{r.withdrawn} withdrawn; {r.beside_decision} beside a steward's decision.",
            markup=False,
        )
        console.print("Review them with `veil pii list --status suggested`.")
    elif dry_run:
        console.print("Dry run: nothing was recorded.")
    for error in report.errors:
        err_console().print(f"[yellow]Skipped[/] {error}")


def report_json(report: ClassifyReport) -> dict[str, object]:
    return {
        "columns": len(report.columns),
        "tables": report.tables,
        "seconds": round(report.seconds, 3),
        "startup_seconds": round(report.startup_seconds, 3),
        "errors": list(report.errors),
        "suggestions": [
            {
                "column": c.key.qualified_name,
                "entity": c.suggestion.entity,
                "score": c.suggestion.score,
                "evidence": c.suggestion.evidence,
                "masked_example": c.suggestion.masked_example,
            }
            for c in report.suggestions
            if c.suggestion is not None
        ],
        "recorded": None if report.recorded is None else asdict(report.recorded),
    }
