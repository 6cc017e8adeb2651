"""``veil policy …``: policies as code (apply, export, history, diff)."""

from __future__ import annotations

import getpass
from typing import BinaryIO

import click

from catalog.errors import NotFoundError, UsageError
from cli.context import VeilContext
from cli.output import print_json
from policies.document import canonical_yaml
from policies.errors import PolicyError
from policies.store import (
    apply_policy,
    current_policy,
    policy_diff,
    policy_history,
    policy_version,
)


def _os_user() -> str:
    """Who applies, when --by is not given: the OS account running veil."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER/LOGNAME and no passwd entry (some containers)
        return "unknown"


@click.group()
def policy() -> None:
    """Policies as code: users, roles, grants, masks, row filters, retention.

    A policy is one YAML document (format version 1) kept in git and applied here.
    Every apply that changes something stores a new numbered version with who applied
    it and the diff; the newest version is in force. An invalid document is refused
    with every problem listed, and the policy in force stays as it was.

    \b
    Examples:
      veil policy apply policy.yaml --dry-run   # validate and show the diff
      veil policy apply policy.yaml --by alice
      veil policy export > policy.yaml          # the text exactly as applied
      veil policy history
      veil policy diff 3 5
    """


@policy.command("apply")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--by",
    default=_os_user,
    show_default="your OS user name",
    help="Who applies; recorded with the version.",
)
@click.option("--dry-run", is_flag=True, help="Validate and show the diff; store nothing.")
@click.pass_obj
def apply_cmd(obj: VeilContext, file: BinaryIO, by: str, dry_run: bool) -> None:
    """Validate FILE against the catalog and make it the policy in force.

    FILE is a policy YAML document ('-' reads stdin). Validation covers structure,
    names and references (roles, mask methods and their parameters), the SQL of row
    filters and custom masks (in each warehouse's dialect), and the tables and columns
    rules name. Prints the new version number and the diff of the canonical form;
    applying the same policy again changes nothing.

    \b
    Examples:
      veil policy apply policy.yaml
      veil policy apply policy.yaml --dry-run
      git show HEAD:policy.yaml | veil policy apply - --by ci
    """
    given = getattr(file, "name", "-")
    name = "stdin" if given in ("-", "<stdin>") else str(given)
    raw = file.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError(f"{name} is not UTF-8 text (byte {e.start})") from None
    try:
        result = apply_policy(obj.store, text, by=by, dry_run=dry_run)
    except PolicyError as e:
        raise PolicyError(e.problems, source=name) from e
    number = result.version.number
    if not result.changed:
        click.echo(f"No change: {name} says what policy version {number} says.")
        return
    if result.dry_run:
        click.echo(f"{name} is valid; applying it would make policy version {number}.")
    else:
        click.echo(f"Applied {name} as policy version {number} (by {by}).")
    click.echo(result.version.diff, nl=False)


@policy.command("export")
@click.option(
    "--version", "number", type=click.IntRange(1), help="A past version (default: current)."
)
@click.option(
    "--canonical", is_flag=True, help="The normalized form instead of the text as applied."
)
@click.pass_obj
def export_cmd(obj: VeilContext, number: int | None, canonical: bool) -> None:
    """Print the policy in force (or --version N) exactly as it was applied.

    `veil policy apply f.yaml; veil policy export` prints f.yaml byte for byte.
    --canonical prints the normalized form versions are compared by: every default
    spelled out, names and unordered lists sorted.
    """
    if number is None:
        version = current_policy(obj.store)
        if version is None:
            raise NotFoundError(
                "no policy has been applied yet", hint="Apply one: veil policy apply FILE.yaml"
            )
    else:
        version = policy_version(obj.store, number)
    click.echo(canonical_yaml(version.policy) if canonical else version.source, nl=False)


@policy.command("history")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def history_cmd(obj: VeilContext, fmt: str) -> None:
    """Every policy version, oldest first: number, when, who, lines added and removed."""
    versions = policy_history(obj.store)
    if fmt == "json":
        print_json(
            [
                {
                    "version": v.number,
                    "created_at": v.created_at.isoformat(),
                    "created_by": v.created_by,
                    "checksum": v.checksum,
                    "added": v.added,
                    "removed": v.removed,
                }
                for v in versions
            ]
        )
        return
    if not versions:
        click.echo("No policy has been applied yet.")
        return
    width = max(len(v.created_by) for v in versions)
    for v in versions:
        when = v.created_at.strftime("%Y-%m-%d %H:%M:%SZ")
        click.echo(f"{v.number:>4}  {when}  {v.created_by:<{width}}  +{v.added} -{v.removed}")


@policy.command("diff")
@click.argument("old", type=click.IntRange(1))
@click.argument("new", type=click.IntRange(1), required=False)
@click.pass_obj
def diff_cmd(obj: VeilContext, old: int, new: int | None) -> None:
    """What changed in version OLD, or between versions OLD and NEW (canonical forms).

    \b
    Examples:
      veil policy diff 4        # what version 4 changed
      veil policy diff 2 5      # from version 2 to version 5
    """
    text = policy_diff(obj.store, old, new)
    if not text:
        click.echo(f"No difference between versions {old} and {new}.")
        return
    click.echo(text, nl=False)
