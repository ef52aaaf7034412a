"""The invoice issuer: a legal entity in SGX that issues invoices."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sgx.kit.clock import utcnow
from sgx.kit.db import Base


class Issuer(Base):
    __tablename__ = "issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_number: Mapped[str] = mapped_column(String(10))  # ten digits, no hyphen
    vat_number: Mapped[str] = mapped_column(String(14), default="")  # SE + 10 digits + 01
    address: Mapped[str] = mapped_column(String(200), default="")
    zip_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    bankgiro: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    invoice_number_start: Mapped[int] = mapped_column(Integer, default=1001)
    # The next number to hand out; advanced under a row lock so numbers have no gaps.
    next_invoice_number: Mapped[int] = mapped_column(Integer, default=1001)
    whole_krona_rounding: Mapped[bool] = mapped_column(Boolean, default=True)
    # Privacy opt-in: send the patient's personnummer to Fortnox's customer register.
    send_personnummer_to_fortnox: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Integration" under Externa tjänster → Fortnox; only Support may switch it.
    fortnox_integration_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Bokför fakturor i Fortnox automatiskt": each transferred invoice and credit is booked.
    book_invoices_in_fortnox: Mapped[bool] = mapped_column(Boolean, default=True)
    fortnox_go_live_date: Mapped[dt.date | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
