"""Companies with several customers in Fortnox: inactive ones are ignored, an ambiguous number
says where to choose, and a company pinned to one customer number is invoiced there, checked."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration.handlers.customers import PINNED
from sgx.integration.handlers.refusals import format_organisation_number
from sgx.integration.jobs import OutcomeKind
from sgx.integration.links import LinkKind, save_link
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    add_company_in_fortnox,
    company_invoice,
    connect_clinic,
    transfer,
)
from tests.sgx.integration.handler_support import with_company_in_fortnox


@pytest.fixture
async def connected(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> Connected:
    return await connect_clinic(session, session_factory, sandbox_client)


async def pin(session: AsyncSession, connected: Connected, number: str | None) -> None:
    connected.clinic.company.fortnox_customer_number = number
    await session.commit()


async def customer_in_fortnox(connected: Connected, **fields: object) -> str:
    """Another customer carrying the clinic company's organisation number."""
    company = connected.clinic.company
    created = await add_company_in_fortnox(
        connected,
        name=f"{company.name} – region",
        organisation_number=format_organisation_number(company.organisation_number),
        **fields,
    )
    number: str = created["Customer"]["CustomerNumber"]
    return number


async def invoiced_customer(connected: Connected, invoice_number: int) -> str | None:
    return (await connected.fortnox.invoices.get(str(invoice_number))).customer_number


async def test_inactive_duplicate_of_a_company_is_ignored(
    connected: Connected, session: AsyncSession
) -> None:
    await customer_in_fortnox(connected, Active=False)
    active = await with_company_in_fortnox(connected)
    await customer_in_fortnox(connected, Active=False)
    invoice = await company_invoice(session, connected)

    outcome = await transfer(connected, session, invoice)

    assert outcome.kind is OutcomeKind.DONE, outcome.message
    assert await invoiced_customer(connected, invoice.number) == active


async def test_only_inactive_customers_with_the_number_is_a_missing_company(
    connected: Connected, session: AsyncSession
) -> None:
    await customer_in_fortnox(connected, Active=False)

    outcome = await transfer(connected, session, await company_invoice(session, connected))

    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "company_not_in_fortnox")


async def test_ambiguous_company_message_says_an_administrator_chooses_on_the_company_page(
    connected: Connected, session: AsyncSession
) -> None:
    first = await with_company_in_fortnox(connected)
    second = await customer_in_fortnox(connected)
    company = connected.clinic.company

    outcome = await transfer(connected, session, await company_invoice(session, connected))

    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "company_ambiguous_in_fortnox")
    assert outcome.message == (
        f"Företaget {company.name} ({format_organisation_number(company.organisation_number)}) "
        f"finns flera gånger bland de aktiva kunderna i Fortnox kundregister (kundnummer "
        f"{first}, {second}). En administratör väljer vilken av dem SGX ska fakturera under "
        f"Företag → {company.name} → ”Kund i Fortnox”, och väljer sedan ”Försök igen”."
    )


async def test_pinned_company_is_invoiced_on_its_pinned_customer(
    connected: Connected, session: AsyncSession
) -> None:
    await with_company_in_fortnox(connected)
    region = await customer_in_fortnox(connected)
    await with_company_in_fortnox(connected)
    await pin(session, connected, region)
    invoice = await company_invoice(session, connected)

    outcome = await transfer(connected, session, invoice)

    assert outcome.kind is OutcomeKind.DONE, outcome.message
    assert await invoiced_customer(connected, invoice.number) == region


async def test_ambiguous_invoice_goes_through_once_the_company_is_pinned(
    connected: Connected, session: AsyncSession
) -> None:
    await with_company_in_fortnox(connected)
    chosen = await customer_in_fortnox(connected)
    invoice = await company_invoice(session, connected)
    failed = await transfer(connected, session, invoice)
    assert failed.code == "company_ambiguous_in_fortnox"

    await pin(session, connected, chosen)
    again = await transfer(connected, session, invoice)

    assert again.kind is OutcomeKind.DONE, again.message
    assert await invoiced_customer(connected, invoice.number) == chosen


async def test_pin_to_a_customer_fortnox_does_not_know_is_a_clear_error(
    connected: Connected, session: AsyncSession
) -> None:
    await with_company_in_fortnox(connected)
    await pin(session, connected, "9999")

    outcome = await transfer(connected, session, await company_invoice(session, connected))

    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "company_pinned_customer_missing")
    assert "Kund 9999" in outcome.message and "finns inte i Fortnox" in outcome.message


async def test_pinned_customer_gone_since_it_was_checked_is_a_clear_error(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    """Checked once and remembered, then removed in Fortnox: Fortnox refuses the invoice, the
    pin is checked again and the invoice fails with the reason instead of going elsewhere."""
    await with_company_in_fortnox(connected)
    await pin(session, connected, "4711")
    async with session_factory() as writer:
        await save_link(
            writer,
            issuer_id=connected.clinic.issuer.id,
            tenant_id=connected.tenant_id,
            kind=LinkKind.COMPANY,
            sgx_id=connected.clinic.company.id,
            fortnox_number="4711",
            content_hash=PINNED,
        )
        await writer.commit()

    outcome = await transfer(connected, session, await company_invoice(session, connected))

    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "company_pinned_customer_missing")


async def test_pin_to_an_inactive_customer_is_refused_when_used(
    connected: Connected, session: AsyncSession
) -> None:
    inactive = await customer_in_fortnox(connected, Active=False)
    await pin(session, connected, inactive)

    outcome = await transfer(connected, session, await company_invoice(session, connected))

    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "company_pinned_customer_inactive")


async def test_pin_to_a_customer_of_another_organisation_is_refused_when_used(
    connected: Connected, session: AsyncSession
) -> None:
    await with_company_in_fortnox(connected)
    org = connected.clinic.company.organisation_number
    neighbour = f"{org[:6]}-{int(org[6:]) ^ 1:04d}"  # another company's number
    other = await add_company_in_fortnox(
        connected, name="Grannen AB", organisation_number=neighbour
    )
    await pin(session, connected, other["Customer"]["CustomerNumber"])

    outcome = await transfer(connected, session, await company_invoice(session, connected))

    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "company_pinned_customer_mismatch")
    assert neighbour in outcome.message


async def test_removing_the_pin_goes_back_to_the_look_up_by_number(
    connected: Connected, session: AsyncSession
) -> None:
    found = await with_company_in_fortnox(connected)
    inactive = await customer_in_fortnox(connected, Active=False)
    await pin(session, connected, found)
    await transfer(connected, session, await company_invoice(session, connected))
    await pin(session, connected, inactive)
    assert (
        await transfer(connected, session, await company_invoice(session, connected))
    ).code == "company_pinned_customer_inactive"

    await pin(session, connected, None)
    invoice = await company_invoice(session, connected)
    outcome = await transfer(connected, session, invoice)

    assert outcome.kind is OutcomeKind.DONE, outcome.message
    assert await invoiced_customer(connected, invoice.number) == found
