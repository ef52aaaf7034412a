"""Reading the issuer forms of the HTML pages into the same bodies the JSON API takes."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from sgx.issuers.schemas import IssuerCreate, IssuerUpdate
from sgx.parties.identifiers import format_bankgiro, format_organisation_number

TEXT_FIELDS = (
    "name",
    "organisation_number",
    "vat_number",
    "address",
    "zip_code",
    "city",
    "bankgiro",
    "email",
    "phone",
)
INTEGER_FIELDS = ("payment_terms_days", "invoice_number_start")
CHECKBOX_FIELDS = ("whole_krona_rounding", "send_personnummer_to_fortnox")


def _values(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {name: str(form.get(name) or "") for name in TEXT_FIELDS}
    errors: dict[str, str] = {}
    for name in INTEGER_FIELDS:
        raw = str(form.get(name) or "").strip()
        try:
            values[name] = int(raw)
        except ValueError:
            errors[name] = "Ange ett heltal."
    for name in CHECKBOX_FIELDS:
        values[name] = form.get(name) == "true"
    return values, errors


def update_from_form(form: FormData) -> tuple[IssuerUpdate, dict[str, str]]:
    """The settings of the form, and the fields that could not even be read (not integers)."""
    values, errors = _values(form)
    return IssuerUpdate(**values), errors


def create_from_form(form: FormData) -> tuple[IssuerCreate, dict[str, str]]:
    values, errors = _values(form)
    administrator = str(form.get("administrator_username") or "").strip()
    return IssuerCreate(**values, administrator_username=administrator or None), errors


def submitted_values(form: FormData) -> dict[str, Any]:
    """What the user typed, to show again next to the errors."""
    shown: dict[str, Any] = {name: form.get(name) or "" for name in (*TEXT_FIELDS, *INTEGER_FIELDS)}
    shown.update({name: form.get(name) == "true" for name in CHECKBOX_FIELDS})
    shown["administrator_username"] = form.get("administrator_username") or ""
    return shown


def stored_values(issuer: Any) -> dict[str, Any]:
    """An issuer's settings as a person writes them (hyphenated numbers)."""
    shown = {name: getattr(issuer, name) for name in (*TEXT_FIELDS, *INTEGER_FIELDS)}
    shown.update({name: getattr(issuer, name) for name in CHECKBOX_FIELDS})
    if issuer.organisation_number:
        shown["organisation_number"] = format_organisation_number(issuer.organisation_number)
    if issuer.bankgiro:
        shown["bankgiro"] = format_bankgiro(issuer.bankgiro)
    return shown


DEFAULT_NEW_ISSUER: dict[str, Any] = {
    **dict.fromkeys(TEXT_FIELDS, ""),
    "payment_terms_days": 30,
    "invoice_number_start": 1001,
    "whole_krona_rounding": True,
    "send_personnummer_to_fortnox": False,
    "administrator_username": "",
}
