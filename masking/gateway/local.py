"""Session statements the gateway answers itself: transactions, SET/RESET/SHOW,
FETCH/MOVE/CLOSE of declared cursors, DISCARD, DEALLOCATE, and the introspection
queries of :mod:`masking.gateway.compat`. They pass enforcement unchanged (they read no
table) and are audited like any statement before they are answered here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from masking.errors import Refused
from masking.gateway import compat, introspection
from masking.gateway.backend import Result
from masking.gateway.execution import CappedResult, LocalResult, Portal, parse_fetch
from masking.gateway.parameters import REPORTED
from masking.pgwire import backend as be

if TYPE_CHECKING:
    from masking.gateway.session import Session

__all__ = ["answer_session_statement"]


def answer_session_statement(session: Session, portal: Portal) -> Result | None:
    """Answer a SESSION statement; returns rows for SHOW and FETCH, else sets the tag."""
    sql = portal.prepared.sql.strip().rstrip(";").strip()
    words = sql.split()
    verb = words[0].lower()
    second = words[1].lower() if len(words) > 1 else ""
    if verb in ("begin", "start"):
        session.status = "T" if session.status == "I" else session.status
        portal.tag = "BEGIN" if verb == "begin" else "START TRANSACTION"
    elif verb in ("commit", "end"):
        portal.tag = "ROLLBACK" if session.status == "E" else "COMMIT"
        session.status = "I"
    elif verb in ("rollback", "abort"):
        if second in ("to",) or (
            second in ("work", "transaction") and "to" in map(str.lower, words[2:3])
        ):
            session.status = "T" if session.status == "E" else session.status
        else:
            session.status = "I"
        portal.tag = "ROLLBACK"
    elif verb in ("savepoint", "release"):
        portal.tag = verb.upper()
    elif verb in ("set", "reset"):
        try:
            changed = session.params.apply_set(sql)
        except Refused:
            raise
        portal.tag = verb.upper()
        if changed is None:
            for name, value in session.params.reported().items():
                session.write(be.ParameterStatus(name, value).encode())
        elif changed[0] in REPORTED:
            session.write(be.ParameterStatus(*changed).encode())
    elif verb == "show":
        name = _shown(words)
        if name.lower() == "all":
            return LocalResult.text(
                SHOW_ALL_COLUMNS, [(k, v, "") for k, v in session.params.all().items()]
            )
        return LocalResult.text((_show_column(name),), [(session.params.show(name),)])
    elif introspection.answers(session, portal.prepared.sql):
        return introspection.answer(session, portal)
    elif compat.known(sql):
        name, value = compat.answer(sql, session.params)
        return LocalResult.text((name,), [(value,)])
    elif verb in ("fetch", "move"):
        return _fetch(session, portal, sql)
    elif verb == "close":
        target = sql.split(None, 1)[1] if len(words) > 1 else ""
        if target.lower() == "all":
            for cursor in list(session.cursors.values()):
                session.close_cursor(cursor)
        else:
            name = target.strip('"') if target.startswith('"') else target.lower()
            found = session.cursors.get(name)
            if found is None:
                raise Refused(f'cursor "{name}" does not exist', sqlstate="34000")
            session.close_cursor(found)
        portal.tag = "CLOSE CURSOR"
    elif verb == "discard":
        for cursor in list(session.cursors.values()):
            session.close_cursor(cursor)
        session.prepared = {k: v for k, v in session.prepared.items() if k == ""}
        portal.tag = "DISCARD ALL" if second == "all" else f"DISCARD {second.upper()}"
    elif verb == "deallocate":
        name = words[-1]
        if name.lower() == "all":
            session.prepared = {k: v for k, v in session.prepared.items() if k == ""}
        else:
            session.prepared.pop(name.strip('"'), None)
        portal.tag = "DEALLOCATE ALL" if name.lower() == "all" else "DEALLOCATE"
    else:
        portal.tag = verb.upper()
    return None


def _fetch(session: Session, portal: Portal, sql: str) -> Result | None:
    try:
        verb, count, name = parse_fetch(sql)
    except ValueError as e:
        raise Refused(str(e), sqlstate="0A000") from None
    cursor = session.cursors.get(name)
    if cursor is None:
        raise Refused(f'cursor "{name}" does not exist', sqlstate="34000")
    capped = CappedResult(cursor.result, count)
    if verb == "MOVE":
        moved = 0
        while rows := capped.fetch(session.gateway.config.batch_rows):
            moved += len(rows)
        cursor.rows += moved
        portal.tag = f"MOVE {moved}"
        return None
    portal.cursor = cursor
    return capped


SHOW_ALL_COLUMNS = ("name", "setting", "description")


def _shown(words: list[str]) -> str:
    name = " ".join(words[1:])
    return "transaction_isolation" if name.lower() == "transaction isolation level" else name


def _show_column(name: str) -> str:
    return name.lower().replace(" ", "_")


def answered_columns(sql: str) -> tuple[str, ...] | None:
    """The (text) columns of a statement answered here with rows, known before it runs:
    what Describe of a prepared SHOW or version() must announce. None for the rest."""
    if compat.known(sql):
        return (compat.answer_column(sql),)
    words = sql.strip().rstrip(";").split()
    if not words or words[0].lower() != "show":
        return None
    name = _shown(words)
    return SHOW_ALL_COLUMNS if name.lower() == "all" else (_show_column(name),)
