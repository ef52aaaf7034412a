"""Request and response bodies of the issuer API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class IssuerSettingsFields(BaseModel):
    """Fakturautställarinställningar an Administratör may change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    organisation_number: str | None = None
    vat_number: str | None = None
    address: str | None = None
    zip_code: str | None = None
    city: str | None = None
    bankgiro: str | None = None
    email: str | None = None
    phone: str | None = None
    payment_terms_days: int | None = None
    invoice_number_start: int | None = None
    whole_krona_rounding: bool | None = None
    send_personnummer_to_fortnox: bool | None = None
    # "Bokför fakturor i Fortnox automatiskt" (on by default).
    book_invoices_in_fortnox: bool | None = None


class IssuerUpdate(IssuerSettingsFields):
    """PATCH body: only the fields sent are changed."""


class IssuerCreate(IssuerSettingsFields):
    """POST body (Support). ``administrator_username`` gets the role Administratör at once."""

    name: str
    organisation_number: str
    administrator_username: str | None = None


class FortnoxIntegrationSwitch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool


class IssuerOut(BaseModel):
    id: int
    name: str
    organisation_number: str
    vat_number: str
    address: str
    zip_code: str
    city: str
    bankgiro: str
    email: str
    phone: str
    payment_terms_days: int
    invoice_number_start: int
    next_invoice_number: int
    whole_krona_rounding: bool
    send_personnummer_to_fortnox: bool
    book_invoices_in_fortnox: bool
    fortnox_integration_enabled: bool
    fortnox_go_live_date: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime
    # The caller's Fakturautställareroll here; None for Support without a role.
    role: str | None = None


class AuditEventOut(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    details: dict[str, object]
