"""What every transfer handler shares: recorded Fortnox calls, refusals, the tenant, links.

Handlers never hold a database transaction open across a Fortnox call (on SQLite every
transaction takes the write lock, and the engine commits ``mark_write_sent`` and the attempt
history in transactions of its own): they read in one short session, call Fortnox, and write
what they learned in another.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sgx.fortnox.errors import Ambiguous, FortnoxError, NotFound
from sgx.integration.jobs import JobContext, JobOutcome, OutcomeKind
from sgx.integration.links import FortnoxLink, LinkKind, drop_links, find_links, save_link
from sgx.integration.messages import Described, raw_code
from sgx.outbox.models import TransferJob

T = TypeVar("T")
MESSAGE_MAX = 500


class TransferRefused(Exception):
    """A handler decided the job cannot go on now; ``outcome`` says why and what to do."""

    def __init__(self, outcome: JobOutcome) -> None:
        super().__init__(outcome.code)
        self.outcome = outcome


def refuse(
    described: Described,
    *,
    kind: OutcomeKind = OutcomeKind.FAILED,
    retry_after_seconds: float | None = None,
) -> TransferRefused:
    return TransferRefused(
        outcome_of(described, kind=kind, retry_after_seconds=retry_after_seconds)
    )


def outcome_of(
    described: Described,
    *,
    kind: OutcomeKind = OutcomeKind.FAILED,
    retry_after_seconds: float | None = None,
) -> JobOutcome:
    return JobOutcome(
        kind,
        code=described.code,
        message=described.message,
        fortnox_code=described.fortnox_code,
        retry_after_seconds=retry_after_seconds,
    )


def tenant_of(ctx: JobContext) -> int:
    """The Fortnox company the client talks to (links are kept per company)."""
    return ctx.client.pacing_key.tenant_id


def attempt_outcome(error: FortnoxError) -> str:
    if isinstance(error, Ambiguous):
        return "ambiguous"
    if isinstance(error, NotFound):
        return "not_found"
    return "transient" if error.retryable else "permanent"


async def call(
    ctx: JobContext,
    job: TransferJob,
    operation: str,
    request: Callable[[], Awaitable[T]],
    *,
    document: Callable[[T], str | None] = lambda _: None,
) -> T:
    """Make one Fortnox call and record it in the job's history, whatever its outcome."""
    try:
        result = await request()
    except FortnoxError as error:
        await ctx.record_attempt(
            job,
            operation=operation,
            outcome=attempt_outcome(error),
            http_status=error.status,
            fortnox_code=raw_code(error),
            message=(error.message or "")[:MESSAGE_MAX],
        )
        raise
    await ctx.record_attempt(
        job, operation=operation, outcome="ok", fortnox_document_number=document(result) or ""
    )
    return result


async def write(
    ctx: JobContext,
    job: TransferJob,
    operation: str,
    request: Callable[[], Awaitable[T]],
    *,
    document: Callable[[T], str | None] = lambda _: None,
) -> T:
    """A call that changes Fortnox: the engine learns first that a write may be on its way
    (once per job: what a later run must do only depends on whether any write was sent)."""
    if job.write_sent_at is None:
        await ctx.mark_write_sent(job)
    return await call(ctx, job, operation, request, document=document)


async def lookup(
    ctx: JobContext, job: TransferJob, operation: str, request: Callable[[], Awaitable[T]]
) -> T | None:
    """A read that may find nothing: ``None`` instead of ``NotFound``."""
    try:
        return await call(ctx, job, operation, request)
    except NotFound:
        return None


async def read_links(ctx: JobContext, kind: LinkKind, sgx_ids: list[int]) -> dict[int, FortnoxLink]:
    async with ctx.session_factory() as session:
        links = await find_links(
            session,
            issuer_id=ctx.issuer_id,
            tenant_id=tenant_of(ctx),
            kind=kind,
            sgx_ids=sgx_ids,
        )
        await session.commit()
    return links


async def remember(
    ctx: JobContext, kind: LinkKind, sgx_id: int, fortnox_number: str, content_hash: str = ""
) -> None:
    async with ctx.session_factory() as session:
        await save_link(
            session,
            issuer_id=ctx.issuer_id,
            tenant_id=tenant_of(ctx),
            kind=kind,
            sgx_id=sgx_id,
            fortnox_number=fortnox_number,
            content_hash=content_hash,
        )
        await session.commit()


async def forget(ctx: JobContext, kind: LinkKind, sgx_ids: list[int]) -> None:
    async with ctx.session_factory() as session:
        await drop_links(
            session, issuer_id=ctx.issuer_id, tenant_id=tenant_of(ctx), kind=kind, sgx_ids=sgx_ids
        )
        await session.commit()
