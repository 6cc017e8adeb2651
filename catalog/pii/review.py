"""Stewards' decisions: confirm (perhaps changing the entity), reject, and the pii tags.

A decision is made on a column, by a named person, with an optional note; it changes
the column's claims and its ``pii`` / ``pii.<entity>`` tags in one transaction, so tag
based masking rules never disagree with the decision.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.curate import tag_column, untag_column
from catalog.errors import UsageError
from catalog.model import PiiEntity, PiiStatus
from catalog.names import resolve_column
from catalog.pii.claims import (
    CHANGED_FROM,
    ENTITY_NAME,
    STEWARD,
    dump_evidence,
    latest_decision,
    load_evidence,
    newest,
)
from catalog.pii.read import PiiRecord, to_record
from catalog.store import Store
from catalog.store.models import ColumnRow, PiiSuggestionRow, utcnow

#: Short names people type for built-in entities; only ever offered as "did you mean".
_ALIASES = {
    "EMAIL": PiiEntity.EMAIL_ADDRESS,
    "E_MAIL": PiiEntity.EMAIL_ADDRESS,
    "PHONE": PiiEntity.PHONE_NUMBER,
    "TELEPHONE": PiiEntity.PHONE_NUMBER,
    "NAME": PiiEntity.PERSON,
    "FULL_NAME": PiiEntity.PERSON,
    "SSN": PiiEntity.US_SSN,
    "CARD": PiiEntity.CREDIT_CARD,
    "CREDIT_CARD_NUMBER": PiiEntity.CREDIT_CARD,
    "IBAN": PiiEntity.IBAN_CODE,
    "IP": PiiEntity.IP_ADDRESS,
    "DOB": PiiEntity.DATE_OF_BIRTH,
    "BIRTH_DATE": PiiEntity.DATE_OF_BIRTH,
    "BIRTHDATE": PiiEntity.DATE_OF_BIRTH,
    "ADDRESS": PiiEntity.STREET_ADDRESS,
    "PASSPORT": PiiEntity.US_PASSPORT,
    "DRIVER_LICENSE": PiiEntity.US_DRIVER_LICENSE,
    "DRIVERS_LICENSE": PiiEntity.US_DRIVER_LICENSE,
}


def confirm(
    store: Store, ref: str, *, entity: str | None = None, by: str, note: str | None = None
) -> PiiRecord:
    """Confirm that a column holds personal data; returns the decided claim.

    ``ref`` is ``[warehouse.]schema.table.column``. With an open suggestion, it is
    confirmed — as ``entity`` when given ("change type": the score becomes 1.0, as it is
    now the steward's word, and the old entity is kept in the evidence so re-runs do not
    ask again). Open suggestions of the same entity from other sources are confirmed with
    it; ones naming other entities stay open for review. With nothing open, the latest
    decision is confirmed again (a steward may change their mind after a rejection), and
    with no claim at all ``entity`` is required and a steward's own claim is created.

    The column gets the tags ``pii`` and ``pii.<entity>``; a changed type moves the latter.
    """
    who = _who(by)
    with store.session() as session:
        table, column = resolve_column(session, ref)
        name = f"{table.qualified_name}.{column.name}"
        wanted = None if entity is None else validate_entity(entity, _known_entities(session))
        rows = _rows_of(session, column.id)
        opened = [r for r in rows if r.status == PiiStatus.SUGGESTED]
        now = utcnow()
        if opened:
            target = newest([r for r in opened if r.entity == wanted] or opened)
            assert target is not None
            claim = [r for r in opened if r.entity == target.entity]
        elif (decision := latest_decision(rows)) is not None:
            target, claim = decision, [decision]
        elif wanted is None:
            raise UsageError(
                f"{name} has no PII suggestion to confirm",
                hint=f"Say what it holds: veil pii confirm {ref} --entity EMAIL_ADDRESS "
                "(a built-in entity, or a custom UPPER_SNAKE name).",
            )
        else:
            target = PiiSuggestionRow(
                column_id=column.id,
                entity=wanted,
                score=1.0,
                status=PiiStatus.SUGGESTED.value,
                source=STEWARD,
                evidence=dump_evidence({}),
                created_at=now,
                updated_at=now,
            )
            session.add(target)
            rows.append(target)
            claim = [target]
        earlier = {r.entity for r in rows}
        for row in claim:
            _decide(row, PiiStatus.CONFIRMED, who, note, now, entity=wanted)
        session.flush()
        _sync_tags(session, column, rows, who, earlier=earlier)
        return to_record(name, target)


def reject(store: Store, ref: str, *, by: str, note: str | None = None) -> PiiRecord:
    """Reject a column's open PII suggestion, or its confirmation; returns the decided claim.

    The newest open suggestion is rejected together with open ones of the same entity
    from other sources; with none open, a confirmation is reversed (a steward may change
    their mind). The ``pii`` / ``pii.<entity>`` tags a confirmation added are removed.
    A re-run that sees the same data will not suggest the entity again.
    """
    who = _who(by)
    with store.session() as session:
        table, column = resolve_column(session, ref)
        name = f"{table.qualified_name}.{column.name}"
        rows = _rows_of(session, column.id)
        opened = [r for r in rows if r.status == PiiStatus.SUGGESTED]
        decision = latest_decision(rows)
        if opened:
            target = newest(opened)
            assert target is not None
            claim = [r for r in opened if r.entity == target.entity]
        elif decision is not None and decision.status == PiiStatus.CONFIRMED:
            target, claim = decision, [decision]
        elif decision is not None:
            when = f" on {decision.decided_at:%Y-%m-%d}" if decision.decided_at else ""
            raise UsageError(
                f"nothing to reject on {name}: {decision.entity} was already rejected by "
                f"{decision.decided_by or 'a steward'}{when}"
            )
        else:
            raise UsageError(
                f"nothing to reject on {name}: it has no PII suggestion or confirmation",
                hint="`veil pii list` shows what there is to review.",
            )
        now = utcnow()
        for row in claim:
            _decide(row, PiiStatus.REJECTED, who, note, now)
        session.flush()
        _sync_tags(session, column, rows, who)
        return to_record(name, target)


def validate_entity(name: str, known: Iterable[str] = ()) -> str:
    """The entity a steward means by ``name``, normalized; UsageError for a likely typo.

    Built-in entities and ``known`` ones (already reported by a custom recognizer) match
    case-insensitively, with spaces, dots or dashes read as ``_``. A name close to one of
    those gets "did you mean"; any other UPPER_SNAKE name is a new custom entity.

    >>> validate_entity("email address")
    'EMAIL_ADDRESS'
    >>> validate_entity("employee_id")
    'EMPLOYEE_ID'
    """
    text = re.sub(r"[\s.\-]+", "_", name.strip()).upper()
    choices = {e.value for e in PiiEntity} | set(known)
    if text in choices:
        return text
    alias = _ALIASES.get(text)
    close = difflib.get_close_matches(text, sorted(choices), n=1, cutoff=0.8)
    guess = alias.value if alias is not None else (close[0] if close else None)
    if guess is not None:
        raise UsageError(
            f"unknown PII entity {name!r}; did you mean {guess!r}?",
            hint=f"Built-in entities: {_BUILT_IN}. A custom name this close to a known one "
            "is accepted once a custom recognizer (classify.recognizers) has reported it.",
        )
    if not ENTITY_NAME.match(text):
        raise UsageError(
            f"{name!r} is not a PII entity name",
            hint=f"Use a built-in entity ({_BUILT_IN}) or a custom UPPER_SNAKE name such as "
            "EMPLOYEE_ID.",
        )
    return text


_BUILT_IN = ", ".join(e.value for e in PiiEntity)


def pii_tags(entity: str) -> tuple[str, str]:
    """The tags confirmed PII carries: ``("pii", "pii.email_address")``."""
    return ("pii", f"pii.{entity.lower()}")


def _decide(
    row: PiiSuggestionRow,
    status: PiiStatus,
    by: str,
    note: str | None,
    now: dt.datetime,
    *,
    entity: str | None = None,
) -> None:
    if entity is not None and entity != row.entity:
        # Remember what was suggested (not intermediate steward choices); forget it when
        # the steward comes back to it.
        evidence = load_evidence(row.evidence)
        evidence.setdefault(CHANGED_FROM, row.entity)
        if evidence[CHANGED_FROM] == entity:
            del evidence[CHANGED_FROM]
        row.evidence = dump_evidence(evidence)
        row.entity = entity
        row.score = 1.0
    row.status = status.value
    row.decided_by = by
    row.decided_at = now
    row.note = note.strip() if note and note.strip() else None
    row.updated_at = now


def _sync_tags(
    session: Session,
    column: ColumnRow,
    rows: Sequence[PiiSuggestionRow],
    by: str,
    *,
    earlier: Iterable[str] = (),
) -> None:
    """Make the column's pii tags follow its latest decision.

    Tags of every entity the column's claims name now, named before this decision
    (``earlier``) or were changed away from are stale unless the decision confirms them.
    """
    decision = latest_decision(rows)
    wanted = (
        set(pii_tags(decision.entity))
        if decision is not None and decision.status == PiiStatus.CONFIRMED
        else set()
    )
    managed = {"pii"}
    for entity in earlier:
        managed.update(pii_tags(entity))
    for row in rows:
        managed.update(pii_tags(row.entity))
        changed_from = load_evidence(row.evidence).get(CHANGED_FROM)
        if isinstance(changed_from, str):
            managed.update(pii_tags(changed_from))
    for tag in sorted(managed - wanted):
        untag_column(column, tag)
    for tag in sorted(wanted):
        tag_column(session, column, tag, source=STEWARD, by=by)


def _who(by: str) -> str:
    who = by.strip()
    if not who:
        raise UsageError("say who decides", hint="Pass --by NAME (default: your OS user name).")
    if len(who) > 200:
        raise UsageError("--by is longer than 200 characters")
    return who


def _known_entities(session: Session) -> set[str]:
    return set(session.scalars(sa.select(PiiSuggestionRow.entity).distinct()))


def _rows_of(session: Session, column_id: int) -> list[PiiSuggestionRow]:
    query = sa.select(PiiSuggestionRow).where(PiiSuggestionRow.column_id == column_id)
    return list(session.scalars(query.order_by(PiiSuggestionRow.id)))
