"""Rules for patients and companies: identity numbers, protected identity, one per number.

All input is checked before anything is added, so a refused request stores nothing. Never
commits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.errors import FieldError, NotFound, ValidationFailed, raise_if_any
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.issuers.service import get_issuer
from sgx.kit.sendable_text import character_errors
from sgx.outbox.models import JobKind
from sgx.outbox.service import enqueue
from sgx.parties.identifiers import (
    InvalidIdentifier,
    normalise_organisation_number,
    parse_personal_identity_number,
)
from sgx.parties.models import Company, IdentityKind, Patient
from sgx.parties.schemas import CompanyCreate, CompanyUpdate, PatientCreate, PatientUpdate

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_RESERVNUMMER = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
_FORTNOX_CUSTOMER_NUMBER = re.compile(r"^[0-9A-Za-z]{1,50}$")
_ADDRESS_FIELDS = ("address", "zip_code", "city")
_REQUIRED = {"first_name", "last_name", "name", "organisation_number", "protected_identity"}
# What reaches Fortnox's customer register about a patient (companies are never sent).
_PATIENT_TEXTS_SENT = ("first_name", "last_name", "address", "zip_code", "city", "phone")
MAX_PAGE = 500


def _patient_missing() -> NotFound:
    return NotFound("Patienten finns inte.", code="patient_not_found")


def _company_missing() -> NotFound:
    return NotFound("Företaget finns inte.", code="company_not_found")


async def list_patients(
    session: AsyncSession,
    *,
    principal: Principal,
    issuer_id: int,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Patient]:
    await get_issuer(session, principal=principal, issuer_id=issuer_id)
    query = (
        select(Patient)
        .where(Patient.issuer_id == issuer_id)
        .order_by(Patient.last_name, Patient.first_name, Patient.id)
        .limit(min(limit, MAX_PAGE))
        .offset(offset)
    )
    return (await session.scalars(query)).all()


async def get_patient(
    session: AsyncSession,
    *,
    principal: Principal,
    patient_id: int,
    needed: IssuerRole = IssuerRole.READER,
) -> Patient:
    patient = await session.get(Patient, patient_id)
    if patient is None:
        raise _patient_missing()
    principal.require_object(patient.issuer_id, needed, missing=_patient_missing())
    return patient


async def create_patient(
    session: AsyncSession, *, principal: Principal, issuer_id: int, data: PatientCreate
) -> Patient:
    await get_issuer(session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.INVOICER)
    values = await _clean_patient(
        session, issuer_id=issuer_id, changes=data.model_dump(exclude_unset=True), current=None
    )
    patient = Patient(issuer_id=issuer_id, **values)
    session.add(patient)
    await session.flush()
    return patient


async def update_patient(
    session: AsyncSession, *, principal: Principal, patient_id: int, data: PatientUpdate
) -> Patient:
    patient = await get_patient(
        session, principal=principal, patient_id=patient_id, needed=IssuerRole.INVOICER
    )
    values = await _clean_patient(
        session,
        issuer_id=patient.issuer_id,
        changes=data.model_dump(exclude_unset=True),
        current=patient,
    )
    changed = {name for name, value in values.items() if getattr(patient, name) != value}
    for name, value in values.items():
        setattr(patient, name, value)
    await session.flush()
    if changed and patient.fortnox_customer_number:
        # Already a Fortnox customer: the change goes to Fortnox's register in this transaction.
        await enqueue(
            session, issuer_id=patient.issuer_id, kind=JobKind.PATIENT, subject_id=patient.id
        )
    return patient


async def _clean_patient(
    session: AsyncSession, *, issuer_id: int, changes: dict[str, Any], current: Patient | None
) -> dict[str, Any]:
    errors = _nulls_refused(changes)
    # An optional text sent as null is cleared; a required one is refused above.
    values = {name: "" if value is None else value for name, value in changes.items()}
    values.pop("identity_kind", None)
    values.pop("personal_identity_number", None)
    if "personal_identity_number" in changes or "identity_kind" in changes or current is None:
        number = changes.get("personal_identity_number")
        keeps_number = changes.get("identity_kind") is not IdentityKind.NONE
        if "personal_identity_number" not in changes and current is not None and keeps_number:
            number = current.personal_identity_number
        try:
            kind, number = _resolve_identity(changes.get("identity_kind"), number)
        except InvalidIdentifier as error:
            errors.extend(error.field_errors)
        else:
            values["identity_kind"], values["personal_identity_number"] = kind, number
            if number and await _patient_number_taken(session, issuer_id, number, current):
                errors.append(
                    FieldError(
                        "personal_identity_number",
                        "duplicate",
                        "Det finns redan en patient med detta nummer hos fakturautställaren.",
                    )
                )
    errors.extend(_email_errors(values, "email"))
    errors.extend(character_errors(values, _PATIENT_TEXTS_SENT, exact=("email",)))
    _protect_address(values, changes, current, errors)
    raise_if_any(errors)
    return values


def _resolve_identity(
    kind: IdentityKind | None, number: str | None
) -> tuple[IdentityKind, str | None]:
    field = "personal_identity_number"
    number = (number or "").strip()
    if not number:
        if kind in (None, IdentityKind.NONE):
            return IdentityKind.NONE, None
        raise InvalidIdentifier(field, "missing", "Ange numret.")
    if kind is IdentityKind.NONE:
        raise InvalidIdentifier(
            field, "unexpected", "Ange inget nummer när patienten saknar identitetsbeteckning."
        )
    if kind is IdentityKind.RESERVNUMMER:
        compact = re.sub(r"\s", "", number).upper()
        if not _RESERVNUMMER.match(compact):
            raise InvalidIdentifier(
                field, "invalid_format", "Ett reservnummer får bara innehålla A–Z, 0–9 och -."
            )
        return IdentityKind.RESERVNUMMER, compact
    identity = parse_personal_identity_number(number, field=field)
    parsed_kind = IdentityKind(identity.kind)
    if kind is not None and kind is not parsed_kind:
        raise InvalidIdentifier(
            field,
            "kind_mismatch",
            f"Numret är ett {parsed_kind.value}, inte ett {kind.value}.",
        )
    return parsed_kind, identity.twelve_digits


async def _patient_number_taken(
    session: AsyncSession, issuer_id: int, number: str, current: Patient | None
) -> bool:
    query = select(Patient.id).where(
        Patient.issuer_id == issuer_id, Patient.personal_identity_number == number
    )
    if current is not None:
        query = query.where(Patient.id != current.id)
    return (await session.scalar(query)) is not None


def _protect_address(
    values: dict[str, Any],
    changes: dict[str, Any],
    current: Patient | None,
    errors: list[FieldError],
) -> None:
    """A patient with skyddad identitet has no address in SGX; a new flag erases the old one."""
    protected = values.get("protected_identity", current.protected_identity if current else False)
    if not protected:
        return
    for name in _ADDRESS_FIELDS:
        if changes.get(name):
            errors.append(
                FieldError(
                    name,
                    "protected_identity",
                    "Patienten har skyddad identitet; ingen adress får sparas.",
                )
            )
        values[name] = ""


def _nulls_refused(changes: dict[str, Any]) -> list[FieldError]:
    return [
        FieldError(name, "required", "Fältet får inte vara tomt.")
        for name, value in changes.items()
        if value is None and name in _REQUIRED
    ]


def _email_errors(values: dict[str, Any], name: str) -> list[FieldError]:
    email = values.get(name)
    if email and not _EMAIL.match(email):
        return [FieldError(name, "invalid_email", "Ange en giltig e-postadress.")]
    return []


async def list_companies(
    session: AsyncSession,
    *,
    principal: Principal,
    issuer_id: int,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Company]:
    await get_issuer(session, principal=principal, issuer_id=issuer_id)
    query = (
        select(Company)
        .where(Company.issuer_id == issuer_id)
        .order_by(Company.name, Company.id)
        .limit(min(limit, MAX_PAGE))
        .offset(offset)
    )
    return (await session.scalars(query)).all()


async def get_company(
    session: AsyncSession,
    *,
    principal: Principal,
    company_id: int,
    needed: IssuerRole = IssuerRole.READER,
) -> Company:
    company = await session.get(Company, company_id)
    if company is None:
        raise _company_missing()
    principal.require_object(company.issuer_id, needed, missing=_company_missing())
    return company


async def create_company(
    session: AsyncSession, *, principal: Principal, issuer_id: int, data: CompanyCreate
) -> Company:
    await get_issuer(session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.INVOICER)
    values = await _clean_company(
        session, issuer_id=issuer_id, changes=data.model_dump(exclude_unset=True), current=None
    )
    company = Company(issuer_id=issuer_id, **values)
    session.add(company)
    await session.flush()
    return company


async def update_company(
    session: AsyncSession, *, principal: Principal, company_id: int, data: CompanyUpdate
) -> Company:
    company = await get_company(
        session, principal=principal, company_id=company_id, needed=IssuerRole.INVOICER
    )
    values = await _clean_company(
        session,
        issuer_id=company.issuer_id,
        changes=data.model_dump(exclude_unset=True),
        current=company,
    )
    for name, value in values.items():
        setattr(company, name, value)
    await session.flush()
    return company


async def pin_fortnox_customer(
    session: AsyncSession, *, principal: Principal, company_id: int, customer_number: str | None
) -> Company:
    """Tie the company to one Fortnox customer (``None`` or "": back to the look-up by number).

    For organisations with several active customers under one organisation number. Only an
    Administratör decides where a company's invoices go; whether the customer exists, is active
    and has the company's number is checked against Fortnox when an invoice uses it.
    """
    company = await get_company(
        session, principal=principal, company_id=company_id, needed=IssuerRole.ADMIN
    )
    number = (customer_number or "").strip()
    if number and not _FORTNOX_CUSTOMER_NUMBER.match(number):
        raise ValidationFailed.single(
            "fortnox_customer_number",
            "invalid_customer_number",
            "Ange kundnumret som det står i Fortnox: högst 50 bokstäver (A–Z) och siffror.",
        )
    company.fortnox_customer_number = number or None
    await session.flush()
    return company


async def _clean_company(
    session: AsyncSession, *, issuer_id: int, changes: dict[str, Any], current: Company | None
) -> dict[str, Any]:
    errors = _nulls_refused(changes)
    values = {name: "" if value is None else value for name, value in changes.items()}
    if changes.get("organisation_number"):
        try:
            number = normalise_organisation_number(
                changes["organisation_number"], allow_personal=True
            )
        except InvalidIdentifier as error:
            errors.extend(error.field_errors)
        else:
            values["organisation_number"] = number
            if await _company_number_taken(session, issuer_id, number, current):
                errors.append(
                    FieldError(
                        "organisation_number",
                        "duplicate",
                        "Det finns redan ett företag med detta organisationsnummer "
                        "hos fakturautställaren.",
                    )
                )
    errors.extend(_email_errors(values, "invoice_email"))
    raise_if_any(errors)
    return values


async def _company_number_taken(
    session: AsyncSession, issuer_id: int, number: str, current: Company | None
) -> bool:
    query = select(Company.id).where(
        Company.issuer_id == issuer_id, Company.organisation_number == number
    )
    if current is not None:
        query = query.where(Company.id != current.id)
    return (await session.scalar(query)) is not None
