"""Persistence: two backends over the same state file see the same companies, clients and tokens."""

from __future__ import annotations

from pathlib import Path

import httpx

from fortnox_sandbox.app import create_app
from fortnox_sandbox.backend import SandboxBackend
from tests.fortnox_sandbox.oauth_helpers import (
    consent_tokens,
    make_company,
    refresh,
    register_client,
)


def _client(backend: SandboxBackend) -> httpx.AsyncClient:
    app = create_app(backend, control=True)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fortnox.test")


async def test_second_backend_loads_what_the_first_wrote(tmp_path: Path) -> None:
    state_file = str(tmp_path / "state.db")
    async with _client(SandboxBackend(state_file=state_file)) as first:
        await register_client(first)
        company = await make_company(first, name="Sparat AB")
    second = SandboxBackend(state_file=state_file)
    assert second.companies[company["tenant_id"]].name == "Sparat AB"
    assert "sgx-test-client" in second.clients


async def test_refresh_token_issued_before_a_restart_still_works(tmp_path: Path) -> None:
    state_file = str(tmp_path / "state.db")
    async with _client(SandboxBackend(state_file=state_file)) as first:
        await register_client(first)
        company = await make_company(first)
        tokens = await consent_tokens(first, company["tenant_id"])
    async with _client(SandboxBackend(state_file=state_file)) as second:
        response = await refresh(second, tokens["refresh_token"])
    assert response.status_code == 200


async def test_used_refresh_token_stays_used_after_a_restart(tmp_path: Path) -> None:
    state_file = str(tmp_path / "state.db")
    async with _client(SandboxBackend(state_file=state_file)) as first:
        await register_client(first)
        company = await make_company(first)
        tokens = await consent_tokens(first, company["tenant_id"])
        await refresh(first, tokens["refresh_token"])
    async with _client(SandboxBackend(state_file=state_file)) as second:
        response = await refresh(second, tokens["refresh_token"])
    assert response.status_code == 400


async def test_clock_offset_survives_a_restart(tmp_path: Path) -> None:
    state_file = str(tmp_path / "state.db")
    async with _client(SandboxBackend(state_file=state_file)) as first:
        await first.post("/_sandbox/clock", json={"advance_seconds": 86400})
    assert SandboxBackend(state_file=state_file).clock.offset.total_seconds() == 86400
