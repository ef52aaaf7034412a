"""Builders for patients and companies."""

from __future__ import annotations

import itertools

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import IssuerRole
from sgx.issuers.models import Issuer
from sgx.parties.models import Company, IdentityKind, Patient
from tests.builders.identity import bearer, make_api_token, make_issuer, make_user

_sequence = itertools.count(1)

# Skatteverket test personnummer (12 digits) and Luhn-valid organisation numbers.
PERSONNUMMER = ["199007042386", "201311122384", "195210092218", "199711292392"]
ORGANISATION_NUMBERS = ["2120000142", "5560360793", "5565328274", "5567037485"]


async def make_patient(
    session: AsyncSession,
    *,
    issuer_id: int,
    personal_identity_number: str | None = None,
    identity_kind: IdentityKind = IdentityKind.NONE,
    first_name: str = "Test",
    last_name: str | None = None,
    **fields: object,
) -> Patient:
    patient = Patient(
        issuer_id=issuer_id,
        identity_kind=IdentityKind.PERSONNUMMER if personal_identity_number else identity_kind,
        personal_identity_number=personal_identity_number,
        first_name=first_name,
        last_name=last_name or f"Patient {next(_sequence)}",
        **fields,
    )
    session.add(patient)
    await session.flush()
    return patient


async def make_company(
    session: AsyncSession,
    *,
    issuer_id: int,
    organisation_number: str | None = None,
    name: str | None = None,
    **fields: object,
) -> Company:
    number = next(_sequence)
    company = Company(
        issuer_id=issuer_id,
        name=name or f"Företag {number} AB",
        organisation_number=organisation_number
        or ORGANISATION_NUMBERS[number % len(ORGANISATION_NUMBERS)],
        **fields,
    )
    session.add(company)
    await session.flush()
    return company


async def issuer_with_invoicer(session: AsyncSession) -> tuple[Issuer, dict[str, str]]:
    """A committed issuer and the bearer headers of a Fakturerare on it."""
    issuer = await make_issuer(session)
    user = await make_user(session, roles={issuer.id: IssuerRole.INVOICER})
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()
    return issuer, headers
