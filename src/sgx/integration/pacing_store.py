"""Pacing that moves with the issuer's lease, so all workers together stay under Fortnox's limit.

Only the lease holder talks to an issuer's Fortnox tenant, so a process-local sliding window is
exact while the lease stays put. When the lease moves, the next holder must know what the last
one sent in the current window: ``HandoverPacer`` keeps its request times on the wall clock (the
one clock processes on different machines share) and can ``snapshot`` a tenant's window into
``issuer_leases.pacing`` — on every renewal and on release — and ``restore`` it on take-over.
A 429 pause travels the same way.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

from sgx.fortnox.pacing import (
    FORTNOX_REQUESTS_PER_WINDOW,
    FORTNOX_WINDOW_SECONDS,
    PacingKey,
    SlidingWindowPacer,
)


@runtime_checkable
class PacingHandover(Protocol):
    def snapshot(self, key: PacingKey) -> dict[str, Any]: ...

    def restore(self, key: PacingKey, data: dict[str, Any]) -> None: ...


class HandoverPacer(SlidingWindowPacer):
    """A ``SlidingWindowPacer`` on the wall clock whose windows can be saved and loaded."""

    def __init__(
        self,
        *,
        requests: int = FORTNOX_REQUESTS_PER_WINDOW,
        window_seconds: float = FORTNOX_WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(requests=requests, window_seconds=window_seconds, clock=clock, sleep=sleep)
        self._now = clock

    def snapshot(self, key: PacingKey) -> dict[str, Any]:
        """The tenant's requests of the current window; one in flight counts as sent now."""
        window = self._window(key)
        now = self._now()
        horizon = now - self.window_seconds
        sent = [moment for moment in window.finished if moment > horizon]
        sent.extend([now] * window.in_flight)
        return {
            "client_id": key.client_id,
            "tenant_id": key.tenant_id,
            "sent": sorted(sent),
            "paused_until": window.paused_until,
        }

    def restore(self, key: PacingKey, data: dict[str, Any]) -> None:
        """Merge what the previous holder sent to the same tenant into this window."""
        if data.get("tenant_id") != key.tenant_id or data.get("client_id") != key.client_id:
            return  # the issuer reconnected to another company: a different window
        window = self._window(key)
        # A multiset, merged by the larger count of each moment: requests in flight together
        # share one moment and each counts, while a window this pacer already holds (it had
        # the lease before) is not counted twice. Moments that have slid out of the window are
        # dropped by the pacer itself before it counts.
        moments = Counter(window.finished)
        moments |= Counter(float(moment) for moment in data.get("sent", []))
        window.finished.clear()
        window.finished.extend(sorted(moments.elements()))
        if "paused_until" in data:
            window.paused_until = max(window.paused_until, float(data["paused_until"]))
