"""The world a chaos run starts from: a database of its own, issuers with articles, patients
and companies made through SGX's services, and each issuer connected to a Fortnox company.

Connecting stores a consent's tokens the way the OAuth callback does (encrypted, through
``sgx.integration.credentials``) and then runs the connection checks
(``sgx.integration.verification``), which approve the connection and release held transfers —
the same path a reconnect takes after a revoked consent.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from stdnum import luhn

import sgx.models
from sgx.catalog.schemas import ArticleCreate
from sgx.catalog.service import create_article, seed_bas_accounts
from sgx.chaos.config import ChaosConfig
from sgx.chaos.patience import patiently
from sgx.chaos.sandbox import SandboxControl
from sgx.fortnox.oauth import read_token_response
from sgx.identity import service as identity
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.integration import credentials
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.models import AccountType, ConnectionState
from sgx.integration.repository import lock_or_create_connection
from sgx.integration.verification import verify_connection
from sgx.issuers.schemas import IssuerCreate
from sgx.issuers.service import create_issuer, set_fortnox_integration
from sgx.kit.clock import utcnow
from sgx.kit.db import create_engine
from sgx.parties.models import IdentityKind
from sgx.parties.schemas import CompanyCreate, PatientCreate
from sgx.parties.service import create_company, create_patient

SessionFactory = async_sessionmaker[AsyncSession]
ACTOR = "chaos"
VERIFY_TRIES = 30
VERIFY_PAUSE_SECONDS = 1.0
EXEMPT_CARE = "Momsfri sjukvård (3 kap. 4 § mervärdesskattelagen)"
# code, description, price excluding VAT, VAT rate, sales account
ARTICLES = (
    ("BESOK", "Läkarbesök", "850.00", 0, 3004),
    ("KONSULT", "Konsultation arbetsmiljö", "1000.40", 25, 3001),
    ("MAT", "Lunch vid utbildning", "100.00", 12, 3002),
    ("BOK", "Broschyr", "99.99", 6, 3003),
    ("PROV", "Provtagning", "333.33", 0, 3004),
)


# ---- the database ---------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


async def _admin(admin_url: str, statement: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def create_database(admin_url: str) -> tuple[str, str]:
    """A new ``sgx_chaos_*`` database with SGX's schema; returns its name and URL."""
    name = f"sgx_chaos_{uuid.uuid4().hex[:10]}"
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    url = _with_database(admin_url, name)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(sgx.models.metadata.create_all)
    finally:
        await engine.dispose()
    return name, url


async def drop_database(admin_url: str, name: str) -> None:
    await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---- numbers --------------------------------------------------------------------------------


def organisation_number(index: int) -> str:
    """A made-up, valid organisationsnummer (third digit ≥ 2, Luhn check digit)."""
    body = f"559{index:06d}"
    return body + luhn.calc_check_digit(body)


def personnummer(index: int) -> str:
    """A valid personnummer (12 digits) of someone born in the 1960s–1980s."""
    year = 60 + index % 30
    month = 1 + index % 12
    day = 1 + index % 28
    serial = f"{index % 1000:03d}"
    ten = f"{year:02d}{month:02d}{day:02d}{serial}"
    return f"19{ten}{luhn.calc_check_digit(ten)}"


# ---- what was made --------------------------------------------------------------------------


@dataclass
class IssuerWorld:
    issuer_id: int
    organisation_number: str
    account_type: AccountType
    tenant_id: int = 0
    patient_ids: list[int] = field(default_factory=list)
    protected_patient_ids: set[int] = field(default_factory=set)
    company_ids: list[int] = field(default_factory=list)
    company_numbers: list[str] = field(default_factory=list)


@dataclass
class World:
    principal: Principal  # an Administratör of every issuer
    support: Principal
    issuers: list[IssuerWorld]

    def by_id(self, issuer_id: int) -> IssuerWorld:
        return next(issuer for issuer in self.issuers if issuer.issuer_id == issuer_id)


async def make_world(factory: SessionFactory, config: ChaosConfig, rng: random.Random) -> World:
    async with factory() as session:
        admin = await identity.create_user(
            session, username="chaos-admin", password="chaos-admin-2026", actor=ACTOR
        )
        support_user = await identity.create_user(
            session,
            username="chaos-support",
            password="chaos-support-2026",
            is_support=True,
            actor=ACTOR,
        )
        await session.commit()
    support = Principal(user_id=support_user.id, username=support_user.username, is_support=True)
    issuers: list[IssuerWorld] = []
    roles: dict[int, IssuerRole] = {}
    for index in range(config.issuers):
        account = AccountType.PERSONAL if index < config.personal_issuers else AccountType.SERVICE
        async with factory() as session:
            made = await _issuer(session, support, admin.username, index, account)
            roles[made.issuer_id] = IssuerRole.ADMIN
            principal = Principal(user_id=admin.id, username=admin.username, roles=dict(roles))
            await _catalog_and_parties(session, principal, made, config, rng, index)
            await session.commit()
        issuers.append(made)
    principal = Principal(user_id=admin.id, username=admin.username, roles=roles)
    return World(principal=principal, support=support, issuers=issuers)


async def _issuer(
    session: AsyncSession, support: Principal, admin: str, index: int, account: AccountType
) -> IssuerWorld:
    number = organisation_number(index)
    issuer = await create_issuer(
        session,
        principal=support,
        data=IssuerCreate(
            name=f"Kaosklinik {index + 1} AB",
            organisation_number=number,
            address="Provgatan 1",
            zip_code="111 22",
            city="Stockholm",
            # The sandbox rounds every SEK total to whole kronor, as Fortnox does by default.
            whole_krona_rounding=True,
            send_personnummer_to_fortnox=index % 3 == 0,
            administrator_username=admin,
        ),
    )
    await set_fortnox_integration(session, principal=support, issuer_id=issuer.id, enabled=True)
    await seed_bas_accounts(session, issuer_id=issuer.id)
    return IssuerWorld(issuer_id=issuer.id, organisation_number=number, account_type=account)


