"""One client connection: startup, login, then the simple and extended query protocols.

The order a statement goes through is fixed here: enforce (masking.service; refused →
audited refusal and the refusal's SQLSTATE) → audit the allowed statement durably →
run it on the warehouse (in a worker thread) → stream rows in batches, waiting for the
socket to drain between batches (bounded memory per connection) → audit the outcome.

Extended protocol statements are enforced once, at Parse; Bind only supplies values
for their ``$n`` placeholders. After an error the session skips messages until Sync,
as PostgreSQL does. Session statements (SET, SHOW, BEGIN, FETCH …) are answered by
the session itself (:mod:`masking.gateway.parameters`, :mod:`masking.gateway.execution`).

The connection's first phase (TLS, StartupMessage, SCRAM login) is
:mod:`masking.gateway.startup`'s. Each statement's warehouse calls run under its
``statement_timeout`` (:mod:`masking.gateway.timeouts`): past it the warehouse is
interrupted and the statement fails with 57014.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from catalog.errors import VeilError
from masking.errors import Refused
from masking.gateway import compat, introspection, timeouts
from masking.gateway.auditing import SessionAudit
from masking.gateway.backend import BackendConnection, BackendError, Result
from masking.gateway.execution import (
    CappedResult,
    Cursor,
    Portal,
    Prepared,
    command_tag,
    cursor_name,
    inner_query,
    placeholder_count,
)
from masking.gateway.local import answer_session_statement, answered_columns
from masking.gateway.parameters import SessionParameters
from masking.gateway.startup import Closed, Fatal, start_session
from masking.gateway.timeouts import StatementClock
from masking.pgwire import backend as be
from masking.pgwire import frontend as fe
from masking.pgwire.errors import AuthenticationFailed, InvalidParameter, ProtocolError
from masking.pgwire.types import (
    EncodeError,
    ResultColumn,
    RowEncoder,
    decode_parameter,
    type_by_name,
)
from masking.rewrite import Rewritten
from masking.statements import Kind, split_statements
from policies.audit import AuditUnavailable

if TYPE_CHECKING:
    from masking.gateway.server import Gateway

__all__ = ["Closed", "Fatal", "Session"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Errors a statement can end with that leave the connection usable.
_STATEMENT_ERRORS = (Refused, BackendError, AuditUnavailable, InvalidParameter, EncodeError)
TEXT_OID = 25


def _error(e: VeilError, severity: str = "ERROR") -> bytes:
    sqlstate = getattr(e, "sqlstate", None) or "XX000"
    return be.ErrorResponse.build(sqlstate, e.message, severity=severity, hint=e.hint).encode()


class Session:
    """The state of one client connection; :meth:`run` drives it to the end."""

    def __init__(
        self, gateway: Gateway, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.gateway = gateway
        self.reader = reader
        self.writer = writer
        self.frames = fe.FrontendReader(max_length=gateway.config.max_message_bytes)
        self.pid = gateway.next_pid()
        self.secret = secrets.token_bytes(4)
        peer = writer.get_extra_info("peername")
        address = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else None
        self.audit = SessionAudit(gateway.audit, gateway.warehouse, address, str(self.pid))
        self.params = SessionParameters()
        self.user = ""
        self.conn: BackendConnection | None = None
        self.status: Literal["I", "T", "E"] = "I"
        self.prepared: dict[str, Prepared] = {}
        self.portals: dict[str, Portal] = {}
        self.cursors: dict[str, Cursor] = {}
        self.skipping = False  # after an extended-protocol error, until Sync
        self.busy = False
        #: The connection runs over TLS; its tls-server-end-point data, if the
        #: certificate has one (for SCRAM channel binding).
        self.encrypted = False
        self.channel_binding: bytes | None = None
        self.clock = StatementClock()
        self._pending: list[fe.FrontendMessage] = []

    # -- I/O ------------------------------------------------------------------------------

    @property
    def unread(self) -> bool:
        """Bytes were received that no message was read from yet."""
        return bool(self._pending) or self.frames.buffered > 0

    def write(self, data: bytes) -> None:
        self.writer.write(data)

    async def flush(self) -> None:
        await self.writer.drain()

    async def next_message(self, *, idle: bool = False) -> fe.FrontendMessage:
        while not self._pending:
            timeout = self.gateway.config.idle_timeout if idle else None
            try:
                data = await asyncio.wait_for(self.reader.read(65536), timeout or None)
            except TimeoutError:
                raise Fatal(
                    "terminating connection due to idle-session timeout", sqlstate="57P05"
                ) from None
            if not data:
                if self.gateway.shutting_down and self.conn is not None:
                    raise Fatal(
                        "terminating connection due to administrator command", sqlstate="57P01"
                    )
                raise Closed
            self._pending.extend(self.frames.feed(data))
        return self._pending.pop(0)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking backend call in the gateway's worker threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.gateway.executor, fn, *args)

    async def timed(self, fn: Callable[..., T], *args: Any) -> T:
        """:meth:`call` for the running statement's warehouse calls: past the
        statement's timeout the warehouse is interrupted and it fails with 57014."""
        return await self.clock.run(lambda: self.call(fn, *args), self.interrupt)

    # -- the connection's life --------------------------------------------------------------

    async def run(self) -> None:
        try:
            try:
                if not await start_session(self):
                    return
                await self.serve()
            except ProtocolError as e:
                self.write(be.ErrorResponse.from_error(e, severity="FATAL").encode())
            except Fatal as e:
                self.write(_error(e, "FATAL"))
            except AuthenticationFailed as e:
                self.write(be.ErrorResponse.from_error(e, severity="FATAL").encode())
            await self.flush()
        except (Closed, ConnectionError):
            pass
        finally:
            self.close_all()

    def close_all(self) -> None:
        for portal in list(self.portals.values()):
            self.finish_portal(portal, error=None, closed=True)
        for cursor in list(self.cursors.values()):
            self.close_cursor(cursor)
        self.portals.clear()
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    async def open_backend(self) -> None:
        """Connect to the warehouse once the login succeeded (relay.py overrides it)."""
        self.conn = self.gateway.backend.connect()

    def reported_parameters(self) -> dict[str, str]:
        """The ParameterStatus values sent after login."""
        return self.params.reported()

    async def serve(self) -> None:
        while True:
            if self.gateway.shutting_down and not self.skipping:
                raise Fatal("terminating connection due to administrator command", sqlstate="57P01")
            message = await self.next_message(idle=not self.skipping)
            if isinstance(message, fe.Terminate):
                raise Closed
            self.busy = True
            try:
                await self.dispatch(message)
            finally:
                self.busy = False
            self.gateway.statement_done()

    async def dispatch(self, message: fe.FrontendMessage) -> None:
        if isinstance(message, fe.Query):
            await self.simple_query(message.sql)
            return
        if isinstance(message, fe.Sync):
            self.skipping = False
            if self.status == "I":
                for portal in list(self.portals.values()):
                    self.finish_portal(portal, error=None, closed=True)
            self.write(be.ReadyForQuery(self.status).encode())
            await self.flush()
            return
        if isinstance(message, fe.Flush):
            await self.flush()
            return
        if self.skipping:
            return
        handlers: dict[type, Callable[[Any], Any]] = {
            fe.Parse: self.parse,
            fe.Bind: self.bind,
            fe.Describe: self.describe,
            fe.Execute: self.execute,
            fe.Close: self.close_message,
        }
        handler = handlers.get(type(message))
        if handler is None:
            raise ProtocolError(f"unexpected message {type(message).__name__}")
        self.clock.start()  # each message (Describe, Execute …) gets the whole timeout
        try:
            await handler(message)
        except _STATEMENT_ERRORS as e:
            self.fail(e)
            self.skipping = True

    def fail(self, e: VeilError) -> None:
        self.write(_error(e))
        if self.status == "T":
            self.status = "E"

    # -- enforcement ------------------------------------------------------------------------

    async def enforce(self, sql: str) -> Rewritten:
        """The enforced statement, or an audited refusal."""
        enforcement = self.gateway.enforcement
        if compat.known(sql) or introspection.answers(self, sql):
            return Rewritten(sql, Kind.SESSION)
        schema = self.params.default_schema
        try:
            # A cached rewrite needs no worker thread; anything else may touch the store.
            rewritten = enforcement.cached(sql, self.user, default_schema=schema)
            if rewritten is None:
                rewritten = await self.call(
                    lambda: enforcement.rewrite(sql, self.user, default_schema=schema)
                )
            capped = (
                timeouts.bounded_set(sql, limit=self.gateway.config.statement_timeout)
                if rewritten.kind is Kind.SESSION
                else None
            )
        except Refused as e:
            await self._audit_refusal(sql, e)
            raise
        if capped is not None:  # SET statement_timeout above the gateway's limit
            statement, notice = capped
            rewritten = dataclasses.replace(rewritten, sql=statement)
            self.write(be.NoticeResponse.build("01000", notice, severity="WARNING").encode())
        if self.status == "E" and not _ends_transaction(sql, rewritten):
            aborted = Refused(
                "current transaction is aborted, commands ignored until end of transaction block",
                sqlstate="25P02",
            )
            await self._audit_refusal(sql, aborted)
            raise aborted
        self.audit.policy_version = enforcement.known_policy_version
        return rewritten

    async def _audit_refusal(self, sql: str, e: VeilError) -> None:
        try:
            await self.audit.refused(sql, e.message, getattr(e, "sqlstate", "XX000"))
        except AuditUnavailable:
            log.warning("a refused statement could not be audited")

    # -- simple query -----------------------------------------------------------------------

    async def simple_query(self, sql: str) -> None:
        try:
            statements = split_statements(sql, self.gateway.backend.dialect)
        except Refused as e:
            await self._audit_refusal(sql, e)
            self.fail(e)
            statements = None
        if statements == []:
            self.write(be.EMPTY_QUERY_RESPONSE)
        for text in statements or ():
            self.clock.start()  # each statement of a Query gets the whole timeout
            try:
                rewritten = await self.enforce(text)
                prepared = Prepared("", text, rewritten, (), 0)
                portal = Portal("", prepared)
                await self.start(portal)
                if portal.encoder is not None:
                    self.write(portal.encoder.row_description().encode())
                await self.stream(portal, 0)
            except _STATEMENT_ERRORS as e:
                self.fail(e)
                break
        self.write(be.ReadyForQuery(self.status).encode())
        await self.flush()

    # -- extended query ---------------------------------------------------------------------

    async def parse(self, message: fe.Parse) -> None:
        if message.name and message.name in self.prepared:
            raise Refused(f'prepared statement "{message.name}" already exists', sqlstate="42P05")
        if not message.query.strip():
            rewritten = Rewritten("", Kind.SESSION)
        else:
            rewritten = await self.enforce(message.query)
        count = max(placeholder_count(message.query), len(message.param_types))
        self.prepared[message.name] = Prepared(
            message.name, message.query, rewritten, message.param_types, count
        )
        self.write(be.PARSE_COMPLETE)

    def _statement(self, name: str) -> Prepared:
        found = self.prepared.get(name)
        if found is None:
            raise Refused(f'prepared statement "{name}" does not exist', sqlstate="26000")
        return found

    def _portal(self, name: str) -> Portal:
        found = self.portals.get(name)
        if found is None:
            raise Refused(f'portal "{name}" does not exist', sqlstate="34000")
        return found

    async def bind(self, message: fe.Bind) -> None:
        prepared = self._statement(message.statement)
        if len(message.params) != prepared.param_count:
            raise ProtocolError(
                f"bind message supplies {len(message.params)} parameters, but prepared "
                f'statement "{prepared.name}" requires {prepared.param_count}'
            )
        values = tuple(  # an untyped parameter is text, as Describe told the client
            decode_parameter(data, _param_type(prepared, i) or TEXT_OID, message.param_format(i))
            for i, data in enumerate(message.params)
        )
        old = self.portals.pop(message.portal, None)
        if old is not None:
            self.finish_portal(old, error=None, closed=True)
        self.portals[message.portal] = Portal(
            message.portal, prepared, values, message.result_formats
        )
        self.write(be.BIND_COMPLETE)

    async def describe(self, message: fe.Describe) -> None:
        if message.kind == "S":
            prepared = self._statement(message.name)
            oids = tuple(_param_type(prepared, i) or TEXT_OID for i in range(prepared.param_count))
            self.write(be.ParameterDescription(oids).encode())
            if not prepared.described:
                if prepared.rewritten.kind in (Kind.QUERY, Kind.EXPLAIN):
                    assert self.conn is not None
                    prepared.columns = await self.timed(
                        self.conn.describe, prepared.rewritten.sql, prepared.param_count
                    )
                elif introspection.answers(self, prepared.sql):
                    prepared.columns = await self.call(introspection.describe, self, prepared)
                elif (names := answered_columns(prepared.sql)) is not None:
                    text = type_by_name("text")
                    prepared.columns = tuple(ResultColumn(name, text) for name in names)
                prepared.described = True
            if prepared.columns:
                self.write(RowEncoder(prepared.columns).row_description().encode())
            else:
                self.write(be.NO_DATA)
            return
        cursor = self.cursors.get(message.name)
        if message.name not in self.portals and cursor is not None:
            # A declared cursor is a portal in PostgreSQL; psycopg describes it.
            columns = cursor.result.columns
            self.write(RowEncoder(columns).row_description().encode() if columns else be.NO_DATA)
            return
        portal = self._portal(message.name)
        await self.start(portal)
        self.write(portal.encoder.row_description().encode() if portal.encoder else be.NO_DATA)

    async def execute(self, message: fe.Execute) -> None:
        portal = self._portal(message.portal)
        if not portal.prepared.sql.strip():
            self.write(be.EMPTY_QUERY_RESPONSE)
            return
        await self.start(portal)
        await self.stream(portal, message.max_rows)

    async def close_message(self, message: fe.Close) -> None:
        if message.kind == "S":
            self.prepared.pop(message.name, None)
        else:
            portal = self.portals.pop(message.name, None)
            if portal is not None:
                self.finish_portal(portal, error=None, closed=True)
        self.write(be.CLOSE_COMPLETE)

    # -- running a portal -------------------------------------------------------------------

    async def start(self, portal: Portal) -> None:
        """Audit and start the portal's statement, once (Describe or Execute)."""
        if portal.result is not None or portal.tag is not None or portal.done:
            return
        prepared = portal.prepared
        rewritten = prepared.rewritten
        if not prepared.sql.strip():
            portal.tag = ""
            return
        try:
            portal.audit_seq = await self.audit.statement(prepared.sql, rewritten)
        except AuditUnavailable as e:
            await self._audit_refusal(prepared.sql, e)
            raise
        portal.started = time.perf_counter()
        try:
            if rewritten.kind is Kind.SESSION:
                result = self.session_statement(portal)
            elif rewritten.kind is Kind.CURSOR:
                await self.declare(portal)
                result = None
            else:
                assert self.conn is not None
                result = await self.timed(self.conn.run, rewritten.sql, portal.params)
                if rewritten.kind not in (Kind.QUERY, Kind.EXPLAIN):
                    rows = await self.timed(result.fetch, 1)
                    result.close()
                    count = (
                        int(rows[0][0]) if rows and rows[0] and isinstance(rows[0][0], int) else 0
                    )
                    portal.tag = command_tag(rewritten, count, prepared.sql)
                    result = None
        except _STATEMENT_ERRORS as e:
            self.finish_portal(portal, error=e)
            raise
        portal.result = result
        if result is not None and result.columns is not None:
            portal.encoder = RowEncoder(
                result.columns, portal.result_formats, timezone=self.params.timezone
            )

    async def stream(self, portal: Portal, max_rows: int) -> None:
        """Send the portal's rows (up to ``max_rows`` when positive), then its tag or
        PortalSuspended."""
        if portal.done:
            raise Refused(f'portal "{portal.name}" cannot be run', sqlstate="55000")
        result, encoder = portal.result, portal.encoder
        if result is None or encoder is None:
            self.write(be.CommandComplete(portal.tag or "").encode())
            self.finish_portal(portal, error=None)
            return
        limit = max_rows if max_rows > 0 else None
        batch = self.gateway.config.batch_rows
        sent = 0
        try:
            while limit is None or sent < limit:
                want = batch if limit is None else min(batch, limit - sent)
                rows, portal.pending = portal.pending[:want], portal.pending[want:]
                if len(rows) < want:
                    rows += await self.timed(result.fetch, want - len(rows))
                if not rows:
                    break
                self.write(encoder.encode_rows(rows))
                sent += len(rows)
                portal.rows += len(rows)
                await self.flush()
                if limit is None and len(rows) < want:
                    break
            if limit is not None and sent == limit:
                portal.pending = portal.pending or await self.timed(result.fetch, 1)
                if portal.pending:
                    self.write(be.PORTAL_SUSPENDED)
                    return
        except _STATEMENT_ERRORS as e:
            self.finish_portal(portal, error=e)
            raise
        self.write(be.CommandComplete(portal.tag or _rows_tag(portal)).encode())
        self.finish_portal(portal, error=None)

    def finish_portal(
        self, portal: Portal, *, error: VeilError | None, closed: bool = False
    ) -> None:
        """Close the portal's result and write its outcome record, once."""
        if portal.done:
            return
        portal.done = True
        if portal.result is not None and not isinstance(portal.result, CappedResult):
            portal.result.close()
        if portal.audit_seq is None or portal.prepared.rewritten.kind is Kind.CURSOR:
            return
        duration = (time.perf_counter() - portal.started) * 1000
        reason = (
            error.message
            if error
            else ("closed before its last row" if closed and portal.pending else None)
        )
        sqlstate = getattr(error, "sqlstate", None) if error else None
        try:
            self.audit.outcome(
                portal.audit_seq, portal.rows, duration, reason=reason, sqlstate=sqlstate
            )
        except AuditUnavailable:
            log.warning("an outcome record could not be queued")

    # -- session statements (answered in masking.gateway.local) ---------------------------

    def session_statement(self, portal: Portal) -> Result | None:
        result = answer_session_statement(self, portal)
        self.clock.bound(self.params, self.gateway.config.statement_timeout)  # after SET
        return result

    async def declare(self, portal: Portal) -> None:
        sql = portal.prepared.rewritten.sql
        name = cursor_name(sql)
        if name in self.cursors:
            raise Refused(f'cursor "{name}" already exists', sqlstate="42P03")
        assert self.conn is not None
        result = await self.timed(self.conn.run, inner_query(sql), portal.params)
        self.cursors[name] = Cursor(name, result, portal.audit_seq)
        portal.tag = "DECLARE CURSOR"

    def close_cursor(self, cursor: Cursor) -> None:
        self.cursors.pop(cursor.name, None)
        cursor.result.close()
        if cursor.audit_seq is not None:
            duration = (time.perf_counter() - cursor.started) * 1000
            try:
                self.audit.outcome(cursor.audit_seq, cursor.rows, duration)
            except AuditUnavailable:
                log.warning("an outcome record could not be queued")

    def interrupt(self) -> None:
        if self.conn is not None:
            self.conn.interrupt()


def _rows_tag(portal: Portal) -> str:
    cursor = portal.cursor
    if cursor is not None:
        cursor.rows += portal.rows
        return f"FETCH {portal.rows}"
    return command_tag(portal.prepared.rewritten, portal.rows, portal.prepared.sql)


def _param_type(prepared: Prepared, index: int) -> int:
    return prepared.param_types[index] if index < len(prepared.param_types) else 0


def _ends_transaction(sql: str, rewritten: Rewritten) -> bool:
    if rewritten.kind is not Kind.SESSION:
        return False
    first = sql.split(None, 1)[0].lower()
    return first in ("rollback", "abort", "commit", "end")
