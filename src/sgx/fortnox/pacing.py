"""Pacing: stay under Fortnox's limit of 25 requests per rolling 5 s per (client id, tenant).

``Pacer`` is the interface the client uses: every request runs inside ``slot(key)``, and a 429
calls ``slow_down(key)``. ``SlidingWindowPacer`` implements it for one process; a pacer shared by
several processes can implement the same two methods on top of the database.

A slot counts from the moment it is taken until one window after the request *finished*: the
server saw the request somewhere in between, so this never lets the server see more than the
limit in any window, whatever the latency. Callers for one key are served first come, first
served. The clock and the sleep are injectable so that the arithmetic can be tested without
waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

FORTNOX_REQUESTS_PER_WINDOW = 25
FORTNOX_WINDOW_SECONDS = 5.0
# Float rounding can leave "now" a hair short of a deadline just slept until; a microsecond
# of tolerance keeps the wait loop from spinning on it.
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class PacingKey:
    """Fortnox counts requests per application and company."""

    client_id: str
    tenant_id: int


class Pacer(Protocol):
    def slot(self, key: PacingKey) -> AbstractAsyncContextManager[None]:
        """Wait for a free slot for ``key``; hold it while the request is in flight."""
        ...

    async def slow_down(self, key: PacingKey, seconds: float | None = None) -> None:
        """Fortnox answered 429: send nothing more for ``key`` for a while."""
        ...


@dataclass
class _Window:
    queue: asyncio.Lock = field(default_factory=asyncio.Lock)  # FIFO: fair among callers
    finished: deque[float] = field(default_factory=deque)  # when recent requests finished
    in_flight: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event)
    paused_until: float = 0.0


class SlidingWindowPacer:
    """At most ``requests`` per rolling ``window_seconds`` per key, within this process."""

    def __init__(
        self,
        *,
        requests: int = FORTNOX_REQUESTS_PER_WINDOW,
        window_seconds: float = FORTNOX_WINDOW_SECONDS,
        backoff_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if requests < 1 or window_seconds <= 0:
            raise ValueError("the limit needs at least one request per positive window")
        self.requests = requests
        self.window_seconds = window_seconds
        # After a 429 the server's window is full: wait a whole window unless told otherwise.
        self.backoff_seconds = window_seconds if backoff_seconds is None else backoff_seconds
        self._clock = clock
        self._sleep = sleep
        self._windows: dict[PacingKey, _Window] = {}

    def _window(self, key: PacingKey) -> _Window:
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window()
        return window

    def slot(self, key: PacingKey) -> AbstractAsyncContextManager[None]:
        return self._slot(key)

    @asynccontextmanager
    async def _slot(self, key: PacingKey) -> AsyncIterator[None]:
        window = self._window(key)
        async with window.queue:
            await self._wait_for_room(window)
            window.in_flight += 1
        try:
            yield
        finally:
            window.in_flight -= 1
            window.finished.append(self._clock())
            window.released.set()

    async def _wait_for_room(self, window: _Window) -> None:
        while True:
            now = self._clock()
            if window.paused_until > now + _TOLERANCE:
                await self._sleep(window.paused_until - now)
                continue
            horizon = now - self.window_seconds + _TOLERANCE
            while window.finished and window.finished[0] <= horizon:
                window.finished.popleft()
            if window.in_flight + len(window.finished) < self.requests:
                return
            if window.finished:
                await self._sleep(window.finished[0] + self.window_seconds - now)
            else:
                # Every slot is in flight: the first to finish starts its window.
                window.released.clear()
                await window.released.wait()

    async def slow_down(self, key: PacingKey, seconds: float | None = None) -> None:
        window = self._window(key)
        pause = self.backoff_seconds if seconds is None else max(seconds, 0.0)
        window.paused_until = max(window.paused_until, self._clock() + pause)

    def paused_until(self, key: PacingKey) -> float:
        """The clock value before which ``key`` gets no slot (0 when never paused)."""
        return self._window(key).paused_until
