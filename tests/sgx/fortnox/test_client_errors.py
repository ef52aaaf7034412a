"""Fortnox's refusals and failures reach the caller as typed errors (against the sandbox)."""

from __future__ import annotations

import httpx
import pytest

from sgx.fortnox.client import FortnoxClient
from sgx.fortnox.errors import (
    Ambiguous,
    InvalidRequest,
    MissingLicence,
    MissingScope,
    RateLimited,
    Unauthorized,
    Unavailable,
)
from sgx.fortnox.pacing import PacingKey, SlidingWindowPacer
from sgx.fortnox.schemas import Customer
from sgx.fortnox.transport import ApiTransport
from tests.sgx.fortnox.sandbox import (
    API_BASE_URL,
    CLIENT_ID,
    add_fault,
    consent,
    create_company,
    fortnox_client,
    invoice,
    requests_seen,
)


async def client_with(
    control: httpx.AsyncClient, tenant_id: int, *, scopes: list[str] | None = None
) -> FortnoxClient:
    tokens = await consent(control, tenant_id, scopes=scopes)
    return fortnox_client(control, tokens["access_token"], tenant_id)


async def test_an_unknown_token_is_unauthorized(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    fortnox = fortnox_client(sandbox_client, "not-a-token", tenant_id)
    with pytest.raises(Unauthorized) as raised:
        await fortnox.company_information()
    assert raised.value.status == 401 and not raised.value.retryable


async def test_an_expired_token_is_unauthorized(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient
) -> None:
    response = await sandbox_client.post("/_sandbox/clock", json={"advance_seconds": 3601})
    assert response.status_code == 200
    with pytest.raises(Unauthorized):
        await fortnox.company_information()


async def test_a_token_without_the_scope_is_missing_scope(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    fortnox = await client_with(sandbox_client, tenant_id, scopes=["companyinformation"])
    with pytest.raises(MissingScope) as raised:
        await fortnox.customers.search()
    assert raised.value.code == 2000663 and not raised.value.retryable


async def test_a_company_without_the_module_licence_is_missing_licence(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    response = await sandbox_client.patch(
        f"/_sandbox/companies/{tenant_id}", json={"licences_remove": ["invoice"]}
    )
    assert response.status_code == 200, response.text
    fortnox = await client_with(sandbox_client, tenant_id)
    with pytest.raises(MissingLicence) as raised:
        await fortnox.invoices.search()
    assert raised.value.code == 2001101
    assert raised.value.message == "Det finns ingen aktiv licens för önskat scope."


async def test_a_company_without_the_api_licence_is_missing_licence(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    other = await create_company(
        sandbox_client, name="Utan API AB", licences=["companyinformation", "customer"]
    )
    fortnox = await client_with(sandbox_client, other)
    with pytest.raises(MissingLicence) as raised:
        await fortnox.company_information()
    assert raised.value.code == 2001103


async def test_an_unknown_field_is_an_invalid_request_with_code_2001399(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    # The typed client cannot send one; the transport underneath shows how Fortnox answers.
    tokens = await consent(sandbox_client, tenant_id)

    async def token() -> str:
        return str(tokens["access_token"])

    transport = ApiTransport(
        sandbox_client,
        base_url=API_BASE_URL,
        token_provider=token,
        pacer=SlidingWindowPacer(),
        pacing_key=PacingKey(CLIENT_ID, tenant_id),
    )
    body = {"Customer": {"Name": "Ås AB", "@url": "https://api.fortnox.se/3/customers/1"}}
    with pytest.raises(InvalidRequest) as raised:
        await transport.call("POST", "customers", body=body)
    assert (raised.value.status, raised.value.code) == (400, 2001399)


async def test_a_value_fortnox_refuses_is_an_invalid_request(fortnox: FortnoxClient) -> None:
    with pytest.raises(InvalidRequest) as raised:
        await fortnox.customers.create(Customer(name="Ås AB", zip_code="12345678901"))
    assert raised.value.status == 400 and raised.value.code is not None


async def test_a_server_error_on_a_read_is_unavailable(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient
) -> None:
    await add_fault(sandbox_client, kind="status", status=500, method="GET", count=1)
    with pytest.raises(Unavailable) as raised:
        await fortnox.company_information()
    assert (raised.value.code, raised.value.retryable) == (1000003, True)


async def test_a_maintenance_page_without_error_code_is_unavailable(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient
) -> None:
    await add_fault(sandbox_client, kind="status", status=503, count=1)
    with pytest.raises(Unavailable) as raised:
        await fortnox.customers.search()
    assert (raised.value.status, raised.value.code) == (503, None)
    assert "<html>" in raised.value.body


async def test_a_dropped_connection_on_a_read_is_unavailable(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient
) -> None:
    await add_fault(sandbox_client, kind="reset", count=1)
    with pytest.raises(Unavailable) as raised:
        await fortnox.company_information()
    assert raised.value.status is None and raised.value.retryable


async def test_a_write_that_lost_its_answer_is_ambiguous_and_can_be_found_afterwards(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    customer = await fortnox.customers.create(Customer(name="Verkstaden i Ås AB"))
    assert customer.customer_number is not None
    await add_fault(
        sandbox_client, kind="commit_then_drop", method="POST", path="invoices", count=1
    )
    with pytest.raises(Ambiguous):
        await fortnox.invoices.create(
            invoice(customer.customer_number, external_invoice_reference1="sgx-42")
        )
    found = await fortnox.invoices.find_by_external_reference("sgx-42")
    assert len(found) == 1
    posts = [r for r in await requests_seen(sandbox_client, tenant_id) if r["method"] == "POST"]
    assert len(posts) == 2  # the customer and one invoice: the client did not retry


async def test_a_write_refused_before_it_was_applied_is_still_ambiguous_to_the_client(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient
) -> None:
    customer = await fortnox.customers.create(Customer(name="Verkstaden i Ås AB"))
    assert customer.customer_number is not None
    await add_fault(sandbox_client, kind="reset", method="POST", count=1)
    with pytest.raises(Ambiguous):
        await fortnox.invoices.create(
            invoice(customer.customer_number, external_invoice_reference1="sgx-43")
        )
    assert await fortnox.invoices.find_by_external_reference("sgx-43") == []


async def test_a_server_error_on_a_write_is_ambiguous(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient
) -> None:
    await add_fault(sandbox_client, kind="status", status=500, method="POST", count=1)
    with pytest.raises(Ambiguous) as raised:
        await fortnox.customers.create(Customer(name="Ås AB"))
    assert raised.value.status == 500


async def test_a_rate_limit_answer_is_rate_limited_and_pauses_the_tenant(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    pacer = SlidingWindowPacer()
    tokens = await consent(sandbox_client, tenant_id)
    fortnox = fortnox_client(sandbox_client, tokens["access_token"], tenant_id, pacer=pacer)
    await add_fault(sandbox_client, kind="rate_limit", count=1)
    with pytest.raises(RateLimited) as raised:
        await fortnox.company_information()
    assert raised.value.status == 429 and raised.value.retryable
    assert pacer.paused_until(fortnox.pacing_key) > 0
