"""Waking workers the moment new work is committed, instead of on a polling tick.

``announce(session, issuer_id=…)`` is called inside the transaction that writes the work. On
PostgreSQL it issues ``NOTIFY sgx_transfers, '<issuer id>'``, which PostgreSQL delivers to every
listening worker only when (and if) the transaction commits; ``PostgresListener`` is the
worker's side. In every mode it also fires the in-process ``local_signal`` after the session
commits — that is how the embedded SQLite worker inside ``sgx serve`` hears about work, since
SQLite has no notifications. Workers keep a slow safety poll as well: a signal may be missed
(a listener reconnecting), work may never be.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

log = structlog.get_logger(__name__)

CHANNEL = "sgx_transfers"
_PENDING_KEY = "sgx_wakeup_issuers"

Listener = Callable[[int | None], None]


class LocalSignal:
    """In-process subscribers, called on their own event loop (thread-safe)."""

    def __init__(self) -> None:
        self._subscribers: dict[int, tuple[asyncio.AbstractEventLoop, Listener]] = {}
        self._next = 0

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(issuer_id)`` on the running loop; returns the unsubscribe function."""
        loop = asyncio.get_running_loop()
        self._next += 1
        token = self._next
        self._subscribers[token] = (loop, listener)

        def unsubscribe() -> None:
            self._subscribers.pop(token, None)

        return unsubscribe

    def fire(self, issuer_id: int | None) -> None:
        for loop, listener in list(self._subscribers.values()):
            with contextlib.suppress(RuntimeError):  # that loop is closed
                loop.call_soon_threadsafe(listener, issuer_id)


local_signal = LocalSignal()


def _after_commit(session: Session) -> None:
    for issuer_id in session.info.pop(_PENDING_KEY, set()):
        local_signal.fire(issuer_id)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


async def announce(session: AsyncSession, *, issuer_id: int) -> None:
    """Wake the workers for ``issuer_id`` once the session's transaction commits."""
    sync_session = session.sync_session
    pending: set[int] | None = sync_session.info.get(_PENDING_KEY)
    if pending is None:
        pending = sync_session.info[_PENDING_KEY] = set()
        if not event.contains(sync_session, "after_commit", _after_commit):
            event.listen(sync_session, "after_commit", _after_commit)
            event.listen(sync_session, "after_rollback", _after_rollback)
    pending.add(issuer_id)
    # PostgreSQL folds identical notifications of one transaction into one; sending again
    # keeps the notification even if a savepoint that sent it earlier was rolled back.
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": str(issuer_id)},
        )


class PostgresListener:
    """``LISTEN sgx_transfers`` on a connection of its own, calling ``listener`` per message."""

    def __init__(self, engine: AsyncEngine, listener: Listener) -> None:
        self._engine = engine
        self._listener = listener
        self._connection: AsyncConnection | None = None
        self._driver: Any = None

    @property
    def alive(self) -> bool:
        return self._driver is not None and not self._driver.is_closed()

    async def start(self) -> None:
        self._connection = await self._engine.connect()
        raw = await self._connection.get_raw_connection()
        self._driver = raw.driver_connection
        await self._driver.add_listener(CHANNEL, self._on_notification)
        log.info("transfer_listener_started", channel=CHANNEL)

    async def ensure(self) -> bool:
        """Reconnect a dropped listener; True when it had to (signals may have been missed)."""
        if self.alive:
            return False
        await self.stop()
        await self.start()
        return True

    async def stop(self) -> None:
        driver, connection = self._driver, self._connection
        self._driver = self._connection = None
        if driver is not None and not driver.is_closed():
            with contextlib.suppress(Exception):
                await driver.remove_listener(CHANNEL, self._on_notification)
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()  # never hand a LISTENing connection back
            with contextlib.suppress(Exception):
                await connection.close()

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            issuer_id: int | None = int(payload)
        except ValueError:
            issuer_id = None
        self._listener(issuer_id)
