"""Arrangements shared by the transfer-handler tests."""

from __future__ import annotations

from sgx.integration.handlers.refusals import format_organisation_number
from tests.builders.transfer import (
    Connected,
    add_company_in_fortnox,
)


async def with_company_in_fortnox(connected: Connected) -> str:
    company = connected.clinic.company
    created = await add_company_in_fortnox(
        connected,
        name=company.name,
        organisation_number=format_organisation_number(company.organisation_number),
    )
    number: str = created["Customer"]["CustomerNumber"]
    return number


async def set_account(connected: Connected, number: int, *, active: bool) -> None:
    response = await connected.sandbox.put(
        f"/3/accounts/{number}",
        json={"Account": {"Active": active}},
        headers={"Authorization": f"Bearer {connected.access_token}"},
    )
    assert response.status_code == 200, response.text
