"""Builders for accounts and articles."""

from __future__ import annotations

import itertools
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.catalog.models import Account, Article
from sgx.catalog.service import seed_bas_accounts

_sequence = itertools.count(1)

EXEMPT_TEXT = "Momsfri sjukvård enligt 10 kap. 6 § mervärdesskattelagen"
SALES_ACCOUNT_BY_RATE = {25: 3001, 12: 3002, 6: 3003, 0: 3004}


async def make_accounts(session: AsyncSession, *, issuer_id: int) -> list[Account]:
    return await seed_bas_accounts(session, issuer_id=issuer_id)


async def make_article(
    session: AsyncSession,
    *,
    issuer_id: int,
    code: str | None = None,
    description: str = "Läkarbesök",
    unit_price: Decimal | str = "1000.00",
    vat_rate: int = 0,
    sales_account_number: int | None = None,
    **fields: object,
) -> Article:
    """An article; the issuer's BAS accounts are added first when missing."""
    await seed_bas_accounts(session, issuer_id=issuer_id)
    article = Article(
        issuer_id=issuer_id,
        code=code or f"ART{next(_sequence)}",
        description=description,
        unit_price=Decimal(unit_price),
        vat_rate=vat_rate,
        sales_account_number=sales_account_number or SALES_ACCOUNT_BY_RATE[vat_rate],
        vat_exemption_text=EXEMPT_TEXT if vat_rate == 0 else "",
        **fields,
    )
    session.add(article)
    await session.flush()
    return article
