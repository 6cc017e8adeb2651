"""The gateway server: accept connections, run a :class:`~masking.gateway.session.Session`
per client, stop cleanly.

One :class:`Gateway` per process holds what sessions share: the enforcement service
(policy and catalog), the audit log, the warehouse backend, the worker threads that run
blocking warehouse calls, and the BackendKeyData registry that CancelRequests look up.

Limits: past ``max_connections`` a client gets FATAL 53300 after its startup message
(as PostgreSQL's "too many clients"); an idle client is closed after ``idle_timeout``
seconds (57P05); a statement running past ``statement_timeout`` is cancelled (57014).
Shutdown (SIGTERM or :meth:`Gateway.shutdown`): stop accepting, let running statements
finish until ``shutdown_grace`` seconds have passed, tell idle clients 57P01, then
interrupt what still runs.

TLS: with ``tls_cert`` and ``tls_key`` clients may (with ``tls_required``, must) use
TLS (:mod:`masking.gateway.tls`). The certificate is loaded when the gateway is made,
so a bad one stops ``veil proxy`` before it listens, with a message naming the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import itertools
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from catalog.config import Settings
from catalog.connect import parse_url
from catalog.errors import ConfigError, UsageError
from catalog.names import require_warehouse
from catalog.store import Store
from masking.gateway.backend import Backend
from masking.gateway.duckdb_backend import DuckDBBackend
from masking.gateway.introspection import ShadowCatalogs
from masking.gateway.relay import RelaySession
from masking.gateway.session import Session
from masking.gateway.tls import ServerTLS, load_tls
from masking.gateway.upstream import PostgresWarehouse
from masking.service import Enforcement, mask_secrets
from policies.audit import AuditLog
from policies.users import mock_auth_key

__all__ = ["Gateway", "GatewayConfig", "open_gateway"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GatewayConfig:
    host: str = "127.0.0.1"
    port: int = 6543
    max_connections: int = 100
    #: Seconds a client may sit idle between statements; 0 never closes it.
    idle_timeout: float = 0.0
    #: Seconds running statements get to finish on shutdown.
    shutdown_grace: float = 30.0
    #: Rows fetched from the warehouse and written per batch.
    batch_rows: int = 1000
    #: The largest message a client may send.
    max_message_bytes: int = 64 * 1024 * 1024
    #: Seconds a client gets from connecting to finishing its login (PostgreSQL's
    #: authentication_timeout); past it the connection is dropped.
    auth_timeout: float = 60.0
    #: Seconds a statement may run before it is cancelled (57014); 0 never cancels.
    #: Clients may lower it for their session, not raise it (masking.gateway.timeouts).
    statement_timeout: float = 0.0
    #: PEM certificate (chain) and private key: clients that send SSLRequest get TLS.
    #: Without them TLS is refused ('N'), as a PostgreSQL server without ssl = on.
    tls_cert: str | None = None
    tls_key: str | None = None
    #: Refuse clients that do not use TLS (FATAL 28000); needs tls_cert and tls_key.
    tls_required: bool = False


class Gateway:
    """Shared state of the running gateway and its asyncio server."""

    def __init__(
        self,
        config: GatewayConfig,
        *,
        store: Store,
        warehouse: str,
        backend: Backend,
        enforcement: Enforcement,
        audit: AuditLog,
        tls: ServerTLS | None = None,
    ) -> None:
        """``tls`` is ``config``'s certificate when already loaded (open_gateway)."""
        self.config = config
        self.tls = tls or _server_tls(config)
        self.store = store
        self.warehouse = warehouse
        self.backend = backend
        self.enforcement = enforcement
        self.shadows = ShadowCatalogs()  # catalog introspection (DuckDB warehouses)
        self.audit = audit
        self.mock_key = mock_auth_key(store)
        self.executor = ThreadPoolExecutor(
            max_workers=max(4, min(config.max_connections, 64)), thread_name_prefix="veil-gw"
        )
        self.sessions: dict[int, Session] = {}
        self.shutting_down = False
        self._admitted: set[Session] = set()
        self._pids = itertools.count(1000)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self.port = config.port

    # -- registry used by sessions ----------------------------------------------------------

    def next_pid(self) -> int:
        return next(self._pids)

    def admit(self, session: Session) -> bool:
        if len(self._admitted) >= self.config.max_connections:
            return False
        self._admitted.add(session)
        self.sessions[session.pid] = session
        return True

    def cancel(self, pid: int, secret: bytes) -> None:
        session = self.sessions.get(pid)
        if session is not None and hmac.compare_digest(session.secret, secret):
            session.interrupt()

    def statement_done(self) -> None:
        if self.shutting_down and not any(s.busy for s in self._admitted):
            self._idle.set()

    # -- serving ----------------------------------------------------------------------------

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._client, self.config.host, self.config.port, reuse_address=True
        )
        sockets = self._server.sockets
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        relayed = isinstance(self.backend, PostgresWarehouse)
        session = (RelaySession if relayed else Session)(self, reader, writer)
        # A client silent before or during its login would hold its task (and, once
        # admitted, a connection slot) forever: drop it after auth_timeout.
        timer = asyncio.get_running_loop().call_later(
            self.config.auth_timeout, _drop_unauthenticated, session, writer
        )
        try:
            await session.run()
        except Exception:
            log.exception("connection %s failed", session.pid)
        finally:
            timer.cancel()
            self._admitted.discard(session)
            self.sessions.pop(session.pid, None)
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            self.statement_done()

    async def serve_forever(self) -> None:
        """Serve until SIGTERM/SIGINT (or :meth:`shutdown`), then stop cleanly."""
        if self._server is None:
            await self.start()
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        self._stop = stop
        await stop.wait()
        await self.shutdown()

    def request_stop(self) -> None:
        stop = getattr(self, "_stop", None)
        if stop is not None:
            stop.set()

    async def shutdown(self) -> None:
        """Stop accepting; let running statements finish (up to the grace period)."""
        self.shutting_down = True
        if self._server is not None:
            self._server.close()
        self.statement_done()
        # Idle sessions are waiting in read(): wake them so they say 57P01 and leave.
        for session in list(self._admitted):
            if not session.busy:
                session.reader.feed_eof()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), self.config.shutdown_grace)
        for session in list(self._admitted):
            session.interrupt()
            session.reader.feed_eof()
        tasks = list(self._tasks)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=5)
            for task in pending:
                task.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)


