"""The chaos run's checks can fail: an invoice transferred once passes them, the same invoice
made a second time in Fortnox (as a retry that did not look first would make it) does not."""

from __future__ import annotations

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.chaos import checks
from sgx.chaos.sandbox import FortnoxReader
from sgx.chaos.world import IssuerWorld
from sgx.integration.jobs import OutcomeKind
from sgx.integration.models import AccountType
from sgx.invoicing.models import Invoice
from tests.builders.transfer import (
    Connected,
    connect_clinic,
    credit,
    patient_invoice,
    patient_number,
    transfer,
)


async def connected_with_one_invoice(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> tuple[Connected, IssuerWorld]:
    connected = await connect_clinic(
        session, session_factory, sandbox_client, fortnox_integration_enabled=True
    )
    invoice = await patient_invoice(session, connected)
    assert (await transfer(connected, session, invoice)).kind is OutcomeKind.DONE
    issuer = connected.clinic.issuer
    world = IssuerWorld(
        issuer_id=issuer.id,
        organisation_number=issuer.organisation_number,
        account_type=AccountType.PERSONAL,
        tenant_id=connected.tenant_id,
    )
    return connected, world


async def verdict_of(
    connected: Connected,
    world: IssuerWorld,
    session_factory: async_sessionmaker[AsyncSession],
) -> checks.Verdict:
    verdict = checks.Verdict()
    reader = FortnoxReader(connected.sandbox, access_token=connected.access_token)
    linked = await checks.first_credit_ids(session_factory)
    await checks.check_issuer(session_factory, reader, world, linked, verdict)
    return verdict


def kinds(verdict: checks.Verdict) -> list[str]:
    return [v.split(" (")[0] for v in verdict.violations]


async def test_an_invoice_transferred_once_passes_the_checks(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> None:
    connected, world = await connected_with_one_invoice(session, session_factory, sandbox_client)

    verdict = await verdict_of(connected, world, session_factory)

    assert verdict.violations == []
    assert verdict.figures["Fortnox invoices"] == 1


async def test_an_invoice_made_twice_in_fortnox_is_an_extra_document(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> None:
    connected, world = await connected_with_one_invoice(session, session_factory, sandbox_client)
    duplicate = await sandbox_client.post(
        "/3/invoices",
        json={
            "Invoice": {
                "CustomerNumber": await patient_number(connected),
                "InvoiceRows": [{"Description": "Läkarbesök", "DeliveredQuantity": "1"}],
            }
        },
        headers={"Authorization": f"Bearer {connected.access_token}"},
    )
    assert duplicate.status_code == 201, duplicate.text

    verdict = await verdict_of(connected, world, session_factory)

    assert kinds(verdict) == ["extra documents in Fortnox"]


async def test_a_linked_first_credit_and_a_later_negative_invoice_pass_the_checks(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> None:
    connected, world = await connected_with_one_invoice(session, session_factory, sandbox_client)
    [original] = (await session.scalars(select(Invoice))).all()
    for _ in range(2):
        made = await credit(session, original, [(original.rows[1].id, "1")])
        assert (await transfer(connected, session, made)).kind is OutcomeKind.DONE

    verdict = await verdict_of(connected, world, session_factory)

    assert verdict.violations == []
    assert verdict.figures["Fortnox invoices"] == 3


async def test_an_invoice_left_unbooked_or_a_later_credit_left_unmarked_fails_the_checks(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> None:
    connected, world = await connected_with_one_invoice(session, session_factory, sandbox_client)
    [original] = (await session.scalars(select(Invoice))).all()
    made = [await credit(session, original, [(original.rows[1].id, "1")]) for _ in range(2)]
    for item in made:
        assert (await transfer(connected, session, item)).kind is OutcomeKind.DONE
    connected.clinic.issuer.book_invoices_in_fortnox = False
    unbooked = await patient_invoice(session, connected)
    assert (await transfer(connected, session, unbooked)).kind is OutcomeKind.DONE
    await session.execute(
        update(Invoice).where(Invoice.id == made[1].id).values(fortnox_unlinked_credit=False)
    )
    await session.commit()

    verdict = await verdict_of(connected, world, session_factory)

    assert sorted(kinds(verdict)) == [
        "later credit not marked for matching",
        "not booked in Fortnox",
    ]
