"""The pacing window moves with the lease, requests in flight included: a worker that dies with a
request on its way leaves the window full, and the worker that takes the issuer over waits for it
to slide instead of pushing Fortnox past 25 requests in 5 seconds.

Real limits, real sandbox: the test takes one window (about five seconds) of real time, and
counts what Fortnox saw from the sandbox's request log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sgx.fortnox.pacing import FORTNOX_REQUESTS_PER_WINDOW, FORTNOX_WINDOW_SECONDS
from sgx.integration.gateway import FortnoxGateway, new_http_client
from sgx.integration.pacing_store import HandoverPacer
from sgx.integration.service import open_client
from sgx.kit.clock import utcnow
from sgx.outbox import leases
from sgx.outbox.models import IssuerLease, JobStatus
from sgx.settings import Settings
from tests.sgx.integration.conftest import sandbox_transport
from tests.sgx.outbox.support import (
    EVENTUALLY,
    ConnectedClinic,
    ScriptedHandler,
    connected_clinic,
    job_of,
    make_engine,
    patient_jobs,
)

pytestmark = pytest.mark.slow

LIMIT = FORTNOX_REQUESTS_PER_WINDOW
TTL = dt.timedelta(minutes=5)


class AnswerLostWithTheWorker(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox; the answer to API request number ``lost`` reached Fortnox
    but never comes back: the worker dies with that request in flight."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, lost: int) -> None:
        self.inner = inner
        self.lost = lost
        self.sent = 0
        self.reached_fortnox = asyncio.Event()
        self._never = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if "/3/" in request.url.path:
            self.sent += 1
            if self.sent == self.lost:
                self.reached_fortnox.set()
                await self._never.wait()
        return response


async def _first_worker_dies_with_a_full_window(
    session: AsyncSession,
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox_app: Any,
    connected: ConnectedClinic,
) -> None:
    """Worker "a" holds the lease and sends a window's worth of requests, the last still in
    flight when its lease keeper saves the window (as every renewal does); then it is gone."""
    issuer_id = connected.issuer_id
    [claimed] = await leases.claim_leases(session, worker="a", now=utcnow(), ttl=TTL, limit=1)
    await session.commit()
    assert claimed.issuer_id == issuer_id
    pacer = HandoverPacer()
    transport = AnswerLostWithTheWorker(sandbox_transport(sandbox_app), lost=LIMIT)
    async with new_http_client(transport) as http:
        gateway = FortnoxGateway.create(http=http, settings=settings, pacer=pacer)
        opened = await open_client(factory, gateway, issuer_id=issuer_id)
        for _ in range(LIMIT - 1):
            await opened.client.company_information()
        last = asyncio.create_task(opened.client.company_information())
        await asyncio.wait_for(transport.reached_fortnox.wait(), EVENTUALLY)
        renewed = await leases.renew_lease(
            session,
            issuer_id=issuer_id,
            worker="a",
            now=utcnow(),
            ttl=TTL,
            pacing=pacer.snapshot(opened.client.pacing_key),
        )
        await session.commit()
        assert renewed
        last.cancel()  # the process is gone: nothing of it runs any more, nothing is released
    # Its lease runs out.
    await session.execute(
        update(IssuerLease)
        .where(IssuerLease.issuer_id == issuer_id)
        .values(expires_at=utcnow() - dt.timedelta(seconds=1))
    )
    await session.commit()


def _most_in_any_window(moments: list[dt.datetime]) -> int:
    """The largest number of requests Fortnox saw within one window (its window is half-open:
    a request exactly one window later no longer counts with the first)."""
    width = dt.timedelta(seconds=FORTNOX_WINDOW_SECONDS)
    most = 0
    for index, end in enumerate(moments):
        most = max(most, sum(1 for moment in moments[: index + 1] if moment > end - width))
    return most


async def test_the_next_worker_counts_the_request_the_last_one_had_in_flight(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    sandbox_app: Any,
    gateway: FortnoxGateway,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    connected = await connected_clinic(session, sandbox, settings, box=gateway.box)
    jobs = await patient_jobs(session, issuer_id=connected.issuer_id, subjects=range(LIMIT))

    await _first_worker_dies_with_a_full_window(
        session, session_factory, settings, sandbox_app, connected
    )
    # Worker "b" takes the issuer over; each job calls Fortnox once, as fast as pacing allows.
    successor = FortnoxGateway.create(http=gateway.http, settings=settings, pacer=HandoverPacer())
    await make_engine(engine, successor, ScriptedHandler(), name="b").run_until_idle()

    log = await sandbox.get("/_sandbox/requests", params={"tenant_id": connected.tenant_id})
    api = [entry for entry in log.json()["requests"] if entry["path"].startswith("/3/")]
    assert [entry["status"] for entry in api if entry["status"] == 429] == []
    assert len(api) == 2 * LIMIT
    moments = [dt.datetime.fromisoformat(entry["at"]) for entry in api]
    assert _most_in_any_window(moments) <= LIMIT
    assert {(await job_of(session, job.id)).status for job in jobs} == {JobStatus.DONE}
