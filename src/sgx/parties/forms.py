"""The patient and company forms, read into the same bodies the JSON API takes."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from sgx.parties.models import IdentityKind, Patient
from sgx.parties.schemas import CompanyCreate, PatientCreate
from sgx.web.forms import Errors, build, text


def patient_from_form(form: FormData) -> tuple[PatientCreate | None, Errors]:
    errors: Errors = {}
    kind = text(form, "identity_kind")
    values: dict[str, Any] = {
        name: text(form, name)
        for name in ("first_name", "last_name", "address", "zip_code", "city", "phone", "email")
    }
    values["personal_identity_number"] = text(form, "personal_identity_number") or None
    values["identity_kind"] = IdentityKind(kind) if kind in set(IdentityKind) else None
    values["protected_identity"] = form.get("protected_identity") == "true"
    return build(PatientCreate, values, errors), errors


def company_from_form(form: FormData) -> tuple[CompanyCreate | None, Errors]:
    errors: Errors = {}
    names = (
        "name",
        "organisation_number",
        "address",
        "zip_code",
        "city",
        "contact_person",
        "invoice_email",
        "phone",
    )
    return build(CompanyCreate, {name: text(form, name) for name in names}, errors), errors


def formatted_identity(patient: Patient) -> str:
    number = patient.personal_identity_number
    if number and patient.identity_kind in (
        IdentityKind.PERSONNUMMER,
        IdentityKind.SAMORDNINGSNUMMER,
    ):
        return f"{number[:8]}-{number[8:]}"
    return number or ""
