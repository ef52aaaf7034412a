"""The engine applies what a run concluded: done, retry with back-off, failed, held."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.fortnox import InvalidRequest, MissingLicence, RateLimited, Unauthorized, Unavailable
from sgx.integration.errors import ConnectionLost
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.jobs import JobOutcome, OutcomeKind
from sgx.integration.models import ConnectionState
from sgx.integration.repository import connection_of
from sgx.invoicing.models import TransferStatus
from sgx.kit.clock import utcnow
from sgx.outbox.models import JobStatus
from sgx.settings import Settings
from tests.sgx.outbox.support import (
    ConnectedClinic,
    ScriptedHandler,
    attempts_of,
    connected_clinic,
    invoice_job,
    invoice_of,
    job_of,
    make_engine,
)


@pytest.fixture
async def connected(
    session: AsyncSession, sandbox: httpx.AsyncClient, settings: Settings, gateway: FortnoxGateway
) -> ConnectedClinic:
    return await connected_clinic(session, sandbox, settings, box=gateway.box)


async def _run_once(engine: AsyncEngine, gateway: FortnoxGateway, handler: ScriptedHandler) -> None:
    await make_engine(engine, gateway, handler).run_until_idle()


async def test_a_done_job_is_marked_done_with_the_invoice_transferred(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    invoice, job = await invoice_job(session, connected.clinic)
    handler = ScriptedHandler()

    await _run_once(engine, gateway, handler)

    stored = await job_of(session, job.id)
    assert (stored.status, stored.attempts) == (JobStatus.DONE, 1)
    assert stored.done_at is not None
    transferred = await invoice_of(session, invoice.id)
    assert transferred.transfer_status == TransferStatus.TRANSFERRED.value
    assert transferred.fortnox_document_number == f"F{invoice.id}"
    history = [(a.operation, a.outcome, a.worker) for a in await attempts_of(session, job.id)]
    assert history == [
        ("company", "ok", "worker-1"),
        ("invoice", "done", "worker-1"),
    ]


async def test_a_transient_error_backs_off_and_keeps_the_job_pending(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    invoice, job = await invoice_job(session, connected.clinic)
    handler = ScriptedHandler(
        script={invoice.id: [Unavailable("Fortnox svarar inte.", status=503)]}
    )
    before = utcnow()

    await _run_once(engine, gateway, handler)

    stored = await job_of(session, job.id)
    assert (stored.status, stored.attempts) == (JobStatus.PENDING, 1)
    assert before < stored.available_at <= utcnow() + dt.timedelta(seconds=2)
    assert stored.error_code
    assert (await invoice_of(session, invoice.id)).transfer_status == "Väntar på överföring"
    last = (await attempts_of(session, job.id))[-1]
    assert (last.outcome, last.http_status) == ("retry", 503)


async def test_a_rate_limit_with_retry_after_waits_at_least_that_long(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    invoice, job = await invoice_job(session, connected.clinic)
    limited = RateLimited("För många anrop.", status=429, retry_after=45)
    handler = ScriptedHandler(script={invoice.id: [limited]})
    before = utcnow()

    await _run_once(engine, gateway, handler)

    stored = await job_of(session, job.id)
    assert stored.status is JobStatus.PENDING
    assert stored.available_at >= before + dt.timedelta(seconds=45)


async def test_a_permanent_error_fails_the_invoice_with_a_swedish_message(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    invoice, job = await invoice_job(session, connected.clinic)
    refused = InvalidRequest("Kunde inte hitta konto.", status=400, code=2000359)
    handler = ScriptedHandler(script={invoice.id: [refused]})
    before = utcnow()

    await _run_once(engine, gateway, handler)

    stored = await job_of(session, job.id)
    assert (stored.status, stored.fortnox_code) == (JobStatus.FAILED, "2000359")
    assert stored.error_code and stored.error_message
    # Retried on its own on a slow schedule, in case the cause is fixed in Fortnox.
    assert before + dt.timedelta(minutes=15) <= stored.available_at
    assert stored.available_at <= utcnow() + dt.timedelta(minutes=60)
    failed = await invoice_of(session, invoice.id)
    assert failed.transfer_status == TransferStatus.FAILED.value
    assert failed.transfer_message == stored.error_message
    assert failed.transfer_error_code == stored.error_code


async def test_a_failed_outcome_from_the_handler_keeps_its_code_and_message(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    invoice, job = await invoice_job(session, connected.clinic)
    missing = JobOutcome(
        OutcomeKind.FAILED, "company_not_in_fortnox", "Företaget finns inte i Fortnox."
    )
    handler = ScriptedHandler(script={invoice.id: [missing]})

    await _run_once(engine, gateway, handler)

    stored = await job_of(session, job.id)
    assert (stored.status, stored.error_code) == (JobStatus.FAILED, "company_not_in_fortnox")
    assert (await invoice_of(session, invoice.id)).transfer_message == (
        "Företaget finns inte i Fortnox."
    )


async def test_a_refused_token_is_renewed_and_the_job_run_again_at_once(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    invoice, job = await invoice_job(session, connected.clinic)
    handler = ScriptedHandler(script={invoice.id: [Unauthorized("Unauthorized", status=401)]})

    await _run_once(engine, gateway, handler)

    stored = await job_of(session, job.id)
    assert (stored.status, stored.attempts) == (JobStatus.DONE, 2)
    outcomes = [a.outcome for a in await attempts_of(session, job.id) if a.operation == "invoice"]
    assert outcomes == ["retry", "done"]


async def test_a_fresh_token_refused_holds_the_queue_and_marks_the_connection_lost(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    invoice, job = await invoice_job(session, connected.clinic)
    refused = [Unauthorized("Unauthorized", status=401), Unauthorized("Unauthorized", status=401)]
    handler = ScriptedHandler(script={invoice.id: list(refused)})

    await _run_once(engine, gateway, handler)

    stored = await job_of(session, job.id)
    assert (stored.status, stored.error_code) == (JobStatus.HELD, ConnectionLost().code)
    paused = await invoice_of(session, invoice.id)
    assert paused.transfer_status == TransferStatus.PAUSED.value
    connection = await connection_of(session, issuer_id=connected.issuer_id)
    assert connection is not None
    await session.refresh(connection)
    assert connection.state is ConnectionState.LOST


async def test_a_missing_licence_holds_the_queue_and_shows_on_the_connection(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    invoice, job = await invoice_job(session, connected.clinic)
    _, other = await invoice_job(session, connected.clinic)
    licence = MissingLicence("Licens saknas.", status=400, code=2001101)
    handler = ScriptedHandler(script={invoice.id: [licence]})

    await _run_once(engine, gateway, handler)

    assert (await job_of(session, job.id)).status is JobStatus.HELD
    assert (await job_of(session, other.id)).status is JobStatus.HELD
    assert handler.subjects_run() == [invoice.id]
    connection = await connection_of(session, issuer_id=connected.issuer_id)
    assert connection is not None
    await session.refresh(connection)
    assert connection.state is ConnectionState.LICENCE_MISSING


async def test_a_crashing_handler_fails_the_job_for_support(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    invoice, job = await invoice_job(session, connected.clinic)
    handler = ScriptedHandler(script={invoice.id: [KeyError("oväntat")]})

    await _run_once(engine, gateway, handler)

    stored = await job_of(session, job.id)
    assert (stored.status, stored.error_code) == (JobStatus.FAILED, "internal_error")


async def test_a_kind_without_handler_fails_instead_of_blocking_the_queue(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    _, job = await invoice_job(session, connected.clinic)
    sync = make_engine(engine, gateway, ScriptedHandler())
    sync.handlers = {}

    await sync.run_until_idle()

    stored = await job_of(session, job.id)
    assert (stored.status, stored.error_code) == (JobStatus.FAILED, "no_handler")
