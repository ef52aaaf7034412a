"""The contract between the sync engine and the transfer handlers.

The engine claims an issuer, opens its Fortnox client and calls one handler per due job. A
handler reloads what it needs by id (objects never cross the boundary), makes its Fortnox calls,
records each call as an attempt, and returns a ``JobOutcome``. A handler may also raise a
``FortnoxError`` or ``NoUsableConnection``; the engine turns those into retries, held jobs or
failures with a Swedish message (``sgx.integration.messages``).

Exactly once: before a handler sends a write whose answer could be lost, it calls
``mark_write_sent`` (committed at once); a job that finds ``write_sent_at`` set must first look
in Fortnox for what the earlier attempt may have created, and adopt it.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.fortnox import FortnoxClient
from sgx.outbox.models import JobKind, TransferJob


class OutcomeKind(enum.StrEnum):
    DONE = "done"  # transferred (or adopted); the job is finished
    RETRY = "retry"  # transient; try again after a back-off
    FAILED = "failed"  # needs a person or a fix elsewhere; retried on a slow schedule
    HELD = "held"  # no usable connection; waits for a reconnect


@dataclass(frozen=True)
class JobOutcome:
    kind: OutcomeKind
    code: str = ""  # stable English code, e.g. "company_not_in_fortnox"
    message: str = ""  # Swedish, says what is wrong and what to do
    fortnox_code: str = ""
    fortnox_document_number: str = ""
    retry_after_seconds: float | None = None

    @classmethod
    def done(cls, fortnox_document_number: str = "") -> JobOutcome:
        return cls(OutcomeKind.DONE, fortnox_document_number=fortnox_document_number)


class JobContext(Protocol):
    """What the engine gives a handler."""

    session_factory: async_sessionmaker[AsyncSession]
    client: FortnoxClient
    issuer_id: int
    worker_name: str

    async def record_attempt(
        self,
        job: TransferJob,
        *,
        operation: str,
        outcome: str,
        http_status: int | None = None,
        fortnox_code: str = "",
        fortnox_document_number: str = "",
        message: str = "",
    ) -> None:
        """Append to the job's history (its own short transaction)."""
        ...

    async def mark_write_sent(self, job: TransferJob) -> None:
        """Persist that a write is about to be sent (commits before returning)."""
        ...


Handler = Callable[[JobContext, TransferJob], Awaitable[JobOutcome]]

# Filled by ``sgx.integration.handlers`` (kind → handler).
HANDLERS: dict[JobKind, Handler] = {}
