"""The sliding-window pacer's arithmetic, on a clock the test moves (no real waiting)."""

from __future__ import annotations

import asyncio
import random

import pytest

from sgx.fortnox.pacing import PacingKey, SlidingWindowPacer

TENANT_A = PacingKey(client_id="app", tenant_id=1)
TENANT_B = PacingKey(client_id="app", tenant_id=2)


class FakeClock:
    """Time moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


def make_pacer(clock: FakeClock, *, requests: int = 25, window: float = 5.0) -> SlidingWindowPacer:
    return SlidingWindowPacer(
        requests=requests, window_seconds=window, clock=clock, sleep=clock.sleep
    )


async def take(pacer: SlidingWindowPacer, key: PacingKey, count: int) -> None:
    for _ in range(count):
        async with pacer.slot(key):
            pass


async def test_a_full_window_of_requests_goes_out_without_waiting() -> None:
    clock = FakeClock()
    await take(make_pacer(clock), TENANT_A, 25)
    assert clock.now == 0.0


async def test_the_request_over_the_limit_waits_a_window_after_the_first_finished() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await take(pacer, TENANT_A, 26)
    assert clock.now == 5.0


async def test_a_slot_counts_from_when_its_request_finished() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock, requests=1, window=5.0)
    async with pacer.slot(TENANT_A):
        clock.now = 2.0  # the request took two seconds
    await take(pacer, TENANT_A, 1)
    assert clock.now == 7.0


async def test_when_every_slot_is_in_flight_the_next_waits_for_one_to_finish() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock, requests=1, window=5.0)
    finish = asyncio.Event()
    started = asyncio.Event()

    async def slow_request() -> None:
        async with pacer.slot(TENANT_A):
            started.set()
            await finish.wait()

    first = asyncio.create_task(slow_request())
    await started.wait()
    second = asyncio.create_task(take(pacer, TENANT_A, 1))
    await asyncio.sleep(0)
    clock.now = 3.0
    finish.set()
    await asyncio.gather(first, second)
    assert clock.now == 8.0


async def test_tenants_are_paced_independently() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await take(pacer, TENANT_A, 25)
    await take(pacer, TENANT_B, 25)
    assert clock.now == 0.0


async def test_a_rate_limit_answer_pauses_the_tenant_for_a_window() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await pacer.slow_down(TENANT_A)
    await take(pacer, TENANT_A, 1)
    assert clock.now == 5.0


async def test_a_retry_after_given_by_fortnox_sets_the_pause() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await pacer.slow_down(TENANT_A, 2.0)
    await take(pacer, TENANT_A, 1)
    assert clock.now == 2.0


async def test_a_pause_holds_whatever_the_clock_reads_when_it_starts() -> None:
    clock = FakeClock()
    clock.now = 1000.0
    pacer = make_pacer(clock)
    await pacer.slow_down(TENANT_A)
    await take(pacer, TENANT_A, 1)
    assert clock.now == 1005.0


async def test_after_a_pause_a_full_window_still_has_to_slide() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await take(pacer, TENANT_A, 25)  # the window is full until 5.0
    await pacer.slow_down(TENANT_A, 1.0)
    await take(pacer, TENANT_A, 1)
    assert clock.now == 5.0


async def test_a_retry_after_of_zero_seconds_does_not_pause() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await pacer.slow_down(TENANT_A, 0.0)
    await take(pacer, TENANT_A, 1)
    assert clock.now == 0.0


async def test_the_next_request_waits_only_for_the_oldest_to_slide_out() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await take(pacer, TENANT_A, 1)
    clock.now = 2.0
    await take(pacer, TENANT_A, 24)
    await take(pacer, TENANT_A, 1)
    assert clock.now == 5.0


async def test_a_shorter_pause_never_shortens_a_longer_one() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await pacer.slow_down(TENANT_A, 4.0)
    await pacer.slow_down(TENANT_A, 1.0)
    assert pacer.paused_until(TENANT_A) == 4.0


async def test_a_pause_of_one_tenant_does_not_slow_another() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await pacer.slow_down(TENANT_A)
    await take(pacer, TENANT_B, 1)
    assert clock.now == 0.0


async def test_waiting_callers_are_served_in_arrival_order() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock, requests=1, window=1.0)
    served: list[int] = []

    async def request(number: int) -> None:
        async with pacer.slot(TENANT_A):
            served.append(number)

    tasks = []
    for number in range(6):
        tasks.append(asyncio.create_task(request(number)))
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert served == [0, 1, 2, 3, 4, 5]


async def test_no_window_ever_holds_more_than_the_limit_whatever_the_latencies() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock, requests=5, window=1.0)
    rng = random.Random(7)
    spans: list[tuple[float, float]] = []

    async def request() -> None:
        async with pacer.slot(TENANT_A):
            start = clock.now
            # Binary fractions keep the clock arithmetic exact at the window's edges.
            await clock.sleep(rng.choice([0.0, 0.125, 0.25, 0.375]))
            spans.append((start, clock.now))

    await asyncio.gather(*(request() for _ in range(60)))
    # Whenever the server could have seen a request, at most 5 were "live" in its window.
    for start, _ in spans:
        live = [s for s, end in spans if s <= start and end > start - 1.0]
        assert len(live) <= 5


@pytest.mark.parametrize(("requests", "window"), [(0, 5.0), (25, 0.0), (25, -0.5)])
def test_a_pacer_without_room_is_refused(requests: int, window: float) -> None:
    with pytest.raises(ValueError):
        SlidingWindowPacer(requests=requests, window_seconds=window)


async def test_the_default_limit_is_fortnoxs_25_requests_per_5_seconds() -> None:
    clock = FakeClock()
    pacer = SlidingWindowPacer(clock=clock, sleep=clock.sleep)
    await take(pacer, TENANT_A, 25)
    assert clock.now == 0.0
    await take(pacer, TENANT_A, 1)
    assert clock.now == 5.0


async def test_a_full_window_holds_for_its_whole_length_not_just_a_moment() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await take(pacer, TENANT_A, 25)
    clock.now = 2.0
    await take(pacer, TENANT_A, 1)
    assert clock.now == 5.0
