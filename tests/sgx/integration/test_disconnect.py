""" "Koppla från": the refresh token is revoked at Fortnox, the stored credentials deleted."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit.models import AuditEvent
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.models import ConnectionState, FortnoxConnection
from sgx.settings import Settings
from tests.builders.integration import FORTNOX_PASSWORD
from tests.fortnox_sandbox.oauth_helpers import basic
from tests.sgx.integration.conftest import Clinic
from tests.sgx.integration.flow import (
    connect_and_show,
    fortnox_page,
    post_form,
    start_connecting,
    through_fortnox,
)


async def stored(session: AsyncSession, issuer_id: int) -> FortnoxConnection:
    connection = await session.scalar(
        select(FortnoxConnection).where(FortnoxConnection.issuer_id == issuer_id)
    )
    assert connection is not None
    session.expunge(connection)
    await session.rollback()  # on SQLite an open transaction would hold the write lock
    return connection


async def disconnect(client: httpx.AsyncClient, clinic: Clinic) -> str:
    answer = await post_form(client, clinic.id, "disconnect", clinic.admin)
    assert answer.status_code == 303, answer.text
    return (await client.get(answer.headers["location"], headers=clinic.admin)).text


async def test_disconnect_revokes_the_refresh_token_and_deletes_the_credentials(
    client: httpx.AsyncClient,
    session: AsyncSession,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await connect_and_show(client, clinic.id, clinic.admin, account_type="personal")
    connection = await stored(session, clinic.id)
    refresh_token = gateway.box.decrypt(connection.refresh_token_encrypted or "")

    page = await disconnect(client, clinic)

    assert "Fortnox är frånkopplat. Förnyelsetoken har återkallats" in page
    assert "Anslutning till Fortnox saknas" in page
    after = await stored(session, clinic.id)
    assert after.state is ConnectionState.NOT_CONNECTED
    assert (after.access_token_encrypted, after.refresh_token_encrypted) == (None, None)
    assert (after.tenant_id, after.company_name) == (None, "")
    refused = await sandbox.post(
        "/oauth-v1/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        headers=basic(settings.fortnox_client_id, settings.fortnox_client_secret),
    )
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant")


async def test_disconnect_is_audited(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await connect_and_show(client, clinic.id, clinic.admin, account_type="personal")

    await disconnect(client, clinic)

    event = await session.scalar(
        select(AuditEvent).where(AuditEvent.action == "fortnox.disconnected")
    )
    assert event is not None and event.issuer_id == clinic.id
    assert event.details["refresh_token_revoked"] is True
    assert event.details["tenant_id"] == fortnox_company["tenant_id"]


async def test_disconnecting_a_service_account_deletes_its_credentials_and_says_what_remains(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await connect_and_show(client, clinic.id, clinic.admin, account_type="service")

    page = await disconnect(client, clinic)

    assert "Servicekontots medgivande tas bort i Fortnox av en systemadministratör." in page
    after = await stored(session, clinic.id)
    assert (after.state, after.access_token_encrypted) == (ConnectionState.NOT_CONNECTED, None)


async def test_reconnecting_after_disconnect_is_connected_again(
    client: httpx.AsyncClient,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await connect_and_show(client, clinic.id, clinic.admin, account_type="personal")
    await disconnect(client, clinic)

    page = (await connect_and_show(client, clinic.id, clinic.admin)).text

    assert ">Ansluten<" in page and "Servicekonto" in page


async def test_reconnecting_a_lost_connection_to_another_company_is_refused(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    tenant_id = fortnox_company["tenant_id"]
    await connect_and_show(client, clinic.id, clinic.admin, account_type="personal")
    await sandbox.post(
        f"/_sandbox/tenants/{tenant_id}/actions",
        json={"action": "revoke_consent", "client_id": settings.fortnox_client_id},
    )
    await post_form(client, clinic.id, "verify", clinic.admin)
    other = await sandbox.post(
        "/_sandbox/companies",
        json={
            "name": "Fel Företag AB",
            "organisation_number": "556036-0793",
            "users": [{"username": "cecilia", "password": FORTNOX_PASSWORD, "sysadmin": True}],
        },
    )
    assert other.status_code == 200, other.text

    login = await start_connecting(client, clinic.id, clinic.admin)
    callback = await through_fortnox(client, login, username="cecilia")
    answer = await client.get(callback, headers=clinic.admin)
    page = (await fortnox_page(client, clinic.id, clinic.admin)).text
    notice = (await client.get(answer.headers["location"], headers=clinic.admin)).text

    assert "Du valde ett annat Fortnox-företag" in notice
    assert ">Anslutningen till Fortnox har upphört<" in page
    after = await stored(session, clinic.id)
    assert (after.tenant_id, after.state) == (tenant_id, ConnectionState.LOST)
