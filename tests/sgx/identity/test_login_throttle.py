"""Failed logins are throttled per username: five failures lock the name for fifteen minutes."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.audit.models import AuditEvent
from sgx.identity import service, throttle
from sgx.identity.throttle import LOCKOUT, MAX_FAILURES, WINDOW, LoginThrottle, LoginThrottled
from sgx.kit.clock import utcnow
from sgx.kit.db import create_session_factory
from tests.builders.identity import make_user
from tests.sgx.identity.pages import log_in

PASSWORD = "rätt-lösenord-123"
WRONG = "fel-lösenord-123"
THROTTLED = "För många misslyckade inloggningsförsök. Försök igen om en stund."
CONCURRENT = 20


async def _fail(client: httpx.AsyncClient, username: str, times: int) -> list[int]:
    return [(await log_in(client, username, WRONG)).status_code for _ in range(times)]


async def _move_clock_forward(session: AsyncSession, by: dt.timedelta) -> None:
    """As if ``by`` had passed: every stored failure and lock lies that much further back."""
    for row in await session.scalars(select(LoginThrottle)):
        row.window_started_at -= by
        if row.locked_until is not None:
            row.locked_until -= by
    await session.commit()


async def test_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    await session.commit()

    statuses = await _fail(client, "anna", MAX_FAILURES)
    response = await log_in(client, "anna", PASSWORD)

    assert statuses == [401] * MAX_FAILURES
    assert response.status_code == 429
    assert THROTTLED in response.text and "Fel användarnamn" not in response.text
    assert 0 < int(response.headers["retry-after"]) <= LOCKOUT.total_seconds()
    assert (await client.get("/")).headers["location"] == "/login"


async def test_right_password_works_once_the_lock_has_run_out(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    await session.commit()
    await _fail(client, "anna", MAX_FAILURES)
    assert (await log_in(client, "anna", PASSWORD)).status_code == 429

    await _move_clock_forward(session, LOCKOUT + dt.timedelta(seconds=1))
    response = await log_in(client, "anna", PASSWORD)

    assert response.status_code == 303 and response.headers["location"] == "/issuers"


async def test_a_successful_login_resets_the_count(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    await session.commit()
    await _fail(client, "anna", MAX_FAILURES - 1)
    assert (await log_in(client, "anna", PASSWORD)).status_code == 303
    client.cookies.clear()  # signed out again

    statuses = await _fail(client, "anna", MAX_FAILURES - 1)
    response = await log_in(client, "anna", PASSWORD)

    assert statuses == [401] * (MAX_FAILURES - 1)
    assert response.status_code == 303


async def test_an_unknown_username_is_throttled_the_same_way(client: httpx.AsyncClient) -> None:
    statuses = await _fail(client, "okänd", MAX_FAILURES)
    response = await log_in(client, "okänd", PASSWORD)

    assert statuses == [401] * MAX_FAILURES
    assert response.status_code == 429 and THROTTLED in response.text


async def test_usernames_differing_in_case_and_spaces_share_a_count(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    await session.commit()
    for spelling in ["anna", "Anna", " ANNA", "anna ", "aNNa"]:
        await _fail(client, spelling, 1)

    response = await log_in(client, "anna", PASSWORD)

    assert response.status_code == 429


async def test_other_users_are_unaffected_by_a_lock(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    await make_user(session, username="bertil", password=PASSWORD)
    await session.commit()
    await _fail(client, "anna", MAX_FAILURES)

    bertil_wrong = await log_in(client, "bertil", WRONG)
    bertil_right = await log_in(client, "bertil", PASSWORD)

    assert bertil_wrong.status_code == 401
    assert bertil_right.status_code == 303


async def test_a_lock_on_a_user_goes_into_the_audit_trail_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await make_user(session, username="anna", password=PASSWORD)
    await session.commit()

    await _fail(client, "ANNA", MAX_FAILURES)
    await log_in(client, "anna", PASSWORD)

    events = (
        await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "identity.login_locked")
        )
    ).all()
    assert [(event.subject, event.details["username"]) for event in events] == [
        (f"user:{user.id}", "anna")
    ]


async def test_the_lock_lasts_fifteen_minutes_from_the_fifth_failure(
    session: AsyncSession,
) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    start = utcnow()
    for minute in range(MAX_FAILURES):
        now = start + dt.timedelta(minutes=minute)
        assert await service.authenticate(session, username="anna", password=WRONG, now=now) is None
    fifth = start + dt.timedelta(minutes=MAX_FAILURES - 1)

    with pytest.raises(LoginThrottled) as refused:
        await service.authenticate(
            session,
            username="anna",
            password=PASSWORD,
            now=fifth + LOCKOUT - dt.timedelta(seconds=1),
        )
    user = await service.authenticate(
        session, username="anna", password=PASSWORD, now=fifth + LOCKOUT
    )

    assert refused.value.locked_until == fifth + LOCKOUT
    assert refused.value.status == 429 and refused.value.code == "login_throttled"
    assert user is not None and user.username == "anna"


async def test_failures_further_apart_than_the_window_never_lock(session: AsyncSession) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    start = utcnow()
    for now in (start, start + WINDOW + dt.timedelta(seconds=1)):
        for _ in range(MAX_FAILURES - 1):
            await service.authenticate(session, username="anna", password=WRONG, now=now)

    later = start + WINDOW + dt.timedelta(seconds=2)
    assert await throttle.locked_until(session, username="anna", now=later) is None
    user = await service.authenticate(session, username="anna", password=PASSWORD, now=later)
    assert user is not None


async def test_a_failure_after_a_lock_has_run_out_starts_a_new_count(
    session: AsyncSession,
) -> None:
    start = utcnow()
    for _ in range(MAX_FAILURES):
        await throttle.record_failure(session, username="anna", now=start)

    after_lock = start + LOCKOUT
    locked_again = await throttle.record_failure(session, username="anna", now=after_lock)

    row = await session.get(LoginThrottle, "anna")
    assert not locked_again
    assert row is not None and row.failures == 1 and row.locked_until is None


@pytest.mark.postgres_only
async def test_concurrent_failures_from_separate_connections_are_all_counted(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    now = utcnow()

    async def fail_once() -> bool:
        async with create_session_factory(engine)() as own:
            started_lock = await throttle.record_failure(own, username="anna", now=now)
            await own.commit()
            return started_lock

    started = await asyncio.gather(*(fail_once() for _ in range(CONCURRENT)))

    row = await session.get(LoginThrottle, "anna")
    assert row is not None and row.failures == CONCURRENT
    assert row.locked_until == now + LOCKOUT
    assert started.count(True) == 1
