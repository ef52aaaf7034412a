"""Two SGX installations — two databases — on one Fortnox company keep apart: neither takes the
other's customers or invoices for its own, even when their ids and invoice numbers are equal, as
they are for a database rebuilt from scratch next to what the old one wrote."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import sgx.models
from sgx.integration.jobs import OutcomeKind
from sgx.integration.models import Installation
from sgx.integration.runner import EngineJobContext
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.kit.db import create_engine, create_session_factory
from tests.builders.invoicing import make_clinic
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    connect_clinic,
    fortnox_list,
    patient_invoice,
    stored,
    transfer,
)


@pytest.fixture
async def other_database(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A second, fresh SGX database (the other installation)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(sgx.models.metadata.create_all)
    yield engine
    await engine.dispose()


async def _other_installation(first: Connected, engine: AsyncEngine) -> Connected:
    """An issuer in the other database, connected to the first one's Fortnox company."""
    factory = create_session_factory(engine)
    async with factory() as session:
        clinic = await make_clinic(session, name="Kliniken i Ås")
    ctx = EngineJobContext(
        session_factory=factory,
        client=first.ctx.client,
        issuer_id=clinic.issuer.id,
        worker_name="other-worker",
    )
    return Connected(clinic, first.tenant_id, first.sandbox, ctx, first.access_token)


async def _legacy_prefix(session_factory: SessionFactory) -> None:
    """The database wrote to Fortnox before installations had prefixes."""
    async with session_factory() as session:
        session.add(Installation(id=1, reference_prefix=""))
        await session.commit()


async def test_a_fresh_database_next_to_old_fortnox_state_adopts_nothing_of_it(
    session: AsyncSession,
    session_factory: SessionFactory,
    sandbox_client: httpx.AsyncClient,
    other_database: AsyncEngine,
) -> None:
    old = await connect_clinic(session, session_factory, sandbox_client)
    await _legacy_prefix(session_factory)
    old_invoice = await patient_invoice(session, old, rows=[("BESOK", "1")])
    assert (await transfer(old, session, old_invoice)).kind is OutcomeKind.DONE
    fresh = await _other_installation(old, other_database)
    async with fresh.ctx.session_factory() as other_session:
        new_invoice = await patient_invoice(other_session, fresh, rows=[("KONSULT", "3")])
        # Same ids and the same number as the old database's first invoice and patient.
        assert (new_invoice.id, new_invoice.number) == (old_invoice.id, old_invoice.number)
        assert fresh.clinic.patient.id == old.clinic.patient.id

        outcome = await transfer(fresh, other_session, new_invoice)

    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "document_number_taken")
    after = await stored(fresh.ctx.session_factory, Invoice, new_invoice.id)
    assert after.fortnox_document_number is None
    assert after.transfer_status != TransferStatus.OUT_OF_SYNC.value
    invoices = await fortnox_list(old, "invoices", "Invoices")
    assert len(invoices) == 1  # the old one, untouched
    assert invoices[0]["CustomerNumber"] == f"SGXP{old.clinic.patient.id}"
    customers = sorted(
        c["CustomerNumber"] for c in await fortnox_list(old, "customers", "Customers")
    )
    assert len(customers) == 2 and f"SGXP{old.clinic.patient.id}" in customers  # one each


async def test_two_installations_with_their_own_numbers_both_reach_fortnox(
    session: AsyncSession,
    session_factory: SessionFactory,
    sandbox_client: httpx.AsyncClient,
    other_database: AsyncEngine,
) -> None:
    first = await connect_clinic(
        session, session_factory, sandbox_client, invoice_number_start=1001
    )
    first_invoice = await patient_invoice(session, first, rows=[("BESOK", "1")])
    assert (await transfer(first, session, first_invoice)).kind is OutcomeKind.DONE
    second = await _other_installation(first, other_database)
    async with second.ctx.session_factory() as other_session:
        issuer = second.clinic.issuer
        await other_session.merge(issuer)
        stored_issuer = await other_session.get(type(issuer), issuer.id)
        assert stored_issuer is not None
        stored_issuer.invoice_number_start = stored_issuer.next_invoice_number = 5001
        await other_session.commit()
        second_invoice = await patient_invoice(other_session, second, rows=[("BESOK", "1")])
        outcome = await transfer(second, other_session, second_invoice)

    assert (outcome.kind, outcome.fortnox_document_number) == (OutcomeKind.DONE, "5001")
    invoices = {i["DocumentNumber"]: i for i in await fortnox_list(first, "invoices", "Invoices")}
    assert set(invoices) == {str(first_invoice.number), "5001"}
    assert (
        invoices["5001"]["CustomerNumber"] != invoices[str(first_invoice.number)]["CustomerNumber"]
    )
    references = {i["ExternalInvoiceReference1"] for i in invoices.values()}
    assert len(references) == 2
