"""``veil user …``: gateway logins (only SCRAM-SHA-256 verifiers are stored)."""

from __future__ import annotations

import getpass
import sys

import click

from catalog.errors import UsageError
from cli.context import VeilContext
from cli.output import print_json
from policies.credentials import DEFAULT_ITERATIONS
from policies.users import add_user, check_password, list_users, remove_user, set_password


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER/LOGNAME and no passwd entry (some containers)
        return "unknown"


_password_stdin = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (one line) instead of prompting.",
)
_iterations = click.option(
    "--iterations",
    type=click.IntRange(DEFAULT_ITERATIONS, 10_000_000),
    default=DEFAULT_ITERATIONS,
    show_default=True,
    help="PBKDF2 iterations of the SCRAM verifier (more is slower to log in and to crack).",
)


@click.group()
def user() -> None:
    """Gateway logins: who may connect to `veil proxy`, and their passwords.

    A login is a user of the policy in force (its `users:` section says their roles);
    this command only gives them a password. Veil stores a SCRAM-SHA-256 verifier,
    as PostgreSQL does, never the password; clients log in with SCRAM-SHA-256.

    \b
    Examples:
      veil user add alice --role analyst            # prompts twice for the password
      printf '%s\\n' "$PW" | veil user add bob --password-stdin
      veil user list
      veil user passwd alice
      veil user remove alice
    """


@user.command("add")
@click.argument("name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    help="A role NAME must hold under the policy (checked; roles are assigned in the "
    "policy). Repeatable.",
)
@_password_stdin
@_iterations
@click.option("--by", default=_os_user, show_default="your OS user name", help="Who adds it.")
@click.pass_obj
def add_cmd(
    obj: VeilContext,
    name: str,
    roles: tuple[str, ...],
    password_stdin: bool,
    iterations: int,
    by: str,
) -> None:
    """Give NAME, a user of the policy in force, a gateway password.

    NAME must be listed under `users:` in the applied policy. Each --role must be one
    the policy gives NAME (directly or by inheritance): the command refuses otherwise,
    so a login is never created under a wrong idea of what it may see. Without
    --password-stdin, asks for the password twice without echoing it.

    \b
    Examples:
      veil user add alice --role analyst
      veil user add alice --role analyst --password-stdin < alice.pw
    """
    password = _read_password(name, password_stdin)
    created = add_user(obj.store, name, password, by=by, roles=roles, iterations=iterations)
    held = ", ".join(created.roles) or "no roles"
    click.echo(f"Added gateway user {name} (roles under the policy in force: {held}).")


@user.command("passwd")
@click.argument("name")
@_password_stdin
@_iterations
@click.pass_obj
def passwd_cmd(obj: VeilContext, name: str, password_stdin: bool, iterations: int) -> None:
    """Set a new password for gateway user NAME (with a new salt).

    \b
    Examples:
      veil user passwd alice
      veil user passwd alice --password-stdin < alice.pw
    """
    password = _read_password(name, password_stdin)
    set_password(obj.store, name, password, iterations=iterations)
    click.echo(f"Changed the password of gateway user {name}.")


@user.command("remove")
@click.argument("name")
@click.pass_obj
def remove_cmd(obj: VeilContext, name: str) -> None:
    """Delete gateway user NAME's login (the policy's entry for NAME stays)."""
    remove_user(obj.store, name)
    click.echo(f"Removed gateway user {name}.")


@user.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def list_cmd(obj: VeilContext, fmt: str) -> None:
    """Every gateway login: its roles under the policy in force, when it was added and
    when its password last changed. Logins the policy no longer lists are flagged:
    they can still log in but are granted nothing."""
    users = list_users(obj.store)
    if fmt == "json":
        print_json(
            [
                {
                    "name": u.name,
                    "roles": list(u.roles),
                    "in_policy": u.in_policy,
                    "created_at": u.created_at.isoformat(),
                    "created_by": u.created_by,
                    "password_changed_at": u.password_changed_at.isoformat(),
                }
                for u in users
            ]
        )
        return
    if not users:
        click.echo("No gateway users yet. Add one: veil user add NAME")
        return
    width = max(len(u.name) for u in users)
    for u in users:
        changed = u.password_changed_at.strftime("%Y-%m-%d %H:%M:%SZ")
        roles = ", ".join(u.roles) if u.in_policy else "(not in the policy: granted nothing)"
        click.echo(f"{u.name:<{width}}  password set {changed}  {roles or '(no roles)'}")


def _read_password(name: str, from_stdin: bool) -> str:
    """One line of stdin, or a hidden prompt asked twice. Never echoed or logged."""
    if from_stdin:
        text = sys.stdin.read()
        if text.endswith("\n"):
            text = text[:-1].removesuffix("\r")
        if "\n" in text:
            raise UsageError(
                "--password-stdin reads one line, and standard input has several",
                hint="Pipe only the password, e.g. printf '%s\\n' \"$PW\" | veil user add …",
            )
    else:
        text = click.prompt(
            f"Password for {name}",
            hide_input=True,
            confirmation_prompt="Repeat the password",
            prompt_suffix=": ",
        )
    check_password(text)
    return text
