"""On PostgreSQL, ``enqueue`` notifies ``sgx_transfers`` and listeners hear it only on commit."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.issuers.models import Issuer
from sgx.outbox.models import JobKind
from sgx.outbox.service import enqueue
from sgx.outbox.wakeup import PostgresListener

pytestmark = pytest.mark.postgres_only


async def test_listener_hears_the_issuer_of_a_committed_job(
    engine: AsyncEngine, session: AsyncSession, issuers: list[Issuer]
) -> None:
    heard: asyncio.Queue[int | None] = asyncio.Queue()
    listener = PostgresListener(engine, heard.put_nowait)
    await listener.start()
    try:
        await enqueue(session, issuer_id=issuers[0].id, kind=JobKind.INVOICE, subject_id=1)
        await session.commit()
        issuer_id = await asyncio.wait_for(heard.get(), 10)
    finally:
        await listener.stop()

    assert issuer_id == issuers[0].id


async def test_listener_hears_nothing_of_a_rolled_back_job(
    engine: AsyncEngine, session: AsyncSession, issuers: list[Issuer]
) -> None:
    rolled_back, committed = issuers[0].id, issuers[2].id
    heard: asyncio.Queue[int | None] = asyncio.Queue()
    listener = PostgresListener(engine, heard.put_nowait)
    await listener.start()
    try:
        await enqueue(session, issuer_id=rolled_back, kind=JobKind.INVOICE, subject_id=1)
        await session.rollback()
        await enqueue(session, issuer_id=committed, kind=JobKind.INVOICE, subject_id=2)
        await session.commit()
        first = await asyncio.wait_for(heard.get(), 10)
    finally:
        await listener.stop()

    assert first == committed
    assert heard.empty()


async def test_a_dropped_listener_reconnects(
    engine: AsyncEngine, session: AsyncSession, issuers: list[Issuer]
) -> None:
    heard: asyncio.Queue[int | None] = asyncio.Queue()
    listener = PostgresListener(engine, heard.put_nowait)
    await listener.start()
    try:
        await listener._driver.close()  # the server or network dropped it
        assert not listener.alive
        assert await listener.ensure() is True
        await enqueue(session, issuer_id=issuers[1].id, kind=JobKind.INVOICE, subject_id=1)
        await session.commit()
        issuer_id = await asyncio.wait_for(heard.get(), 10)
    finally:
        await listener.stop()

    assert issuer_id == issuers[1].id
