"""200 requests pushed at once for one tenant stay within Fortnox's rate limit.

The sandbox enforces Fortnox's sliding window per (client id, tenant). To keep the test short the
window is shrunk to 25 requests per 0.5 s on both sides; the defaults are 25 per 5 s.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from sgx.fortnox.errors import RateLimited
from sgx.fortnox.pacing import SlidingWindowPacer
from tests.sgx.fortnox.sandbox import consent, fortnox_client, requests_seen

REQUESTS, WINDOW_SECONDS = 25, 0.5
BURST = 200


async def shrink_rate_limit(control: httpx.AsyncClient) -> None:
    setting = {"requests": REQUESTS, "window_seconds": WINDOW_SECONDS}
    response = await control.post("/_sandbox/rate-limit", json=setting)
    assert response.status_code == 200, response.text


@pytest.mark.slow
async def test_a_burst_of_200_requests_for_one_tenant_gets_no_429(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    await shrink_rate_limit(sandbox_client)
    tokens = await consent(sandbox_client, tenant_id)
    pacer = SlidingWindowPacer(requests=REQUESTS, window_seconds=WINDOW_SECONDS)
    fortnox = fortnox_client(sandbox_client, tokens["access_token"], tenant_id, pacer=pacer)

    results = await asyncio.gather(*(fortnox.company_information() for _ in range(BURST)))

    assert all(company.database_number == tenant_id for company in results)
    seen = [
        r for r in await requests_seen(sandbox_client, tenant_id) if r["path"].startswith("/3/")
    ]
    assert len(seen) == BURST
    assert [r["status"] for r in seen if r["status"] != 200] == []


@pytest.mark.slow
async def test_the_same_burst_without_pacing_is_refused_by_the_sandbox(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    # The control: with room for everything at once, the sandbox answers 429.
    await shrink_rate_limit(sandbox_client)
    tokens = await consent(sandbox_client, tenant_id)
    unlimited = SlidingWindowPacer(requests=BURST, window_seconds=WINDOW_SECONDS)
    fortnox = fortnox_client(sandbox_client, tokens["access_token"], tenant_id, pacer=unlimited)

    results = await asyncio.gather(
        *(fortnox.company_information() for _ in range(BURST)), return_exceptions=True
    )

    assert any(isinstance(result, RateLimited) for result in results)
