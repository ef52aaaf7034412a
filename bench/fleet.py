"""Connected clinics in bulk: each an issuer in SGX with articles, a patient, a company and a
Fakturerare's API token, and its own company in the sandbox joined by a service-account
connection (tokens encrypted as the product stores them). Written straight to the database in
batches — only the invoices of a measurement go through the API.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bench.database import Database
from bench.sandbox import SCOPES, Control
from sgx.catalog.models import Article
from sgx.catalog.service import seed_bas_accounts
from sgx.identity.models import ApiToken, IssuerMembership, IssuerRole, User
from sgx.identity.tokens import digest_api_token, new_api_token
from sgx.integration.installation import reference_prefix
from sgx.integration.mapping import patient_customer_number
from sgx.integration.models import AccountType, ConnectionState, FortnoxConnection
from sgx.issuers.models import Issuer
from sgx.kit.clock import utcnow
from sgx.kit.crypto import SecretBox
from sgx.parties.models import Company, Patient
from sgx.settings import DEVELOPMENT_ENCRYPTION_KEY

BATCH = 25
# (code, VAT rate, price, sales account): a VAT-free visit and a consultation with VAT.
ARTICLES = [("BESOK", 0, "850.00", 3004), ("KONSULT", 25, "1000.40", 3001)]
EXEMPT_TEXT = "Momsfri sjukvård enligt 10 kap. 6 § mervärdesskattelagen"
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Clinic:
    issuer_id: int
    tenant_id: int
    patient_id: int
    company_id: int
    company_organisation_number: str
    token: str
    patient_customer_number: str  # the patient's number in Fortnox, once SGX has made it

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def organisation_number(serial: int) -> str:
    """A Luhn-valid ten-digit organisation number: 55 + seven digits + check digit."""
    body = f"55{serial % 10_000_000:07d}"
    total = 0
    for index, digit in enumerate(int(char) for char in body):
        doubled = digit * 2 if index % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return body + str((10 - total % 10) % 10)


async def _clinic_rows(
    session: AsyncSession, *, serial: int, tenant_id: int, tokens: dict[str, object], box: SecretBox
) -> Clinic:
    issuer = Issuer(
        name=f"Bänkkliniken {serial}",
        organisation_number=organisation_number(serial),
        fortnox_integration_enabled=True,
    )
    session.add(issuer)
    await session.flush()
    await seed_bas_accounts(session, issuer_id=issuer.id)
    for code, rate, price, account in ARTICLES:
        session.add(
            Article(
                issuer_id=issuer.id,
                code=code,
                description="Läkarbesök" if rate == 0 else "Konsultation",
                unit_price=Decimal(price),
                vat_rate=rate,
                sales_account_number=account,
                vat_exemption_text=EXEMPT_TEXT if rate == 0 else "",
            )
        )
    patient = Patient(issuer_id=issuer.id, first_name="Bänk", last_name=f"Patient {serial}")
    company_number = organisation_number(5_000_000 + serial)
    company = Company(
        issuer_id=issuer.id, name=f"Bänkföretaget {serial} AB", organisation_number=company_number
    )
    user = User(username=f"bench{serial}", password_hash="not-a-real-hash")
    session.add_all([patient, company, user])
    await session.flush()
    session.add(IssuerMembership(user_id=user.id, issuer_id=issuer.id, role=IssuerRole.INVOICER))
    token = new_api_token()
    session.add(ApiToken(user_id=user.id, name="bench", token_digest=digest_api_token(token)))
    now = utcnow()
    session.add(
        FortnoxConnection(
            issuer_id=issuer.id,
            state=ConnectionState.CONNECTED,
            account_type=AccountType.SERVICE,
            tenant_id=tenant_id,
            company_name=issuer.name,
            company_organisation_number=issuer.organisation_number,
            scopes=" ".join(SCOPES),
            access_token_encrypted=box.encrypt(str(tokens["access_token"])),
            access_token_expires_at=now + dt.timedelta(seconds=int(str(tokens["expires_in"]))),
            token_version=1,
            connected_at=now,
            verified_at=now,
        )
    )
    customer = patient_customer_number(patient.id, installation=await reference_prefix(session))
    return Clinic(issuer.id, tenant_id, patient.id, company.id, company_number, token, customer)


async def _tenant(control: Control, serial: int) -> tuple[int, dict[str, object]]:
    tenant_id = await control.create_company(
        name=f"Bänkkliniken {serial}", organisation_number=organisation_number(serial)
    )
    return tenant_id, await control.consent(tenant_id)


async def make_clinics(db: Database, control: Control, count: int) -> list[Clinic]:
    """``count`` connected clinics, committed in batches."""
    box = SecretBox([DEVELOPMENT_ENCRYPTION_KEY])
    clinics: list[Clinic] = []
    while len(clinics) < count:
        serials = [next(_numbers) for _ in range(min(BATCH, count - len(clinics)))]
        tenants = await asyncio.gather(*(_tenant(control, serial) for serial in serials))
        async with db.factory() as session:
            for serial, (tenant_id, tokens) in zip(serials, tenants, strict=True):
                clinics.append(
                    await _clinic_rows(
                        session, serial=serial, tenant_id=tenant_id, tokens=tokens, box=box
                    )
                )
            await session.commit()
    return clinics


async def add_company_in_fortnox(control: Control, clinic: Clinic) -> None:
    """The clinic's company, as the clinic's staff would have typed it into Fortnox."""
    await control.create_customer(
        clinic.tenant_id,
        {
            "Name": f"Företagskund {clinic.issuer_id} AB",
            "OrganisationNumber": _hyphenated(clinic.company_organisation_number),
        },
    )


def _hyphenated(number: str) -> str:
    return f"{number[:6]}-{number[6:]}"
