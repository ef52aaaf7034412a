"""The installation's reference prefix: what keeps SGX installations apart in one Fortnox company.

Every reference SGX writes into Fortnox (``ExternalInvoiceReference1``, a patient's customer
number and ``ExternalReference``, see ``mapping``) carries the prefix, so a second installation
— or a database rebuilt from scratch — on the same Fortnox company never recognises another's
documents as its own. The prefix is five characters of an alphabet without look-alikes (no I, O,
0, 1), made at random once per database (28 million values; no P either, so the P before a
patient id stands out) and stored in the one-row table ``installation``.

A database that wrote to Fortnox before installations had a prefix keeps the empty prefix (the
migration that made the table decides), so it still recognises everything it wrote:
``SGXP42`` and ``SGX-3-7`` are then its own numbers and references.
"""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration.models import Installation

ROW_ID = 1
PREFIX_LENGTH = 5
ALPHABET = "ABCDEFGHJKLMNQRSTUVWXYZ23456789"


def new_prefix() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(PREFIX_LENGTH))


async def reference_prefix(session: AsyncSession) -> str:
    """The stored prefix, made on first use; two processes making it at once agree on one."""
    row = await session.get(Installation, ROW_ID)
    if row is not None:
        return row.reference_prefix
    try:
        async with session.begin_nested():
            session.add(Installation(id=ROW_ID, reference_prefix=new_prefix()))
    except IntegrityError:
        pass  # another process made it first: theirs counts
    row = await session.get(Installation, ROW_ID, populate_existing=True)
    assert row is not None
    return row.reference_prefix
