"""The gateway's audit records: one per statement attempt, its outcome, failed logins.

A thin layer over :class:`policies.audit.AuditLog` that fills in who, from where and on
which connection. :meth:`SessionAudit.statement` is awaited until the record is
durable, so a caller that sends rows only after it returns never sends a row without
its record; it raises :class:`~policies.audit.AuditUnavailable` (58000) and the caller
refuses the statement. Outcomes are submitted without waiting: they carry no decision.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

from masking.rewrite import Rewritten
from policies.audit import Appended, AuditDecision, AuditKind, AuditLog, AuditRecord

__all__ = ["CHANNEL", "SessionAudit"]

CHANNEL = "gateway"


@dataclass
class SessionAudit:
    log: AuditLog
    warehouse: str
    client_address: str | None
    session_id: str
    user: str = ""
    roles: tuple[str, ...] = ()
    policy_version: int | None = None

    def _base(self) -> dict[str, object]:
        return {
            "user": self.user,
            "roles": self.roles,
            "channel": CHANNEL,
            "client_address": self.client_address,
            "session_id": self.session_id,
            "warehouse": self.warehouse,
        }

    async def login_failed(self, user: str, reason: str, sqlstate: str = "28P01") -> None:
        record = AuditRecord(
            kind=AuditKind.LOGIN_FAILED,
            **{**self._base(), "user": user},  # type: ignore[arg-type]
            reason=reason,
            sqlstate=sqlstate,
        )
        await self.log.append_async(record)

    async def statement(self, sql: str, rewritten: Rewritten) -> int:
        """The allowed statement's record, durable; returns its seq."""
        return (await self.log.wait_async(self.submit_statement(sql, rewritten))).seq

    def submit_statement(self, sql: str, rewritten: Rewritten) -> Future[Appended]:
        """Start writing the allowed statement's record; the future completes when it
        is durable. For a caller that overlaps the write with the warehouse's work and
        awaits it (:meth:`AuditLog.wait_async`) before sending the first row."""
        record = AuditRecord(
            kind=AuditKind.STATEMENT,
            **self._base(),  # type: ignore[arg-type]
            sql=sql,
            rewritten_sql=rewritten.sql,
            decision=AuditDecision.ALLOWED,
            columns_read=rewritten.columns_read,
            filter_columns=rewritten.columns_filtered,
            pii_columns=dict(rewritten.pii_read),
            policy_version=self.policy_version,
        )
        return self.log.submit(record)

    async def refused(self, sql: str, reason: str, sqlstate: str) -> None:
        record = AuditRecord(
            kind=AuditKind.STATEMENT,
            **self._base(),  # type: ignore[arg-type]
            sql=sql,
            decision=AuditDecision.REFUSED,
            reason=reason,
            sqlstate=sqlstate,
            policy_version=self.policy_version,
        )
        await self.log.append_async(record)

    def outcome(
        self,
        ref_seq: int,
        rows: int,
        duration_ms: float,
        *,
        reason: str | None = None,
        sqlstate: str | None = None,
    ) -> None:
        record = AuditRecord(
            kind=AuditKind.OUTCOME,
            **self._base(),  # type: ignore[arg-type]
            ref_seq=ref_seq,
            rows=rows,
            duration_ms=max(duration_ms, 0.0),
            reason=reason,
            sqlstate=sqlstate,
        )
        self.log.submit(record, urgent=False)  # rides along with the next commit
