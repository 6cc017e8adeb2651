"""``veil audit …``: check the audit log for tampering, and read its newest records."""

from __future__ import annotations

import re

import click

from cli.context import VeilContext
from cli.output import print_json
from policies.audit import Appended, AuditKind, StoredRecord, tail_records
from policies.audit_verify import VerifyResult, verify_chain

_ANCHOR = re.compile(r"(\d+):([0-9a-f]{64})")


@click.group()
def audit() -> None:
    """The audit log: every statement attempt, its outcome, and every failed login.

    Each record holds who (user, roles, client address, channel), what (the SQL as
    sent and as rewritten, the columns read, each PII column and its mask), the
    decision and its reason (with the SQLSTATE of a refusal), the policy version, rows
    and duration. Records are hash-chained (HMAC under the `audit_key` setting), so
    editing, deleting or reordering them shows.

    \b
    Examples:
      veil audit verify                       # exit 0 if intact, 1 at the first break
      veil audit verify --anchor 1200:9f2c…   # also check against a kept head
      veil audit tail -n 50
    """


@audit.command("verify")
@click.option(
    "--anchor",
    metavar="SEQ:HASH",
    help="A record seq and hash printed by an earlier verify; it must still be there.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def verify_cmd(ctx: click.Context, anchor: str | None, fmt: str) -> None:
    """Check the whole chain; exit 0 if intact, 1 naming the first broken record.

    Finds records edited, deleted, reordered, cut off the end or forged without the
    audit key. Someone able to write the catalog store could still rewrite the chain
    from some record on and recompute every hash, unless `audit_key` is set (kept
    outside the store). To catch even that, keep the printed head somewhere safe and
    pass it back later as --anchor SEQ:HASH (SEQ is the record count).

    \b
    Examples:
      veil audit verify
      veil audit verify --format json
      veil audit verify --anchor 1200:9f2c5e…(64 hex digits)
    """
    obj: VeilContext = ctx.obj
    mark = _parse_anchor(anchor) if anchor else None
    result = verify_chain(obj.store, key=obj.settings.audit_key or None, anchor=mark)
    if fmt == "json":
        print_json(_verify_json(result))
    else:
        _print_verify(result, keyed=bool(obj.settings.audit_key))
    if not result.ok:
        ctx.exit(1)


def _parse_anchor(text: str) -> Appended:
    found = _ANCHOR.fullmatch(text.strip().lower())
    if found is None:
        raise click.BadParameter(
            "expected SEQ:HASH, e.g. 1200:<64 hex digits> as `veil audit verify` prints it",
            param_hint="--anchor",
        )
    return Appended(int(found[1]), found[2])


def _verify_json(result: VerifyResult) -> dict[str, object]:
    problem = result.problem
    return {
        "ok": result.ok,
        "records": result.records,
        "keyed": result.keyed,
        "head": {"seq": result.head.seq, "hash": result.head.hash},
        "problem": None
        if problem is None
        else {"kind": problem.kind.value, "seq": problem.seq, "message": problem.message},
    }


def _print_verify(result: VerifyResult, *, keyed: bool) -> None:
    problem = result.problem
    if problem is None:
        click.echo(f"audit log intact: {result.records} records, head {result.head.hash}")
        if keyed and result.unkeyed:
            click.echo(
                f"note: the first {result.unkeyed} records were written before audit_key "
                "was set; they are plain SHA-256."
            )
        return
    where = f"record {problem.seq}" if problem.seq is not None else "the head"
    click.echo(f"audit log broken at {where} ({problem.kind.value}): {problem.message}")
    click.echo(f"The {result.records} records before it are intact.")


@audit.command("tail")
@click.option(
    "-n", "count", type=click.IntRange(1), default=20, show_default=True, help="How many."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def tail_cmd(obj: VeilContext, count: int, fmt: str) -> None:
    """The newest records, oldest first.

    Text shows one line per record: seq, time, kind, user, decision, then the SQLSTATE
    and SQL of a statement, the rows and duration of an outcome, or the reason of a
    failed login. JSON shows every field, as hashed. Records hold the SQL users sent,
    literals included: treat the output as personal data.

    \b
    Examples:
      veil audit tail
      veil audit tail -n 200 --format json | jq '.[] | select(.record.decision == "refused")'
    """
    records = tail_records(obj.store, count)
    if fmt == "json":
        print_json(
            [
                {
                    "seq": s.seq,
                    "hash": s.hash,
                    "prev_hash": s.prev_hash,
                    "record": s.record.to_json(),
                }
                for s in records
            ]
        )
        return
    if not records:
        click.echo("The audit log is empty.")
        return
    for stored in records:
        click.echo(_line(stored))


def _line(stored: StoredRecord) -> str:
    r = stored.record
    when = r.time.strftime("%Y-%m-%d %H:%M:%S")
    decision = r.decision.value if r.decision is not None else "-"
    if r.kind is AuditKind.STATEMENT:
        sql = " ".join((r.sql or "").split())
        detail = f"{r.sqlstate + ' ' if r.sqlstate else ''}{_clip(sql, 100)}"
    elif r.kind is AuditKind.OUTCOME:
        duration = f" {r.duration_ms:g} ms" if r.duration_ms is not None else ""
        failed = f" {r.sqlstate} {r.reason}" if r.sqlstate else ""
        detail = f"of {r.ref_seq}: {r.rows if r.rows is not None else '?'} rows{duration}{failed}"
    else:
        detail = f"{r.client_address or '-'} {r.reason}"
    return f"{stored.seq:>7}  {when}  {r.kind.value:<12}  {r.user:<12}  {decision:<7}  {detail}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
