"""Queries of the connection tables: the issuer's connection (optionally locked), the accounts
SGX books against, and the transfer queue's counts shown on the Fortnox page."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.catalog.models import Account, Article
from sgx.integration.models import FortnoxConnection
from sgx.outbox.models import JobStatus, TransferJob


async def connection_of(
    session: AsyncSession, *, issuer_id: int, for_update: bool = False
) -> FortnoxConnection | None:
    """The issuer's connection row; ``for_update`` locks it until the transaction ends.

    On PostgreSQL the lock is ``SELECT … FOR UPDATE``; SQLite ignores it, but there every
    transaction starts with ``BEGIN IMMEDIATE`` and so already excludes other writers.
    """
    query = select(FortnoxConnection).where(FortnoxConnection.issuer_id == issuer_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return (await session.scalars(query)).one_or_none()


async def lock_or_create_connection(session: AsyncSession, *, issuer_id: int) -> FortnoxConnection:
    connection = await connection_of(session, issuer_id=issuer_id, for_update=True)
    if connection is None:
        connection = FortnoxConnection(issuer_id=issuer_id)
        session.add(connection)
        await session.flush()
    return connection


async def account_numbers_used(session: AsyncSession, *, issuer_id: int) -> list[int]:
    """The accounts SGX books on: the issuer's active accounts and its articles' sales accounts."""
    accounts = await session.scalars(
        select(Account.number).where(Account.issuer_id == issuer_id, Account.active.is_(True))
    )
    sales = await session.scalars(
        select(Article.sales_account_number).where(
            Article.issuer_id == issuer_id, Article.active.is_(True)
        )
    )
    return sorted(set(accounts) | set(sales))


async def queue_counts(session: AsyncSession, *, issuer_id: int) -> dict[JobStatus, int]:
    rows = await session.execute(
        select(TransferJob.status, func.count())
        .where(TransferJob.issuer_id == issuer_id, TransferJob.status != JobStatus.DONE)
        .group_by(TransferJob.status)
    )
    return {status: count for status, count in rows.all()}
