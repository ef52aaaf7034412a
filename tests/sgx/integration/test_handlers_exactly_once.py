"""Exactly once without help from number collisions: after a write whose answer was lost, SGX
looks the invoice up — by its reference, then under its number — before it writes again, in each
of the sandbox's numbering modes. In ``fortnox_assigns`` Fortnox ignores SGX's number and takes
a repeated POST twice, so only that look-up keeps a second document out of Fortnox."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.fortnox.errors import Ambiguous
from sgx.integration.jobs import HANDLERS, OutcomeKind
from sgx.invoicing.models import Invoice
from sgx.outbox.models import JobKind, TransferAttempt
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    add_fault,
    connect_clinic,
    fortnox_list,
    installation_of,
    make_job,
    patient_invoice,
    run_job,
    stored,
)

CREATE = {"method": "POST", "path": r"^/3/invoices/?$", "count": 1}


@pytest.fixture
async def connected(
    session: AsyncSession,
    session_factory: SessionFactory,
    sandbox_client: httpx.AsyncClient,
    numbering: str,
) -> Connected:
    return await connect_clinic(
        session, session_factory, sandbox_client, invoice_numbering=numbering
    )


async def _history(session_factory: SessionFactory, job_id: int) -> list[tuple[str, str]]:
    async with session_factory() as session:
        attempts = await session.scalars(
            select(TransferAttempt)
            .where(TransferAttempt.job_id == job_id)
            .order_by(TransferAttempt.id)
        )
        return [(attempt.operation, attempt.outcome) for attempt in attempts]


async def _ours_in_fortnox(connected: Connected, invoice: Invoice) -> list[dict[str, Any]]:
    installation = await installation_of(connected.ctx.session_factory)
    reference = f"SGX{installation}-{invoice.issuer_id}-{invoice.id}"
    invoices = await fortnox_list(connected, "invoices", "Invoices")
    return [i for i in invoices if i["ExternalInvoiceReference1"] == reference]


async def _transfer_with_fault(
    connected: Connected, session: AsyncSession, fault: dict[str, Any]
) -> tuple[Invoice, int]:
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "1")])
    await add_fault(connected, **CREATE, **fault)
    job = await make_job(
        session, issuer_id=invoice.issuer_id, kind=JobKind.INVOICE, subject_id=invoice.id
    )
    outcome = await run_job(connected.ctx, job.id)
    assert outcome.kind is OutcomeKind.DONE, outcome
    return invoice, job.id


async def test_a_create_whose_answer_was_lost_is_adopted_not_posted_again(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    invoice, job_id = await _transfer_with_fault(connected, session, {"kind": "commit_then_drop"})

    ours = await _ours_in_fortnox(connected, invoice)
    assert len(ours) == 1
    assert len(await fortnox_list(connected, "invoices", "Invoices")) == 1
    history = await _history(session_factory, job_id)
    invoice_calls = [step for step in history if "invoice" in step[0]]
    assert invoice_calls == [
        ("create_invoice", "ambiguous"),
        ("find_invoice_by_reference", "ok"),
        ("get_invoice", "ok"),
        ("adopt_invoice", "adopted"),
        ("bookkeep_invoice", "ok"),
    ]
    after = await stored(session_factory, Invoice, invoice.id)
    assert after.fortnox_document_number == ours[0]["DocumentNumber"]


async def test_a_create_that_never_arrived_is_looked_for_then_written_once(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    invoice, job_id = await _transfer_with_fault(connected, session, {"kind": "reset"})

    assert len(await _ours_in_fortnox(connected, invoice)) == 1
    history = await _history(session_factory, job_id)
    invoice_calls = [step for step in history if "invoice" in step[0]]
    assert invoice_calls == [
        ("create_invoice", "ambiguous"),
        ("find_invoice_by_reference", "ok"),
        ("get_invoice", "not_found"),
        ("create_invoice", "ok"),
        ("bookkeep_invoice", "ok"),
    ]


async def test_an_invoice_changed_in_fortnox_after_a_lost_answer_is_a_conflict_for_a_person(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "1")])
    await add_fault(connected, **CREATE, kind="commit_then_drop")
    job = await make_job(
        session, issuer_id=invoice.issuer_id, kind=JobKind.INVOICE, subject_id=invoice.id
    )
    with pytest.raises(Ambiguous):  # the invoice is made, the answer lost
        await HANDLERS[JobKind.INVOICE](connected.ctx, job)
    (made,) = await _ours_in_fortnox(connected, invoice)
    edited = await connected.sandbox.post(
        f"/_sandbox/tenants/{connected.tenant_id}/actions",
        json={
            "action": "edit_invoice",
            "document_number": made["DocumentNumber"],
            "fields": {"InvoiceRows": [{"Description": "Annat", "DeliveredQuantity": 2}]},
        },
    )
    assert edited.status_code == 200, edited.text

    outcome = await run_job(connected.ctx, job.id)

    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "fortnox_reference_conflict")
    assert "beloppet är" in outcome.message and "i SGX" in outcome.message
    assert len(await fortnox_list(connected, "invoices", "Invoices")) == 1
