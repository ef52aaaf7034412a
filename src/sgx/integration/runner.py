"""Running jobs: the handler's context, one job run, and one worker serving one issuer.

``IssuerRun`` holds an issuer's lease: it opens the issuer's Fortnox client, hands the tenant's
pacing over from the previous holder, then runs the issuer's due jobs one at a time in id order
— each outside any database transaction, its outcome applied in a short one — while a companion
task renews the lease. It stops when nothing is due, when the connection cannot be used (the
queue is held), when the engine stops, or at once when the lease turns out to be lost. Objects
never cross a transaction: handlers get a detached job and reload what they need by id.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import structlog
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.errors import AppError
from sgx.fortnox import FortnoxClient, FortnoxError, InvalidGrant, MissingLicence, Unauthorized
from sgx.integration import transfers
from sgx.integration.errors import LOST_MESSAGE, NoUsableConnection
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.jobs import Handler, JobOutcome, OutcomeKind
from sgx.integration.messages import describe_fortnox_error
from sgx.integration.models import ConnectionState
from sgx.integration.pacing_store import PacingHandover
from sgx.integration.repository import connection_of
from sgx.integration.service import OpenedConnection, open_client
from sgx.kit.clock import utcnow
from sgx.outbox import leases, repository
from sgx.outbox.leases import ClaimedLease
from sgx.outbox.models import JobKind, TransferAttempt, TransferJob
from sgx.outbox.policy import DEFAULT_POLICY, RetryPolicy

log = structlog.get_logger(__name__)

SessionFactory = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class WorkerConfig:
    name: str
    concurrency: int = 4  # issuers served at once by this worker
    lease_ttl: dt.timedelta = dt.timedelta(seconds=30)
    renew_every: dt.timedelta = dt.timedelta(seconds=10)
    poll_interval: dt.timedelta = dt.timedelta(seconds=30)  # the safety poll
    sweep_every: dt.timedelta = dt.timedelta(seconds=60)
    stuck_after: dt.timedelta = dt.timedelta(minutes=10)
    token_refresh_every: dt.timedelta = dt.timedelta(hours=1)
    policy: RetryPolicy = field(default=DEFAULT_POLICY)


class EngineJobContext:
    """The engine's ``JobContext``: what a handler may use while it runs one job."""

    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        client: FortnoxClient,
        issuer_id: int,
        worker_name: str,
    ) -> None:
        self.session_factory = session_factory
        self.client = client
        self.issuer_id = issuer_id
        self.worker_name = worker_name

    async def record_attempt(
        self,
        job: TransferJob,
        *,
        operation: str,
        outcome: str,
        http_status: int | None = None,
        fortnox_code: str = "",
        fortnox_document_number: str = "",
        message: str = "",
    ) -> None:
        async with self.session_factory() as session:
            session.add(
                TransferAttempt(
                    job_id=job.id,
                    worker=self.worker_name,
                    operation=operation,
                    outcome=outcome,
                    http_status=http_status,
                    fortnox_code=fortnox_code,
                    fortnox_document_number=fortnox_document_number,
                    message=message,
                )
            )
            await session.commit()

    async def mark_write_sent(self, job: TransferJob) -> None:
        now = utcnow()
        async with self.session_factory() as session:
            await session.execute(
                update(TransferJob)
                .where(TransferJob.id == job.id)
                .values(write_sent_at=now)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        job.write_sent_at = now


@dataclass(frozen=True)
class RunResult:
    outcome: JobOutcome
    http_status: int | None = None
    retry_now: bool = False  # the token was renewed: no reason to wait
    licence_missing: bool = False


def outcome_for_error(error: FortnoxError) -> JobOutcome:
    """A Fortnox error as an outcome: transient → retry, lost consent/licence → held."""
    fortnox_code = str(error.code) if error.code is not None else (error.error or "")
    if isinstance(error, InvalidGrant):
        return JobOutcome(OutcomeKind.HELD, "fortnox_connection_lost", LOST_MESSAGE, fortnox_code)
    described = describe_fortnox_error(error)
    if isinstance(error, MissingLicence):
        kind = OutcomeKind.HELD
    else:
        kind = OutcomeKind.RETRY if error.retryable else OutcomeKind.FAILED
    return JobOutcome(
        kind,
        code=described.code,
        message=described.message,
        fortnox_code=described.fortnox_code or fortnox_code,
        retry_after_seconds=error.retry_after,
    )


def held(error: NoUsableConnection) -> JobOutcome:
    return JobOutcome(OutcomeKind.HELD, code=error.code, message=error.message)


async def run_job(
    handler: Handler | None, context: EngineJobContext, opened: OpenedConnection, job: TransferJob
) -> RunResult:
    """Call the handler and turn whatever happens into a ``RunResult``."""
    if handler is None:
        message = (
            f"Överföring av typen {job.kind.value} stöds inte av denna version. Kontakta support."
        )
        return RunResult(JobOutcome(OutcomeKind.FAILED, "no_handler", message))
    try:
        return RunResult(await handler(context, job))
    except Unauthorized as error:
        return await _after_rejected_token(opened, error)
    except NoUsableConnection as error:
        return RunResult(held(error))
    except FortnoxError as error:
        licence = isinstance(error, MissingLicence)
        return RunResult(outcome_for_error(error), error.status, licence_missing=licence)
    except AppError as error:
        return RunResult(JobOutcome(OutcomeKind.FAILED, error.code, error.message))
    except (SQLAlchemyError, OSError) as error:
        log.warning("transfer_interrupted", job_id=job.id, error=type(error).__name__)
        message = "Överföringen avbröts av ett tillfälligt fel i SGX och görs om."
        return RunResult(JobOutcome(OutcomeKind.RETRY, "internal_transient", message))
    except Exception:
        log.exception("transfer_handler_crashed", job_id=job.id, kind=job.kind.value)
        message = "Ett internt fel uppstod vid överföringen. Kontakta support om det kvarstår."
        return RunResult(JobOutcome(OutcomeKind.FAILED, "internal_error", message))


async def _after_rejected_token(opened: OpenedConnection, error: Unauthorized) -> RunResult:
    """A 401: renew the token once; a fresh token refused means the connection is lost."""
    try:
        await opened.tokens.renew_after_rejection()
    except NoUsableConnection as lost:
        return RunResult(held(lost), error.status)
    except FortnoxError as failure:
        return RunResult(outcome_for_error(failure), failure.status)
    except AppError as failure:
        return RunResult(JobOutcome(OutcomeKind.FAILED, failure.code, failure.message))
    message = "Fortnox avvisade åtkomsttoken; en ny har hämtats och överföringen görs om."
    return RunResult(
        JobOutcome(OutcomeKind.RETRY, "fortnox_token_renewed", message), error.status, True
    )


class LeaseLost(Exception):
    """Another worker holds the issuer now; stop touching its tenant."""


class IssuerRun:
    """One worker serving one issuer while it holds the lease."""

    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: FortnoxGateway,
        handlers: Mapping[JobKind, Handler],
        config: WorkerConfig,
        lease: ClaimedLease,
        stopping: asyncio.Event,
    ) -> None:
        self.factory = session_factory
        self.gateway = gateway
        self.handlers = handlers
        self.config = config
        self.issuer_id = lease.issuer_id
        self.lease = lease
        self.stopping = stopping
        self.lost = False
        self.jobs_run = 0
        self._deadline = time.monotonic() + config.lease_ttl.total_seconds()

    async def run(self) -> None:
        try:
            opened = await open_client(self.factory, self.gateway, issuer_id=self.issuer_id)
        except NoUsableConnection as error:
            await self._hold(error)
            return
        handover = self.gateway.pacer if isinstance(self.gateway.pacer, PacingHandover) else None
        if handover is not None:
            handover.restore(opened.client.pacing_key, self.lease.pacing)
        work = asyncio.create_task(self._work(opened))
        keeper = asyncio.create_task(self._keep_lease(work, opened, handover))
        try:
            await work
        except LeaseLost:
            log.warning("lease_not_renewed_in_time", issuer_id=self.issuer_id)
        except asyncio.CancelledError:
            if not self.lost:
                raise
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            if not self.lost:
                await self._release(self._pacing(opened, handover))

    async def _work(self, opened: OpenedConnection) -> None:
        context = EngineJobContext(
            session_factory=self.factory,
            client=opened.client,
            issuer_id=self.issuer_id,
            worker_name=self.config.name,
        )
        async with self.factory() as session:
            job = await repository.next_due_job(session, issuer_id=self.issuer_id, now=utcnow())
        while job is not None and not self.stopping.is_set():
            if time.monotonic() > self._deadline:
                raise LeaseLost()  # not renewed in time: another worker may have it already
            result = await run_job(self.handlers.get(job.kind), context, opened, job)
            job = await self._record(job, result)
            self.jobs_run += 1

    async def _record(self, job: TransferJob, result: RunResult) -> TransferJob | None:
        """Apply the outcome; the issuer's next due job comes back from the same transaction
        (``None`` when nothing is due or the queue is held)."""
        following: TransferJob | None = None
        async with self.factory() as session:
            await transfers.record_outcome(
                session,
                job_id=job.id,
                outcome=result.outcome,
                worker=self.config.name,
                http_status=result.http_status,
                retry_now=result.retry_now,
                policy=self.config.policy,
            )
            if result.licence_missing:
                await _note_licence_missing(session, self.issuer_id, result.outcome.message)
            if result.outcome.kind is not OutcomeKind.HELD:
                following = await repository.next_due_job(
                    session, issuer_id=self.issuer_id, now=utcnow()
                )
            await session.commit()
        log.info(
            "transfer_run",
            job_id=job.id,
            issuer_id=self.issuer_id,
            kind=job.kind.value,
            outcome=result.outcome.kind.value,
            code=result.outcome.code,
        )
        return following

    async def _keep_lease(
        self,
        work: asyncio.Task[None],
        opened: OpenedConnection,
        handover: PacingHandover | None,
    ) -> None:
        every = self.config.renew_every.total_seconds()
        while True:
            await asyncio.sleep(every)
            async with self.factory() as session:
                renewed = await leases.renew_lease(
                    session,
                    issuer_id=self.issuer_id,
                    worker=self.config.name,
                    now=utcnow(),
                    ttl=self.config.lease_ttl,
                    pacing=self._pacing(opened, handover),
                )
                await session.commit()
            if not renewed:
                log.warning("lease_lost", issuer_id=self.issuer_id, worker=self.config.name)
                self.lost = True
                work.cancel()
                return
            self._deadline = time.monotonic() + self.config.lease_ttl.total_seconds() - every

    @staticmethod
    def _pacing(opened: OpenedConnection, handover: PacingHandover | None) -> dict[str, object]:
        return handover.snapshot(opened.client.pacing_key) if handover is not None else {}

    async def _hold(self, error: NoUsableConnection) -> None:
        async with self.factory() as session:
            jobs = await transfers.hold_issuer(
                session,
                issuer_id=self.issuer_id,
                code=error.code,
                message=error.message,
                worker=self.config.name,
            )
            await leases.release_lease(
                session, issuer_id=self.issuer_id, worker=self.config.name, now=utcnow()
            )
            await session.commit()
        log.info("transfers_held", issuer_id=self.issuer_id, code=error.code, jobs=len(jobs))

    async def _release(self, pacing: dict[str, object]) -> None:
        async with self.factory() as session:
            await leases.release_lease(
                session,
                issuer_id=self.issuer_id,
                worker=self.config.name,
                now=utcnow(),
                pacing=pacing or None,
            )
            await session.commit()


async def _note_licence_missing(session: AsyncSession, issuer_id: int, message: str) -> None:
    """Fortnox says a licence is missing: the connection shows it until checked again."""
    connection = await connection_of(session, issuer_id=issuer_id, for_update=True)
    if connection is not None and connection.state is ConnectionState.CONNECTED:
        connection.state = ConnectionState.LICENCE_MISSING
        connection.last_error_code = "fortnox_licence_missing"
        connection.last_error_message = message[:500]
