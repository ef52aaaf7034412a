"""Database work per transfer, counted (not timed): every transaction is a ``BEGIN`` on the
engine's connections, and each costs the worker round trips to the database.

The steady-state invoice reads what it needs (invoice, customer and article links) in one short
transaction, and the engine fetches an issuer's next job in the transaction that records the
previous one's outcome.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.integration.gateway import FortnoxGateway
from sgx.integration.jobs import HANDLERS, OutcomeKind
from sgx.outbox.models import JobKind
from sgx.settings import Settings
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    connect_clinic,
    make_job,
    patient_invoice,
    transfer,
)
from tests.sgx.outbox.support import ScriptedHandler, connected_clinic, make_engine, patient_jobs


@contextmanager
def counting_transactions(engine: AsyncEngine) -> Iterator[list[int]]:
    begun = [0]

    def on_begin(_connection: Any) -> None:
        begun[0] += 1

    event.listen(engine.sync_engine, "begin", on_begin)
    try:
        yield begun
    finally:
        event.remove(engine.sync_engine, "begin", on_begin)


@pytest.fixture
async def connected(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> Connected:
    return await connect_clinic(session, session_factory, sandbox_client)


async def test_a_returning_patients_invoice_takes_five_transactions_in_its_handler(
    connected: Connected, session: AsyncSession, engine: AsyncEngine
) -> None:
    await transfer(connected, session, await patient_invoice(session, connected))
    invoice = await patient_invoice(session, connected)
    job = await make_job(
        session, issuer_id=invoice.issuer_id, kind=JobKind.INVOICE, subject_id=invoice.id
    )
    await session.commit()

    with counting_transactions(engine) as begun:
        outcome = await HANDLERS[JobKind.INVOICE](connected.ctx, job)

    assert outcome.kind is OutcomeKind.DONE
    # The invoice with its links; "write sent" (once for both writes); the attempts of the
    # create and of the booking; the invoice's new status. Reading the customer's and the
    # articles' links apart would make seven.
    assert begun[0] == 5


async def test_the_engine_fetches_the_next_job_with_the_previous_outcome(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
) -> None:
    clinic = await connected_clinic(session, sandbox, settings, box=gateway.box)
    handler = ScriptedHandler()
    sync = make_engine(engine, gateway, handler)

    async def transactions_for(jobs: int, first_subject: int) -> int:
        subjects = range(first_subject, first_subject + jobs)
        await patient_jobs(session, issuer_id=clinic.issuer_id, subjects=subjects)
        with counting_transactions(engine) as begun:
            await sync.run_until_idle()
        return begun[0]

    two = await transactions_for(2, 100)
    six = await transactions_for(6, 200)

    assert len(handler.runs) == 8
    # Per job: the access token, the handler's attempt, and the outcome together with the next
    # job. Fetching the next job apart would make four.
    assert (six - two) / 4 == 3
