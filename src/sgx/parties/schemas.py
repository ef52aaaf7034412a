"""Request and response bodies of the patient and company API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from sgx.parties.models import IdentityKind

_INPUT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PatientFields(BaseModel):
    model_config = _INPUT

    identity_kind: IdentityKind | None = None
    personal_identity_number: str | None = Field(default=None, max_length=20)
    protected_identity: bool | None = None
    address: str | None = Field(default=None, max_length=200)
    zip_code: str | None = Field(default=None, max_length=10)
    city: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, max_length=200)


class PatientCreate(PatientFields):
    """Without ``identity_kind`` a given number must be a personnummer or samordningsnummer."""

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)


class PatientUpdate(PatientFields):
    """PATCH body: only the fields sent are changed."""

    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)


class PatientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    issuer_id: int
    identity_kind: IdentityKind
    personal_identity_number: str | None
    first_name: str
    last_name: str
    protected_identity: bool
    address: str
    zip_code: str
    city: str
    phone: str
    email: str
    fortnox_customer_number: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CompanyFields(BaseModel):
    model_config = _INPUT

    address: str | None = Field(default=None, max_length=200)
    zip_code: str | None = Field(default=None, max_length=10)
    city: str | None = Field(default=None, max_length=100)
    contact_person: str | None = Field(default=None, max_length=200)
    invoice_email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)


class CompanyCreate(CompanyFields):
    """A sole trader's organisation number is the owner's personnummer."""

    name: str = Field(min_length=1, max_length=200)
    organisation_number: str = Field(min_length=1, max_length=20)


class CompanyUpdate(CompanyFields):
    """PATCH body: only the fields sent are changed."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    organisation_number: str | None = Field(default=None, min_length=1, max_length=20)


class FortnoxCustomerPin(BaseModel):
    """The Fortnox customer a company's invoices go to; ``null`` or "" restores the look-up by
    organisation number."""

    model_config = _INPUT

    fortnox_customer_number: str | None = Field(default=None, max_length=50)


class CompanyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    issuer_id: int
    name: str
    organisation_number: str
    is_sole_trader: bool
    address: str
    zip_code: str
    city: str
    contact_person: str
    invoice_email: str
    phone: str
    fortnox_customer_number: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
