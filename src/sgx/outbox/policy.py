"""When a job runs again: the retry policy as data.

Transient failures (network, 5xx, 429, an answer that never came) back off exponentially with
full jitter — the delay is drawn uniformly between zero and a bound that doubles with each
attempt up to a cap — so that many jobs failing together do not come back together. Permanent
failures wait for a person, yet are tried again on a slow schedule in case the cause was fixed
elsewhere (a company added in Fortnox, an account activated). The random source is injectable so
that the arithmetic can be tested.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    base: dt.timedelta = dt.timedelta(seconds=2)
    cap: dt.timedelta = dt.timedelta(minutes=10)
    # A failed job is tried again after a delay drawn between these two.
    failed_min: dt.timedelta = dt.timedelta(minutes=15)
    failed_max: dt.timedelta = dt.timedelta(minutes=60)
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def backoff_bound(self, attempts: int) -> dt.timedelta:
        """The largest delay after the ``attempts``-th transient failure (1, 2, 3 …)."""
        exponent = min(max(attempts - 1, 0), 40)  # 2**40 × base is far past any cap
        return min(self.cap, self.base * (2**exponent))

    def backoff(self, attempts: int, *, at_least: float | None = None) -> dt.timedelta:
        """Full jitter: uniform in [0, bound]; never shorter than ``at_least`` seconds
        (Fortnox's Retry-After, when it sends one)."""
        bound = self.backoff_bound(attempts).total_seconds()
        delay = self.rng.uniform(0.0, bound)
        if at_least is not None:
            delay = max(delay, min(at_least, self.cap.total_seconds()))
        return dt.timedelta(seconds=delay)

    def failed_delay(self) -> dt.timedelta:
        low, high = self.failed_min.total_seconds(), self.failed_max.total_seconds()
        return dt.timedelta(seconds=self.rng.uniform(low, high))


DEFAULT_POLICY = RetryPolicy()
