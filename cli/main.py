"""The ``veil`` command: a thin click layer over the library packages.

Commands parse arguments, call one library function, and print. Errors Veil raises on
purpose (:class:`catalog.errors.VeilError`) print as ``Error: …`` plus a hint and exit
1, without a traceback; ``--debug`` (or ``VEIL_DEBUG=1``) shows the traceback instead.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click

from catalog.errors import VeilError
from cli.context import VeilContext


class VeilGroup(click.Group):
    """Turns VeilError into a clean message and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VeilError as e:
            if _debug_requested(ctx):
                raise
            click.echo(click.style("Error:", fg="red", bold=True) + f" {e.message}", err=True)
            if e.hint:
                click.echo(e.hint, err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


def _debug_requested(ctx: click.Context) -> bool:
    obj = ctx.find_object(VeilContext)
    if obj is not None and obj.debug:
        return True
    return os.environ.get("VEIL_DEBUG", "").lower() in {"1", "true", "yes"}


@click.group(cls=VeilGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="VEIL_CONFIG",
    help="Settings file (default: ./veil.yaml if present). Also VEIL_CONFIG.",
)
@click.option(
    "--catalog-url",
    help="Catalog store URL (default: SQLite under .veil/). Also VEIL_CATALOG_URL.",
)
@click.option("--home", help="Directory for Veil's local state (default .veil). Also VEIL_HOME.")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs on errors.")
@click.version_option(package_name="veil")
@click.pass_context
def cli(
    ctx: click.Context,
    config_path: str | None,
    catalog_url: str | None,
    home: str | None,
    debug: bool,
) -> None:
    """Veil: governance catalog and PII-masking SQL gateway.

    \b
    Start with the demo:      veil demo
    Catalog a warehouse:      veil scan --warehouse duckdb:///path/file.duckdb --name dw
    Find things:              veil catalog search email
    Export the catalog:       veil catalog export --format json
    """
    overrides = {"catalog_url": catalog_url, "home": home}
    obj = VeilContext(config_path, overrides, debug)
    ctx.obj = obj
    ctx.call_on_close(obj.close)
    # --debug turns on Veil's own debug logs only; libraries stay at WARNING, so no
    # library's debug output (SQL parameters such as a warehouse URL, result rows of a
    # PII sample) can reach a terminal or a log file.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for package in _OWN_PACKAGES:
        logging.getLogger(package).setLevel(logging.DEBUG if debug else logging.WARNING)
    # sqlglot's warnings quote the SQL they could not parse; literals can be personal data.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)


_OWN_PACKAGES = ("catalog", "lineage", "policies", "masking", "web", "cli")


def _register() -> None:
    from cli.audit_cmds import audit
    from cli.catalog_cmds import catalog
    from cli.classify_cmd import classify
    from cli.config_cmds import config
    from cli.demo_cmd import demo
    from cli.enforce_cmds import explain_cmd, rewrite_cmd
    from cli.lineage_cmds import lineage
    from cli.pii_cmds import pii
    from cli.policy_cmds import policy
    from cli.proxy_cmd import proxy
    from cli.scan_cmd import scan, warehouse
    from cli.user_cmds import user

    policy.add_command(explain_cmd)
    for command in (
        scan,
        warehouse,
        catalog,
        classify,
        pii,
        lineage,
        policy,
        rewrite_cmd,
        demo,
        proxy,
        user,
        audit,
        config,
    ):
        cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="veil")
    except BrokenPipeError:  # `veil catalog export | head`
        sys.stderr.close()
        sys.exit(0)
