"""What goes wrong during a chaos run, on a schedule drawn from the run's seed.

* faults on Fortnox's surface for the whole chaos phase: 500 and 503 answers, 429s, connection
  resets, latency and commit-then-drop (the write is applied, the answer lost), each with a
  probability and its own seed, plus short bursts of 429s and latency spikes on one tenant;
* the sandbox's clock moves on, so access tokens expire every few seconds;
* one issuer's consent is revoked in Fortnox and later given again (reconnect);
* one issuer's invoice licence is removed in Fortnox and later added back ("Kontrollera igen");
* a random worker is killed with SIGKILL every few seconds and a new one started.

Every loop is bounded in count and time and stops when the chaos phase ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

from sgx.chaos.config import ChaosConfig
from sgx.chaos.patience import patiently
from sgx.chaos.processes import WorkerPool
from sgx.chaos.queue import hurry_backoffs
from sgx.chaos.sandbox import SandboxControl
from sgx.chaos.workload import Workload
from sgx.chaos.world import IssuerWorld, SessionFactory, World, connect, verify_until_connected
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.models import ConnectionState
from sgx.integration.repository import connection_of
from sgx.kit.clock import utcnow

# Every PUT a credit makes: /credit, the change of the credit invoice, /bookkeep.
CREDIT_STEPS = r"^/3/invoices/\d+(/credit|/bookkeep)?$"
CREDIT_STEP_DROP_PROBABILITY = 0.15

log = structlog.get_logger(__name__)

MAX_TICKS = 100_000  # a bound on every periodic loop, far past any run's length
SCENARIO_INVOICES = 3  # made for the disrupted issuer at once, so it surely has work
STATE_POLL_SECONDS = 0.5
# SGX must notice a disruption before the chaos phase's maximum length less this margin (it
# keeps the phase open meanwhile); the disruption is repaired then in any case.
NOTICE_MARGIN = 0.1
LICENCE = "invoice"


@dataclass
class Scenario:
    """One issuer's disruption and its repair, with the times they happened."""

    name: str
    issuer_id: int = 0
    tenant_id: int = 0
    started_at: float = 0.0  # seconds into the chaos phase
    seen_state: str = ""  # the connection state SGX reached before the repair
    repaired_state: str = ""
    sandbox_window: tuple[str, str] = ("", "")  # the sandbox's clock at start and repair
    repaired_utc: str = ""
    invoice_ids: list[int] = field(default_factory=list)  # made while disrupted


@dataclass
class Tally:
    clock_steps: int = 0
    clock_advanced_seconds: int = 0
    bursts: Counter[str] = field(default_factory=Counter)
    scenarios: list[Scenario] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


