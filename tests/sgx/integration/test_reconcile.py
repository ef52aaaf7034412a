"""Reconciliation passes: what they cost in Fortnox calls, and when they run (on the sweeper's
schedule per issuer, or asked for now) — always as a job under the issuer's lease."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.integration.gateway import FortnoxGateway
from sgx.integration.models import ConnectionState, FortnoxConnection
from sgx.integration.reconcile_models import ReconcileState
from sgx.integration.reconcile_schedule import (
    request_reconciliation,
    schedule_due_reconciliations,
)
from sgx.kit.clock import utcnow
from sgx.outbox.models import JobKind, JobStatus, TransferAttempt, TransferJob
from sgx.settings import Settings
from tests.sgx.integration.reconcile_support import (
    Setup,
    books_by_hand,
    edit_rows,
    forget_requests,
    fortnox_requests,
    minutes_later,
    pass_now,
    patient_invoice,
    reconciled,
    set_up,
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


async def _reconcile_jobs(session: AsyncSession, issuer_id: int) -> list[TransferJob]:
    jobs = list(
        await session.scalars(
            select(TransferJob)
            .where(TransferJob.issuer_id == issuer_id, TransferJob.kind == JobKind.RECONCILE)
            .order_by(TransferJob.id)
        )
    )
    await session.commit()
    return jobs


async def _due_now(session: AsyncSession, issuer_id: int) -> None:
    await session.execute(
        update(ReconcileState)
        .where(ReconcileState.issuer_id == issuer_id)
        .values(next_due_at=utcnow() - dt.timedelta(seconds=1))
    )
    await session.commit()


async def test_a_quiet_issuer_costs_one_call_that_lists_nothing(
    session: AsyncSession, setup: Setup
) -> None:
    for _ in range(3):
        await patient_invoice(session, setup)
    await setup.engine.run_until_idle()
    await minutes_later(setup, 5)
    await pass_now(setup)
    await minutes_later(setup, 5)
    await forget_requests(setup)

    report = await pass_now(setup)

    requests = await fortnox_requests(setup)
    assert [(r["method"], r["path"]) for r in requests] == [("GET", "/3/invoices")]
    assert "lastmodified=" in requests[0]["query"]
    assert (report.calls, report.listed) == (1, 0)


async def test_the_first_pass_reads_the_whole_list_without_reading_invoices_one_by_one(
    session: AsyncSession, setup: Setup
) -> None:
    for _ in range(3):
        await patient_invoice(session, setup)
    await setup.engine.run_until_idle()
    await forget_requests(setup)

    report = await pass_now(setup)

    requests = await fortnox_requests(setup)
    assert [(r["method"], r["path"]) for r in requests] == [("GET", "/3/invoices")]
    assert "lastmodified" not in requests[0]["query"]
    assert (report.full, report.listed) == (True, 3)


async def test_an_invoice_edited_in_fortnox_costs_one_read_of_it(
    session: AsyncSession, setup: Setup
) -> None:
    await books_by_hand(session, setup)
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await minutes_later(setup, 5)
    await pass_now(setup)
    await edit_rows(setup, invoice, {0: {"Description": "Ändrad text"}})
    await minutes_later(setup, 5)
    await forget_requests(setup)

    report = await pass_now(setup)

    assert [(r["method"], r["path"]) for r in await fortnox_requests(setup)] == [
        ("GET", "/3/invoices"),
        ("GET", f"/3/invoices/{invoice.fortnox_document_number}"),
    ]
    assert (report.fetched, report.drifts) == (1, 1)


async def test_a_connected_issuer_gets_its_first_pass_one_interval_after_it_is_seen(
    session: AsyncSession, setup: Setup, settings: Settings
) -> None:
    queued = await schedule_due_reconciliations(setup.factory, settings)

    state = await session.get(ReconcileState, setup.issuer_id)
    await session.commit()
    assert queued == 0
    assert state is not None and state.next_due_at is not None
    assert state.next_due_at - utcnow() > dt.timedelta(seconds=250)
    assert await _reconcile_jobs(session, setup.issuer_id) == []


async def test_a_pass_is_queued_when_its_time_has_come_and_then_not_again_at_once(
    session: AsyncSession, setup: Setup, settings: Settings
) -> None:
    await schedule_due_reconciliations(setup.factory, settings)
    await _due_now(session, setup.issuer_id)

    first = await schedule_due_reconciliations(setup.factory, settings)
    second = await schedule_due_reconciliations(setup.factory, settings)

    assert (first, second) == (1, 0)
    assert [job.status for job in await _reconcile_jobs(session, setup.issuer_id)] == [
        JobStatus.PENDING
    ]


async def test_no_pass_is_scheduled_when_the_interval_is_zero(
    session: AsyncSession, setup: Setup, settings: Settings
) -> None:
    off = settings.model_copy(update={"fortnox_reconcile_interval_seconds": 0})

    queued = await schedule_due_reconciliations(setup.factory, off)

    assert queued == 0
    assert await session.get(ReconcileState, setup.issuer_id) is None


async def test_an_issuer_whose_connection_is_lost_gets_no_scheduled_pass(
    session: AsyncSession, setup: Setup, settings: Settings
) -> None:
    await schedule_due_reconciliations(setup.factory, settings)
    await _due_now(session, setup.issuer_id)
    await session.execute(
        update(FortnoxConnection)
        .where(FortnoxConnection.issuer_id == setup.issuer_id)
        .values(state=ConnectionState.LOST)
    )
    await session.commit()

    queued = await schedule_due_reconciliations(setup.factory, settings)

    assert queued == 0


async def test_asking_twice_leaves_one_pass_waiting(session: AsyncSession, setup: Setup) -> None:
    for _ in range(2):
        await request_reconciliation(session, issuer_id=setup.issuer_id)
        await session.commit()

    assert len(await _reconcile_jobs(session, setup.issuer_id)) == 1


async def test_the_sweeper_queues_due_passes_and_the_engine_runs_them(
    session: AsyncSession, setup: Setup, settings: Settings
) -> None:
    await patient_invoice(session, setup)
    await schedule_due_reconciliations(setup.factory, settings)
    await _due_now(session, setup.issuer_id)

    await setup.engine.sweep()
    await setup.engine.run_until_idle()

    [job] = await _reconcile_jobs(session, setup.issuer_id)
    attempts = list(
        await session.scalars(select(TransferAttempt).where(TransferAttempt.job_id == job.id))
    )
    await session.commit()
    assert job.status is JobStatus.DONE
    assert attempts[-1].message.startswith("Fullständig avstämning: 1 fakturor i listan")


async def test_only_the_last_few_finished_passes_are_kept(
    session: AsyncSession, setup: Setup
) -> None:
    for _ in range(13):
        await reconciled(setup)

    jobs = await _reconcile_jobs(session, setup.issuer_id)
    assert len(jobs) == 11
    assert {job.status for job in jobs} == {JobStatus.DONE}


async def test_the_api_asks_for_a_pass_now_and_the_workers_run_it(
    session: AsyncSession, setup: Setup, client: httpx.AsyncClient
) -> None:
    response = await client.post(
        f"/api/v1/issuers/{setup.issuer_id}/fortnox/reconcile",
        headers=setup.connected.clinic.headers,
    )
    await setup.engine.run_until_idle()

    assert response.status_code == 202, response.text
    [job] = await _reconcile_jobs(session, setup.issuer_id)
    assert (job.id, job.status) == (response.json()["job_id"], JobStatus.DONE)
