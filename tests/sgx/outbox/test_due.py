"""What is due: pending jobs whose time has come and whose dependency is done."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.issuers.models import Issuer
from sgx.kit.clock import utcnow
from sgx.outbox import repository
from sgx.outbox.models import IssuerLease, JobKind, JobStatus, TransferJob
from sgx.outbox.service import enqueue


async def _job(
    session: AsyncSession,
    issuer: Issuer,
    *,
    status: JobStatus = JobStatus.PENDING,
    after: TransferJob | None = None,
    available_in: dt.timedelta = dt.timedelta(0),
) -> TransferJob:
    job = await enqueue(
        session,
        issuer_id=issuer.id,
        kind=JobKind.INVOICE,
        subject_id=1,
        after_job_id=after.id if after else None,
    )
    job.status = status
    job.available_at = utcnow() + available_in
    await session.flush()
    return job


async def test_issuer_jobs_come_in_id_order(session: AsyncSession, issuers: list[Issuer]) -> None:
    first = await _job(session, issuers[0])
    await _job(session, issuers[0])

    job = await repository.next_due_job(session, issuer_id=issuers[0].id, now=utcnow())

    assert job is not None and job.id == first.id


async def test_a_job_waiting_for_an_undone_job_is_not_due(
    session: AsyncSession, issuers: list[Issuer]
) -> None:
    invoice = await _job(session, issuers[0], available_in=dt.timedelta(minutes=5))
    await _job(session, issuers[0], after=invoice)

    assert await repository.next_due_job(session, issuer_id=issuers[0].id, now=utcnow()) is None


async def test_a_job_becomes_due_when_its_dependency_is_done(
    session: AsyncSession, issuers: list[Issuer]
) -> None:
    invoice = await _job(session, issuers[0], status=JobStatus.DONE)
    credit = await _job(session, issuers[0], after=invoice)

    job = await repository.next_due_job(session, issuer_id=issuers[0].id, now=utcnow())

    assert job is not None and job.id == credit.id


async def test_a_failed_job_blocks_its_dependants_but_not_the_issuers_other_jobs(
    session: AsyncSession, issuers: list[Issuer]
) -> None:
    failed = await _job(
        session, issuers[0], status=JobStatus.FAILED, available_in=dt.timedelta(minutes=30)
    )
    await _job(session, issuers[0], after=failed)
    unrelated = await _job(session, issuers[0])

    job = await repository.next_due_job(session, issuer_id=issuers[0].id, now=utcnow())

    assert job is not None and job.id == unrelated.id


async def test_a_failed_job_is_due_again_when_its_slow_retry_time_comes(
    session: AsyncSession, issuers: list[Issuer]
) -> None:
    failed = await _job(
        session, issuers[0], status=JobStatus.FAILED, available_in=dt.timedelta(minutes=-1)
    )

    job = await repository.next_due_job(session, issuer_id=issuers[0].id, now=utcnow())

    assert job is not None and job.id == failed.id


async def test_held_and_done_jobs_are_never_due(
    session: AsyncSession, issuers: list[Issuer]
) -> None:
    await _job(session, issuers[0], status=JobStatus.HELD)
    await _job(session, issuers[0], status=JobStatus.DONE)

    assert await repository.due_issuer_ids(session, now=utcnow()) == []


async def test_issuers_with_due_work_come_longest_waiting_first(
    session: AsyncSession, issuers: list[Issuer]
) -> None:
    await _job(session, issuers[0], available_in=dt.timedelta(seconds=-10))
    await _job(session, issuers[1], available_in=dt.timedelta(seconds=-60))
    await _job(session, issuers[2], available_in=dt.timedelta(minutes=10))

    due = await repository.due_issuer_ids(session, now=utcnow())

    assert due == [issuers[1].id, issuers[0].id]


async def test_next_wake_is_the_earliest_back_off_end(
    session: AsyncSession, issuers: list[Issuer]
) -> None:
    soon = await _job(session, issuers[0], available_in=dt.timedelta(seconds=40))
    await _job(session, issuers[1], available_in=dt.timedelta(minutes=9))

    at = await repository.next_wake_at(session, worker="me")

    assert at == soon.available_at


async def test_next_wake_waits_for_another_workers_lease_to_expire(
    session: AsyncSession, issuers: list[Issuer]
) -> None:
    await _job(session, issuers[0])
    expiry = utcnow() + dt.timedelta(seconds=25)
    session.add(IssuerLease(issuer_id=issuers[0].id, owner="someone-else", expires_at=expiry))
    await session.flush()

    at = await repository.next_wake_at(session, worker="me")

    assert at == expiry


async def test_next_wake_ignores_jobs_waiting_for_a_failed_dependency(
    session: AsyncSession, issuers: list[Issuer]
) -> None:
    failed = await _job(
        session, issuers[0], status=JobStatus.FAILED, available_in=dt.timedelta(minutes=20)
    )
    await _job(session, issuers[0], after=failed)

    at = await repository.next_wake_at(session, worker="me")

    assert at == failed.available_at