def _server_tls(config: GatewayConfig) -> ServerTLS | None:
    if bool(config.tls_cert) != bool(config.tls_key):
        raise ConfigError(
            "TLS needs both a certificate and its private key",
            hint="Give both --tls-cert and --tls-key (gateway_tls_cert, gateway_tls_key).",
        )
    if not config.tls_cert or not config.tls_key:
        if config.tls_required:
            raise ConfigError(
                "TLS is required but no certificate is configured",
                hint="Give --tls-cert and --tls-key, or drop --require-tls.",
            )
        return None
    return load_tls(config.tls_cert, config.tls_key, required=config.tls_required)


def _drop_unauthenticated(session: Session, writer: asyncio.StreamWriter) -> None:
    if session.conn is None:  # set once the login succeeded
        writer.transport.abort()


def open_gateway(
    store: Store, settings: Settings, warehouse: str, config: GatewayConfig
) -> Gateway:
    """A gateway over the catalogued warehouse ``warehouse``, by its URL's scheme: a
    DuckDB file is run by the gateway, PostgreSQL is relayed (masking.gateway.relay)."""
    tls = _server_tls(config)  # a bad certificate stops the gateway before anything opens
    with store.session() as session:
        row = require_warehouse(session, warehouse)
        url = parse_url(row.url)
    backend: Backend
    if url.get_backend_name() == "postgresql":
        backend = PostgresWarehouse.from_url(url)
    elif url.get_backend_name() == "duckdb" and url.database not in (None, "", ":memory:"):
        backend = DuckDBBackend(url.database)
    else:
        raise UsageError(
            f"warehouse {warehouse!r} is neither a DuckDB file nor PostgreSQL; the gateway "
            "serves those two"
        )
    enforcement = Enforcement(store, warehouse, mask_secrets(settings))
    audit = AuditLog(store, key=settings.audit_key or None)
    return Gateway(
        config,
        store=store,
        warehouse=warehouse,
        backend=backend,
        enforcement=enforcement,
        audit=audit,
        tls=tls,
    )
