"""The PostgreSQL relay: a session whose warehouse speaks the same protocol.

For a PostgreSQL warehouse the gateway does not run statements itself. A
:class:`RelaySession` logs the client in like any session, then opens one
:class:`~masking.gateway.upstream.Upstream` connection as the warehouse's service
account and, per client message:

- ``Query``: each statement is enforced (refusals answered here, with their SQLSTATE,
  and audited) and audited, then its rewritten text is sent upstream as its own Query;
  the warehouse's answers are relayed as raw frames up to its ReadyForQuery, which is
  swallowed so the client gets one at the end.
- ``Parse``: enforced once; the rewritten statement is sent upstream under the same name.
- ``Bind``/``Describe``/``Close``/``Sync``/``Flush``: forwarded unchanged. ``Execute``
  starts its portal's audit record (once per portal).

No answer reaches the client before the record of its statement is durable. A query's
record is written while the warehouse runs it (the relay awaits it before relaying the
answers), which hides the audit commit's latency; a statement that may change data is
sent only once its record is durable, so the warehouse never runs an unrecorded change.
If a query's record cannot be written the connection ends with FATAL 58000 (its
answers are already on their way and are dropped); any other statement is refused with
ERROR 58000 and the session goes on.

Rows are never decoded: frames are split only to find the ones that matter
(CommandComplete for the audit's row count, ErrorResponse, ReadyForQuery for the
transaction status), so type OIDs and binary formats are exactly the warehouse's.
Each forwarded message expects a known last answer (ParseComplete, BindComplete, …),
kept in order in :attr:`RelaySession.pending`; an ErrorResponse makes the warehouse skip
to Sync, and the relay with it. Before a locally made error is written, what is
pending upstream is flushed and relayed first, so answers stay in order.

Transactions are the warehouse's: BEGIN/COMMIT/ROLLBACK and harmless SETs go upstream.
A COMMIT after a statement refused here inside a transaction is sent as ROLLBACK, as
PostgreSQL would end an aborted transaction. CancelRequest cancels upstream with the
warehouse's BackendKeyData. If the warehouse goes away the client gets FATAL 08006 and
its next connection reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from catalog.errors import VeilError
from masking.errors import Refused
from masking.gateway.backend import BackendError, Result
from masking.gateway.parameters import SessionParameters
from masking.gateway.session import _STATEMENT_ERRORS, Fatal, Session, _ends_transaction
from masking.gateway.upstream import PostgresWarehouse, Upstream, UpstreamError, send_cancel
from masking.pgwire import backend as be
from masking.pgwire import frontend as fe
from masking.pgwire.errors import ProtocolError
from masking.pgwire.types import ResultColumn
from masking.rewrite import Rewritten
from masking.statements import Kind, controls_transaction, split_statements
from policies.audit import Appended, AuditUnavailable

if TYPE_CHECKING:
    from masking.gateway.server import Gateway

__all__ = ["RelaySession"]

log = logging.getLogger(__name__)

#: The message that ends the warehouse's answer to each kind of forwarded message.
_LAST: dict[str, frozenset[int]] = {
    "parse": frozenset(b"1"),
    "bind": frozenset(b"2"),
    "close": frozenset(b"3"),
    "describe": frozenset(b"nT"),
    "execute": frozenset(b"CIs"),
    "sync": frozenset(b"Z"),
    "query": frozenset(b"Z"),
    "hidden": frozenset(b"Z"),
}
_DATA_ROW = ord("D")
_ERROR = ord("E")
_READY = ord("Z")
_COMPLETE = ord("C")
_SUSPENDED = ord("s")
_SIGNIFICANT = frozenset((_ERROR, _READY, _COMPLETE))


@dataclass
class Run:
    """One audited statement on the warehouse, until its outcome is recorded."""

    sql: str
    #: Its statement record being written; done (without error) once it is durable.
    record: Future[Appended]
    started: float = field(default_factory=time.perf_counter)
    #: DataRow frames relayed (all Executes of a suspended portal).
    seen: int = 0
    #: The count of the warehouse's last CommandComplete tag (SELECT n, UPDATE n …).
    tagged: int = 0
    error: be.ErrorResponse | None = None
    finished: bool = False

    @property
    def rows(self) -> int:
        return max(self.seen, self.tagged)

    @property
    def seq(self) -> int | None:
        """The statement record's seq once it is durable; None before, or if it failed."""
        record = self.record
        if not record.done() or record.cancelled() or record.exception() is not None:
            return None
        return record.result().seq