async def _catalog_and_parties(
    session: AsyncSession,
    principal: Principal,
    made: IssuerWorld,
    config: ChaosConfig,
    rng: random.Random,
    index: int,
) -> None:
    for code, description, price, vat, account in ARTICLES:
        await create_article(
            session,
            principal=principal,
            issuer_id=made.issuer_id,
            data=ArticleCreate(
                code=code,
                description=description,
                unit_price=Decimal(price),
                vat_rate=vat,
                sales_account_number=account,
                vat_exemption_text=EXEMPT_CARE if vat == 0 else "",
            ),
        )
    for number in range(config.patients_per_issuer):
        patient = await create_patient(
            session,
            principal=principal,
            issuer_id=made.issuer_id,
            data=_patient(index * 1000 + number, rng),
        )
        made.patient_ids.append(patient.id)
        if patient.protected_identity:
            made.protected_patient_ids.add(patient.id)
    for number in range(2):
        company_number = organisation_number(500_000 + index * 10 + number)
        company = await create_company(
            session,
            principal=principal,
            issuer_id=made.issuer_id,
            data=CompanyCreate(
                name=f"Kundföretag {index + 1}-{number + 1} AB",
                organisation_number=company_number,
                city="Västerås",
            ),
        )
        made.company_ids.append(company.id)
        made.company_numbers.append(company_number)


def _patient(index: int, rng: random.Random) -> PatientCreate:
    kind = rng.choice(["personnummer", "personnummer", "reservnummer", "none"])
    protected = rng.random() < 0.1
    fields: dict[str, object] = {
        "first_name": rng.choice(["Anna", "Erik", "Sara", "Johan", "Åsa", "Örjan"]),
        "last_name": f"Testsson {index}",
        "phone": f"070-{index:07d}",
        "email": f"patient{index}@example.se",
        "protected_identity": protected,
    }
    if not protected:  # skyddad identitet: no address is kept at all
        fields.update(
            address=f"Vägen {index % 90 + 1}",
            zip_code="123 45",
            city=rng.choice(["Umeå", "Malmö", "Göteborg"]),
        )
    if kind == "personnummer":
        fields["personal_identity_number"] = personnummer(index)
    elif kind == "reservnummer":
        fields["identity_kind"] = IdentityKind.RESERVNUMMER
        fields["personal_identity_number"] = f"R{index:08d}"
    return PatientCreate.model_validate(fields)


# ---- Fortnox companies and connections ------------------------------------------------------


async def make_fortnox_companies(control: SandboxControl, world: World) -> None:
    """A Fortnox company per issuer, with the issuer's two customer companies already in it."""
    for index, issuer in enumerate(world.issuers):
        issuer.tenant_id = await control.create_company(
            name=f"Kaosklinik {index + 1} AB", organisation_number=issuer.organisation_number
        )
        for position, number in enumerate(issuer.company_numbers):
            await control.act(
                issuer.tenant_id,
                action="create_customer",
                fields={
                    "Name": f"Kundföretag {index + 1}-{position + 1} AB",
                    # As staff type it in Fortnox: with the hyphen.
                    "OrganisationNumber": f"{number[:6]}-{number[6:]}",
                    "Type": "COMPANY",
                },
            )


async def store_consent(
    factory: SessionFactory,
    gateway: FortnoxGateway,
    *,
    issuer_id: int,
    grant: dict[str, object],
    account_type: AccountType,
) -> None:
    """Store a new consent's tokens on the issuer's connection, as the OAuth callback does."""
    result = read_token_response(grant)
    if account_type is AccountType.SERVICE:
        result = result.model_copy(update={"refresh_token": None})
    now = utcnow()
    async with factory() as session, session.begin():
        connection = await lock_or_create_connection(session, issuer_id=issuer_id)
        credentials.clear_credentials(connection)
        credentials.store_grant(connection, result, box=gateway.box, now=now)
        connection.account_type = account_type
        connection.tenant_id = result.tenant_id
        connection.scopes = " ".join(result.scopes)
        connection.state = ConnectionState.UNVERIFIED
        connection.connected_by_name = ACTOR
        connection.connected_at = now
        connection.last_error_code = connection.last_error_message = ""


async def verify_until_connected(
    factory: SessionFactory, gateway: FortnoxGateway, *, issuer_id: int
) -> ConnectionState:
    """ "Kontrollera igen" until the checks pass (faults may make some of them incomplete)."""
    state = ConnectionState.UNVERIFIED
    for _ in range(VERIFY_TRIES):
        state = await patiently(
            lambda: verify_connection(factory, gateway, issuer_id=issuer_id, actor=ACTOR)
        )
        if state is ConnectionState.CONNECTED:
            return state
        await asyncio.sleep(VERIFY_PAUSE_SECONDS)
    return state


async def connect(
    factory: SessionFactory,
    gateway: FortnoxGateway,
    control: SandboxControl,
    issuer: IssuerWorld,
) -> ConnectionState:
    """A new consent for the issuer's Fortnox company, stored and checked."""
    grant = await control.consent(issuer.tenant_id, account_type=issuer.account_type.value)
    await patiently(
        lambda: store_consent(
            factory,
            gateway,
            issuer_id=issuer.issuer_id,
            grant=grant,
            account_type=issuer.account_type,
        )
    )
    return await verify_until_connected(factory, gateway, issuer_id=issuer.issuer_id)
