"""The sizes of a chaos run: ``quick`` for CI, ``full`` for the soak recorded in the docs.

Every phase is bounded twice, in count and in time: the workload by its sizes, the chaos phase
by ``chaos_seconds`` (stretched while the workload is still being made, up to
``max_chaos_seconds``), the drain by ``drain_seconds``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class ChaosConfig:
    name: str
    issuers: int
    personal_issuers: int  # the rest connect with a service account
    invoices: int
    credits: int
    patient_edits: int
    patients_per_issuer: int
    workers: int
    worker_concurrency: int
    lease_seconds: float
    chaos_seconds: float  # the workload is spread over this long
    max_chaos_seconds: float
    drain_seconds: float
    kill_every_seconds: float
    clock_every_seconds: float
    clock_step_seconds: int  # an access token lives 3600 s: two steps expire it
    max_clock_advance_seconds: int  # keeps the sandbox's date inside its financial years
    burst_every_seconds: float
    fault_probability: float  # of each fault kind, per matching request
    makers: int  # concurrent workload tasks
    seed: int = 2026
    # Further credits after a partial one, the last taking the remainder (with an öresutjämning
    # row where needed, so that the credits add up to exactly the invoice).
    remainder_credits: bool = True

    def with_overrides(self, **changes: Any) -> ChaosConfig:
        return replace(self, **{key: value for key, value in changes.items() if value is not None})


QUICK = ChaosConfig(
    name="quick",
    issuers=4,
    # One personal account (the one whose consent is revoked): its refresh tokens rotate before
    # the revocation and after the reconnect. Each personal account adds a small chance that a
    # kill lands between Fortnox's rotation and the commit (docs/reliability.md).
    personal_issuers=1,
    invoices=120,
    credits=16,
    patient_edits=12,
    patients_per_issuer=6,
    workers=2,
    worker_concurrency=3,
    lease_seconds=3.0,
    chaos_seconds=30.0,
    max_chaos_seconds=60.0,
    drain_seconds=75.0,
    kill_every_seconds=5.0,
    clock_every_seconds=4.0,
    clock_step_seconds=1900,
    max_clock_advance_seconds=3 * 86400,
    burst_every_seconds=6.0,
    fault_probability=0.04,
    makers=2,
)

FULL = ChaosConfig(
    name="full",
    issuers=100,
    personal_issuers=20,
    invoices=20_000,
    credits=2_000,
    patient_edits=1_000,
    patients_per_issuer=20,
    workers=4,
    worker_concurrency=8,
    lease_seconds=5.0,
    chaos_seconds=900.0,
    max_chaos_seconds=2400.0,
    # Two shared cores make about ten documents a second under this much chaos: the backlog
    # left at the end of the phase needs its time.
    drain_seconds=3600.0,
    kill_every_seconds=8.0,
    clock_every_seconds=10.0,
    clock_step_seconds=1900,
    max_clock_advance_seconds=14 * 86400,
    burst_every_seconds=15.0,
    fault_probability=0.02,
    makers=4,
)

SIZES = {config.name: config for config in (QUICK, FULL)}
