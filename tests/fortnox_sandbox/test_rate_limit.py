"""Fortnox's rate limit in the sandbox: 25 requests per sliding 5 seconds per client and company."""

from __future__ import annotations

import httpx
import pytest

from tests.fortnox_sandbox.oauth_helpers import (
    COMPANY_INFORMATION,
    advance_clock,
    bearer,
    consent_tokens,
    make_company,
    register_client,
)


@pytest.fixture(autouse=True)
async def token(sandbox_client: httpx.AsyncClient) -> str:
    await register_client(sandbox_client)
    company = await make_company(sandbox_client)
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    return str(tokens["access_token"])


async def _calls(client: httpx.AsyncClient, token: str, n: int) -> list[int]:
    statuses = []
    for _ in range(n):
        statuses.append((await client.get(COMPANY_INFORMATION, headers=bearer(token))).status_code)
    return statuses


async def test_26th_request_within_five_seconds_answers_429(
    sandbox_client: httpx.AsyncClient, token: str
) -> None:
    assert await _calls(sandbox_client, token, 25) == [200] * 25
    refused = await sandbox_client.get(COMPANY_INFORMATION, headers=bearer(token))
    assert refused.status_code == 429
    assert refused.json() == {"message": "Too Many Requests"}


async def test_window_slides_so_old_requests_stop_counting(
    sandbox_client: httpx.AsyncClient, token: str
) -> None:
    await _calls(sandbox_client, token, 10)
    await advance_clock(sandbox_client, 3)
    assert await _calls(sandbox_client, token, 16) == [200] * 15 + [429]
    await advance_clock(sandbox_client, 2)
    # The first ten have left the window; the fifteen from three seconds ago still count.
    assert await _calls(sandbox_client, token, 11) == [200] * 10 + [429]


async def test_refused_requests_do_not_count(sandbox_client: httpx.AsyncClient, token: str) -> None:
    await _calls(sandbox_client, token, 25)
    assert await _calls(sandbox_client, token, 5) == [429] * 5
    await advance_clock(sandbox_client, 5)
    assert await _calls(sandbox_client, token, 25) == [200] * 25


async def test_other_company_has_its_own_window(
    sandbox_client: httpx.AsyncClient, token: str
) -> None:
    other = await make_company(sandbox_client, name="Annan AB", organisation_number="556111-2222")
    other_token = (await consent_tokens(sandbox_client, other["tenant_id"]))["access_token"]
    await _calls(sandbox_client, token, 25)
    assert await _calls(sandbox_client, other_token, 1) == [200]


async def test_requests_without_valid_token_are_not_counted(
    sandbox_client: httpx.AsyncClient, token: str
) -> None:
    assert await _calls(sandbox_client, "garbage", 30) == [401] * 30
    assert await _calls(sandbox_client, token, 25) == [200] * 25


async def test_limit_is_configurable_through_the_control_plane(
    sandbox_client: httpx.AsyncClient, token: str
) -> None:
    response = await sandbox_client.post(
        "/_sandbox/rate-limit", json={"requests": 3, "window_seconds": 1}
    )
    assert response.json() == {"enabled": True, "requests": 3, "window_seconds": 1.0}
    assert await _calls(sandbox_client, token, 4) == [200, 200, 200, 429]


async def test_limit_can_be_switched_off(sandbox_client: httpx.AsyncClient, token: str) -> None:
    response = await sandbox_client.post("/_sandbox/rate-limit", json={"enabled": False})
    assert response.json()["enabled"] is False
    assert await _calls(sandbox_client, token, 40) == [200] * 40


async def test_refusal_is_in_the_request_log(sandbox_client: httpx.AsyncClient, token: str) -> None:
    await _calls(sandbox_client, token, 26)
    log = (await sandbox_client.get("/_sandbox/requests", params={"path": "company"})).json()
    statuses = [entry["status"] for entry in log["requests"]]
    assert statuses == [200] * 25 + [429]
