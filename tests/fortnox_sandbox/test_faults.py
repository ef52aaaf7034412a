"""Fault plans of the sandbox: failing answers, latency, dropped connections, deterministic odds."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fortnox_sandbox.oauth_helpers import (
    COMPANY_INFORMATION,
    bearer,
    consent_tokens,
    make_company,
    refresh,
    register_client,
)


@pytest.fixture(autouse=True)
async def tokens(sandbox_client: httpx.AsyncClient) -> dict[str, Any]:
    await register_client(sandbox_client)
    company = await make_company(sandbox_client)
    return await consent_tokens(sandbox_client, company["tenant_id"])


async def _fault(client: httpx.AsyncClient, **body: Any) -> str:
    response = await client.post("/_sandbox/faults", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["fault_id"])


async def _probe(client: httpx.AsyncClient, tokens: dict[str, Any]) -> httpx.Response:
    return await client.get(COMPANY_INFORMATION, headers=bearer(tokens["access_token"]))


async def test_status_fault_answers_the_next_count_calls_then_stops(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    await _fault(sandbox_client, kind="status", status=503, path="companyinformation", count=2)
    statuses = [(await _probe(sandbox_client, tokens)).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


async def test_503_fault_has_no_fortnox_error_code(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    await _fault(sandbox_client, kind="status", status=503, count=1)
    response = await _probe(sandbox_client, tokens)
    assert response.headers["content-type"].startswith("text/html")
    assert "ErrorInformation" not in response.text


async def test_500_fault_answers_fortnox_system_exception(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    await _fault(sandbox_client, kind="status", count=1)
    response = await _probe(sandbox_client, tokens)
    assert response.status_code == 500
    assert response.json()["ErrorInformation"]["Code"] == 1000003


async def test_rate_limit_fault_answers_429(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    await _fault(sandbox_client, kind="rate_limit", count=1)
    response = await _probe(sandbox_client, tokens)
    assert response.status_code == 429 and response.json() == {"message": "Too Many Requests"}


async def test_latency_fault_still_serves_the_call(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    await _fault(sandbox_client, kind="latency", latency_ms=20, count=1)
    assert (await _probe(sandbox_client, tokens)).status_code == 200
    faults = (await sandbox_client.get("/_sandbox/faults")).json()
    assert faults[0]["fired"] == 1


async def test_reset_drops_the_connection_before_applying_anything(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    await _fault(sandbox_client, kind="reset", path="^/oauth-v1/token$", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await refresh(sandbox_client, tokens["refresh_token"])
    # Nothing was applied: the refresh token is still unused.
    assert (await refresh(sandbox_client, tokens["refresh_token"])).status_code == 200


async def test_commit_then_drop_applies_the_write_and_loses_the_answer(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    await _fault(sandbox_client, kind="commit_then_drop", method="POST", path="token", count=1)
    with pytest.raises(httpx.TransportError):
        await refresh(sandbox_client, tokens["refresh_token"])
    # The rotation happened: the old refresh token is spent although no answer came back.
    retry = await refresh(sandbox_client, tokens["refresh_token"])
    assert retry.status_code == 400 and retry.json()["error"] == "invalid_grant"


async def test_dropped_calls_are_logged_with_their_fault(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    await _fault(sandbox_client, kind="commit_then_drop", path="token", count=1)
    await _fault(sandbox_client, kind="reset", path="token", count=1)
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            await refresh(sandbox_client, tokens["refresh_token"])
    log = (await sandbox_client.get("/_sandbox/requests", params={"path": "token"})).json()
    assert [(e["fault"], e["status"]) for e in log["requests"]] == [
        ("commit_then_drop", 200),
        ("reset", None),
    ]


async def test_fault_for_one_tenant_spares_the_others(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    other = await make_company(sandbox_client, name="Annan AB", organisation_number="556111-2222")
    other_tokens = await consent_tokens(sandbox_client, other["tenant_id"])
    await _fault(sandbox_client, kind="status", status=500, tenant_id=other["tenant_id"])
    assert (await _probe(sandbox_client, tokens)).status_code == 200
    assert (await _probe(sandbox_client, other_tokens)).status_code == 500


async def test_fault_matches_method_and_path_pattern(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    await _fault(sandbox_client, kind="status", status=500, method="POST", path="company")
    await _fault(sandbox_client, kind="status", status=502, method="GET", path="^/3/invoices")
    assert (await _probe(sandbox_client, tokens)).status_code == 200


async def test_probability_with_seed_repeats_the_same_pattern(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    await sandbox_client.post("/_sandbox/rate-limit", json={"enabled": False})
    patterns = []
    for _ in range(2):
        await _fault(sandbox_client, kind="status", status=503, probability=0.5, seed=42)
        patterns.append([(await _probe(sandbox_client, tokens)).status_code for _ in range(20)])
        await sandbox_client.delete("/_sandbox/faults")
    assert patterns[0] == patterns[1]
    assert {200, 503} == set(patterns[0])


async def test_deleted_fault_no_longer_fires(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    fault_id = await _fault(sandbox_client, kind="status", status=500)
    assert (await sandbox_client.delete(f"/_sandbox/faults/{fault_id}")).json() == {}
    assert (await _probe(sandbox_client, tokens)).status_code == 200


async def test_faults_never_touch_the_control_plane(sandbox_client: httpx.AsyncClient) -> None:
    await _fault(sandbox_client, kind="status", status=500)
    assert (await sandbox_client.get("/_sandbox/companies")).status_code == 200


async def test_commit_then_drop_on_a_create_leaves_the_entity_created(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    await _fault(sandbox_client, kind="commit_then_drop", method="POST", path="^/3/customers")
    with pytest.raises(httpx.RemoteProtocolError):
        await sandbox_client.post(
            "/3/customers",
            json={"Customer": {"Name": "Tappad Svar AB"}},
            headers=bearer(tokens["access_token"]),
        )
    found = await sandbox_client.get(
        "/3/customers", params={"name": "Tappad"}, headers=bearer(tokens["access_token"])
    )
    assert [c["Name"] for c in found.json()["Customers"]] == ["Tappad Svar AB"]


async def test_reset_on_a_create_leaves_nothing_behind(
    sandbox_client: httpx.AsyncClient, tokens: dict[str, Any]
) -> None:
    await _fault(sandbox_client, kind="reset", method="POST", path="^/3/customers")
    with pytest.raises(httpx.RemoteProtocolError):
        await sandbox_client.post(
            "/3/customers",
            json={"Customer": {"Name": "Aldrig Skapad AB"}},
            headers=bearer(tokens["access_token"]),
        )
    found = await sandbox_client.get(
        "/3/customers", params={"name": "Aldrig"}, headers=bearer(tokens["access_token"])
    )
    assert found.json()["Customers"] == []
