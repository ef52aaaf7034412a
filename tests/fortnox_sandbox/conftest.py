"""Sandbox test fixtures: a seeded company and an httpx client holding a valid token for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest

from fortnox_sandbox.backend import SandboxBackend
from fortnox_sandbox.tenants import Company
from tests.fortnox_sandbox.rest_builders import token_for


@pytest.fixture
def company(sandbox_backend: SandboxBackend) -> Company:
    # REST tests run on a fixed day: 2026-03-10 10:00 in Stockholm (financial years 2025, 2026).
    sandbox_backend.clock.set(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC))
    return sandbox_backend.create_company(
        name="Företagshälsan i Ås AB",
        organisation_number="556677-8899",
        address="Storgatan 1",
        zip_code="123 45",
        city="Ås",
        users=[{"username": "anna", "password": "hemligt-123", "sysadmin": True}],
    )


@pytest.fixture
async def fortnox(
    sandbox_app,  # type: ignore[no-untyped-def]
    sandbox_backend: SandboxBackend,
    company: Company,
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``/3/`` authorised with every scope for ``company``."""
    # These tests are about resources, not pacing; the rate limit has its own tests.
    sandbox_backend.rate_limiter.configure(enabled=False)
    transport = httpx.ASGITransport(app=sandbox_app)
    headers = {"Authorization": f"Bearer {token_for(sandbox_backend, company)}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://fortnox.test", headers=headers
    ) as client:
        yield client
