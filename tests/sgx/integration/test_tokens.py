"""Keeping the tokens alive: single-flight renewal, client credentials, lost consent, proactive
refresh inside the 45 days."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.integration.errors import ConnectionLost
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.models import AccountType, ConnectionState, FortnoxConnection
from sgx.integration.service import open_client
from sgx.integration.tokens import ConnectionTokens, refresh_if_older_than
from sgx.kit.clock import utcnow
from sgx.settings import Settings
from tests.builders.integration import consent, make_connection
from tests.fortnox_sandbox.oauth_helpers import basic
from tests.sgx.integration.conftest import Clinic
from tests.sgx.integration.flow import post_form

EXPIRED = -dt.timedelta(minutes=1)
TOKEN_PATH = "oauth-v1/token"

SessionFactory = async_sessionmaker[AsyncSession]


async def token_requests(sandbox: httpx.AsyncClient) -> list[dict[str, Any]]:
    answer = await sandbox.get("/_sandbox/requests", params={"path": TOKEN_PATH})
    requests: list[dict[str, Any]] = answer.json()["requests"]
    return requests


async def stored(session: AsyncSession, issuer_id: int) -> FortnoxConnection:
    connection = await session.scalar(
        select(FortnoxConnection)
        .where(FortnoxConnection.issuer_id == issuer_id)
        .execution_options(populate_existing=True)
    )
    assert connection is not None
    session.expunge(connection)  # a detached copy keeps its values after the rollback
    await session.rollback()  # on SQLite an open transaction would hold the write lock
    return connection


async def refresh_at_fortnox(
    sandbox: httpx.AsyncClient, settings: Settings, refresh_token: str
) -> httpx.Response:
    return await sandbox.post(
        "/oauth-v1/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        headers=basic(settings.fortnox_client_id, settings.fortnox_client_secret),
    )


async def connected(
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
    *,
    issuer_id: int,
    tenant_id: int,
    account_type: AccountType = AccountType.PERSONAL,
    **options: Any,
) -> dict[str, Any]:
    tokens = await consent(sandbox, settings, tenant_id=tenant_id, account_type=account_type)
    await make_connection(
        session,
        issuer_id=issuer_id,
        box=gateway.box,
        tenant_id=tenant_id,
        tokens=tokens,
        account_type=account_type,
        **options,
    )
    await session.commit()
    await sandbox.delete("/_sandbox/requests")
    return tokens


async def test_eight_concurrent_tasks_refresh_an_expired_token_once(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    original = await connected(
        session,
        sandbox,
        settings,
        gateway,
        issuer_id=clinic.id,
        tenant_id=fortnox_company["tenant_id"],
        access_expires_in=EXPIRED,
    )
    providers = [ConnectionTokens(session_factory, gateway, issuer_id=clinic.id) for _ in range(8)]

    handed_out = await asyncio.gather(*(provider() for provider in providers))

    assert [request["status"] for request in await token_requests(sandbox)] == [200]
    assert len(set(handed_out)) == 1 and handed_out[0] != original["access_token"]


async def test_renewed_refresh_token_is_stored_before_the_access_token_is_used(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    original = await connected(
        session,
        sandbox,
        settings,
        gateway,
        issuer_id=clinic.id,
        tenant_id=fortnox_company["tenant_id"],
        access_expires_in=EXPIRED,
    )

    access_token = await ConnectionTokens(session_factory, gateway, issuer_id=clinic.id)()

    connection = await stored(session, clinic.id)
    assert gateway.box.decrypt(connection.access_token_encrypted or "") == access_token
    assert connection.token_version == 2
    spent = await refresh_at_fortnox(sandbox, settings, original["refresh_token"])
    assert spent.json()["error"] == "invalid_grant"
    live = gateway.box.decrypt(connection.refresh_token_encrypted or "")
    assert (await refresh_at_fortnox(sandbox, settings, live)).status_code == 200


async def test_valid_access_token_is_used_without_asking_fortnox(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    original = await connected(
        session,
        sandbox,
        settings,
        gateway,
        issuer_id=clinic.id,
        tenant_id=fortnox_company["tenant_id"],
    )

    access_token = await ConnectionTokens(session_factory, gateway, issuer_id=clinic.id)()

    assert access_token == original["access_token"]
    assert await token_requests(sandbox) == []


async def test_service_account_renews_with_client_credentials_and_the_tenant(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await connected(
        session,
        sandbox,
        settings,
        gateway,
        issuer_id=clinic.id,
        tenant_id=fortnox_company["tenant_id"],
        account_type=AccountType.SERVICE,
        access_expires_in=EXPIRED,
    )

    opened = await open_client(session_factory, gateway, issuer_id=clinic.id)
    company = await opened.call(opened.client.company_information)

    assert company.database_number == fortnox_company["tenant_id"]
    [grant] = await token_requests(sandbox)
    assert (grant["status"], grant["tenant_id"]) == (200, fortnox_company["tenant_id"])
    assert (await stored(session, clinic.id)).refresh_token_encrypted is None


@pytest.mark.parametrize("account_type", [AccountType.PERSONAL, AccountType.SERVICE])
async def test_revoked_consent_makes_the_connection_lost(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
    account_type: AccountType,
) -> None:
    tenant_id = fortnox_company["tenant_id"]
    await connected(
        session,
        sandbox,
        settings,
        gateway,
        issuer_id=clinic.id,
        tenant_id=tenant_id,
        account_type=account_type,
    )
    opened = await open_client(session_factory, gateway, issuer_id=clinic.id)
    await sandbox.post(
        f"/_sandbox/tenants/{tenant_id}/actions",
        json={"action": "revoke_consent", "client_id": settings.fortnox_client_id},
    )

    with pytest.raises(ConnectionLost):
        await opened.call(opened.client.company_information)

    connection = await stored(session, clinic.id)
    assert connection.state is ConnectionState.LOST
    assert connection.last_error_code == "invalid_grant"
    with pytest.raises(ConnectionLost):
        await open_client(session_factory, gateway, issuer_id=clinic.id)


async def test_revoked_consent_shows_that_the_connection_has_ended(
    client: httpx.AsyncClient,
    session: AsyncSession,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    tenant_id = fortnox_company["tenant_id"]
    await connected(session, sandbox, settings, gateway, issuer_id=clinic.id, tenant_id=tenant_id)
    await sandbox.post(
        f"/_sandbox/tenants/{tenant_id}/actions",
        json={"action": "revoke_consent", "client_id": settings.fortnox_client_id},
    )

    answer = await post_form(client, clinic.id, "verify", clinic.admin)
    page = (await client.get(answer.headers["location"], headers=clinic.admin)).text

    assert ">Anslutningen till Fortnox har upphört<" in page
    assert "En Administratör behöver ansluta igen." in page
    assert "Anslut igen" in page


async def test_proactive_refresh_keeps_a_quiet_connection_alive_past_45_days(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    forty_days = 40 * 24 * 3600
    await connected(
        session,
        sandbox,
        settings,
        gateway,
        issuer_id=clinic.id,
        tenant_id=fortnox_company["tenant_id"],
        refresh_issued_at=utcnow() - dt.timedelta(seconds=forty_days),
    )
    await sandbox.post("/_sandbox/clock", json={"advance_seconds": forty_days})

    renewed = await refresh_if_older_than(session_factory, gateway, age=dt.timedelta(days=30))
    await sandbox.post("/_sandbox/clock", json={"advance_seconds": 10 * 24 * 3600})

    assert renewed == [clinic.id]
    live = gateway.box.decrypt((await stored(session, clinic.id)).refresh_token_encrypted or "")
    assert (await refresh_at_fortnox(sandbox, settings, live)).status_code == 200


async def test_proactive_refresh_leaves_young_connections_alone(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await connected(
        session,
        sandbox,
        settings,
        gateway,
        issuer_id=clinic.id,
        tenant_id=fortnox_company["tenant_id"],
        refresh_issued_at=utcnow() - dt.timedelta(days=29),
    )

    renewed = await refresh_if_older_than(session_factory, gateway, age=dt.timedelta(days=30))

    assert renewed == []
    assert await token_requests(sandbox) == []


async def test_token_rejected_right_after_renewal_makes_the_connection_lost(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await connected(
        session,
        sandbox,
        settings,
        gateway,
        issuer_id=clinic.id,
        tenant_id=fortnox_company["tenant_id"],
    )
    fault = {"kind": "status", "status": 401, "path": "companyinformation", "count": 2}
    assert (await sandbox.post("/_sandbox/faults", json=fault)).status_code == 200
    opened = await open_client(session_factory, gateway, issuer_id=clinic.id)

    with pytest.raises(ConnectionLost):
        await opened.call(opened.client.company_information)

    assert [request["status"] for request in await token_requests(sandbox)] == [200]
    connection = await stored(session, clinic.id)
    assert (connection.state, connection.last_error_code) == (
        ConnectionState.LOST,
        "fresh_token_rejected",
    )


async def test_one_stale_token_rejection_renews_and_succeeds(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await connected(
        session,
        sandbox,
        settings,
        gateway,
        issuer_id=clinic.id,
        tenant_id=fortnox_company["tenant_id"],
    )
    fault = {"kind": "status", "status": 401, "path": "companyinformation", "count": 1}
    assert (await sandbox.post("/_sandbox/faults", json=fault)).status_code == 200
    opened = await open_client(session_factory, gateway, issuer_id=clinic.id)

    company = await opened.call(opened.client.company_information)

    assert company.company_name == fortnox_company["name"]
    assert (await stored(session, clinic.id)).state is ConnectionState.CONNECTED


async def test_token_renewed_here_that_worked_and_then_expired_is_renewed_again(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await connected(
        session,
        sandbox,
        settings,
        gateway,
        issuer_id=clinic.id,
        tenant_id=fortnox_company["tenant_id"],
        access_expires_in=EXPIRED,
    )
    opened = await open_client(session_factory, gateway, issuer_id=clinic.id)
    await opened.call(opened.client.company_information)  # renews first, then works
    # Fortnox lets the token die before SGX expected it to (here: an hour passes at once).
    assert (await sandbox.post("/_sandbox/clock", json={"advance_seconds": 3600})).is_success

    company = await opened.call(opened.client.company_information)

    assert company.company_name == fortnox_company["name"]
    assert [request["status"] for request in await token_requests(sandbox)] == [200, 200]
    assert (await stored(session, clinic.id)).state is ConnectionState.CONNECTED
