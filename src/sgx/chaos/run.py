"""One chaos run from start to verdict.

1. setup: a database of its own, the sandbox server, issuers with their Fortnox companies, each
   connected (a personal or a service account) and checked;
2. chaos: the worker pool, the workload and the disruptions run together for the configured
   time (longer only while the workload is still being made, never past the maximum); every
   disruption is repaired before the phase ends;
3. drain: faults off, every worker running; transfers backing off are made due ("Försök
   igen" for those only) until the queue is empty or the drain time is up; the workers stop;
4. checks: SGX against Fortnox (``sgx.chaos.checks``), then the report.

The database is dropped and the processes stopped whatever happens.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from sgx.chaos import checks, report
from sgx.chaos.config import ChaosConfig
from sgx.chaos.disruptions import Disruptions
from sgx.chaos.processes import SandboxServer, WorkerPool, worker_environment
from sgx.chaos.queue import hurry_backoffs, open_transfers
from sgx.chaos.sandbox import SandboxControl
from sgx.chaos.watch import RequestWatch
from sgx.chaos.workload import Workload
from sgx.chaos.world import (
    SessionFactory,
    World,
    connect,
    create_database,
    drop_database,
    make_fortnox_companies,
    make_world,
)
from sgx.integration.gateway import FortnoxGateway, new_http_client
from sgx.integration.models import ConnectionState
from sgx.kit.db import create_engine, create_session_factory
from sgx.outbox.models import JobStatus
from sgx.settings import Settings

DRAIN_POLL_SECONDS = 1.0
STUCK_SECONDS = 150.0  # more than two sweeps of a worker (every 60 s)
CONTROL_TIMEOUT = httpx.Timeout(120.0, connect=10.0)


@dataclass
class ChaosResult:
    ok: bool
    lines: list[str]
    violations: list[str]
    phases: dict[str, float] = field(default_factory=dict)
    figures: dict[str, int] = field(default_factory=dict)  # what the run went through


def chaos_settings(database_url: str, sandbox_url: str) -> Settings:
    return Settings(
        environment="development",
        database_url=database_url,
        fortnox_sandbox=True,
        fortnox_api_base_url=sandbox_url,
        fortnox_oauth_base_url=sandbox_url,
        public_url="http://127.0.0.1:8000",
        run_worker_in_process=False,
    )


async def drain(factory: SessionFactory, pool: WorkerPool, seconds: float) -> bool:
    """Wait until every transfer is done; give up at the deadline, or once only held and
    failed ones are left and stay so past two sweeps of the workers (nothing will move them:
    the checks report them)."""
    deadline = time.monotonic() + seconds
    stuck_since: float | None = None
    while time.monotonic() < deadline:
        pool.replace_exited()
        left = await open_transfers(factory)
        if not left:
            return True
        if left.get(JobStatus.PENDING):
            stuck_since = None
        elif stuck_since is None:
            stuck_since = time.monotonic()
        elif time.monotonic() - stuck_since > STUCK_SECONDS:
            return False
        await hurry_backoffs(factory)
        await asyncio.sleep(DRAIN_POLL_SECONDS)
    return not await open_transfers(factory)


@dataclass
class Parts:
    """What a run is made of, once set up."""

    factory: SessionFactory
    http: httpx.AsyncClient  # to the sandbox
    control: SandboxControl
    world: World
    pool: WorkerPool
    watch: RequestWatch
    workload: Workload
    disruptions: Disruptions


@dataclass
class Soaked:
    """How the chaos phase and the drain ended."""

    unfinished: int  # planned operations not made
    fired: Counter[str]  # faults by kind
    drained: bool
    exit_codes: list[int]


class ChaosRun:
    def __init__(
        self, config: ChaosConfig, *, directory: Path, say: Callable[[str], None] = print
    ) -> None:
        self.config = config
        self.directory = directory
        self.say = say
        self.rng = random.Random(config.seed)
        self.phases: dict[str, float] = {}
        self._mark = time.monotonic()

    def _phase(self, name: str) -> None:
        now = time.monotonic()
        self.phases[name] = now - self._mark
        self._mark = now
        self.say(f"[chaos] {name} done in {self.phases[name]:.1f} s")

    async def run(self, admin_url: str, *, keep_database: bool = False) -> ChaosResult:
        self.directory.mkdir(parents=True, exist_ok=True)
        name, url = await create_database(admin_url)
        self.say(f"[chaos] {self.config.name}: database {name}, logs in {self.directory}")
        sandbox = SandboxServer(self.directory)
        db = create_engine(url, pool_size=5, max_overflow=5)  # PostgreSQL is shared
        try:
            await sandbox.wait_ready()
            return await self._run(db, url, sandbox)
        finally:
            sandbox.stop()
            await db.dispose()
            if not keep_database:
                await drop_database(admin_url, name)

    async def _run(self, db: AsyncEngine, url: str, sandbox: SandboxServer) -> ChaosResult:
        settings = chaos_settings(url, sandbox.url)
        async with (
            httpx.AsyncClient(base_url=sandbox.url, timeout=CONTROL_TIMEOUT) as http,
            new_http_client() as fortnox_http,
        ):
            parts = await self._setup(create_session_factory(db), settings, http, fortnox_http)
            self._phase("setup")
            soaked = await self._soak(parts)
            verdict = await self._verdict(parts, soaked)
            self._phase("checks")
        return self._result(parts, soaked, verdict)

    async def _setup(
        self,
        factory: SessionFactory,
        settings: Settings,
        http: httpx.AsyncClient,
        fortnox_http: httpx.AsyncClient,
    ) -> Parts:
        config = self.config
        control = SandboxControl(http, client_id=settings.fortnox_client_id)
        gateway = FortnoxGateway.create(http=fortnox_http, settings=settings)
        await control.register_client(
            client_secret=settings.fortnox_client_secret,
            redirect_uri=settings.fortnox_callback_url,
        )
        world = await make_world(factory, config, self.rng)
        await make_fortnox_companies(control, world)
        for issuer in world.issuers:
            state = await connect(factory, gateway, control, issuer)
            if state is not ConnectionState.CONNECTED:
                raise RuntimeError(f"issuer {issuer.issuer_id} could not connect: {state}")
        pool = WorkerPool(
            self.directory,
            worker_environment(settings),
            size=config.workers,
            concurrency=config.worker_concurrency,
            lease_seconds=config.lease_seconds,
            rng=self.rng,
        )
        workload = Workload(factory, world, config, self.rng)
        disruptions = Disruptions(
            config=config,
            control=control,
            pool=pool,
            workload=workload,
            factory=factory,
            gateway=gateway,
            world=world,
            rng=self.rng,
        )
        return Parts(
            factory, http, control, world, pool, RequestWatch(control), workload, disruptions
        )

    async def _soak(self, parts: Parts) -> Soaked:
        """The chaos phase and the drain, with the workers running and the log watched."""
        watching = asyncio.create_task(parts.watch.run())
        parts.pool.start()
        try:
            unfinished = await self._chaos(parts.workload, parts.disruptions)
            fired = await parts.control.fired_by_kind()
            await parts.control.clear_faults()
            self._phase("chaos")
            drained = await drain(parts.factory, parts.pool, self.config.drain_seconds)
            self._phase("drain")
        finally:
            exit_codes = parts.pool.stop()
            parts.watch.stop()
            await watching
        await parts.watch.poll(final=True)
        return Soaked(unfinished=unfinished, fired=fired, drained=drained, exit_codes=exit_codes)

    async def _verdict(self, parts: Parts, soaked: Soaked) -> checks.Verdict:
        verdict = checks.Verdict()
        if soaked.unfinished:
            verdict.add("workload not finished in time", [f"{soaked.unfinished} operations left"])
        if not soaked.drained:
            verdict.add(
                "queue not drained",
                [f"time up ({self.config.drain_seconds:.0f} s), or only held and failed left"],
            )
        crashed = parts.pool.crashed
        verdict.add(
            "workers that stopped badly",
            [f"exit {code}" for code in soaked.exit_codes if code != 0]
            + [f"{crashed} exited by themselves"] * bool(crashed),
        )
        verdict.add("workload refused by SGX", parts.workload.ledger.refusals)
        verdict.add("workload operations that crashed", parts.workload.ledger.crashes)
        # The checker reads a lot: the rate limit is for SGX, not for the checks.
        await parts.http.post("/_sandbox/rate-limit", json={"enabled": False})
        await checks.check_queue(parts.factory, verdict)
        await checks.check_fortnox(parts.factory, parts.control, parts.http, parts.world, verdict)
        for scenario in parts.disruptions.tally.scenarios:
            await checks.check_scenario(parts.factory, scenario, verdict)
        checks.check_token_refusals(parts.watch.tally, parts.disruptions.tally, verdict)
        return verdict

    def _result(self, parts: Parts, soaked: Soaked, verdict: checks.Verdict) -> ChaosResult:
        counts = parts.workload.ledger.counts
        lines = report.render(
            config=self.config,
            phases=self.phases,
            ledger=parts.workload.ledger,
            pool=parts.pool,
            fired=soaked.fired,
            tally=parts.disruptions.tally,
            requests=parts.watch.tally,
            verdict=verdict,
        )
        return ChaosResult(
            ok=not verdict.violations,
            lines=lines,
            violations=verdict.violations,
            phases=dict(self.phases),
            figures={
                "documents": counts["invoices"] + counts["credits"],
                "faults": sum(soaked.fired.values()),
                "kills": parts.pool.kills,
                "clock steps": parts.disruptions.tally.clock_steps,
                "token grants": parts.watch.tally.token_grants,
            },
        )

    async def _chaos(self, workload: Workload, disruptions: Disruptions) -> int:
        """Run workload and disruptions; returns how many planned operations were not made."""
        config = self.config
        started = time.monotonic()
        making = asyncio.create_task(workload.run(seconds=config.chaos_seconds))
        await disruptions.start_faults()
        disrupting = asyncio.create_task(disruptions.run())
        try:
            while time.monotonic() - started < config.max_chaos_seconds:
                if making.done() and time.monotonic() - started >= config.chaos_seconds:
                    break
                if disrupting.done():
                    break  # a disruption failed: its error is raised below
                await asyncio.sleep(0.5)
        finally:
            disruptions.stop.set()
            await disrupting
            if not making.done():
                making.cancel()
            await asyncio.gather(making, return_exceptions=True)
        return len(workload.plan) - workload.performed