@dataclass
class Statement:
    sql: str
    rewritten: Rewritten


@dataclass
class RelayPortal:
    name: str
    statement: Statement
    run: Run | None = None


@dataclass
class Expected:
    kind: str
    run: Run | None = None


class RelaySession(Session):
    """A client session relayed to a PostgreSQL warehouse."""

    def __init__(
        self, gateway: Gateway, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        super().__init__(gateway, reader, writer)
        assert isinstance(gateway.backend, PostgresWarehouse)
        self.target: PostgresWarehouse = gateway.backend
        self.upstream: Upstream | None = None
        self.pending: list[Expected] = []
        self.statements: dict[str, Statement] = {}
        self.relay_portals: dict[str, RelayPortal] = {}
        self._cancels: set[asyncio.Task[None]] = set()
        #: A statement was refused here inside a transaction: the client's transaction
        #: is aborted until it ends it, though the warehouse's is not.
        self.local_abort = False
        #: Bytes for the client, written together at the next flush.
        self._out = bytearray()

    # -- I/O ----------------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Queue ``data`` for the client; :meth:`flush` writes what is queued at once
        (one send per answer rather than one per message)."""
        self._out += data

    async def flush(self) -> None:
        if self._out:
            self.writer.write(bytes(self._out))
            self._out.clear()
        await self.writer.drain()

    # -- startup hooks ----------------------------------------------------------------------

    async def open_backend(self) -> None:
        defaults = SessionParameters().all()
        chosen = {k: v for k, v in self.params.all().items() if v != defaults.get(k)}
        try:
            self.upstream = await Upstream.open(self.target, chosen)
        except UpstreamError as e:
            raise Fatal(e.message, sqlstate=e.sqlstate) from None
        self.conn = _Relayed(self)

    def reported_parameters(self) -> dict[str, str]:
        """The warehouse's, except who the client is: not the service account."""
        assert self.upstream is not None
        reported = dict(self.upstream.parameters)
        if "session_authorization" in reported:
            reported["session_authorization"] = self.user
        if "is_superuser" in reported:
            reported["is_superuser"] = "off"
        return reported

    # -- dispatch ---------------------------------------------------------------------------

    async def dispatch(self, message: fe.FrontendMessage) -> None:
        try:
            await self._dispatch(message)
        except UpstreamError as e:
            self._abandon(e)
            raise Fatal(e.message, sqlstate=e.sqlstate) from None

    async def _dispatch(self, message: fe.FrontendMessage) -> None:
        up = self.upstream
        assert up is not None
        if isinstance(message, fe.Query):
            await self.simple_query(message.sql)
            return
        if isinstance(message, fe.Sync):
            self.skipping = False
            self.expect(message.encode(), "sync")
            await self.relay()
            return
        if isinstance(message, fe.Flush):
            if self.pending:
                self.expect(message.encode(), None)
                await self.relay()
            await self.flush()
            return
        if self.skipping:
            return
        try:
            if isinstance(message, fe.Parse):
                await self.relay_parse(message)
            elif isinstance(message, fe.Bind):
                await self.relay_bind(message)
            elif isinstance(message, fe.Describe):
                self.expect(message.encode(), "describe")
            elif isinstance(message, fe.Execute):
                await self.relay_execute(message)
            elif isinstance(message, fe.Close):
                self.relay_close(message)
            else:
                raise ProtocolError(f"unexpected message {type(message).__name__}")
        except _STATEMENT_ERRORS as e:
            await self.local_error(e)
            self.skipping = True

    def expect(self, data: bytes, kind: str | None, run: Run | None = None) -> None:
        """Send ``data`` upstream; the warehouse's answer to it ends as ``kind`` says."""
        assert self.upstream is not None
        self.upstream.send(data)
        if kind is not None:
            self.pending.append(Expected(kind, run))

    async def local_error(self, e: VeilError) -> None:
        """Write an error made here after everything the warehouse still owes (unless
        the warehouse failed first: one error per Sync, as PostgreSQL)."""
        if self.pending:
            self.expect(fe.Flush().encode(), None)
            await self.relay()
        if not self.skipping:
            self.fail(e)

    def fail(self, e: VeilError) -> None:
        if self.status != "I":
            self.local_abort = True
        super().fail(e)

    # -- statements -------------------------------------------------------------------------

    async def checked(self, sql: str) -> Rewritten:
        """Enforce ``sql``; SET/RESET also update the session's own view of the
        parameters (the default schema enforcement resolves names in)."""
        rewritten = await self.enforce(sql)
        if rewritten.kind is Kind.SESSION and sql.split(None, 1)[0].lower() in ("set", "reset"):
            self.params.apply_set(sql.strip().rstrip(";").strip())
        return rewritten

    def upstream_sql(self, sql: str, rewritten: Rewritten) -> str:
        """What the warehouse runs: the rewritten text, except that COMMIT of a
        transaction aborted here (by a refusal) rolls back."""
        if _ends_transaction(sql, rewritten):
            self.local_abort = False
        if (
            self.status == "E"
            and rewritten.kind is Kind.SESSION
            and sql.split(None, 1)[0].lower() in ("commit", "end")
        ):
            return "ROLLBACK"
        return rewritten.sql

    async def begin_run(self, sql: str, rewritten: Rewritten) -> Run:
        """Start the statement's audit record. A query's record is written while the
        warehouse already runs it (:meth:`relay` waits for it before relaying any
        answer); anything that may change data waits here, so the warehouse never
        runs a change that has no record."""
        try:
            run = Run(sql, self.audit.submit_statement(sql, rewritten))
            if rewritten.kind is not Kind.QUERY:
                await self.audit.log.wait_async(run.record)
        except AuditUnavailable as e:
            await self._audit_refusal(sql, e)
            raise
        return run

    async def audited(self) -> None:
        """Wait until the record of every statement the warehouse owes answers for is
        durable: only then may any of those answers reach the client.

        If one cannot be written, the warehouse has the query already and its answers
        are on their way, so the connection ends (FATAL 58000) rather than sort them:
        nothing of it reaches the client, and the statement is refused.
        """
        for expected in self.pending:
            run = expected.run
            if run is None or run.seq is not None:
                continue
            try:
                await self.audit.log.wait_async(run.record)
            except AuditUnavailable as e:
                await self._audit_refusal(run.sql, e)
                raise Fatal(e.message, sqlstate=e.sqlstate) from None

    def retire(self, run: Run | None) -> None:
        """The run's portal is closed or bound anew. If the warehouse still owes the
        answer to one of its Executes (sent before this Bind/Close, in the same
        pipeline), that answer finishes the run; otherwise it stopped before its last
        row (a suspended portal)."""
        if run is None or any(expected.run is run for expected in self.pending):
            return
        self.finish_run(run, reason="closed before its last row")

    def finish_run(self, run: Run | None, *, reason: str | None = None) -> None:
        """Submit the run's outcome record, once (when its statement record is durable)."""
        if run is None or run.finished:
            return
        run.finished = True
        duration = (time.perf_counter() - run.started) * 1000
        error = run.error

        def record(_: object = None) -> None:
            seq = run.seq
            if seq is None:
                return  # its statement record was never written: no outcome either
            try:
                self.audit.outcome(
                    seq,
                    run.rows,
                    duration,
                    reason=error.message if error else reason,
                    sqlstate=error.code if error else None,
                )
            except AuditUnavailable:
                log.warning("an outcome record could not be queued")

        if run.record.done():
            record()
        else:  # the client went away before the statement's record was durable
            run.record.add_done_callback(record)

    async def simple_query(self, sql: str) -> None:
        if self.pending:
            await self.relay()
        try:
            statements = split_statements(sql, self.target.dialect)
        except Refused as e:
            await self._audit_refusal(sql, e)
            self.fail(e)
            statements = None
        if statements == []:
            self.write(be.EMPTY_QUERY_RESPONSE)
        # Several statements in one Query are one implicit transaction in PostgreSQL: an
        # error in one undoes the others. Each goes upstream on its own (to be enforced
        # and audited on its own), inside a BEGIN … COMMIT the client does not see.
        implicit = (
            self.status == "I"
            and statements is not None
            and len(statements) > 1
            and not any(controls_transaction(text) for text in statements)
        )
        if implicit:
            self.expect(fe.Query("BEGIN").encode(), "hidden")
        failed = False
        for text in statements or ():
            try:
                rewritten = await self.checked(text)
                run = await self.begin_run(text, rewritten)
            except _STATEMENT_ERRORS as e:
                self.fail(e)
                failed = True
                break
            self.expect(fe.Query(self.upstream_sql(text, rewritten)).encode(), "query", run)
            await self.relay()
            if run.error is not None:
                failed = True
                break
        if implicit:
            self.expect(fe.Query("ROLLBACK" if failed else "COMMIT").encode(), "hidden")
            await self.relay()
            self.status, self.local_abort = "I", False
        self.write(be.ReadyForQuery(self.status).encode())
        await self.flush()

    async def relay_parse(self, message: fe.Parse) -> None:
        if not message.query.strip():
            rewritten = Rewritten("", Kind.SESSION)
        else:
            rewritten = await self.checked(message.query)
        self.statements[message.name] = Statement(message.query, rewritten)
        query = self.upstream_sql(message.query, rewritten)
        self.expect(fe.Parse(message.name, query, message.param_types).encode(), "parse")

    async def relay_bind(self, message: fe.Bind) -> None:
        statement = self.statements.get(message.statement)
        if statement is None:
            raise Refused(
                f'prepared statement "{message.statement}" does not exist', sqlstate="26000"
            )
        old = self.relay_portals.pop(message.portal, None)
        if old is not None:
            self.retire(old.run)
        self.relay_portals[message.portal] = RelayPortal(message.portal, statement)
        self.expect(message.encode(), "bind")

    async def relay_execute(self, message: fe.Execute) -> None:
        portal = self.relay_portals.get(message.portal)
        if portal is None:
            raise Refused(f'portal "{message.portal}" does not exist', sqlstate="34000")
        if portal.run is None:
            statement = portal.statement
            portal.run = await self.begin_run(statement.sql, statement.rewritten)
        self.expect(message.encode(), "execute", portal.run)

    def relay_close(self, message: fe.Close) -> None:
        if message.kind == "S":
            self.statements.pop(message.name, None)
        else:
            portal = self.relay_portals.pop(message.name, None)
            if portal is not None:
                self.retire(portal.run)
        self.expect(message.encode(), "close")

    # -- relaying the warehouse's answers ---------------------------------------------------

    async def relay(self) -> None:
        """Relay the warehouse's messages to the client until nothing is pending."""
        up = self.upstream
        assert up is not None
        await up.drain()
        await self.audited()
        buf = up.buffer
        while self.pending:
            pos = out = 0
            size = len(buf)
            while self.pending and size - pos >= 5:
                kind = buf[pos]
                end = pos + 1 + int.from_bytes(buf[pos + 1 : pos + 5])
                if end > size:
                    break
                head = self.pending[0]
                if head.kind == "hidden":  # the relay's own statement: nothing goes out
                    self.write(bytes(buf[out:pos]))
                    out = end
                    if kind == _READY:
                        self.pending.pop(0)
                elif kind == _DATA_ROW:
                    if head.run is not None:
                        head.run.seen += 1
                elif kind in _SIGNIFICANT or kind in _LAST[head.kind]:
                    instead = self.answer(kind, bytes(buf[pos + 5 : end]))
                    if instead is not None:  # this frame is replaced (or swallowed)
                        self.write(bytes(buf[out:pos]) + instead)
                        out = end
                pos = end
            if out < pos:
                self.write(bytes(buf[out:pos]))
            if pos:
                del buf[:pos]
                await self.flush()
            if self.pending:
                buf += await up.read()

    def answer(self, kind: int, payload: bytes) -> bytes | None:
        """Note one significant message from the warehouse; None to relay it as it is,
        else the bytes to send instead."""
        head = self.pending[0]
        run = head.run
        if kind == _COMPLETE and run is not None:
            run.tagged = be.CommandComplete(payload[:-1].decode()).rows or 0
        if kind == _ERROR:
            error = be.parse_backend(kind, payload)
            assert isinstance(error, be.ErrorResponse)
            if run is not None:
                run.error = error
            if head.kind != "query":
                # The warehouse skips everything until Sync: so does the relay.
                self.pending.pop(0)
                self.finish_run(run)
                while self.pending and self.pending[0].kind != "sync":
                    dropped = self.pending.pop(0)
                    if dropped.run is not None and dropped.run is not run:
                        self.finish_run(dropped.run, reason="skipped after an error")
                self.skipping = True
            return None
        if kind == _READY:
            status = _status(payload)
            if status == "I":
                self.local_abort = False
            elif self.local_abort:
                status = "E"  # refused here: aborted for the client, not yet upstream
            self.status = status
            if self.status == "I":
                for portal in self.relay_portals.values():
                    self.finish_run(portal.run, reason="closed before its last row")
                self.relay_portals = {k: v for k, v in self.relay_portals.items() if k}
            if head.kind == "query":
                self.pending.pop(0)
                self.finish_run(run)
                return b""  # the session writes one ReadyForQuery per client Query
            if head.kind == "sync":
                self.pending.pop(0)
                self.skipping = False  # the warehouse skipped to this Sync too
                if status != _status(payload):
                    return be.ReadyForQuery(status).encode()
            return None
        if kind in _LAST[head.kind] and head.kind != "query":
            self.pending.pop(0)
            if head.kind == "execute" and kind != _SUSPENDED:
                self.finish_run(run)
        return None

    # -- ending -----------------------------------------------------------------------------

    def _abandon(self, e: UpstreamError) -> None:
        for expected in self.pending:
            self.finish_run(expected.run, reason=e.message)
        self.pending.clear()
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None

    def interrupt(self) -> None:
        up = self.upstream
        if up is None:
            return
        task = asyncio.get_running_loop().create_task(send_cancel(self.target, up.pid, up.secret))
        self._cancels.add(task)
        task.add_done_callback(self._cancels.discard)

    def close_all(self) -> None:
        for portal in self.relay_portals.values():
            self.finish_run(portal.run, reason="closed before its last row")
        for expected in self.pending:
            self.finish_run(expected.run, reason="the client went away")
        self.relay_portals.clear()
        self.pending.clear()
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None
        super().close_all()


class _Relayed:
    """``Session.conn`` of a relayed session: statements never run through it (they
    are relayed); it marks the session as logged in and carries interrupts."""

    def __init__(self, session: RelaySession) -> None:
        self._session = session

    def run(self, sql: str, params: Sequence[object] = ()) -> Result:
        raise BackendError("statements are relayed to the warehouse", sqlstate="XX000")

    def describe(self, sql: str, param_count: int) -> tuple[ResultColumn, ...] | None:
        raise BackendError("statements are relayed to the warehouse", sqlstate="XX000")

    def interrupt(self) -> None:
        self._session.interrupt()

    def close(self) -> None:
        pass


def _status(payload: bytes) -> Literal["I", "T", "E"]:
    status = payload[:1]
    if status == b"T":
        return "T"
    if status == b"E":
        return "E"
    return "I"
