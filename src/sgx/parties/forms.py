"""Reading the HTML forms of the invoicing core into the same bodies the JSON API takes.

The helpers at the top are shared by the patient, company, article and invoice pages: a form
becomes a Pydantic body, and every way it can be refused becomes a Swedish message per field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from sgx.errors import ValidationFailed
from sgx.parties.models import IdentityKind, Patient
from sgx.parties.schemas import CompanyCreate, PatientCreate

_MESSAGES = {
    "missing": "Fältet måste fyllas i.",
    "string_too_short": "Fältet måste fyllas i.",
    "string_too_long": "Texten är för lång.",
    "too_short": "Minst en rad krävs.",
    "int_parsing": "Ange ett heltal.",
    "date_from_datetime_parsing": "Ange ett datum (ÅÅÅÅ-MM-DD).",
    "date_parsing": "Ange ett datum (ÅÅÅÅ-MM-DD).",
}

Errors = dict[str, str]
ModelT = TypeVar("ModelT", bound=BaseModel)


def field_messages(error: ValidationFailed | ValidationError) -> Errors:
    """One Swedish message per form field, from a service refusal or a body that did not parse."""
    if isinstance(error, ValidationFailed):
        return {item.field: item.message for item in error.field_errors} or {"": error.message}
    return {
        ".".join(str(part) for part in item["loc"]): _MESSAGES.get(item["type"], "Ogiltigt värde.")
        for item in error.errors()
    }


def text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


def decimal(form: FormData, name: str, errors: Errors, *, required: bool = True) -> Decimal | None:
    """A number as people write it (decimal comma, spaces between thousands)."""
    raw = text(form, name).replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not raw:
        if required:
            errors[name] = "Fältet måste fyllas i."
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors[name] = "Ange ett tal, t.ex. 1 250,50."
        return None
    if not value.is_finite():
        errors[name] = "Ange ett tal, t.ex. 1 250,50."
        return None
    return value


def build(model: type[ModelT], values: dict[str, Any], errors: Errors) -> ModelT | None:
    try:
        return model(**values)
    except ValidationError as error:
        errors.update(field_messages(error))
        return None


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


def submitted(form: FormData) -> dict[str, Any]:
    """What the user typed, to show again next to the errors."""
    return {name: value for name, value in form.items() if name != "csrf_token"}


def formatted_identity(patient: Patient) -> str:
    number = patient.personal_identity_number
    if number and patient.identity_kind in (
        IdentityKind.PERSONNUMMER,
        IdentityKind.SAMORDNINGSNUMMER,
    ):
        return f"{number[:8]}-{number[8:]}"
    return number or ""
