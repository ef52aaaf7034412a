"""Per-issuer leases: claimed by one worker at a time, renewed, released, taken over on expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sgx.issuers.models import Issuer
from sgx.kit.clock import utcnow
from sgx.outbox import leases
from sgx.outbox.models import IssuerLease, JobKind, TransferJob
from sgx.outbox.service import enqueue

TTL = dt.timedelta(seconds=30)


async def _work_for(session: AsyncSession, *issuers: Issuer) -> None:
    for issuer in issuers:
        await enqueue(session, issuer_id=issuer.id, kind=JobKind.INVOICE, subject_id=1)
    await session.commit()


async def _claim(
    factory: async_sessionmaker[AsyncSession], worker: str, *, limit: int = 10
) -> list[leases.ClaimedLease]:
    async with factory() as session:
        claimed = await leases.claim_leases(
            session, worker=worker, now=utcnow(), ttl=TTL, limit=limit
        )
        await session.commit()
    return claimed


async def _lease(factory: async_sessionmaker[AsyncSession], issuer_id: int) -> IssuerLease:
    async with factory() as session:
        lease = await leases.lease_of(session, issuer_id=issuer_id)
    assert lease is not None
    return lease


async def test_a_worker_claims_only_issuers_with_due_work(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await _work_for(session, issuers[0], issuers[2])

    claimed = await _claim(session_factory, "w1")

    assert sorted(lease.issuer_id for lease in claimed) == sorted([issuers[0].id, issuers[2].id])
    assert (await _lease(session_factory, issuers[0].id)).owner == "w1"


async def test_a_claimed_issuer_is_not_claimed_by_another_worker(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await _work_for(session, issuers[0])
    await _claim(session_factory, "w1")

    assert await _claim(session_factory, "w2") == []


async def test_a_worker_claims_no_more_than_its_limit(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await _work_for(session, *issuers)

    first = await _claim(session_factory, "w1", limit=2)
    second = await _claim(session_factory, "w2", limit=2)

    assert len(first) == 2
    assert [lease.issuer_id for lease in second] == sorted(
        {issuer.id for issuer in issuers} - {lease.issuer_id for lease in first}
    )


async def test_the_issuer_whose_work_has_waited_longest_is_claimed_first(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await _work_for(session, *issuers)
    waiting_longest = issuers[1]
    await session.execute(
        update(TransferJob)
        .where(TransferJob.issuer_id == waiting_longest.id)
        .values(available_at=utcnow() - dt.timedelta(hours=1))
    )
    await session.commit()

    claimed = await _claim(session_factory, "w1", limit=1)

    assert [lease.issuer_id for lease in claimed] == [waiting_longest.id]


async def test_an_expired_lease_is_taken_over_with_its_pacing(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await _work_for(session, issuers[0])
    await _claim(session_factory, "w1")
    pacing = {"client_id": "c", "tenant_id": 5, "sent": [1.0, 2.0], "paused_until": 0.0}
    async with session_factory() as other:
        await leases.renew_lease(
            other,
            issuer_id=issuers[0].id,
            worker="w1",
            now=utcnow() - TTL * 2,
            ttl=TTL,
            pacing=pacing,
        )
        await other.commit()

    claimed = await _claim(session_factory, "w2")

    assert [(lease.issuer_id, lease.taken_over_from) for lease in claimed] == [
        (issuers[0].id, "w1")
    ]
    assert claimed[0].pacing == pacing
    assert (await _lease(session_factory, issuers[0].id)).owner == "w2"


async def test_renewing_a_lease_taken_over_tells_the_old_holder_to_stop(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await _work_for(session, issuers[0])
    await _claim(session_factory, "w1")
    async with session_factory() as other:
        await leases.renew_lease(
            other, issuer_id=issuers[0].id, worker="w1", now=utcnow() - TTL * 2, ttl=TTL
        )
        await other.commit()
    await _claim(session_factory, "w2")

    async with session_factory() as other:
        renewed = await leases.renew_lease(
            other, issuer_id=issuers[0].id, worker="w1", now=utcnow(), ttl=TTL
        )
        await other.commit()

    assert renewed is False
    assert (await _lease(session_factory, issuers[0].id)).owner == "w2"


async def test_a_released_lease_keeps_the_pacing_and_is_free_for_anyone(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await _work_for(session, issuers[0])
    await _claim(session_factory, "w1")
    async with session_factory() as other:
        released = await leases.release_lease(
            other, issuer_id=issuers[0].id, worker="w1", now=utcnow(), pacing={"sent": [9.0]}
        )
        await other.commit()

    claimed = await _claim(session_factory, "w2")

    assert released is True
    assert [lease.pacing for lease in claimed] == [{"sent": [9.0]}]
    assert claimed[0].taken_over_from == ""


async def test_releasing_one_lease_keeps_the_others_and_the_sweeper_skips_free_ones(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await _work_for(session, *issuers[:3])
    await _claim(session_factory, "w1")
    ids = sorted(issuer.id for issuer in issuers[:3])
    async with session_factory() as other:
        # The lowest id, released long ago: free, with an expiry in the past.
        await leases.release_lease(other, issuer_id=ids[0], worker="w1", now=utcnow() - TTL * 2)
        expired = await leases.expire_leases(other, now=utcnow())
        await other.commit()

    assert expired == []
    owners = [(await _lease(session_factory, issuer_id)).owner for issuer_id in ids]
    assert owners == ["", "w1", "w1"]


async def test_a_renewed_lease_runs_a_whole_ttl_from_the_renewal(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await _work_for(session, issuers[0])
    await _claim(session_factory, "w1")
    now = utcnow()
    async with session_factory() as other:
        renewed = await leases.renew_lease(
            other, issuer_id=issuers[0].id, worker="w1", now=now, ttl=TTL
        )
        expired = await leases.expire_leases(other, now=now + TTL / 2)
        await other.commit()

    assert renewed is True and expired == []
    assert (await _lease(session_factory, issuers[0].id)).owner == "w1"


async def test_only_the_holder_can_release_a_lease(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await _work_for(session, issuers[0])
    await _claim(session_factory, "w2")
    async with session_factory() as other:
        released = await leases.release_lease(
            other, issuer_id=issuers[0].id, worker="w3", now=utcnow()
        )
        await other.commit()

    assert released is False
    assert (await _lease(session_factory, issuers[0].id)).owner == "w2"


async def test_the_sweeper_frees_expired_leases(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await _work_for(session, issuers[0], issuers[1])
    await _claim(session_factory, "w1")
    async with session_factory() as other:
        await leases.renew_lease(
            other, issuer_id=issuers[0].id, worker="w1", now=utcnow() - TTL * 2, ttl=TTL
        )
        expired = await leases.expire_leases(other, now=utcnow())
        await other.commit()

    assert expired == [(issuers[0].id, "w1")]
    assert (await _lease(session_factory, issuers[0].id)).owner == ""
    assert (await _lease(session_factory, issuers[1].id)).owner == "w1"


@pytest.mark.postgres_only
async def test_claiming_skips_a_lease_row_locked_by_another_claimer_without_waiting(
    engine: AsyncEngine,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    issuers: list[Issuer],
) -> None:
    await _work_for(session, issuers[0], issuers[1])
    async with session_factory() as setup:
        await leases.ensure_leases(setup, issuer_ids=[issuers[0].id, issuers[1].id])
        await setup.commit()
    async with session_factory() as locker:
        # Another worker is in the middle of claiming issuer 0: its row is locked.
        await locker.execute(
            select(IssuerLease).where(IssuerLease.issuer_id == issuers[0].id).with_for_update()
        )
        async with session_factory() as claimer:
            # Were the row waited for, this would fail the claim instead of hanging the test.
            await claimer.execute(text("SET LOCAL lock_timeout = '5s'"))
            claimed = await leases.claim_leases(
                claimer, worker="w2", now=utcnow(), ttl=TTL, limit=10
            )
            await claimer.commit()
        await locker.rollback()

    assert [lease.issuer_id for lease in claimed] == [issuers[1].id]
