"""``open_client``: a working client for a usable connection, a typed reason otherwise."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.integration.errors import (
    ConnectionLost,
    IntegrationDisabled,
    LicenceMissing,
    NotConnected,
    NotVerified,
    NoUsableConnection,
)
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.models import ConnectionState
from sgx.integration.service import open_client
from sgx.issuers.models import Issuer
from sgx.settings import Settings
from tests.builders.integration import consent, make_connection
from tests.sgx.integration.conftest import Clinic

SessionFactory = async_sessionmaker[AsyncSession]


async def connect_directly(
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
    clinic: Clinic,
    tenant_id: int,
    state: ConnectionState = ConnectionState.CONNECTED,
) -> None:
    tokens = await consent(sandbox, settings, tenant_id=tenant_id)
    await make_connection(
        session,
        issuer_id=clinic.id,
        box=gateway.box,
        tenant_id=tenant_id,
        tokens=tokens,
        state=state,
    )
    await session.commit()


async def test_usable_connection_gives_a_client_of_the_issuers_company(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    tenant_id = fortnox_company["tenant_id"]
    await connect_directly(session, sandbox, settings, gateway, clinic, tenant_id)

    opened = await open_client(session_factory, gateway, issuer_id=clinic.id)
    company = await opened.call(opened.client.company_information)

    assert opened.tenant_id == tenant_id
    assert company.company_name == fortnox_company["name"]
    assert opened.client.pacing_key.tenant_id == tenant_id


@pytest.mark.parametrize(
    ("state", "error"),
    [
        (ConnectionState.LOST, ConnectionLost),
        (ConnectionState.LICENCE_MISSING, LicenceMissing),
        (ConnectionState.PENDING_CONFIRMATION, NotVerified),
        (ConnectionState.UNVERIFIED, NotVerified),
    ],
)
async def test_connection_that_must_not_carry_transfers_is_refused_with_its_reason(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
    state: ConnectionState,
    error: type[NoUsableConnection],
) -> None:
    tenant_id = fortnox_company["tenant_id"]
    await connect_directly(session, sandbox, settings, gateway, clinic, tenant_id, state=state)

    with pytest.raises(error) as raised:
        await open_client(session_factory, gateway, issuer_id=clinic.id)

    assert raised.value.status == 409 and raised.value.code.startswith("fortnox_")


async def test_issuer_without_a_connection_is_not_connected(
    session_factory: SessionFactory, gateway: FortnoxGateway, clinic: Clinic
) -> None:
    with pytest.raises(NotConnected):
        await open_client(session_factory, gateway, issuer_id=clinic.id)


async def test_issuer_whose_integration_support_switched_off_is_refused(
    session: AsyncSession,
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await connect_directly(
        session, sandbox, settings, gateway, clinic, fortnox_company["tenant_id"]
    )
    await session.execute(update(Issuer).values(fortnox_integration_enabled=False))
    await session.commit()

    with pytest.raises(IntegrationDisabled):
        await open_client(session_factory, gateway, issuer_id=clinic.id)
