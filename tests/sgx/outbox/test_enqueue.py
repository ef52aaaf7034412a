"""``enqueue``: the job is written in the caller's transaction and wakes workers on commit."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.issuers.models import Issuer
from sgx.kit.clock import utcnow
from sgx.outbox.models import JobKind, JobStatus, TransferJob
from sgx.outbox.service import enqueue
from sgx.outbox.wakeup import local_signal


async def _count_jobs(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as other:
        return int(await other.scalar(select(func.count()).select_from(TransferJob)) or 0)


class Heard:
    def __init__(self) -> None:
        self.issuers: list[int | None] = []
        self.event = asyncio.Event()

    def __call__(self, issuer_id: int | None) -> None:
        self.issuers.append(issuer_id)
        self.event.set()


async def test_enqueued_job_is_pending_and_due_at_once(
    session: AsyncSession, issuers: list[Issuer]
) -> None:
    job = await enqueue(session, issuer_id=issuers[0].id, kind=JobKind.INVOICE, subject_id=7)

    assert job.id is not None
    assert job.status is JobStatus.PENDING
    assert job.attempts == 0
    assert job.available_at <= utcnow()


async def test_enqueue_does_not_commit_the_callers_transaction(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await enqueue(session, issuer_id=issuers[0].id, kind=JobKind.INVOICE, subject_id=7)
    await session.rollback()

    assert await _count_jobs(session_factory) == 0


async def test_enqueued_job_is_kept_when_the_caller_commits(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    first = await enqueue(session, issuer_id=issuers[0].id, kind=JobKind.INVOICE, subject_id=7)
    await enqueue(
        session,
        issuer_id=issuers[0].id,
        kind=JobKind.FULL_CREDIT,
        subject_id=8,
        after_job_id=first.id,
    )
    await session.commit()

    assert await _count_jobs(session_factory) == 2


async def test_commit_fires_the_in_process_signal_with_the_issuer(
    session: AsyncSession, issuers: list[Issuer]
) -> None:
    heard = Heard()
    unsubscribe = local_signal.subscribe(heard)
    try:
        await enqueue(session, issuer_id=issuers[1].id, kind=JobKind.INVOICE, subject_id=1)
        await enqueue(session, issuer_id=issuers[1].id, kind=JobKind.INVOICE, subject_id=2)
        assert heard.issuers == []  # nothing before the commit
        await session.commit()
        await asyncio.wait_for(heard.event.wait(), 5)
    finally:
        unsubscribe()

    assert heard.issuers == [issuers[1].id]


async def test_rollback_fires_no_signal(session: AsyncSession, issuers: list[Issuer]) -> None:
    rolled_back, committed = issuers[1].id, issuers[0].id
    heard = Heard()
    unsubscribe = local_signal.subscribe(heard)
    try:
        await enqueue(session, issuer_id=rolled_back, kind=JobKind.INVOICE, subject_id=1)
        await session.rollback()
        await session.commit()  # a later, empty commit of the same session
        # A commit that does announce: its signal is queued behind any the rollback had fired,
        # so once it is heard, whatever came before it has been heard too.
        await enqueue(session, issuer_id=committed, kind=JobKind.INVOICE, subject_id=2)
        await session.commit()
        await asyncio.wait_for(heard.event.wait(), 5)
    finally:
        unsubscribe()

    assert heard.issuers == [committed]
