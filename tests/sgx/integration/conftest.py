"""Fixtures for the connection tests: the SGX app calling the in-process sandbox, SGX's client
registered there, a gateway for service-level tests, and an issuer with its Fortnox company."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sgx.app import create_app
from sgx.identity.models import IssuerRole
from sgx.integration.gateway import FortnoxGateway, new_http_client
from sgx.kit.db import create_session_factory
from sgx.settings import SANDBOX_MOUNT_PATH, Settings
from tests.builders.identity import bearer, make_api_token, make_issuer, make_user
from tests.builders.integration import make_fortnox_company, register_sgx_client

# How the Fortnox company numbers invoices after callers chose numbers (undocumented, so the
# sandbox offers each plausible behaviour): "lowest_free", "after_highest", and
# "fortnox_assigns", where Fortnox ignores SGX's number and takes a repeated POST twice.
KEEPS_OUR_NUMBERS = ["lowest_free", "after_highest"]
NUMBERING_MODES = [*KEEPS_OUR_NUMBERS, "fortnox_assigns"]
ISSUER_ORGANISATION_NUMBER = "5560360793"
FORTNOX_ORGANISATION_NUMBER = "556036-0793"  # the same company, spelled the Fortnox way


def sandbox_transport(sandbox_app: Any) -> httpx.ASGITransport:
    """Calls to ``{base}/fortnox-sandbox/…`` reach the sandbox app as they would when mounted."""
    return httpx.ASGITransport(app=sandbox_app, root_path=SANDBOX_MOUNT_PATH)


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine, sandbox_app: Any) -> Any:
    return create_app(
        settings,
        engine=engine,
        sandbox_app=sandbox_app,
        fortnox_transport=sandbox_transport(sandbox_app),
    )


@pytest.fixture
async def gateway(settings: Settings, sandbox_app: Any) -> AsyncIterator[FortnoxGateway]:
    async with new_http_client(sandbox_transport(sandbox_app)) as http:
        yield FortnoxGateway.create(http=http, settings=settings)


@pytest.fixture(params=NUMBERING_MODES)
def numbering(request: pytest.FixtureRequest) -> str:
    """Each of the sandbox's invoice numbering modes in turn."""
    mode: str = request.param
    return mode


@pytest.fixture(params=KEEPS_OUR_NUMBERS)
def numbering_keeping_our_numbers(request: pytest.FixtureRequest) -> str:
    """The numbering modes in which Fortnox takes SGX's own invoice numbers."""
    mode: str = request.param
    return mode


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def sandbox(sandbox_client: httpx.AsyncClient, settings: Settings) -> httpx.AsyncClient:
    """The sandbox's control plane, with SGX's OAuth client registered."""
    await register_sgx_client(sandbox_client, settings)
    return sandbox_client


@pytest.fixture
async def fortnox_company(sandbox: httpx.AsyncClient) -> dict[str, Any]:
    return await make_fortnox_company(sandbox, organisation_number=FORTNOX_ORGANISATION_NUMBER)


@dataclass
class Clinic:
    id: int  # the issuer's
    admin: dict[str, str]  # request headers signing the issuer's Administratör in


@pytest.fixture
async def clinic(session: AsyncSession) -> Clinic:
    """An issuer with the integration switched on by Support, and its Administratör."""
    issuer = await make_issuer(
        session,
        name="Företagshälsan i Ås",
        organisation_number=ISSUER_ORGANISATION_NUMBER,
        fortnox_integration_enabled=True,
    )
    admin = await make_user(session, full_name="Alva Admin", roles={issuer.id: IssuerRole.ADMIN})
    headers = bearer(await make_api_token(session, user=admin))
    await session.commit()
    return Clinic(id=issuer.id, admin=headers)
