"""Tables of parties: the patients and companies that invoices are addressed to."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sgx.kit.clock import utcnow
from sgx.kit.db import Base


class IdentityKind(enum.StrEnum):
    """How a patient is identified; a patient may lack a valid personnummer."""

    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    RESERVNUMMER = "reservnummer"  # a region's or clinic's own number; no checksum
    NONE = "none"


class Patient(Base):
    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("issuer_id", "personal_identity_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    identity_kind: Mapped[IdentityKind] = mapped_column(
        Enum(
            IdentityKind,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=IdentityKind.NONE,
    )
    # 12 digits for a personnummer/samordningsnummer, the number as given for a reservnummer.
    personal_identity_number: Mapped[str | None] = mapped_column(String(20), default=None)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # Skyddad identitet: no address is kept, shown or sent anywhere.
    protected_identity: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str] = mapped_column(String(200), default="")
    zip_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    # Filled by the Fortnox sync once the customer exists there.
    fortnox_customer_number: Mapped[str | None] = mapped_column(String(50), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Company(Base):
    """An employer or other business customer; a sole trader is identified by a personnummer."""

    __tablename__ = "companies"
    __table_args__ = (UniqueConstraint("issuer_id", "organisation_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_number: Mapped[str] = mapped_column(String(10))  # ten digits, no hyphen
    address: Mapped[str] = mapped_column(String(200), default="")
    zip_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    contact_person: Mapped[str] = mapped_column(String(200), default="")
    invoice_email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    # Set by an Administratör when several active Fortnox customers share the organisation
    # number: invoices then go to this customer (checked against Fortnox when used) instead of
    # the one found by the number.
    fortnox_customer_number: Mapped[str | None] = mapped_column(String(50), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_sole_trader(self) -> bool:
        # A legal person's number has a third digit of 2 or more (never a date).
        return int(self.organisation_number[2]) < 2
