"""Drift: an invoice credited, cancelled, changed or deleted only in Fortnox is "Osynk" with the
difference in Swedish — found once and only once, and never for SGX's own credits."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fortnox_sandbox.backend import SandboxBackend
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.reconcile_models import DriftKind
from sgx.invoicing.models import TransferStatus
from sgx.settings import Settings
from tests.sgx.integration.reconcile_support import (
    Setup,
    books_by_hand,
    drift_count,
    drifts,
    edit_rows,
    fresh,
    inside,
    patient_invoice,
    reconciled,
    set_up,
    sgx_credit,
    transferred,
)

OSYNK = TransferStatus.OUT_OF_SYNC.value


@pytest.fixture
async def setup(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
) -> Setup:
    return await set_up(engine, session, sandbox, settings, gateway)


async def test_a_credit_made_only_in_fortnox_is_osynk_with_the_credit_invoice_named(
    session: AsyncSession, setup: Setup
) -> None:
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await reconciled(setup)
    answer = await inside(setup, "credit_invoice", document_number=invoice.fortnox_document_number)
    credit_number = answer["Invoice"]["CreditInvoiceReference"]

    await reconciled(setup)

    stored = await fresh(session, invoice.id)
    assert (stored.transfer_status, stored.transfer_error_code) == (
        OSYNK,
        DriftKind.CREDITED.value,
    )
    assert stored.transfer_message == (
        f"Krediterad i Fortnox (kreditfaktura {credit_number}) men inte i SGX."
    )


async def test_a_fortnox_credit_is_reported_once_however_often_it_is_read_again(
    session: AsyncSession, setup: Setup
) -> None:
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await reconciled(setup)
    await inside(setup, "credit_invoice", document_number=invoice.fortnox_document_number)

    await reconciled(setup)
    await reconciled(setup)
    async with setup.factory() as other:
        from sgx.integration.reconcile_schedule import request_reconciliation

        await request_reconciliation(other, issuer_id=setup.issuer_id, full=True)
        await other.commit()
    await setup.engine.run_until_idle()

    assert [(d.kind, d.handled_at) for d in await drifts(session, invoice.id)] == [
        (DriftKind.CREDITED, None)
    ]


async def test_credits_made_in_sgx_are_never_drift(session: AsyncSession, setup: Setup) -> None:
    whole = await patient_invoice(session, setup)
    part = await patient_invoice(session, setup)
    await transferred(session, setup, whole, part)
    await reconciled(setup)
    await sgx_credit(session, whole)
    await sgx_credit(session, part, [(part.rows[0].id, "1")])
    whole, part = await transferred(session, setup, whole, part)

    await reconciled(setup)
    await reconciled(setup)

    assert await drift_count(session, setup.issuer_id) == 0
    assert (whole.transfer_status, part.transfer_status) == (
        TransferStatus.CREDITED.value,
        TransferStatus.TRANSFERRED.value,
    )
    assert (await fresh(session, whole.id)).transfer_status == TransferStatus.CREDITED.value


async def test_an_invoice_cancelled_in_fortnox_is_osynk_once(
    session: AsyncSession, setup: Setup
) -> None:
    await books_by_hand(session, setup)
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await reconciled(setup)
    await inside(setup, "cancel_invoice", document_number=invoice.fortnox_document_number)

    await reconciled(setup)
    await reconciled(setup)

    stored = await fresh(session, invoice.id)
    assert stored.transfer_message == (
        f"Makulerad i Fortnox (faktura {invoice.fortnox_document_number}) men inte i SGX."
    )
    assert [d.kind for d in await drifts(session, invoice.id)] == [DriftKind.CANCELLED]


async def test_rows_changed_in_fortnox_are_osynk_with_the_difference_once(
    session: AsyncSession, setup: Setup
) -> None:
    await books_by_hand(session, setup)
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await reconciled(setup)
    await edit_rows(setup, invoice, {0: {"DeliveredQuantity": "2"}})

    await reconciled(setup)
    await reconciled(setup)

    stored = await fresh(session, invoice.id)
    assert stored.transfer_status == OSYNK
    assert "rad 1: antal 1,00 i SGX men 2,00 i Fortnox" in (stored.transfer_message or "")
    assert [d.kind for d in await drifts(session, invoice.id)] == [DriftKind.CHANGED]


async def test_a_row_text_changed_in_fortnox_is_found_though_no_total_moved(
    session: AsyncSession, setup: Setup
) -> None:
    await books_by_hand(session, setup)
    made = await patient_invoice(session, setup, [("BESOK", "1")])
    [invoice] = await transferred(session, setup, made)
    await reconciled(setup)
    await edit_rows(setup, invoice, {0: {"Description": "Ny text"}})

    await reconciled(setup)

    stored = await fresh(session, invoice.id)
    assert stored.transfer_status == OSYNK
    assert "rad 1: text" in (stored.transfer_message or "")
    assert "”Ny text” i Fortnox" in (stored.transfer_message or "")


async def test_an_invoice_gone_from_fortnox_is_found_by_a_full_pass(
    session: AsyncSession, setup: Setup, sandbox_backend: SandboxBackend
) -> None:
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await reconciled(setup)
    # The control plane has no way to delete an invoice (Fortnox's API has none either); take
    # it out of the company's register the way a restore from an older backup would.
    del sandbox_backend.companies[setup.tenant_id].invoices[str(invoice.fortnox_document_number)]

    async with setup.factory() as other:
        from sgx.integration.reconcile_schedule import request_reconciliation

        await request_reconciliation(other, issuer_id=setup.issuer_id, full=True)
        await other.commit()
    await setup.engine.run_until_idle()
    await reconciled(setup)

    stored = await fresh(session, invoice.id)
    assert stored.transfer_message == (
        f"Fakturan {invoice.fortnox_document_number} finns inte längre i Fortnox."
    )
    assert [d.kind for d in await drifts(session, invoice.id)] == [DriftKind.DELETED]
