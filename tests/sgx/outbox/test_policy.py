"""The retry policy: exponential back-off with full jitter, capped; a slow schedule for failures."""

from __future__ import annotations

import datetime as dt
import random

from sgx.outbox.policy import RetryPolicy

POLICY = RetryPolicy(
    base=dt.timedelta(seconds=2),
    cap=dt.timedelta(minutes=10),
    rng=random.Random(7),
)


def test_backoff_bound_doubles_with_each_attempt_from_two_seconds() -> None:
    bounds = [POLICY.backoff_bound(attempt).total_seconds() for attempt in range(1, 6)]

    assert bounds == [2, 4, 8, 16, 32]


def test_backoff_bound_stops_at_the_cap() -> None:
    assert POLICY.backoff_bound(9).total_seconds() == 512
    assert POLICY.backoff_bound(10) == dt.timedelta(minutes=10)
    assert POLICY.backoff_bound(500) == dt.timedelta(minutes=10)


def test_backoff_is_drawn_between_zero_and_the_bound() -> None:
    for attempt in range(1, 15):
        bound = POLICY.backoff_bound(attempt)
        delays = [POLICY.backoff(attempt) for _ in range(50)]
        assert all(dt.timedelta(0) <= delay <= bound for delay in delays)


def test_backoff_is_jittered_so_jobs_failing_together_come_back_apart() -> None:
    delays = {POLICY.backoff(6) for _ in range(20)}

    assert len(delays) == 20


def test_backoff_grows_on_average_with_the_attempts() -> None:
    def mean(attempt: int) -> float:
        return sum(POLICY.backoff(attempt).total_seconds() for _ in range(400)) / 400

    assert mean(1) < mean(4) < mean(8)


def test_backoff_honours_a_retry_after_longer_than_the_draw() -> None:
    policy = RetryPolicy(rng=random.Random(3))

    delays = [policy.backoff(1, at_least=30).total_seconds() for _ in range(20)]

    assert min(delays) == 30


def test_retry_after_beyond_the_cap_is_cut_to_the_cap() -> None:
    assert POLICY.backoff(1, at_least=86_400) == dt.timedelta(minutes=10)


def test_failed_jobs_are_retried_between_a_quarter_and_a_whole_hour() -> None:
    delays = [POLICY.failed_delay() for _ in range(100)]

    assert all(dt.timedelta(minutes=15) <= delay <= dt.timedelta(minutes=60) for delay in delays)
    assert len(set(delays)) == 100
