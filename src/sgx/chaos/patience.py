"""The chaos run's own database work, patient with a database that is full.

The run shares PostgreSQL with its workers (and, on a developer's machine, with whatever else
runs). When PostgreSQL has no connection to spare, the run waits and tries again instead of
ending: that is the machine's limit, not SGX's. Only failures to *get* a connection are retried
(nothing was done yet); any other error still ends the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog

log = structlog.get_logger(__name__)

T = TypeVar("T")
TRIES = 60
PAUSE_SECONDS = 1.0
NO_CONNECTION = ("TooManyConnectionsError", "CannotConnectNowError", "ConnectionRefusedError")


def no_connection(error: BaseException) -> bool:
    seen: BaseException | None = error
    for _ in range(6):  # the driver's error sits a few causes down
        if seen is None:
            return False
        if type(seen).__name__ in NO_CONNECTION or "too many clients" in str(seen):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


async def patiently(operation: Callable[[], Awaitable[T]]) -> T:
    """Run ``operation``; while PostgreSQL has no connection for it, wait and run it again."""
    for attempt in range(1, TRIES + 1):
        try:
            return await operation()
        except Exception as error:
            if attempt == TRIES or not no_connection(error):
                raise
            log.warning("chaos_database_full", attempt=attempt)
            await asyncio.sleep(PAUSE_SECONDS)
    raise AssertionError("unreachable")
