"""SGX's invoice numbers against the numbers Fortnox hands out itself: connecting to a Fortnox
company whose numbers are ahead of SGX's shows the Administratör what to do, the fix lets the
series continue above Fortnox's, and a clash that arises later is warned of in "Att åtgärda"
before a transfer meets a taken number."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit.models import AuditEvent
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.integration.jobs import OutcomeKind
from sgx.integration.reconcile import reconcile
from sgx.issuers import service as issuers
from sgx.issuers.models import Issuer
from sgx.kit.crypto import SecretBox
from sgx.settings import Settings
from tests.builders.identity import make_user
from tests.builders.integration import consent, make_connection
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    connect_clinic,
    patient_invoice,
    stored,
    transfer,
)
from tests.sgx.integration.conftest import Clinic
from tests.sgx.integration.flow import connect_and_show, post_form

CLASH = "Fakturanummer krockar med Fortnox"


async def _invoice_made_in_fortnox(
    sandbox: httpx.AsyncClient, token: str, number: int | None = None
) -> dict[str, Any]:
    """An invoice someone makes in Fortnox itself (``number`` None: Fortnox numbers it)."""
    headers = {"Authorization": f"Bearer {token}"}
    customer = await sandbox.post(
        "/3/customers", json={"Customer": {"Name": "Kund i Fortnox"}}, headers=headers
    )
    assert customer.status_code == 201, customer.text
    body: dict[str, Any] = {
        "CustomerNumber": customer.json()["Customer"]["CustomerNumber"],
        "InvoiceRows": [{"Description": "Gjord i Fortnox", "DeliveredQuantity": 1, "Price": 10}],
    }
    if number is not None:
        body["DocumentNumber"] = str(number)
    made = await sandbox.post("/3/invoices", json={"Invoice": body}, headers=headers)
    assert made.status_code == 201, made.text
    invoice: dict[str, Any] = made.json()["Invoice"]
    return invoice


async def _next_number(session: AsyncSession, issuer_id: int) -> int:
    number = await session.scalar(select(Issuer.next_invoice_number).where(Issuer.id == issuer_id))
    await session.rollback()  # on SQLite an open transaction would hold the write lock
    assert number is not None
    return number


async def test_connecting_to_a_fortnox_ahead_of_sgx_guides_to_a_start_number_above_it(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    tokens = await consent(sandbox, settings, tenant_id=fortnox_company["tenant_id"])
    await _invoice_made_in_fortnox(sandbox, tokens["access_token"], 1500)
    assert await _next_number(session, clinic.id) == 1001

    page = (await connect_and_show(client, clinic.id, clinic.admin)).text

    assert CLASH in page
    assert "Fortnox har redan fakturanummer upp till 1500" in page
    assert "SGX nästa fakturanummer till Fortnox är 1001" in page
    assert re.search(r'name="next_invoice_number"[^>]*value="1501"', page)

    too_low = await post_form(
        client, clinic.id, "invoice-series", clinic.admin, next_invoice_number="1000"
    )
    assert too_low.headers["location"].endswith("meddelande=serie-ogiltig")
    assert await _next_number(session, clinic.id) == 1001

    fixed = await post_form(
        client, clinic.id, "invoice-series", clinic.admin, next_invoice_number="1501"
    )

    assert fixed.headers["location"].endswith("meddelande=serie-fortsatt")
    assert await _next_number(session, clinic.id) == 1501
    after = (await client.get(fixed.headers["location"], headers=clinic.admin)).text
    assert CLASH not in after
    assert "Nummerserien fortsätter från det nya numret." in after
    events = await session.scalars(
        select(AuditEvent).where(AuditEvent.action == "issuer.invoice_series_continued")
    )
    assert [event.details for event in events] == [{"from": 1001, "to": 1501}]
    await session.rollback()


async def test_connecting_to_a_fortnox_behind_sgx_shows_no_clash(
    client: httpx.AsyncClient,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    tokens = await consent(sandbox, settings, tenant_id=fortnox_company["tenant_id"])
    await _invoice_made_in_fortnox(sandbox, tokens["access_token"], 1000)

    page = (await connect_and_show(client, clinic.id, clinic.admin)).text

    assert "Anslutningen till Fortnox är klar och kontrollerad." in page
    assert CLASH not in page


async def _connected_with_row(
    session: AsyncSession,
    session_factory: SessionFactory,
    sandbox_client: httpx.AsyncClient,
    settings: Settings,
) -> Connected:
    """A clinic whose transfers run through the handlers, with its connection row in SGX."""
    connected = await connect_clinic(
        session, session_factory, sandbox_client, invoice_numbering="after_highest"
    )
    await make_connection(
        session,
        issuer_id=connected.clinic.issuer.id,
        box=SecretBox(settings.encryption_key_list),
        tenant_id=connected.tenant_id,
        tokens={"access_token": connected.access_token},
    )
    await session.commit()
    return connected


async def _continue_series(factory: SessionFactory, issuer_id: int, next_number: int) -> None:
    """ "Fortsätt nummerserien", as the issuer's Administratör."""
    async with factory() as session:
        user = await make_user(session, roles={issuer_id: IssuerRole.ADMIN})
        admin = Principal(
            user_id=user.id, username=user.username, roles={issuer_id: IssuerRole.ADMIN}
        )
        await issuers.continue_invoice_series(
            session, principal=admin, issuer_id=issuer_id, next_number=next_number
        )
        await session.commit()


async def test_a_clash_arising_later_is_warned_of_in_att_atgarda_before_a_transfer_fails(
    client: httpx.AsyncClient,
    session: AsyncSession,
    session_factory: SessionFactory,
    sandbox_client: httpx.AsyncClient,
    settings: Settings,
) -> None:
    connected = await _connected_with_row(session, session_factory, sandbox_client, settings)
    first = await patient_invoice(session, connected)
    assert (await transfer(connected, session, first)).kind is OutcomeKind.DONE
    # Someone invoices in Fortnox; Fortnox numbers it after the highest: SGX's next number.
    by_hand = await _invoice_made_in_fortnox(sandbox_client, connected.access_token)
    issuer_id = connected.clinic.issuer.id
    issuer = await stored(session_factory, Issuer, issuer_id)
    assert by_hand["DocumentNumber"] == str(issuer.next_invoice_number)
    headers = connected.clinic.headers

    await reconcile(session_factory, connected.fortnox, issuer_id=issuer_id)

    worklist = await client.get(f"/issuers/{issuer_id}/worklist", headers=headers)
    assert CLASH in worklist.text
    assert f"upp till {by_hand['DocumentNumber']}" in worklist.text
    await _continue_series(session_factory, issuer_id, int(by_hand["DocumentNumber"]) + 1)
    second = await patient_invoice(session, connected)
    outcome = await transfer(connected, session, second)
    assert (outcome.kind, outcome.fortnox_document_number) == (
        OutcomeKind.DONE,
        str(second.number),
    )
    assert second.number == int(by_hand["DocumentNumber"]) + 1
    worklist = await client.get(f"/issuers/{issuer_id}/worklist", headers=headers)
    assert CLASH not in worklist.text
    assert (await stored(session_factory, Issuer, issuer_id)).next_invoice_number == (
        second.number + 1
    )
