"""Connecting through Fortnox's login and consent pages with either account type."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit.models import AuditEvent
from sgx.integration.models import AccountType, ConnectionState, FortnoxConnection
from tests.builders.integration import FORTNOX_PASSWORD
from tests.fortnox_sandbox.oauth_helpers import submit
from tests.sgx.integration.conftest import Clinic
from tests.sgx.integration.flow import connect, connect_and_show, fortnox_page, start_connecting


async def stored_connection(session: AsyncSession, issuer_id: int) -> FortnoxConnection | None:
    return await session.scalar(
        select(FortnoxConnection)
        .where(FortnoxConnection.issuer_id == issuer_id)
        .execution_options(populate_existing=True)
    )


async def test_page_without_connection_offers_service_and_personal_account(
    client: httpx.AsyncClient, clinic: Clinic
) -> None:
    page = (await fortnox_page(client, clinic.id, clinic.admin)).text

    assert "Anslutning till Fortnox saknas" in page
    assert "Servicekonto (rekommenderas)" in page and "Personligt konto" in page
    assert "systemadministratör i Fortnox måste godkänna" in page
    assert ">Anslut</button>" in page
    assert "Sandlåda" in page


async def test_service_account_connects_through_login_and_consent_and_is_verified(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    page = (await connect_and_show(client, clinic.id, clinic.admin, account_type="service")).text

    assert "Anslutningen till Fortnox är klar och kontrollerad." in page
    assert ">Ansluten<" in page and "Servicekonto" in page
    assert "Alva Admin" in page and fortnox_company["name"] in page
    connection = await stored_connection(session, clinic.id)
    assert connection is not None
    assert connection.state is ConnectionState.CONNECTED
    assert connection.account_type is AccountType.SERVICE
    assert connection.tenant_id == fortnox_company["tenant_id"]
    assert connection.access_token_encrypted and connection.refresh_token_encrypted is None


async def test_personal_account_connects_and_keeps_a_refresh_token(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    page = (
        await connect_and_show(
            client, clinic.id, clinic.admin, account_type="personal", username="bertil"
        )
    ).text

    assert ">Ansluten<" in page and "Personligt konto" in page
    connection = await stored_connection(session, clinic.id)
    assert connection is not None and connection.state is ConnectionState.CONNECTED
    assert connection.account_type is AccountType.PERSONAL
    assert connection.refresh_token_encrypted is not None
    assert set(connection.scopes.split()) == {
        "companyinformation",
        "customer",
        "article",
        "invoice",
        "bookkeeping",
        "payment",
    }


async def test_connecting_is_audited_with_the_verification_result(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await connect_and_show(client, clinic.id, clinic.admin)

    events = (
        await session.scalars(
            select(AuditEvent).where(AuditEvent.issuer_id == clinic.id).order_by(AuditEvent.id)
        )
    ).all()
    actions = [event.action for event in events]
    assert actions == ["fortnox.connect_started", "fortnox.connected", "fortnox.verified"]
    assert events[-1].details["state"] == "connected"
    assert events[-1].details["organisation_matches"] is True


async def test_denied_consent_stores_nothing_and_says_so(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    answer = await connect(client, clinic.id, clinic.admin, decision="Avbryt")
    page = (await client.get(answer.headers["location"], headers=clinic.admin)).text

    assert "Anslutningen avbröts i Fortnox. Inget har sparats." in page
    assert "Anslutning till Fortnox saknas" in page
    assert await stored_connection(session, clinic.id) is None
    refusal = await session.scalar(
        select(AuditEvent).where(AuditEvent.action == "fortnox.connect_failed")
    )
    assert refusal is not None and refusal.details == {"reason": "denied"}


async def test_service_account_approved_by_someone_not_sysadmin_never_comes_back(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    login = await start_connecting(client, clinic.id, clinic.admin, account_type="service")
    refused = await submit(client, login, username="bertil", password=FORTNOX_PASSWORD)

    assert refused.status_code == 403
    assert "systemadministratör" in refused.text
    assert await stored_connection(session, clinic.id) is None
