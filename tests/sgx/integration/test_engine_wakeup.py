"""New work wakes a running engine at once — NOTIFY on PostgreSQL, the in-process signal on
SQLite — not the safety poll, which these engines only take once an hour."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.fortnox import Unavailable
from sgx.integration.gateway import FortnoxGateway
from sgx.outbox.models import JobStatus
from sgx.outbox.policy import RetryPolicy
from sgx.settings import Settings
from tests.sgx.outbox.support import (
    EVENTUALLY,
    ConnectedClinic,
    ScriptedHandler,
    connected_clinic,
    job_of,
    make_engine,
    patient_jobs,
    running,
)

AN_HOUR = dt.timedelta(hours=1)


@pytest.fixture
async def connected(
    session: AsyncSession, sandbox: httpx.AsyncClient, settings: Settings, gateway: FortnoxGateway
) -> ConnectedClinic:
    return await connected_clinic(session, sandbox, settings, box=gateway.box)


async def test_a_job_committed_while_the_engine_idles_is_picked_up_without_polling(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    handler = ScriptedHandler()
    sync = make_engine(engine, gateway, handler, poll_interval=AN_HOUR, sweep_every=AN_HOUR)

    async with running(sync):
        assert handler.runs == []
        [job] = await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[1])
        await asyncio.wait_for(handler.finished.wait(), EVENTUALLY)

    assert sync.signals >= 1
    assert handler.subjects_run() == [1]
    assert (await job_of(session, job.id)).status is JobStatus.DONE


async def test_the_end_of_a_back_off_wakes_the_engine_without_polling(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    handler = ScriptedHandler(script={1: [Unavailable("Fortnox svarar inte.", status=503)]})
    quick = RetryPolicy(
        base=dt.timedelta(milliseconds=200),
        cap=dt.timedelta(milliseconds=200),
        rng=random.Random(1),
    )
    sync = make_engine(
        engine, gateway, handler, poll_interval=AN_HOUR, sweep_every=AN_HOUR, policy=quick
    )
    [job] = await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[1])

    async with running(sync):
        while len(handler.runs) < 2:
            handler.finished.clear()
            await asyncio.wait_for(handler.finished.wait(), EVENTUALLY)

    stored = await job_of(session, job.id)
    assert (stored.status, stored.attempts) == (JobStatus.DONE, 2)
