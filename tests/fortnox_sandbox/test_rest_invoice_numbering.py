"""Automatic invoice numbers after callers chose their own, in each numbering mode a company can
be given through the control plane."""

from __future__ import annotations

import httpx
import pytest

from fortnox_sandbox.tenants import Company
from tests.fortnox_sandbox.rest_builders import create_invoice


async def _numbers_after_a_chosen_one(fortnox: httpx.AsyncClient) -> list[str]:
    made = [
        await create_invoice(fortnox),
        await create_invoice(fortnox, DocumentNumber="500"),
        await create_invoice(fortnox),
    ]
    return [invoice["DocumentNumber"] for invoice in made]


async def test_lowest_free_fills_the_numbers_below_a_chosen_one(
    fortnox: httpx.AsyncClient, company: Company
) -> None:
    assert company.invoice_numbering == "lowest_free"  # the default

    assert await _numbers_after_a_chosen_one(fortnox) == ["1", "500", "2"]


async def test_lowest_free_skips_a_chosen_number_it_reaches(fortnox: httpx.AsyncClient) -> None:
    await create_invoice(fortnox, DocumentNumber="2")

    numbers = [(await create_invoice(fortnox))["DocumentNumber"] for _ in range(2)]

    assert numbers == ["1", "3"]


async def test_after_highest_continues_above_a_chosen_number(
    fortnox: httpx.AsyncClient, company: Company
) -> None:
    company.invoice_numbering = "after_highest"

    assert await _numbers_after_a_chosen_one(fortnox) == ["1", "500", "501"]


async def test_fortnox_assigns_ignores_the_callers_number(
    fortnox: httpx.AsyncClient, company: Company
) -> None:
    company.invoice_numbering = "fortnox_assigns"

    assert await _numbers_after_a_chosen_one(fortnox) == ["1", "2", "3"]


async def test_fortnox_assigns_makes_a_second_invoice_of_a_repeated_post(
    fortnox: httpx.AsyncClient, company: Company
) -> None:
    company.invoice_numbering = "fortnox_assigns"
    payload = {"DocumentNumber": "7", "ExternalInvoiceReference1": "SGX-1-7"}

    first = await create_invoice(fortnox, **payload)
    second = await create_invoice(fortnox, **payload)

    assert first["DocumentNumber"] != second["DocumentNumber"]
    found = await fortnox.get("/3/invoices", params={"externalinvoicereference1": "SGX-1-7"})
    assert found.json()["MetaInformation"]["@TotalResources"] == 2


@pytest.mark.parametrize("mode", ["lowest_free", "after_highest", "fortnox_assigns"])
async def test_control_plane_sets_the_numbering_on_create_and_patch(
    sandbox_client: httpx.AsyncClient, mode: str
) -> None:
    created = await sandbox_client.post(
        "/_sandbox/companies",
        json={"name": "Ås AB", "organisation_number": "556677-8899", "invoice_numbering": mode},
    )
    assert created.status_code == 200, created.text
    assert created.json()["invoice_numbering"] == mode
    tenant_id = created.json()["tenant_id"]

    patched = await sandbox_client.patch(
        f"/_sandbox/companies/{tenant_id}", json={"invoice_numbering": "after_highest"}
    )

    assert patched.json()["invoice_numbering"] == "after_highest"


async def test_control_plane_refuses_an_unknown_numbering(
    sandbox_client: httpx.AsyncClient,
) -> None:
    response = await sandbox_client.post(
        "/_sandbox/companies",
        json={"name": "Ås AB", "organisation_number": "556677-8899", "invoice_numbering": "random"},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
