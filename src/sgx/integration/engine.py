"""The sync engine: one worker's loop over the transfer queue.

Each round the engine claims the leases of issuers with due work (up to its concurrency, as
``SKIP LOCKED`` lets several workers claim side by side) and serves each claimed issuer in an
asyncio task of its own (``IssuerRun``). Then it sleeps until the earliest of: a wake-up (new
work committed — ``NOTIFY`` on PostgreSQL, the in-process signal on SQLite), a run finishing,
the next job's ``available_at`` (a back-off ending, another worker's lease expiring), or the
slow safety poll. A sweeper frees expired leases, releases held queues whose connection is
usable again, reports work nobody serves, and keeps quiet personal connections' refresh tokens
young. ``stop()`` lets the runs finish their current job and give their leases back;
``stop(graceful=False)`` cancels them (their leases then expire).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from sgx.integration import transfers
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.jobs import HANDLERS, Handler
from sgx.integration.reconcile_schedule import schedule_due_reconciliations
from sgx.integration.runner import IssuerRun, SessionFactory, WorkerConfig
from sgx.integration.tokens import refresh_if_older_than
from sgx.kit.clock import utcnow
from sgx.kit.db import create_session_factory
from sgx.outbox import leases, repository
from sgx.outbox.models import JobKind
from sgx.outbox.wakeup import PostgresListener, local_signal

log = structlog.get_logger(__name__)

# Never spin: even when something looks due at once, look again only after this long.
MIN_PAUSE_SECONDS = 0.05
# After an unexpected error in the loop (the database restarting, say), wait this long.
ERROR_PAUSE_SECONDS = 2.0

__all__ = ["SweepReport", "SyncEngine", "WorkerConfig"]


@dataclass(frozen=True)
class SweepReport:
    expired_leases: list[tuple[int, str]]
    released: dict[int, int]  # issuer id → held jobs released
    stuck: int


class SyncEngine:
    def __init__(
        self,
        *,
        db: AsyncEngine,
        gateway: FortnoxGateway,
        config: WorkerConfig,
        handlers: Mapping[JobKind, Handler] | None = None,
        session_factory: SessionFactory | None = None,
    ) -> None:
        self.db = db
        self.factory = session_factory or create_session_factory(db)
        self.gateway = gateway
        self.config = config
        if handlers is None:
            # The registry fills when the handlers are imported; a worker without them would
            # fail every job, so the default engine always imports them.
            from sgx.integration import handlers as _registers_handlers  # noqa: F401
        self.handlers = HANDLERS if handlers is None else handlers
        self.ready = asyncio.Event()  # set after the first round: listening and claimed
        self.signals = 0  # wake-ups heard (new work announced)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._runs: dict[int, asyncio.Task[None]] = {}
        self._listener: PostgresListener | None = None
        self._last_sweep = float("-inf")
        self._last_token_refresh = float("-inf")

    @property
    def serving(self) -> frozenset[int]:
        return frozenset(self._runs)

    def stop(self, *, graceful: bool = True) -> None:
        self._stopping.set()
        self._wake.set()
        if not graceful:
            for task in self._runs.values():
                task.cancel()

    async def run(self) -> None:
        stop_listening = await self._start_listening()
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    await self._round()
                    pause = await self._pause()
                except Exception:
                    log.exception("sync_engine_round_failed", worker=self.config.name)
                    pause = ERROR_PAUSE_SECONDS
                self.ready.set()
                await self._sleep(pause)
        finally:
            if self._runs:
                await asyncio.gather(*self._runs.values(), return_exceptions=True)
            await stop_listening()

    async def run_until_idle(self) -> int:
        """Serve everything due now, then return how many issuer runs it took.

        For the demo and tests: no listening, no sweeping, no waiting for back-offs.
        """
        runs = 0
        while True:
            await self._claim()
            if not self._runs:
                return runs
            runs += len(self._runs)
            await asyncio.gather(*self._runs.values(), return_exceptions=True)

    # ---- one round ----------------------------------------------------------------------

    async def _round(self) -> None:
        if self._listener is not None and await self._listener.ensure():
            self._wake.set()  # notifications may have been missed while reconnecting
        if time.monotonic() - self._last_sweep >= self.config.sweep_every.total_seconds():
            self._last_sweep = time.monotonic()
            await self.sweep()
        await self._claim()

    async def _claim(self) -> None:
        free = self.config.concurrency - len(self._runs)
        if free <= 0 or self._stopping.is_set():
            return
        async with self.factory() as session:
            claimed = await leases.claim_leases(
                session,
                worker=self.config.name,
                now=utcnow(),
                ttl=self.config.lease_ttl,
                limit=free,
                exclude=list(self._runs),
            )
            await session.commit()
        for lease in claimed:
            if lease.taken_over_from:
                log.info(
                    "lease_taken_over", issuer_id=lease.issuer_id, previous=lease.taken_over_from
                )
            run = IssuerRun(
                session_factory=self.factory,
                gateway=self.gateway,
                handlers=self.handlers,
                config=self.config,
                lease=lease,
                stopping=self._stopping,
            )
            self._runs[lease.issuer_id] = asyncio.create_task(
                self._serve(run), name=f"sgx-issuer-{lease.issuer_id}"
            )

    async def _serve(self, run: IssuerRun) -> None:
        try:
            await run.run()
        except Exception:
            # The lease is left to expire: a retry waits one lease period, never spins.
            log.exception("issuer_run_failed", issuer_id=run.issuer_id, worker=self.config.name)
        finally:
            self._runs.pop(run.issuer_id, None)
            self._wake.set()  # a slot is free, and work may have arrived meanwhile

    async def _pause(self) -> float:
        poll = self.config.poll_interval.total_seconds()
        until_sweep = self._last_sweep + self.config.sweep_every.total_seconds() - time.monotonic()
        pause = max(min(poll, until_sweep), MIN_PAUSE_SECONDS)
        if len(self._runs) >= self.config.concurrency:
            return pause  # a run finishing wakes the loop
        async with self.factory() as session:
            at = await repository.next_wake_at(
                session, worker=self.config.name, exclude=list(self._runs)
            )
        if at is None:
            return pause
        return max(min(pause, (at - utcnow()).total_seconds()), MIN_PAUSE_SECONDS)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    # ---- wake-ups -----------------------------------------------------------------------

    def _on_signal(self, _issuer_id: int | None) -> None:
        self.signals += 1
        self._wake.set()

    async def _start_listening(self) -> Callable[[], Awaitable[None]]:
        if self.db.dialect.name == "postgresql":
            self._listener = PostgresListener(self.db, self._on_signal)
            try:
                await self._listener.start()
            except Exception:
                log.exception("transfer_listener_failed")  # the next round tries again
            return self._listener.stop
        unsubscribe = local_signal.subscribe(self._on_signal)

        async def stop() -> None:
            unsubscribe()

        return stop

    # ---- sweeper ------------------------------------------------------------------------

    async def sweep(self) -> SweepReport:
        """Expired leases, held queues whose connection is back, work nobody serves."""
        now = utcnow()
        async with self.factory() as session:
            expired = await leases.expire_leases(session, now=now)
            await session.commit()
        for issuer_id, owner in expired:
            log.warning("lease_expired", issuer_id=issuer_id, worker=owner)
        released = await self._release_reconnected()
        async with self.factory() as session:
            stuck = await repository.count_stuck(
                session, now=now, due_since=now - self.config.stuck_after
            )
        if stuck:
            log.warning("transfers_unserved", jobs=stuck, worker=self.config.name)
        if expired or released or stuck:
            self._wake.set()
        if await schedule_due_reconciliations(self.factory, self.gateway.settings):
            self._wake.set()
        await self._refresh_tokens()
        return SweepReport(expired_leases=expired, released=released, stuck=stuck)

    async def _release_reconnected(self) -> dict[int, int]:
        released: dict[int, int] = {}
        async with self.factory() as session:
            issuer_ids = await repository.issuers_with_held_jobs(session)
        for issuer_id in issuer_ids:
            async with self.factory() as session:
                count = await transfers.release_if_reconnected(session, issuer_id=issuer_id)
                await session.commit()
            if count:
                released[issuer_id] = count
                log.info("transfers_released", issuer_id=issuer_id, jobs=count)
        return released

    async def _refresh_tokens(self) -> None:
        if (
            time.monotonic() - self._last_token_refresh
            < self.config.token_refresh_every.total_seconds()
        ):
            return
        self._last_token_refresh = time.monotonic()
        renewed = await refresh_if_older_than(self.factory, self.gateway)
        if renewed:
            log.info("fortnox_tokens_renewed_ahead", issuers=len(renewed))
