"""Fixtures for client tests: a sandbox company and a ``FortnoxClient`` holding every scope."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from sgx.fortnox.client import FortnoxClient
from tests.sgx.fortnox.sandbox import (
    TODAY,
    consent,
    create_company,
    fortnox_client,
    register_client,
)


@pytest.fixture
async def tenant_id(sandbox_client: httpx.AsyncClient) -> int:
    # A fixed day in Stockholm, so that financial years and due dates are known.
    moment = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC).isoformat()
    response = await sandbox_client.post("/_sandbox/clock", json={"set": moment})
    assert response.status_code == 200, response.text
    await register_client(sandbox_client)
    return await create_company(sandbox_client)


@pytest.fixture
async def fortnox(sandbox_client: httpx.AsyncClient, tenant_id: int) -> FortnoxClient:
    tokens = await consent(sandbox_client, tenant_id)
    return fortnox_client(sandbox_client, tokens["access_token"], tenant_id)