class Disruptions:
    def __init__(
        self,
        *,
        config: ChaosConfig,
        control: SandboxControl,
        pool: WorkerPool,
        workload: Workload,
        factory: SessionFactory,
        gateway: FortnoxGateway,
        world: World,
        rng: random.Random,
    ) -> None:
        self.config = config
        self.control = control
        self.pool = pool
        self.workload = workload
        self.factory = factory
        self.gateway = gateway
        self.world = world
        self.rng = rng
        self.tally = Tally()
        self.stop = asyncio.Event()
        self._started = time.monotonic()

    def _event(self, text: str) -> None:
        self.tally.events.append(f"{time.monotonic() - self._started:7.1f}s {text}")
        log.info("chaos_event", text=text)

    async def _pause(self, seconds: float) -> bool:
        """Sleep unless the phase ends first; True when it is time to stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), timeout=max(seconds, 0.0))
        return self.stop.is_set()

    async def _at(self, share: float) -> bool:
        """Wait until ``share`` of the planned chaos phase has passed."""
        due = self._started + share * self.config.chaos_seconds
        return await self._pause(due - time.monotonic())

    # ---- the whole phase ------------------------------------------------------------------

    async def start_faults(self) -> None:
        p = self.config.fault_probability
        seed = self.config.seed
        surface = "^/3/"
        plan: list[dict[str, object]] = [
            {"kind": "commit_then_drop", "method": "POST", "path": surface, "probability": 2 * p},
            {"kind": "commit_then_drop", "method": "PUT", "path": surface, "probability": 2 * p},
            # A credit's steps (the credit action, the change of the credit invoice, the
            # bookings) are few among all calls: their answers are lost far more often, so that
            # a run resumes credits between each pair of steps.
            {
                "kind": "commit_then_drop",
                "method": "PUT",
                "path": CREDIT_STEPS,
                "probability": CREDIT_STEP_DROP_PROBABILITY,
            },
            {"kind": "status", "status": 500, "path": surface, "probability": p},
            {"kind": "status", "status": 503, "path": surface, "probability": p},
            {"kind": "reset", "path": surface, "probability": p},
            {"kind": "rate_limit", "path": surface, "probability": p / 2},
            {"kind": "latency", "path": surface, "latency_ms": 800, "probability": p},
            # Token requests fail only in ways that apply nothing: a refresh token whose answer
            # is lost after it was rotated cannot be recovered by any client.
            {"kind": "status", "status": 503, "path": "^/oauth-v1/token", "probability": p},
            {"kind": "reset", "path": "^/oauth-v1/token", "probability": p},
        ]
        for offset, fault in enumerate(plan):
            await self.control.add_fault(seed=seed + offset, **fault)
        self._event(f"{len(plan)} fault plans on")

    async def run(self) -> None:
        """Run every disruption until ``stop`` is set; the repairs always happen."""
        self._started = time.monotonic()
        loops: list[Callable[[], Awaitable[None]]] = [
            self._clock,
            self._kills,
            self._bursts,
            self._revoke_and_reconnect,
            self._licence_gone_and_back,
        ]
        await asyncio.gather(*(loop() for loop in loops))

    # ---- periodic -----------------------------------------------------------------------

    async def _clock(self) -> None:
        config = self.config
        for _ in range(MAX_TICKS):
            if await self._pause(config.clock_every_seconds):
                return
            if self.tally.clock_advanced_seconds + config.clock_step_seconds > (
                config.max_clock_advance_seconds
            ):
                continue
            await self.control.advance_clock(config.clock_step_seconds)
            self.tally.clock_steps += 1
            self.tally.clock_advanced_seconds += config.clock_step_seconds

    async def _kills(self) -> None:
        every = self.config.kill_every_seconds
        for _ in range(MAX_TICKS):
            if await self._pause(self.rng.uniform(0.5 * every, 1.5 * every)):
                return
            self.pool.replace_exited()
            pid = self.pool.kill_one()
            self._event(f"SIGKILL worker pid {pid}")

    async def _bursts(self) -> None:
        every = self.config.burst_every_seconds
        for tick in range(MAX_TICKS):
            if await self._pause(self.rng.uniform(0.5 * every, 1.5 * every)):
                return
            # Not the scenarios' issuers: a burst could hide them until their window is over.
            tenant = self.rng.choice(self.world.issuers[1:-1] or self.world.issuers).tenant_id
            if tick % 2 == 0:
                await self.control.add_fault(
                    kind="rate_limit", tenant_id=tenant, path="^/3/", count=20
                )
                self.tally.bursts["429 burst"] += 1
            else:
                await self.control.add_fault(
                    kind="latency", tenant_id=tenant, path="^/3/", latency_ms=3000, count=6
                )
                self.tally.bursts["latency spike"] += 1

    # ---- scenarios ----------------------------------------------------------------------

    async def _wait_for_state(self, issuer_id: int, wanted: ConnectionState, until: float) -> str:
        """Poll the connection until SGX noticed; meanwhile "Försök igen" for the issuer, so
        that transfers waiting out a back-off meet the disruption before the repair."""
        state = ""
        while True:
            state = await patiently(lambda: self._state(issuer_id))
            if state == wanted.value or time.monotonic() >= until:
                return state
            await hurry_backoffs(self.factory, issuer_id=issuer_id)
            await asyncio.sleep(STATE_POLL_SECONDS)

    async def _disrupted_work(self, scenario: Scenario) -> None:
        for _ in range(SCENARIO_INVOICES):
            made = await self.workload.perform("invoice", issuer_id=scenario.issuer_id)
            if made is not None:
                scenario.invoice_ids.append(made)

    async def _state(self, issuer_id: int) -> str:
        async with self.factory() as session:
            connection = await connection_of(session, issuer_id=issuer_id)
            return connection.state.value if connection else ""

    def _notice_deadline(self) -> float:
        return self._started + (1 - NOTICE_MARGIN) * self.config.max_chaos_seconds

    async def _revoke_and_reconnect(self) -> None:
        issuer = self.world.issuers[0]  # a personal account: its refresh token chain dies
        scenario = self._scenario("revoked consent", issuer)
        if await self._at(0.2):
            return
        await self.control.revoke_consent(issuer.tenant_id)
        scenario.sandbox_window = (await self.control.clock(), "")
        scenario.started_at = time.monotonic() - self._started
        self._event(f"consent revoked for issuer {issuer.issuer_id}")
        try:
            await self._disrupted_work(scenario)
            scenario.seen_state = await self._wait_for_state(
                issuer.issuer_id, ConnectionState.LOST, self._notice_deadline()
            )
            await self._at(0.5)
        finally:
            scenario.repaired_state = (
                await connect(self.factory, self.gateway, self.control, issuer)
            ).value
            scenario.sandbox_window = (scenario.sandbox_window[0], await self.control.clock())
            scenario.repaired_utc = utcnow().isoformat()
            self._event(f"issuer {issuer.issuer_id} reconnected: {scenario.repaired_state}")

    async def _licence_gone_and_back(self) -> None:
        issuer = self.world.issuers[-1]  # a service account (when there is one)
        scenario = self._scenario("licence removed", issuer)
        if await self._at(0.3):
            return
        await self.control.set_licence(issuer.tenant_id, LICENCE, present=False)
        scenario.sandbox_window = (await self.control.clock(), "")
        scenario.started_at = time.monotonic() - self._started
        self._event(f"licence {LICENCE} removed for issuer {issuer.issuer_id}")
        try:
            await self._disrupted_work(scenario)
            scenario.seen_state = await self._wait_for_state(
                issuer.issuer_id, ConnectionState.LICENCE_MISSING, self._notice_deadline()
            )
            await self._at(0.6)
        finally:
            await self.control.set_licence(issuer.tenant_id, LICENCE, present=True)
            scenario.repaired_state = (
                await verify_until_connected(self.factory, self.gateway, issuer_id=issuer.issuer_id)
            ).value
            scenario.sandbox_window = (scenario.sandbox_window[0], await self.control.clock())
            scenario.repaired_utc = utcnow().isoformat()
            self._event(f"licence back for issuer {issuer.issuer_id}: {scenario.repaired_state}")

    def _scenario(self, name: str, issuer: IssuerWorld) -> Scenario:
        scenario = Scenario(name=name, issuer_id=issuer.issuer_id, tenant_id=issuer.tenant_id)
        self.tally.scenarios.append(scenario)
        return scenario
