"""Reading the transfer queue and the sandbox's log to tell when, and how fast, invoices arrived."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from sqlalchemy import func, select

from bench.database import Database
from sgx.outbox.models import JobStatus, TransferJob

POLL_SECONDS = 0.1


async def last_job_id(db: Database) -> int:
    async with db.factory() as session:
        value = await session.scalar(select(func.max(TransferJob.id)))
    return int(value or 0)


async def done_since(db: Database, after_id: int) -> tuple[int, int, dt.datetime | None]:
    """(jobs done, jobs not done, the last ``done_at``) among jobs after ``after_id``."""
    async with db.factory() as session:
        rows = await session.execute(
            select(TransferJob.status, func.count(), func.max(TransferJob.done_at))
            .where(TransferJob.id > after_id)
            .group_by(TransferJob.status)
        )
        done, other, last = 0, 0, None
        for status, count, moment in rows:
            if JobStatus(status) is JobStatus.DONE:
                done, last = count, moment
            else:
                other += count
    if isinstance(last, str):  # SQLite gives the text of an aggregate's value
        last = dt.datetime.fromisoformat(last)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    return done, other, last


async def wait_until_done(
    db: Database, *, after_id: int, expected: int, limit_seconds: float
) -> tuple[int, dt.datetime | None, bool]:
    """Wait for ``expected`` jobs after ``after_id`` to be done (bounded by ``limit_seconds``).

    Returns (done, the last done_at, finished in time).
    """
    deadline = time.monotonic() + limit_seconds
    while True:
        done, _, last = await done_since(db, after_id)
        if done >= expected:
            return done, last, True
        if time.monotonic() > deadline:
            return done, last, False
        await asyncio.sleep(POLL_SECONDS)


def parse_moment(text: str) -> float:
    """An ISO 8601 time of the sandbox's log as epoch seconds."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


async def done_of(db: Database, *, issuer_id: int, after_id: int) -> tuple[int, dt.datetime | None]:
    """How many of the issuer's jobs after ``after_id`` are done, and when the last was."""
    async with db.factory() as session:
        row = await session.execute(
            select(func.count(), func.max(TransferJob.done_at)).where(
                TransferJob.id > after_id,
                TransferJob.issuer_id == issuer_id,
                TransferJob.status == JobStatus.DONE,
            )
        )
        count, last = row.one()
    if isinstance(last, str):
        last = dt.datetime.fromisoformat(last)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    return int(count), last
