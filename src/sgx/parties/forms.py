"""The patient and company forms, read into the same bodies the JSON API takes.

A create form becomes a ``PatientCreate``/``CompanyCreate``; an edit form becomes a
``PatientUpdate``/``CompanyUpdate`` holding the fields the form posted, so an emptied optional
field is sent as "" and cleared, and an emptied name is refused. The ``*_values`` functions do
the reverse: the stored object as the form shows it.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from sgx.parties.models import Company, IdentityKind, Patient
from sgx.parties.schemas import CompanyCreate, CompanyUpdate, PatientCreate, PatientUpdate
from sgx.web.forms import Errors, build, text

_PATIENT_TEXTS = ("first_name", "last_name", "address", "zip_code", "city", "phone", "email")
_COMPANY_TEXTS = (
    "name",
    "organisation_number",
    "address",
    "zip_code",
    "city",
    "contact_person",
    "invoice_email",
    "phone",
)


def patient_from_form(form: FormData) -> tuple[PatientCreate | None, Errors]:
    errors: Errors = {}
    values: dict[str, Any] = {name: text(form, name) for name in _PATIENT_TEXTS}
    values.update(_identity_from_form(form))
    values["protected_identity"] = form.get("protected_identity") == "true"
    return build(PatientCreate, values, errors), errors


def patient_update_from_form(form: FormData) -> tuple[PatientUpdate | None, Errors]:
    """Only the fields the form posted; the checkbox is always sent (unchecked is not posted)."""
    errors: Errors = {}
    values: dict[str, Any] = {name: text(form, name) for name in _PATIENT_TEXTS if name in form}
    if "identity_kind" in form or "personal_identity_number" in form:
        values.update(_identity_from_form(form))
    values["protected_identity"] = form.get("protected_identity") == "true"
    return build(PatientUpdate, values, errors), errors


def _identity_from_form(form: FormData) -> dict[str, Any]:
    kind = text(form, "identity_kind")
    return {
        "personal_identity_number": text(form, "personal_identity_number") or None,
        "identity_kind": IdentityKind(kind) if kind in set(IdentityKind) else None,
    }


def company_from_form(form: FormData) -> tuple[CompanyCreate | None, Errors]:
    errors: Errors = {}
    return build(CompanyCreate, {name: text(form, name) for name in _COMPANY_TEXTS}, errors), errors


def company_update_from_form(form: FormData) -> tuple[CompanyUpdate | None, Errors]:
    errors: Errors = {}
    values = {name: text(form, name) for name in _COMPANY_TEXTS if name in form}
    return build(CompanyUpdate, values, errors), errors


def patient_values(patient: Patient) -> dict[str, Any]:
    """The stored patient as the edit form shows it (the number formatted)."""
    values: dict[str, Any] = {name: getattr(patient, name) for name in _PATIENT_TEXTS}
    # "" lets the number decide (personnummer or samordningsnummer, or none when empty), so a
    # patient without a number shows it too and a number added later needs no other change.
    reserve = patient.identity_kind is IdentityKind.RESERVNUMMER
    values["identity_kind"] = "reservnummer" if reserve else ""
    values["personal_identity_number"] = formatted_identity(patient)
    values["protected_identity"] = "true" if patient.protected_identity else ""
    return values


def company_values(company: Company) -> dict[str, Any]:
    """The stored company as the edit form shows it (the number as NNNNNN-NNNN)."""
    values: dict[str, Any] = {name: getattr(company, name) for name in _COMPANY_TEXTS}
    values["organisation_number"] = formatted_organisation_number(company)
    return values


def formatted_identity(patient: Patient) -> str:
    number = patient.personal_identity_number
    if number and patient.identity_kind in (
        IdentityKind.PERSONNUMMER,
        IdentityKind.SAMORDNINGSNUMMER,
    ):
        return f"{number[:8]}-{number[8:]}"
    return number or ""


def formatted_organisation_number(company: Company) -> str:
    number = company.organisation_number
    return f"{number[:6]}-{number[6:]}"
