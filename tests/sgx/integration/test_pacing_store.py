"""The window a lease carries: what ``HandoverPacer.snapshot`` saves and ``restore`` takes back,
on a clock the test moves."""

from __future__ import annotations

import pytest

from sgx.fortnox.pacing import PacingKey
from sgx.integration.pacing_store import HandoverPacer
from tests.sgx.fortnox.test_pacing import FakeClock, take

KEY = PacingKey(client_id="app", tenant_id=1)


def make_pacer(clock: FakeClock) -> HandoverPacer:
    return HandoverPacer(requests=25, window_seconds=5.0, clock=clock, sleep=clock.sleep)


async def test_snapshot_keeps_the_requests_of_the_current_window_only() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await take(pacer, KEY, 2)  # finished at 0.0
    clock.now = 1.0
    await take(pacer, KEY, 1)
    clock.now = 5.0  # the first two are exactly one window old: Fortnox no longer counts them
    assert pacer.snapshot(KEY)["sent"] == [1.0]
    clock.now = 6.5  # no request since: the pacer still holds the old moments, the lease does not
    assert pacer.snapshot(KEY)["sent"] == []


async def test_a_request_in_flight_is_handed_over_as_sent_now() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await take(pacer, KEY, 1)
    async with pacer.slot(KEY), pacer.slot(KEY):
        clock.now = 2.0
        snapshot = pacer.snapshot(KEY)

    assert snapshot == {
        "client_id": "app",
        "tenant_id": 1,
        "sent": [0.0, 2.0, 2.0],
        "paused_until": 0.0,
    }


async def test_restore_merges_the_last_holders_window_and_drops_what_has_slid_out() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    clock.now = 10.0
    await take(pacer, KEY, 1)
    handed = {
        "client_id": "app",
        "tenant_id": 1,
        "sent": [5.0, 8.0, 9.5, 10.0],
        "paused_until": 12.0,
    }

    pacer.restore(KEY, handed)

    assert pacer.snapshot(KEY)["sent"] == [8.0, 9.5, 10.0]  # 5.0 is a window old; 10.0 once
    assert pacer.paused_until(KEY) == 12.0


async def test_restore_keeps_a_later_pause_of_its_own() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    await pacer.slow_down(KEY, 30.0)

    pacer.restore(KEY, {"client_id": "app", "tenant_id": 1, "sent": [], "paused_until": 3.0})

    assert pacer.paused_until(KEY) == 30.0


@pytest.mark.parametrize(
    ("client_id", "tenant_id"), [("app", 0), ("app", 2), ("aaa", 1), ("zzz", 1)]
)
async def test_a_window_of_another_company_or_application_is_not_restored(
    client_id: str, tenant_id: int
) -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    clock.now = 1.0
    other = {"client_id": client_id, "tenant_id": tenant_id, "sent": [0.5], "paused_until": 9.0}

    pacer.restore(KEY, other)

    assert pacer.snapshot(KEY)["sent"] == []
    assert pacer.paused_until(KEY) == 0.0


async def test_a_restored_window_makes_the_next_request_wait_for_it_to_slide() -> None:
    clock = FakeClock()
    pacer = make_pacer(clock)
    pacer.restore(KEY, {"client_id": "app", "tenant_id": 1, "sent": [0.0] * 25})
    assert pacer.paused_until(KEY) == 0.0  # a window handed over without a pause brings none

    await take(pacer, KEY, 1)

    assert clock.now == 5.0


async def test_a_window_handed_over_fuller_than_the_limit_still_holds_the_next_request() -> None:
    # Two holders' moments merged can exceed the limit; the pacer must wait, not count past it.
    clock = FakeClock()
    pacer = make_pacer(clock)
    pacer.restore(KEY, {"client_id": "app", "tenant_id": 1, "sent": [0.0] * 30})

    await take(pacer, KEY, 1)

    assert clock.now == 5.0
