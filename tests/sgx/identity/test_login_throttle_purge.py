"""Spent throttle rows are purged after failed logins, so guessing many names cannot grow the
table for ever; rows that still count, and rows a running count holds, are kept."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sgx.identity import throttle
from sgx.identity.throttle import LOCKOUT, MAX_FAILURES, PURGE_BATCH, WINDOW, LoginThrottle
from sgx.kit.clock import utcnow
from sgx.kit.db import create_session_factory
from tests.sgx.identity.pages import log_in

SECOND = dt.timedelta(seconds=1)
Factory = async_sessionmaker[AsyncSession]


async def _wait_until_someone_waits_for(factory: Factory, holder: AsyncSession) -> None:
    """Return once another connection waits for a lock that ``holder``'s open transaction holds
    (asked of PostgreSQL itself, never guessed with a sleep)."""
    pid = await holder.scalar(text("SELECT pg_backend_pid()"))
    query = text(
        "SELECT count(*) > 0 FROM pg_stat_activity WHERE :holder = ANY(pg_blocking_pids(pid))"
    )
    async with asyncio.timeout(10), factory() as observer:
        while not await observer.scalar(query, {"holder": pid}):
            await observer.rollback()  # a fresh snapshot for the next look


async def _keys(session: AsyncSession) -> set[str]:
    return set(await session.scalars(select(LoginThrottle.username_key)))


async def _with_a_spent_row(engine: AsyncEngine, username: str, *, now: dt.datetime) -> Factory:
    """A committed row of ``username`` whose window has passed; the factory of sessions."""
    factory = create_session_factory(engine)
    async with factory() as setup:
        await throttle.record_failure(setup, username=username, now=now - WINDOW - SECOND)
        await setup.commit()
    return factory


async def _assert_counted_once(factory: Factory, username: str, *, now: dt.datetime) -> None:
    async with factory() as check:
        row = await check.get(LoginThrottle, username)
        assert row is not None and row.failures == 1 and row.window_started_at == now


async def test_purge_deletes_spent_rows_and_keeps_counting_and_locked_ones(
    session: AsyncSession,
) -> None:
    now = utcnow()
    await throttle.record_failure(session, username="old", now=now - WINDOW - SECOND)
    await throttle.record_failure(session, username="recent", now=now - WINDOW + SECOND)
    await throttle.record_failure(session, username="reset", now=now)
    await throttle.clear(session, username="reset")
    first = now - WINDOW - SECOND  # the window of "locked" has passed, its lock has not
    for at in [first] * (MAX_FAILURES - 1) + [first + WINDOW - SECOND]:
        await throttle.record_failure(session, username="locked", now=at)
    for _ in range(MAX_FAILURES):  # locked, and the lock has run out
        await throttle.record_failure(session, username="served", now=now - LOCKOUT - SECOND)

    purged = await throttle.purge_spent(session, now=now)

    assert purged == 3
    assert await _keys(session) == {"recent", "locked"}
    locked = await session.get(LoginThrottle, "locked")
    assert locked is not None and locked.window_started_at <= now - WINDOW
    assert await throttle.locked_until(session, username="locked", now=now) is not None


async def test_purge_goes_in_batches(session: AsyncSession) -> None:
    long_ago = utcnow() - WINDOW - SECOND
    for number in range(PURGE_BATCH + 20):
        await throttle.record_failure(session, username=f"guess{number}", now=long_ago)

    first = await throttle.purge_spent(session, now=utcnow())
    second = await throttle.purge_spent(session, now=utcnow())

    assert (first, second) == (PURGE_BATCH, 20)
    assert await session.scalar(select(func.count()).select_from(LoginThrottle)) == 0


async def test_a_failed_login_purges_other_names_spent_rows(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    assert (await log_in(client, "bertil", "fel-lösenord")).status_code == 401
    for row in await session.scalars(select(LoginThrottle)):
        row.window_started_at -= WINDOW + SECOND  # as if the window had passed
    await session.commit()

    response = await log_in(client, "cecilia", "fel-lösenord")

    assert response.status_code == 401
    session.expire_all()
    assert await _keys(session) == {"cecilia"}


@pytest.mark.postgres_only
async def test_purge_skips_a_row_that_a_running_count_holds(engine: AsyncEngine) -> None:
    now = utcnow()
    factory = await _with_a_spent_row(engine, "anna", now=now)

    async with factory() as counting, factory() as purging:
        await throttle.record_failure(counting, username="anna", now=now)  # holds the row
        purged = await asyncio.wait_for(throttle.purge_spent(purging, now=now), timeout=5)
        await purging.commit()
        await counting.commit()

    assert purged == 0
    await _assert_counted_once(factory, "anna", now=now)


@pytest.mark.postgres_only
async def test_a_count_whose_row_is_being_purged_is_still_counted(engine: AsyncEngine) -> None:
    now = utcnow()
    factory = await _with_a_spent_row(engine, "anna", now=now)

    async with factory() as purging, factory() as counting:
        assert await throttle.purge_spent(purging, now=now) == 1  # deleted, not yet committed

        async def count() -> bool:
            started_lock = await throttle.record_failure(counting, username="anna", now=now)
            await counting.commit()
            return started_lock

        counted = asyncio.create_task(count())
        await _wait_until_someone_waits_for(factory, purging)  # the count waits on the delete
        await purging.commit()
        assert await asyncio.wait_for(counted, timeout=5) is False

    await _assert_counted_once(factory, "anna", now=now)
