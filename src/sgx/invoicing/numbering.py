"""Invoice numbers: one series per issuer, sequential with no gaps.

The next number lives on the issuer row. Taking it locks that row (``SELECT … FOR NO KEY
UPDATE`` on PostgreSQL; SQLite's single writer serialises by itself) until the transaction ends,
so two concurrent invoices of one issuer never share a number, and a rolled-back invoice gives
its number back with the rollback. Take it as late as possible: after all validation.

``NO KEY UPDATE``, not ``UPDATE``: the lock must not stop other transactions from inserting rows
that merely refer to the issuer (an audit event, a transfer job's outcome) — their foreign-key
check takes ``KEY SHARE`` on the issuer, which ``FOR UPDATE`` would block, and a transaction
that holds another row they lock then deadlocks with this one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.issuers.models import Issuer


async def lock_issuer(session: AsyncSession, *, issuer_id: int) -> Issuer:
    """The issuer row, locked for this transaction and re-read from the database."""
    query = (
        select(Issuer)
        .where(Issuer.id == issuer_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(query)).one()


async def allocate_invoice_number(session: AsyncSession, *, issuer: Issuer) -> int:
    """Hand out the next number of a locked issuer (see :func:`lock_issuer`)."""
    number = issuer.next_invoice_number
    issuer.next_invoice_number = number + 1
    await session.flush()
    return number
