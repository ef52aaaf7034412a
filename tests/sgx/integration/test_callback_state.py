"""The ``state`` of the OAuth round trip: single use, bound to the browser session and the user,
expires; a callback that fails any of these is refused with a Swedish message, nothing stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit.models import AuditEvent
from sgx.identity.models import IssuerRole
from sgx.integration.models import FortnoxConnection, OAuthState
from sgx.kit.clock import utcnow
from tests.builders.identity import bearer, make_api_token, make_user
from tests.sgx.integration.conftest import Clinic
from tests.sgx.integration.flow import start_connecting, through_fortnox


async def token_version(session: AsyncSession, issuer_id: int) -> int | None:
    version = await session.scalar(
        select(FortnoxConnection.token_version).where(FortnoxConnection.issuer_id == issuer_id)
    )
    await session.rollback()  # on SQLite an open transaction would hold the write lock
    return version


async def test_replayed_callback_is_refused_and_stores_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    login = await start_connecting(client, clinic.id, clinic.admin)
    callback = await through_fortnox(client, login)
    first = await client.get(callback, headers=clinic.admin)
    assert first.status_code == 303
    version = await token_version(session, clinic.id)

    replay = await client.get(callback, headers=clinic.admin)

    assert replay.status_code == 400
    assert "Svaret från Fortnox har redan använts. Inget har sparats." in replay.text
    assert await token_version(session, clinic.id) == version


async def test_forged_state_is_refused(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    login = await start_connecting(client, clinic.id, clinic.admin)
    callback = await through_fortnox(client, login)
    forged = callback.replace("state=", "state=x")

    answer = await client.get(forged, headers=clinic.admin)

    assert answer.status_code == 400
    assert "hör inte till någon påbörjad anslutning" in answer.text
    assert await token_version(session, clinic.id) is None


async def test_callback_in_another_browser_session_is_refused(
    app: Any,
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    login = await start_connecting(client, clinic.id, clinic.admin)
    callback = await through_fortnox(client, login)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        answer = await other.get(callback, headers=clinic.admin)

    assert answer.status_code == 400
    assert "Svaret från Fortnox hör inte till din inloggning." in answer.text
    assert await token_version(session, clinic.id) is None


async def test_callback_for_another_user_in_the_same_browser_is_refused(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    colleague = await make_user(session, roles={clinic.id: IssuerRole.ADMIN})
    colleague_headers = bearer(await make_api_token(session, user=colleague))
    await session.commit()
    login = await start_connecting(client, clinic.id, clinic.admin)
    callback = await through_fortnox(client, login)

    answer = await client.get(callback, headers=colleague_headers)

    assert answer.status_code == 400
    assert "hör inte till din inloggning" in answer.text
    assert await token_version(session, clinic.id) is None


async def test_expired_state_is_refused(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    login = await start_connecting(client, clinic.id, clinic.admin)
    callback = await through_fortnox(client, login)
    await session.execute(update(OAuthState).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    await session.commit()

    answer = await client.get(callback, headers=clinic.admin)

    assert answer.status_code == 400
    assert "Anslutningen tog för lång tid (mer än 10 minuter). Inget har sparats." in answer.text
    assert await token_version(session, clinic.id) is None
    refusal = await session.scalar(
        select(AuditEvent).where(AuditEvent.action == "fortnox.connect_failed")
    )
    assert refusal is not None and refusal.details == {"reason": "oauth_state_expired"}


async def test_state_is_stored_only_as_digests_with_a_ten_minute_lifetime(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    login = await start_connecting(client, clinic.id, clinic.admin)
    callback = await through_fortnox(client, login)
    sent_state = httpx.URL(callback).params["state"]

    stored = await session.scalar(select(OAuthState))

    assert stored is not None
    assert sent_state not in (stored.state_digest, stored.session_binding)
    assert stored.expires_at - stored.created_at == dt.timedelta(minutes=10)
    assert stored.issuer_id == clinic.id and stored.used_at is None
