"""Companies through the transfer handler, against the sandbox: found by organisation number,
remembered, refused with their own messages when missing or registered twice."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration.handlers.refusals import format_organisation_number
from sgx.integration.jobs import OutcomeKind
from sgx.integration.links import LinkKind, save_link
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    add_company_in_fortnox,
    company_invoice,
    connect_clinic,
    forget_requests,
    requests_to_fortnox,
    transfer,
)
from tests.sgx.integration.handler_support import with_company_in_fortnox


@pytest.fixture
async def connected(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> Connected:
    return await connect_clinic(session, session_factory, sandbox_client)


async def test_second_invoice_for_a_known_company_costs_its_creation_and_booking(
    connected: Connected, session: AsyncSession
) -> None:
    await with_company_in_fortnox(connected)
    await transfer(connected, session, await company_invoice(session, connected))
    second = await company_invoice(session, connected)
    await forget_requests(connected)
    outcome = await transfer(connected, session, second)
    assert outcome.kind is OutcomeKind.DONE
    calls = [(r["method"], r["path"]) for r in await requests_to_fortnox(connected)]
    number = outcome.fortnox_document_number
    assert calls == [("POST", "/3/invoices"), ("PUT", f"/3/invoices/{number}/bookkeep")]


async def test_company_invoice_goes_to_the_customer_with_exactly_that_organisation_number(
    connected: Connected, session: AsyncSession
) -> None:
    org = connected.clinic.company.organisation_number
    # Same first digits, another company: Fortnox's substring search finds both.
    await add_company_in_fortnox(
        connected, name="Grannen AB", organisation_number=f"{org[:6]}-{int(org[6:]) ^ 1:04d}"
    )
    number = await with_company_in_fortnox(connected)
    invoice = await company_invoice(session, connected)
    await transfer(connected, session, invoice)
    sent = await connected.fortnox.invoices.get(str(invoice.number))
    assert sent.customer_number == number


async def test_company_missing_in_fortnox_fails_with_the_message_then_goes_once_added(
    connected: Connected, session: AsyncSession
) -> None:
    company = connected.clinic.company
    invoice = await company_invoice(session, connected)
    failed = await transfer(connected, session, invoice)
    orgnr = format_organisation_number(company.organisation_number)
    assert (failed.kind, failed.code) == (OutcomeKind.FAILED, "company_not_in_fortnox")
    assert failed.message == (
        f"Företaget {company.name} ({orgnr}) finns inte i Fortnox kundregister. Lägg upp "
        "kunden i Fortnox med samma organisationsnummer."
    )
    await with_company_in_fortnox(connected)
    again = await transfer(connected, session, invoice)
    assert (again.kind, again.fortnox_document_number) == (OutcomeKind.DONE, str(invoice.number))


async def test_company_registered_twice_in_fortnox_fails_with_its_own_message(
    connected: Connected, session: AsyncSession
) -> None:
    first = await with_company_in_fortnox(connected)
    second = await with_company_in_fortnox(connected)
    outcome = await transfer(connected, session, await company_invoice(session, connected))
    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "company_ambiguous_in_fortnox")
    assert first in outcome.message and second in outcome.message


async def test_remembered_company_number_that_fortnox_no_longer_knows_is_looked_up_again(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    number = await with_company_in_fortnox(connected)
    async with session_factory() as writer:
        await save_link(
            writer,
            issuer_id=connected.clinic.issuer.id,
            tenant_id=connected.tenant_id,
            kind=LinkKind.COMPANY,
            sgx_id=connected.clinic.company.id,
            fortnox_number="4711",
        )
        await writer.commit()
    invoice = await company_invoice(session, connected)
    outcome = await transfer(connected, session, invoice)
    assert outcome.kind is OutcomeKind.DONE
    assert (await connected.fortnox.invoices.get(str(invoice.number))).customer_number == number
