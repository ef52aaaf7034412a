"""Demo data for the embedded mode: one issuer, its users, accounts, articles, patients, companies.

Only written into an empty database. The personnummer are Skatteverket's published test numbers,
and the organisation numbers are made up (valid check digits, no real company).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.catalog.schemas import ArticleCreate
from sgx.catalog.service import create_article, seed_bas_accounts
from sgx.identity import service as identity
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.issuers.models import Issuer
from sgx.issuers.schemas import IssuerCreate
from sgx.issuers.service import create_issuer
from sgx.parties.schemas import CompanyCreate, PatientCreate
from sgx.parties.service import create_company, create_patient

DEMO_ORGANISATION_NUMBER = "5599012340"
EXEMPT_CARE = "Momsfri sjukvård (3 kap. 4 § mervärdesskattelagen)"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_LOGINS = (
    DemoLogin("admin", "admin-demo-2026", IssuerRole.ADMIN.value),
    DemoLogin("fakturerare", "fakturerare-demo-2026", IssuerRole.INVOICER.value),
    DemoLogin("lasare", "lasare-demo-2026", IssuerRole.READER.value),
    DemoLogin("support", "support-demo-2026", "Support"),
)

DEMO_COMPANIES = (
    # In the demo Fortnox company's customer register:
    ("Byggbolaget Norr AB", "5566778899"),
    # Not in Fortnox: its invoices wait with a message until someone adds it there.
    ("Verkstadsgruppen i Mälardalen AB", "5561234567"),
)


async def database_is_empty(session: AsyncSession) -> bool:
    return (await session.scalar(select(func.count()).select_from(Issuer))) == 0


async def seed_demo(session: AsyncSession) -> Issuer:
    """Create the demo; the caller commits."""
    users = {}
    for login in DEMO_LOGINS:
        users[login.username] = await identity.create_user(
            session,
            username=login.username,
            password=login.password,
            full_name=login.username.capitalize() + " Demo",
            is_support=login.role == "Support",
        )
    support = users["support"]
    principal = Principal(user_id=support.id, username=support.username, is_support=True)
    issuer = await create_issuer(
        session,
        principal=principal,
        data=IssuerCreate(
            name="Friskvården Företagshälsa AB",
            organisation_number=DEMO_ORGANISATION_NUMBER,
            vat_number=f"SE{DEMO_ORGANISATION_NUMBER}01",
            address="Storgatan 1",
            zip_code="111 22",
            city="Stockholm",
            bankgiro="5050-1055",
            administrator_username="admin",
        ),
    )
    for login in DEMO_LOGINS[1:3]:
        await identity.grant_role(
            session,
            user=users[login.username],
            issuer_id=issuer.id,
            role=IssuerRole(login.role),
            actor="support",
        )
    await seed_bas_accounts(session, issuer_id=issuer.id)
    admin = Principal(
        user_id=users["admin"].id, username="admin", roles={issuer.id: IssuerRole.ADMIN}
    )
    await _articles(session, admin, issuer.id)
    await _parties(session, admin, issuer.id)
    return issuer


async def _articles(session: AsyncSession, principal: Principal, issuer_id: int) -> None:
    articles = [
        ("LAKBES", "Läkarbesök", "1200.00", 0, 3004, EXEMPT_CARE),
        ("SSKBES", "Sjuksköterskebesök", "650.00", 0, 3004, EXEMPT_CARE),
        ("HALSUND", "Hälsoundersökning", "1850.00", 0, 3004, EXEMPT_CARE),
        ("ERGO", "Ergonomisk arbetsplatsbedömning", "1400.00", 25, 3001, ""),
        ("UTB", "Utbildning i arbetsmiljö", "3500.00", 25, 3001, ""),
        ("SKYDD", "Skyddsglasögon med styrka", "890.00", 25, 3001, ""),
    ]
    for code, description, price, vat, account, exemption in articles:
        await create_article(
            session,
            principal=principal,
            issuer_id=issuer_id,
            data=ArticleCreate(
                code=code,
                description=description,
                unit_price=Decimal(price),
                vat_rate=vat,
                sales_account_number=account,
                vat_exemption_text=exemption,
            ),
        )


async def _parties(session: AsyncSession, principal: Principal, issuer_id: int) -> None:
    patients = [
        ("Anna", "Andersson", "19900704-2386", False, "Sveavägen 10", "113 50", "Stockholm"),
        ("Erik", "Lindqvist", "195210092218", False, "Kungsgatan 5", "411 19", "Göteborg"),
        ("Sara", "Nilsson", "20131112-2384", True, "", "", ""),
    ]
    for first, last, number, protected, address, zip_code, city in patients:
        await create_patient(
            session,
            principal=principal,
            issuer_id=issuer_id,
            data=PatientCreate(
                first_name=first,
                last_name=last,
                personal_identity_number=number,
                protected_identity=protected,
                address=address or None,
                zip_code=zip_code or None,
                city=city or None,
                email=f"{first.lower()}.{last.lower()}@example.se",
            ),
        )
    for name, number in DEMO_COMPANIES:
        await create_company(
            session,
            principal=principal,
            issuer_id=issuer_id,
            data=CompanyCreate(
                name=name,
                organisation_number=number,
                address="Industrivägen 3",
                zip_code="721 30",
                city="Västerås",
                invoice_email="faktura@example.se",
            ),
        )
