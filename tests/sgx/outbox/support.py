"""Helpers for queue and engine tests: a clinic connected to a sandbox company, scripted
handlers that really call Fortnox (the sandbox) and record what they saw, and an engine built
and run the way a worker runs it."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.integration.engine import SyncEngine
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.jobs import Handler, JobContext, JobOutcome
from sgx.integration.pacing_store import HandoverPacer
from sgx.integration.runner import WorkerConfig
from sgx.invoicing.models import Invoice
from sgx.kit.crypto import SecretBox
from sgx.outbox.models import JobKind, TransferAttempt, TransferJob
from sgx.outbox.policy import RetryPolicy
from sgx.outbox.service import enqueue, latest_job_for
from sgx.settings import Settings
from tests.builders.integration import consent, make_connection, make_fortnox_company
from tests.builders.invoicing import Clinic, make_clinic, make_invoice

# A generous bound for waiting on an event that must come; never a timing assertion.
EVENTUALLY = 20.0


@dataclass
class ConnectedClinic:
    clinic: Clinic
    tenant_id: int

    @property
    def issuer_id(self) -> int:
        return self.clinic.issuer.id


async def connected_clinic(
    session: AsyncSession, sandbox: httpx.AsyncClient, settings: Settings, *, box: SecretBox
) -> ConnectedClinic:
    """A clinic with the integration on, connected to a company of its own in the sandbox."""
    clinic = await make_clinic(session, fortnox_integration_enabled=True)
    company = await make_fortnox_company(
        sandbox, organisation_number=clinic.issuer.organisation_number
    )
    tokens = await consent(sandbox, settings, tenant_id=company["tenant_id"])
    await make_connection(
        session, issuer_id=clinic.issuer.id, box=box, tenant_id=company["tenant_id"], tokens=tokens
    )
    await session.commit()
    return ConnectedClinic(clinic=clinic, tenant_id=company["tenant_id"])


async def invoice_job(session: AsyncSession, clinic: Clinic) -> tuple[Invoice, TransferJob]:
    """A committed patient invoice and its transfer job (the one invoicing wrote, or a new one)."""
    invoice = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "1")]
    )
    job = await latest_job_for(
        session, issuer_id=clinic.issuer.id, kind=JobKind.INVOICE, subject_id=invoice.id
    )
    if job is None:
        job = await enqueue(
            session, issuer_id=clinic.issuer.id, kind=JobKind.INVOICE, subject_id=invoice.id
        )
    await session.commit()
    return invoice, job


async def patient_jobs(
    session: AsyncSession, *, issuer_id: int, subjects: Iterable[int], after: int | None = None
) -> list[TransferJob]:
    """Committed jobs of kind ``PATIENT`` (the subject ids need not exist for test handlers)."""
    jobs = []
    for subject_id in subjects:
        jobs.append(
            await enqueue(
                session,
                issuer_id=issuer_id,
                kind=JobKind.PATIENT,
                subject_id=subject_id,
                after_job_id=after,
            )
        )
    await session.commit()
    return jobs


@dataclass(frozen=True)
class Run:
    worker: str
    issuer_id: int
    job_id: int
    subject_id: int


@dataclass
class ScriptedHandler:
    """Calls Fortnox once per run, then answers what the script says for the job's subject
    (an outcome, or an exception to raise; DONE when the script is empty)."""

    script: dict[int, list[JobOutcome | BaseException]] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)
    gate: asyncio.Event | None = None  # when set, each run waits for it after calling Fortnox
    started: asyncio.Event = field(default_factory=asyncio.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    running: Counter[int] = field(default_factory=Counter)
    most_at_once: Counter[int] = field(default_factory=Counter)

    async def __call__(self, ctx: JobContext, job: TransferJob) -> JobOutcome:
        self.running[ctx.issuer_id] += 1
        self.most_at_once[ctx.issuer_id] = max(
            self.most_at_once[ctx.issuer_id], self.running[ctx.issuer_id]
        )
        try:
            self.runs.append(Run(ctx.worker_name, ctx.issuer_id, job.id, job.subject_id))
            self.started.set()
            company = await ctx.client.company_information()
            name = company.company_name or ""
            await ctx.record_attempt(job, operation="company", outcome="ok", message=name)
            if self.gate is not None:
                await self.gate.wait()
            steps = self.script.get(job.subject_id)
            result = steps.pop(0) if steps else JobOutcome.done(f"F{job.subject_id}")
            if isinstance(result, BaseException):
                raise result
            return result
        finally:
            self.running[ctx.issuer_id] -= 1
            self.finished.set()

    def subjects_run(self) -> list[int]:
        return [run.subject_id for run in self.runs]

    @property
    def handlers(self) -> dict[JobKind, Handler]:
        return dict.fromkeys(JobKind, self)


def handover_gateway(gateway: FortnoxGateway) -> FortnoxGateway:
    """The test gateway's HTTP client and settings with a pacer of the worker's kind."""
    return FortnoxGateway.create(
        http=gateway.http, settings=gateway.settings, pacer=HandoverPacer()
    )


def make_engine(
    db: AsyncEngine,
    gateway: FortnoxGateway,
    handler: ScriptedHandler,
    *,
    name: str = "worker-1",
    **config: Any,
) -> SyncEngine:
    config.setdefault("policy", RetryPolicy(rng=random.Random(5)))
    return SyncEngine(
        db=db,
        gateway=gateway,
        config=WorkerConfig(name=name, **config),
        handlers=handler.handlers,
    )


@asynccontextmanager
async def running(engine: SyncEngine) -> AsyncIterator[SyncEngine]:
    """Run the engine's loop in the background for the block; stop it gracefully after."""
    task = asyncio.create_task(engine.run())
    try:
        await asyncio.wait_for(engine.ready.wait(), EVENTUALLY)
        yield engine
    finally:
        engine.stop()
        await asyncio.wait_for(task, EVENTUALLY)


# The readers below end their transaction: on SQLite every transaction takes the write lock,
# and a test must not hold it while the engine works.


async def job_of(session: AsyncSession, job_id: int) -> TransferJob:
    job = await session.get(TransferJob, job_id, populate_existing=True)
    await session.commit()
    assert job is not None
    return job


async def attempts_of(session: AsyncSession, job_id: int) -> list[TransferAttempt]:
    rows = await session.scalars(
        select(TransferAttempt).where(TransferAttempt.job_id == job_id).order_by(TransferAttempt.id)
    )
    attempts = list(rows)
    await session.commit()
    return attempts


async def invoice_of(session: AsyncSession, invoice_id: int) -> Invoice:
    invoice = await session.get(Invoice, invoice_id, populate_existing=True)
    await session.commit()
    assert invoice is not None
    return invoice


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait until ``check()`` holds; fail (never time) after a generous bound."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + EVENTUALLY
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)
