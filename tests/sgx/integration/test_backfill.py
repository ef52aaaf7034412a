"""Backfill: invoices from before the go-live date reach Fortnox only when asked, oldest first,
each once — also when a backfill is stopped part-way and run again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import sgx.integration.handlers  # noqa: F401 — registers the handlers
from sgx.integration.backfill import Progress, candidates
from sgx.integration.gateway import FortnoxGateway
from sgx.invoicing import service as invoicing
from sgx.invoicing.schemas import InvoiceCreate, InvoiceRowIn
from sgx.kit.clock import today_in_sweden
from sgx.outbox.models import JobKind, JobStatus, TransferAttempt, TransferJob
from sgx.settings import Settings
from tests.builders.invoicing import Clinic, invoicer, make_clinic, make_credit
from tests.sgx.integration.backfill_support import (
    History,
    connected_history,
    earlier_invoices,
    switch_on,
)


@pytest.fixture
async def clinic(session: AsyncSession) -> Clinic:
    return await make_clinic(session, fortnox_integration_enabled=False)


@pytest.fixture
async def history(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
    clinic: Clinic,
) -> History:
    return await connected_history(engine, session, sandbox, settings, gateway, clinic)


async def _jobs(session: AsyncSession, issuer_id: int) -> list[TransferJob]:
    jobs = list(
        await session.scalars(
            select(TransferJob)
            .where(TransferJob.issuer_id == issuer_id, TransferJob.kind != JobKind.RECONCILE)
            .order_by(TransferJob.id)
        )
    )
    await session.commit()
    return jobs


async def _created_in_fortnox(session: AsyncSession) -> list[str]:
    """Document numbers in the order Fortnox was asked to create them."""
    numbers = list(
        await session.scalars(
            select(TransferAttempt.fortnox_document_number)
            .where(TransferAttempt.operation == "create_invoice", TransferAttempt.outcome == "ok")
            .order_by(TransferAttempt.id)
        )
    )
    await session.commit()
    return numbers


async def test_invoices_made_before_the_integration_was_on_wait_for_a_backfill(
    session: AsyncSession, clinic: Clinic
) -> None:
    [earlier] = await earlier_invoices(session, clinic, 1)
    await switch_on(session, clinic)
    principal = await invoicer(session, issuer_id=clinic.issuer.id)
    backdated = await invoicing.create_invoice(
        session,
        principal=principal,
        issuer_id=clinic.issuer.id,
        data=InvoiceCreate(
            patient_id=clinic.patient.id,
            invoice_date=today_in_sweden() - dt.timedelta(days=1),
            rows=[InvoiceRowIn(article_code="BESOK", quantity=Decimal(1))],
        ),
    )
    today = await invoicing.create_invoice(
        session,
        principal=principal,
        issuer_id=clinic.issuer.id,
        data=InvoiceCreate(
            patient_id=clinic.patient.id,
            rows=[InvoiceRowIn(article_code="BESOK", quantity=Decimal(1))],
        ),
    )
    await session.commit()

    jobs = await _jobs(session, clinic.issuer.id)

    assert [job.subject_id for job in jobs] == [today.id]
    assert (earlier.transfer_status, backdated.transfer_status) == ("Ej aktiverad",) * 2
    assert (backdated.transfer_message or "").startswith(
        f"Fakturan är daterad före startdagen för Fortnox ({today_in_sweden().isoformat()})"
    )


async def test_switching_the_integration_on_again_keeps_the_first_go_live_date(
    session: AsyncSession, clinic: Clinic
) -> None:
    clinic.issuer.fortnox_go_live_date = dt.date(2025, 1, 1)
    await session.commit()

    await switch_on(session, clinic)

    await session.refresh(clinic.issuer)
    assert clinic.issuer.fortnox_go_live_date == dt.date(2025, 1, 1)


async def test_500_invoices_reach_fortnox_once_each_oldest_first_after_a_stop_and_a_rerun(
    session: AsyncSession, clinic: Clinic, history: History
) -> None:
    made = await earlier_invoices(session, clinic, 500)
    first = history.backfill(batch_size=100)

    def stop_part_way(progress: Progress) -> None:
        if progress.done >= 150:
            first.stop.set()

    first.on_progress = stop_part_way
    stopped = await first.run()
    rest = await history.backfill(batch_size=100).run()

    jobs = await _jobs(session, clinic.issuer.id)
    by_id = {invoice.id: invoice for invoice in made}
    queued = [(by_id[job.subject_id].invoice_date, by_id[job.subject_id].number) for job in jobs]
    created = await _created_in_fortnox(session)
    assert stopped.stopped and 150 <= stopped.done < 500
    assert rest.done == rest.total == 500 - stopped.queued
    assert {job.status for job in jobs} == {JobStatus.DONE}
    assert sorted({job.subject_id for job in jobs}) == sorted(by_id) and len(jobs) == 500
    assert queued == sorted(queued)
    assert created == [str(number) for _, number in queued]
    assert len(set(created)) == 500


async def test_a_second_backfill_finds_nothing_left_to_do(
    session: AsyncSession, clinic: Clinic, history: History
) -> None:
    await earlier_invoices(session, clinic, 5)
    await history.backfill().run()

    again = await history.backfill().run()

    assert (again.total, again.queued) == (0, 0)
    assert len(await _jobs(session, clinic.issuer.id)) == 5


async def test_a_limit_leaves_the_newer_invoices_for_later(
    session: AsyncSession, clinic: Clinic, history: History
) -> None:
    made = await earlier_invoices(session, clinic, 8)

    done = await history.backfill(limit=3, batch_size=2).run()

    oldest = sorted(made, key=lambda invoice: (invoice.invoice_date, invoice.number))[:3]
    jobs = await _jobs(session, clinic.issuer.id)
    assert done.done == 3
    assert [job.subject_id for job in jobs] == [invoice.id for invoice in oldest]


async def test_credits_follow_their_invoices_and_a_whole_credit_uses_the_credit_action(
    session: AsyncSession, clinic: Clinic, history: History
) -> None:
    [invoice, other] = await earlier_invoices(session, clinic, 2)
    whole = await make_credit(session, invoice=invoice)
    part = await make_credit(session, invoice=other, rows=[(other.rows[0].id, "1")])
    await session.commit()

    await history.backfill().run()

    jobs = {job.subject_id: job for job in await _jobs(session, clinic.issuer.id)}
    assert (jobs[whole.id].kind, jobs[part.id].kind) == (JobKind.FULL_CREDIT, JobKind.INVOICE)
    assert jobs[whole.id].after_job_id == jobs[invoice.id].id
    assert {job.status for job in jobs.values()} == {JobStatus.DONE}


async def test_a_dry_run_lists_the_plan_and_queues_nothing(
    session: AsyncSession, clinic: Clinic, history: History
) -> None:
    await earlier_invoices(session, clinic, 4)

    found = await candidates(
        session, issuer_id=clinic.issuer.id, since=dt.date(today_in_sweden().year - 1, 1, 1)
    )
    await session.commit()

    assert [c.invoice_date for c in found] == sorted(c.invoice_date for c in found)
    assert await _jobs(session, clinic.issuer.id) == []
