"""The control plane's clock, fault book and request log, as SANDBOX-CONTROL.md writes them."""

from __future__ import annotations

import datetime as dt

import httpx

from tests.fortnox_sandbox.oauth_helpers import (
    CLIENT_ID,
    authorize_code,
    bearer,
    consent_tokens,
    exchange_code,
    make_company,
    register_client,
)


async def test_clock_reports_now_and_offset(sandbox_client: httpx.AsyncClient) -> None:
    clock = (await sandbox_client.get("/_sandbox/clock")).json()
    assert clock["offset_seconds"] == 0
    assert dt.datetime.fromisoformat(clock["now"]).tzinfo is not None


async def test_clock_moves_forward(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post("/_sandbox/clock", json={"advance_seconds": 3600})
    assert response.json()["offset_seconds"] >= 3600


async def test_clock_can_be_set(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(
        "/_sandbox/clock", json={"set": "2031-01-15T09:00:00+00:00"}
    )
    now = dt.datetime.fromisoformat(response.json()["now"])
    assert now.date() == dt.date(2031, 1, 15)


async def test_clock_wants_exactly_one_instruction(sandbox_client: httpx.AsyncClient) -> None:
    both = await sandbox_client.post(
        "/_sandbox/clock", json={"advance_seconds": 1, "set": "2031-01-15T09:00:00+00:00"}
    )
    neither = await sandbox_client.post("/_sandbox/clock", json={})
    assert (both.status_code, neither.status_code) == (400, 400)


async def test_fault_is_listed_with_its_counters(sandbox_client: httpx.AsyncClient) -> None:
    created = await sandbox_client.post(
        "/_sandbox/faults", json={"kind": "status", "status": 503, "count": 2, "path": "^/3/"}
    )
    fault_id = created.json()["fault_id"]
    await sandbox_client.get("/3/invoices")
    faults = (await sandbox_client.get("/_sandbox/faults")).json()
    assert [(f["fault_id"], f["fired"], f["active"]) for f in faults] == [(fault_id, 1, True)]


async def test_unknown_fault_kind_is_a_bad_request(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post("/_sandbox/faults", json={"kind": "explode"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


async def test_fault_path_must_be_a_regular_expression(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post("/_sandbox/faults", json={"kind": "reset", "path": "(("})
    assert response.status_code == 400 and response.json()["error"] == "invalid_path"


async def test_latency_fault_needs_its_milliseconds(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post("/_sandbox/faults", json={"kind": "latency"})
    assert response.status_code == 400


async def test_all_faults_can_be_deleted(sandbox_client: httpx.AsyncClient) -> None:
    await sandbox_client.post("/_sandbox/faults", json={"kind": "reset"})
    assert (await sandbox_client.delete("/_sandbox/faults")).json() == {}
    assert (await sandbox_client.get("/_sandbox/faults")).json() == []


async def test_deleting_unknown_fault_is_not_found(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.delete("/_sandbox/faults/nope")
    assert response.status_code == 404 and response.json()["error"] == "fault_not_found"


async def test_rate_limit_setting_can_be_read(sandbox_client: httpx.AsyncClient) -> None:
    setting = (await sandbox_client.get("/_sandbox/rate-limit")).json()
    assert setting == {"enabled": True, "requests": 25, "window_seconds": 5.0}


async def test_request_log_lists_fortnox_calls_in_order(sandbox_client: httpx.AsyncClient) -> None:
    await sandbox_client.get("/3/customers", params={"name": "Ås"})
    await sandbox_client.post("/oauth-v1/token", data={"grant_type": "client_credentials"})
    await sandbox_client.get("/_sandbox/companies")
    entries = (await sandbox_client.get("/_sandbox/requests")).json()["requests"]
    assert [(e["method"], e["path"]) for e in entries] == [
        ("GET", "/3/customers"),
        ("POST", "/oauth-v1/token"),
    ]
    assert entries[1]["status"] == 401
    assert entries[0]["query"] == "name=%C3%85s" and entries[0]["id"] < entries[1]["id"]
    assert set(entries[0]) == {
        "id",
        "at",
        "tenant_id",
        "client_id",
        "method",
        "path",
        "query",
        "status",
        "fault",
        "accept",
        "content_type",
    }


async def test_request_log_filters_by_since_id_and_path(sandbox_client: httpx.AsyncClient) -> None:
    await sandbox_client.get("/3/customers")
    first = (await sandbox_client.get("/_sandbox/requests")).json()["requests"][0]["id"]
    await sandbox_client.get("/3/invoices")
    await sandbox_client.get("/3/customers/1")
    since = await sandbox_client.get("/_sandbox/requests", params={"since_id": first})
    by_path = await sandbox_client.get("/_sandbox/requests", params={"path": "^/3/customers"})
    assert [e["path"] for e in since.json()["requests"]] == ["/3/invoices", "/3/customers/1"]
    assert [e["path"] for e in by_path.json()["requests"]] == ["/3/customers", "/3/customers/1"]


async def test_request_log_filters_by_tenant(sandbox_client: httpx.AsyncClient) -> None:
    await sandbox_client.get("/3/customers")
    response = await sandbox_client.get("/_sandbox/requests", params={"tenant_id": 123})
    assert response.json() == {"requests": []}


async def test_request_log_can_be_emptied(sandbox_client: httpx.AsyncClient) -> None:
    await sandbox_client.get("/3/customers")
    assert (await sandbox_client.delete("/_sandbox/requests")).json() == {}
    assert (await sandbox_client.get("/_sandbox/requests")).json() == {"requests": []}


async def test_bad_log_filter_is_a_bad_request(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.get("/_sandbox/requests", params={"tenant_id": "x"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


async def test_request_log_names_tenant_and_client_of_a_token(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await register_client(sandbox_client)
    company = await make_company(sandbox_client)
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    await sandbox_client.get("/3/companyinformation", headers=bearer(tokens["access_token"]))
    log = await sandbox_client.get("/_sandbox/requests", params={"tenant_id": company["tenant_id"]})
    entry = log.json()["requests"][0]
    assert (entry["client_id"], entry["status"], entry["fault"]) == (CLIENT_ID, 200, None)


async def test_request_log_names_tenant_of_a_code_exchange(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await register_client(sandbox_client)
    company = await make_company(sandbox_client)
    code = await authorize_code(sandbox_client)
    await exchange_code(sandbox_client, code)
    log = await sandbox_client.get("/_sandbox/requests", params={"path": "^/oauth-v1/token$"})
    assert log.json()["requests"][0]["tenant_id"] == company["tenant_id"]
