"""``veil config``: see the effective settings and where each came from."""

from __future__ import annotations

import click

from catalog.config import setting_table
from cli.context import VeilContext
from cli.output import out_console, print_json


@click.group()
def config() -> None:
    """Settings (veil.yaml and VEIL_* variables)."""


@config.command("show")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def config_show(obj: VeilContext, fmt: str) -> None:
    """Print every setting, its value (secrets hidden), its source and what it does."""
    settings = obj.settings
    rows = []
    for key, env, _default, doc, secret in setting_table():
        value = getattr(settings, key)
        if secret and value:
            from catalog.connect import redact_url

            # A URL keeps its shape with the password hidden; any other secret is hidden.
            value = redact_url(str(value)) if "://" in str(value) else "***"
        rows.append(
            {
                "key": key,
                "value": value,
                "source": settings.sources.get(key, "default"),
                "env": env,
                "doc": doc,
            }
        )
    if fmt == "json":
        print_json(rows)
        return
    console = out_console()
    for r in rows:
        console.print(f"[bold]{r['key']}[/] = {r['value']!r}   [dim]({r['source']}; {r['env']})[/]")
        console.print(f"    {r['doc']}", markup=False)
