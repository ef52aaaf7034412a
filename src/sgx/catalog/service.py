"""Rules of the catalog: the BAS accounts an issuer books against and its articles.

An article names its sales account explicitly (Fortnox would otherwise fall back to a default
account silently) and a VAT-exempt article carries the statement printed on the invoice. Never
commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.catalog.models import Account, Article
from sgx.catalog.schemas import ArticleCreate
from sgx.errors import FieldError, ValidationFailed
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.issuers.service import get_issuer
from sgx.kit.sendable_text import character_errors

VAT_RATES = (25, 12, 6, 0)
MAX_UNIT_PRICE = Decimal("9999999999.99")
_ARTICLE_CODE = re.compile(r"^[A-Za-z0-9._-]+$")

# BAS accounts the invoicing uses; names as in the BAS chart.
BAS_ACCOUNTS: dict[int, str] = {
    1510: "Kundfordringar",
    2611: "Utgående moms på försäljning inom Sverige, 25 %",
    2621: "Utgående moms på försäljning inom Sverige, 12 %",
    2631: "Utgående moms på försäljning inom Sverige, 6 %",
    3001: "Försäljning inom Sverige, 25 % moms",
    3002: "Försäljning inom Sverige, 12 % moms",
    3003: "Försäljning inom Sverige, 6 % moms",
    3004: "Försäljning inom Sverige, momsfri",
    3540: "Faktureringsavgifter",
    3740: "Öres- och kronutjämning",
}


async def seed_bas_accounts(session: AsyncSession, *, issuer_id: int) -> list[Account]:
    """Add the BAS accounts the issuer lacks; existing ones (and their names) are kept."""
    existing = set(
        (await session.scalars(select(Account.number).where(Account.issuer_id == issuer_id))).all()
    )
    added = [
        Account(issuer_id=issuer_id, number=number, name=name, active=True)
        for number, name in BAS_ACCOUNTS.items()
        if number not in existing
    ]
    session.add_all(added)
    await session.flush()
    return added


async def list_accounts(
    session: AsyncSession, *, principal: Principal, issuer_id: int
) -> Sequence[Account]:
    await get_issuer(session, principal=principal, issuer_id=issuer_id)
    query = select(Account).where(Account.issuer_id == issuer_id).order_by(Account.number)
    return (await session.scalars(query)).all()


async def list_sales_accounts(session: AsyncSession, *, issuer_id: int) -> Sequence[Account]:
    """The issuer's revenue accounts (class 3), the ones an article may book against."""
    query = (
        select(Account)
        .where(Account.issuer_id == issuer_id, Account.number.between(3000, 3999))
        .order_by(Account.number)
    )
    return (await session.scalars(query)).all()


async def list_articles(
    session: AsyncSession, *, principal: Principal, issuer_id: int
) -> Sequence[Article]:
    await get_issuer(session, principal=principal, issuer_id=issuer_id)
    query = select(Article).where(Article.issuer_id == issuer_id).order_by(Article.code)
    return (await session.scalars(query)).all()


async def articles_by_code(
    session: AsyncSession, *, issuer_id: int, codes: Iterable[str]
) -> dict[str, Article]:
    query = select(Article).where(Article.issuer_id == issuer_id, Article.code.in_(set(codes)))
    return {article.code: article for article in (await session.scalars(query)).all()}


async def create_article(
    session: AsyncSession, *, principal: Principal, issuer_id: int, data: ArticleCreate
) -> Article:
    await get_issuer(session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.INVOICER)
    errors = _article_field_errors(data)
    if _ARTICLE_CODE.match(data.code) and await _article_code_taken(session, issuer_id, data.code):
        errors.append(FieldError("code", "duplicate", "Det finns redan en artikel med denna kod."))
    errors.extend(await _sales_account_errors(session, issuer_id, data.sales_account_number))
    if errors:
        raise ValidationFailed(errors)
    article = Article(issuer_id=issuer_id, **data.model_dump())
    session.add(article)
    await session.flush()
    return article


def _article_field_errors(data: ArticleCreate) -> list[FieldError]:
    errors = []
    if not _ARTICLE_CODE.match(data.code):
        errors.append(
            FieldError(
                "code",
                "invalid_format",
                "Artikelkoden får bara innehålla A–Z, 0–9, punkt, - och _.",
            )
        )
    errors.extend(money_errors(data.unit_price, "unit_price", allow_negative=False))
    # The description goes to Fortnox as the article's and rows' text, the exemption in remarks.
    errors.extend(character_errors(data.model_dump(), ("description", "vat_exemption_text")))
    if data.vat_rate not in VAT_RATES:
        errors.append(
            FieldError("vat_rate", "invalid_vat_rate", "Momssatsen ska vara 25, 12, 6 eller 0 %.")
        )
    if data.vat_rate == 0 and not data.vat_exemption_text:
        errors.append(
            FieldError(
                "vat_exemption_text",
                "required_for_exempt",
                "Ange texten om momsbefrielse, t.ex. "
                '"Momsfri sjukvård enligt 10 kap. 6 § mervärdesskattelagen".',
            )
        )
    if data.vat_rate != 0 and data.vat_exemption_text:
        errors.append(
            FieldError(
                "vat_exemption_text",
                "only_for_exempt",
                "Text om momsbefrielse anges bara för momsfria artiklar (0 %).",
            )
        )
    return errors


def money_errors(value: Decimal, field: str, *, allow_negative: bool) -> list[FieldError]:
    """Öre precision, finite, and within what the database column holds."""
    if not value.is_finite() or abs(value) > MAX_UNIT_PRICE:
        return [FieldError(field, "out_of_range", "Ange ett belopp.")]
    if value != value.quantize(Decimal("0.01")):
        return [FieldError(field, "too_many_decimals", "Ange beloppet med högst två decimaler.")]
    if value < 0 and not allow_negative:
        return [FieldError(field, "negative", "Beloppet får inte vara negativt.")]
    return []


async def _article_code_taken(session: AsyncSession, issuer_id: int, code: str) -> bool:
    query = select(Article.id).where(Article.issuer_id == issuer_id, Article.code == code)
    return (await session.scalar(query)) is not None


async def _sales_account_errors(
    session: AsyncSession, issuer_id: int, number: int
) -> list[FieldError]:
    field = "sales_account_number"
    if not 3000 <= number <= 3999:
        return [
            FieldError(
                field, "not_sales_account", "Ange ett intäktskonto i kontoklass 3 (3000–3999)."
            )
        ]
    account = await session.scalar(
        select(Account).where(Account.issuer_id == issuer_id, Account.number == number)
    )
    if account is None:
        return [FieldError(field, "unknown_account", f"Konto {number} finns inte i kontoplanen.")]
    if not account.active:
        return [FieldError(field, "inactive_account", f"Konto {number} är inaktiverat.")]
    return []
