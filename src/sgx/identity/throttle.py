"""Throttling of failed logins: password guessing stops, real users are locked out only briefly.

Failed attempts are counted per username key (the typed username stripped and case-folded, so
"Anna " and "anna" share one count) in the ``login_throttles`` table, which every web process
shares. Names that belong to no user are counted the same way, so the answers tell an attacker
nothing about which users exist. ``MAX_FAILURES`` failures within ``WINDOW`` of the first one lock
the key for ``LOCKOUT``: every attempt is then refused before any password is checked (no Argon2
work), a correct password included, and refused attempts neither count nor extend the lock. A
successful login resets the count. When a window or a lock has run out, the next failure starts a
new count.

Counting is safe across processes: the row is created with ``INSERT … ON CONFLICT DO NOTHING``
and changed under ``SELECT … FOR UPDATE`` (PostgreSQL); SQLite's ``BEGIN IMMEDIATE`` serialises
writers already. Attempts already past the check when the lock starts still finish, so a burst
of parallel guesses can exceed the limit by the number in flight.

A row whose window and lock have both passed counts for nothing; ``purge_spent`` deletes such
rows, in its own transaction after a failed login, so that guessing many usernames does not
grow the table for ever. It skips rows another transaction holds (``SKIP LOCKED``) and so never
waits; a count whose row was purged between its insert and its lock inserts it again. The
functions take ``now`` so that callers (and tests) decide the time; nothing here commits.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from sgx.errors import AppError
from sgx.kit.db import Base

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)

THROTTLED_MESSAGE = "För många misslyckade inloggningsförsök. Försök igen om en stund."

PURGE_BATCH = 100  # rows deleted at most per purge: a purge stays short, a backlog goes in steps

_KEY_LENGTH = 150  # as long as a username may be; longer input cannot name a user anyway
_NEVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class LoginThrottle(Base):
    """The recent failed logins of one username key, and the lock they caused."""

    __tablename__ = "login_throttles"

    username_key: Mapped[str] = mapped_column(String(_KEY_LENGTH), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[dt.datetime]  # the first failure of the current count
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)


class LoginThrottled(AppError):
    """429: too many failed logins for this username; no password was checked."""

    def __init__(self, *, locked_until: dt.datetime) -> None:
        super().__init__(message=THROTTLED_MESSAGE, code="login_throttled", status=429)
        self.locked_until = locked_until


def username_key(username: str) -> str:
    return username.strip().casefold()[:_KEY_LENGTH]


async def locked_until(
    session: AsyncSession, *, username: str, now: dt.datetime
) -> dt.datetime | None:
    """The end of the lock on this username, or None when attempts are allowed."""
    until = await session.scalar(
        select(LoginThrottle.locked_until).where(
            LoginThrottle.username_key == username_key(username)
        )
    )
    return until if until is not None and until > now else None


async def record_failure(session: AsyncSession, *, username: str, now: dt.datetime) -> bool:
    """Count one failed login; True when this failure started a lock."""
    row = await _locked_row(session, username_key(username))
    lock_over = row.locked_until is not None and row.locked_until <= now
    if lock_over or row.window_started_at <= now - WINDOW:
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    starts_lock = row.failures >= MAX_FAILURES and row.locked_until is None
    if starts_lock:
        row.locked_until = now + LOCKOUT
    await session.flush()
    return starts_lock


async def _locked_row(session: AsyncSession, key: str) -> LoginThrottle:
    """The key's row, created if missing, locked until the transaction ends."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for _ in range(3):  # a purge may delete a spent row between the insert and the lock: again
        await session.execute(
            insert(LoginThrottle)
            .values(username_key=key, failures=0, window_started_at=_NEVER, locked_until=None)
            .on_conflict_do_nothing(index_elements=["username_key"])
        )
        row = await session.scalar(
            select(LoginThrottle)
            .where(LoginThrottle.username_key == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if row is not None:
            return row
    raise RuntimeError("login throttle row vanished three times in a row")


async def purge_spent(session: AsyncSession, *, now: dt.datetime) -> int:
    """Delete up to ``PURGE_BATCH`` rows that count for nothing any more; the number deleted.

    A row is spent when its window has passed and it holds no lock that is still running (a
    reset row's window lies in 2000). Rows locked by a running count are skipped, not waited for.
    """
    spent = (
        select(LoginThrottle.username_key)
        .where(
            LoginThrottle.window_started_at <= now - WINDOW,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.username_key.in_(spent))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def clear(session: AsyncSession, *, username: str) -> None:
    """Forget the failed logins of this username (after a successful login)."""
    await session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.username_key == username_key(username))
        .values(failures=0, window_started_at=_NEVER, locked_until=None)
    )
