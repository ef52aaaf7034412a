"""Payment read-back: "Obetald", "Delvis betald", "Betald" and "Förfallen" from Fortnox's
invoice list — read-only, at no extra call for a payment on a bookkept invoice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.integration.gateway import FortnoxGateway
from sgx.integration.payments import payment_state
from sgx.invoicing.models import Invoice, PaymentStatus
from sgx.kit.clock import today_in_sweden
from sgx.settings import Settings
from tests.sgx.integration.reconcile_support import (
    Setup,
    books_by_hand,
    forget_requests,
    fortnox_requests,
    fresh,
    inside,
    minutes_later,
    pass_now,
    patient_invoice,
    reconciled,
    set_up,
    sgx_credit,
    transferred,
)


@pytest.fixture
async def setup(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
) -> Setup:
    return await set_up(engine, session, sandbox, settings, gateway)


async def _paid(setup: Setup, invoice: Invoice, amount: Decimal) -> None:
    await inside(
        setup,
        "register_payment",
        document_number=invoice.fortnox_document_number,
        amount=str(amount),
        payment_date=today_in_sweden().isoformat(),
    )


async def test_an_invoice_nobody_has_paid_is_obetald(session: AsyncSession, setup: Setup) -> None:
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))

    await reconciled(setup)

    stored = await fresh(session, invoice.id)
    assert (stored.payment_status, stored.payment_balance) == ("Obetald", invoice.total)


async def test_a_partly_paid_invoice_is_delvis_betald_with_what_is_left(
    session: AsyncSession, setup: Setup
) -> None:
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await _paid(setup, invoice, Decimal("100"))

    await reconciled(setup)

    stored = await fresh(session, invoice.id)
    assert (stored.payment_status, stored.payment_balance) == (
        "Delvis betald",
        invoice.total - Decimal("100"),
    )


async def test_a_paid_invoice_is_betald_with_its_final_pay_date(
    session: AsyncSession, setup: Setup
) -> None:
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await reconciled(setup)
    await _paid(setup, invoice, invoice.total)

    await reconciled(setup)

    stored = await fresh(session, invoice.id)
    assert (stored.payment_status, stored.payment_final_pay_date) == ("Betald", today_in_sweden())


async def test_an_unpaid_invoice_past_its_due_date_is_forfallen(
    session: AsyncSession, setup: Setup
) -> None:
    long_ago = today_in_sweden() - dt.timedelta(days=45)
    made = await patient_invoice(session, setup, invoice_date=long_ago)
    [invoice] = await transferred(session, setup, made)

    await reconciled(setup)

    stored = await fresh(session, invoice.id)
    assert stored.payment_status == "Förfallen"
    assert stored.payment_status_on(long_ago) == "Obetald"


def test_overdue_is_a_matter_of_the_date_alone() -> None:
    invoice = Invoice(
        total=Decimal("850"),
        due_date=dt.date(2026, 3, 31),
        payment_state=PaymentStatus.PARTLY_PAID.value,
        payment_due_date=dt.date(2026, 3, 31),
    )

    shown = [invoice.payment_status_on(dt.date(2026, 3, d)) for d in (30, 31)]
    shown.append(invoice.payment_status_on(dt.date(2026, 4, 1)))

    assert shown == ["Delvis betald", "Delvis betald", "Förfallen"]


def test_payment_states_follow_the_balance_against_what_is_owed() -> None:
    owed = Decimal("1000")

    states = [
        payment_state(amount_due=owed, balance=balance)
        for balance in (Decimal("1000"), Decimal("400"), Decimal("0"), None)
    ]

    assert states == ["Obetald", "Delvis betald", "Betald", None]
    assert payment_state(amount_due=Decimal("0"), balance=Decimal("0")) is None


async def test_a_payment_on_a_bookkept_invoice_is_read_from_the_list_alone(
    session: AsyncSession, setup: Setup
) -> None:
    await books_by_hand(session, setup)
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await minutes_later(setup, 5)
    await pass_now(setup)
    await inside(setup, "bookkeep_invoice", document_number=invoice.fortnox_document_number)
    await minutes_later(setup, 5)
    await pass_now(setup)  # reads it in full once: it was bookkept
    await _paid(setup, invoice, invoice.total)
    await minutes_later(setup, 5)
    await forget_requests(setup)

    report = await pass_now(setup)

    assert [(r["method"], r["path"]) for r in await fortnox_requests(setup)] == [
        ("GET", "/3/invoices")
    ]
    assert report.payments == 1
    assert (await fresh(session, invoice.id)).payment_status == "Betald"


async def test_the_invoice_api_shows_the_payment_read_back(
    session: AsyncSession, setup: Setup, client: httpx.AsyncClient
) -> None:
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await _paid(setup, invoice, Decimal("100"))
    await reconciled(setup)

    response = await client.get(
        f"/api/v1/invoices/{invoice.id}", headers=setup.connected.clinic.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["payment"] == {
        "status": "Delvis betald",
        "balance": str(invoice.total - Decimal("100")),
        "final_pay_date": None,
        "due_date": invoice.due_date.isoformat(),
    }


async def test_an_invoice_credited_in_fortnox_is_not_shown_as_paid(
    session: AsyncSession, setup: Setup
) -> None:
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await reconciled(setup)
    await inside(setup, "credit_invoice", document_number=invoice.fortnox_document_number)

    await reconciled(setup)
    await reconciled(setup)

    stored = await fresh(session, invoice.id)
    assert (stored.transfer_status, stored.payment_status) == ("Osynk", None)


async def test_a_later_credit_fortnox_does_not_settle_is_still_taken_off_what_is_left_to_pay(
    session: AsyncSession, setup: Setup
) -> None:
    made = await patient_invoice(session, setup, [("BESOK", "3")])
    [invoice] = await transferred(session, setup, made)
    first = await sgx_credit(session, made, [(made.rows[0].id, "1")])
    second = await sgx_credit(session, made, [(made.rows[0].id, "1")])
    first, second = await transferred(session, setup, first, second)
    assert (first.fortnox_unlinked_credit, second.fortnox_unlinked_credit) == (False, True)
    due = invoice.total + first.total + second.total

    await _paid(setup, invoice, due)
    await reconciled(setup)

    # Fortnox's balance still holds the unlinked credit; SGX takes it off.
    listed = await (await setup.client()).invoices.get(str(invoice.fortnox_document_number))
    assert listed.balance == -second.total
    assert (await fresh(session, invoice.id)).payment_status == "Betald"
    # SGX's own credits, linked or not, are no drift.
    statuses = [(await fresh(session, i.id)).transfer_status for i in (invoice, first, second)]
    assert statuses == ["Överförd", "Överförd", "Överförd"]


async def test_a_later_credit_matched_in_fortnox_is_not_taken_off_twice(
    session: AsyncSession, setup: Setup
) -> None:
    made = await patient_invoice(session, setup, [("BESOK", "3")])
    [invoice] = await transferred(session, setup, made)
    first = await sgx_credit(session, made, [(made.rows[0].id, "1")])
    second = await sgx_credit(session, made, [(made.rows[0].id, "1")])
    first, second = await transferred(session, setup, first, second)
    # Someone matches the negative invoice against the original in Fortnox: it is "paid out"
    # against the original's balance.
    await _paid(setup, invoice, -second.total)
    await _paid(setup, second, second.total)

    await reconciled(setup)

    assert (await fresh(session, invoice.id)).payment_status == "Obetald"
