"""Checking and normalising issuer settings; every problem becomes a Swedish field error.

All fields are checked before anything is raised, so a form shows every mistake at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sgx.errors import FieldError, ValidationFailed
from sgx.parties.identifiers import (
    InvalidIdentifier,
    normalise_organisation_number,
    validate_bankgiro,
    vat_number_for,
)

MAX_PAYMENT_TERMS_DAYS = 365
MAX_INVOICE_NUMBER = 999_999_999

_TEXT_LIMITS = {"name": 200, "address": 200, "city": 100, "email": 200, "phone": 50}
_VAT_NUMBER = re.compile(r"^SE\d{10}01$")
_ZIP_CODE = re.compile(r"^(\d{3}) ?(\d{2})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9 +()-]*$")


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message


def _text(value: Any) -> str:
    return str(value or "").strip()


def _name(value: Any) -> str:
    if not _text(value):
        raise _Invalid("required", "Ange fakturautställarens namn.")
    return _text(value)


def _organisation_number(value: Any) -> str:
    # A sole trader's personnummer is its organisation number; the issuer may be one.
    return normalise_organisation_number(_text(value), allow_personal=True)


def _vat_number(value: Any) -> str:
    compact = re.sub(r"[\s-]", "", _text(value)).upper()
    if compact and not _VAT_NUMBER.match(compact):
        raise _Invalid(
            "invalid_format",
            "Ange momsregistreringsnummer som SE + 10 siffror + 01, t.ex. SE556036079301.",
        )
    return compact


def _zip_code(value: Any) -> str:
    text = _text(value)
    if not text:
        return ""
    match = _ZIP_CODE.match(text)
    if match is None:
        raise _Invalid("invalid_format", "Ange postnummer med 5 siffror, t.ex. 123 45.")
    return f"{match.group(1)} {match.group(2)}"


def _bankgiro(value: Any) -> str:
    return validate_bankgiro(_text(value)) if _text(value) else ""


def _email(value: Any) -> str:
    text = _text(value)
    if text and not _EMAIL.match(text):
        raise _Invalid("invalid_format", "Ange en giltig e-postadress.")
    return text


def _phone(value: Any) -> str:
    text = _text(value)
    if not _PHONE.match(text):
        raise _Invalid("invalid_format", "Telefonnumret får bara innehålla siffror, +, - och ().")
    return text


def _payment_terms(value: Any) -> int:
    if not isinstance(value, int) or not 0 <= value <= MAX_PAYMENT_TERMS_DAYS:
        raise _Invalid(
            "out_of_range", f"Betalningsvillkoret ska vara 0–{MAX_PAYMENT_TERMS_DAYS} dagar."
        )
    return value


def _invoice_number_start(value: Any) -> int:
    if not isinstance(value, int) or not 1 <= value <= MAX_INVOICE_NUMBER:
        raise _Invalid(
            "out_of_range", "Nummerserien ska börja på ett heltal från 1 (högst nio siffror)."
        )
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("invalid", "Ange ja eller nej.")
    return value


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": _name,
    "organisation_number": _organisation_number,
    "vat_number": _vat_number,
    "address": _text,
    "zip_code": _zip_code,
    "city": _text,
    "bankgiro": _bankgiro,
    "email": _email,
    "phone": _phone,
    "payment_terms_days": _payment_terms,
    "invoice_number_start": _invoice_number_start,
    "whole_krona_rounding": _boolean,
    "send_personnummer_to_fortnox": _boolean,
    "book_invoices_in_fortnox": _boolean,
}


def _clean_field(name: str, value: Any) -> Any:
    cleaned = _CLEANERS[name](value)
    limit = _TEXT_LIMITS.get(name)
    if limit is not None and len(cleaned) > limit:
        raise _Invalid("too_long", f"Högst {limit} tecken.")
    return cleaned


def clean_settings(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Normalised values of the given fields, and an error for each field that is wrong."""
    cleaned: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, value in values.items():
        try:
            cleaned[name] = _clean_field(name, value)
        except _Invalid as problem:
            errors.append(FieldError(field=name, code=problem.code, message=problem.message))
        except InvalidIdentifier as problem:
            errors.append(FieldError(field=name, code=problem.reason_code, message=problem.message))
    return cleaned, errors


def vat_number_mismatch(*, organisation_number: str, vat_number: str) -> FieldError | None:
    """An error when a given VAT number is not the one of the organisation number."""
    if vat_number and vat_number != vat_number_for(organisation_number):
        return FieldError(
            field="vat_number",
            code="vat_number_mismatch",
            message="Momsregistreringsnumret stämmer inte med organisationsnumret "
            f"(ska vara {vat_number_for(organisation_number)}).",
        )
    return None


def raise_if_any(errors: list[FieldError]) -> None:
    if errors:
        message = errors[0].message if len(errors) == 1 else "Kontrollera de markerade fälten."
        raise ValidationFailed(errors, message=message)
