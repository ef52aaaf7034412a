"""Tables of invoicing: invoices (credits included), their rows and their VAT per rate.

A credit invoice is an invoice of its own, numbered from the same series, with negative amounts
and ``credit_of_id`` pointing at the original; each credit row points at the original row it
credits, which is how the remaining creditable quantity is known. VAT is kept per rate as
issued, since a credit's VAT depends on what earlier credits of the same original took.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sgx.kit.clock import today_in_sweden, utcnow
from sgx.kit.db import Base

MONEY = Numeric(14, 2)


class InvoiceKind(enum.StrEnum):
    PATIENT = "patient"
    COMPANY = "company"


class TransferStatus(enum.StrEnum):
    """An invoice's way to Fortnox, as shown to users.

    Invoicing sets the first two when the invoice is made; the sync engine writes the others.
    """

    NOT_ACTIVATED = "Ej aktiverad"
    PENDING = "Väntar på överföring"
    TRANSFERRED = "Överförd"
    FAILED = "Fel – åtgärd krävs"
    PAUSED = "Pausad – ingen anslutning"
    CREDITED = "Krediterad"
    OUT_OF_SYNC = "Osynk"


class PaymentStatus(enum.StrEnum):
    """Payment as read back from Fortnox (read-only; SGX never registers payments)."""

    PAID = "Betald"
    PARTLY_PAID = "Delvis betald"
    UNPAID = "Obetald"
    OVERDUE = "Förfallen"  # shown, never stored: an open invoice past its due date


OPEN_PAYMENT_STATES = frozenset({PaymentStatus.UNPAID.value, PaymentStatus.PARTLY_PAID.value})


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("issuer_id", "number"),
        CheckConstraint(
            "(kind = 'patient' AND patient_id IS NOT NULL AND company_id IS NULL) OR "
            "(kind = 'company' AND company_id IS NOT NULL AND patient_id IS NULL)",
            name="one_party",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[InvoiceKind] = mapped_column(
        Enum(
            InvoiceKind,
            native_enum=False,
            length=10,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id"), index=True, default=None
    )
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id"), index=True, default=None
    )
    invoice_date: Mapped[dt.date]
    due_date: Mapped[dt.date]
    your_reference: Mapped[str] = mapped_column(String(100), default="")
    ocr: Mapped[str] = mapped_column(String(25))
    net: Mapped[Decimal] = mapped_column(MONEY)
    vat: Mapped[Decimal] = mapped_column(MONEY)
    rounding: Mapped[Decimal] = mapped_column(MONEY)  # öresavrundning, booked on 3740
    total: Mapped[Decimal] = mapped_column(MONEY)  # amount payable
    credit_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoices.id"), index=True, default=None
    )
    credit_reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    transfer_status: Mapped[str] = mapped_column(String(40))
    transfer_error_code: Mapped[str | None] = mapped_column(String(100), default=None)
    transfer_message: Mapped[str | None] = mapped_column(Text, default=None)
    fortnox_document_number: Mapped[str | None] = mapped_column(String(50), default=None)
    transfer_updated_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # A credit that went to Fortnox as a plain negative invoice, which Fortnox neither links to
    # nor settles against the original: someone must match the two in Fortnox.
    fortnox_unlinked_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    # Read back from Fortnox by the reconciliation: "Betald", "Delvis betald", "Obetald" (or
    # None: not read yet, a credit, or nothing left to pay); "Förfallen" follows from the date.
    payment_state: Mapped[str | None] = mapped_column(String(20), default=None)
    payment_balance: Mapped[Decimal | None] = mapped_column(MONEY, default=None)
    payment_final_pay_date: Mapped[dt.date | None] = mapped_column(default=None)
    payment_due_date: Mapped[dt.date | None] = mapped_column(default=None)  # Fortnox's
    payment_read_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    rows: Mapped[list[InvoiceRow]] = relationship(
        back_populates="invoice",
        order_by="InvoiceRow.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    vat_lines: Mapped[list[InvoiceVatLine]] = relationship(
        back_populates="invoice",
        order_by="InvoiceVatLine.rate.desc()",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def is_credit(self) -> bool:
        return self.credit_of_id is not None

    @property
    def payment_status(self) -> str | None:
        return self.payment_status_on(today_in_sweden())

    def payment_status_on(self, today: dt.date) -> str | None:
        """The stored payment state, "Förfallen" once an open invoice is past its due date."""
        due = self.payment_due_date or self.due_date
        if self.payment_state in OPEN_PAYMENT_STATES and due < today:
            return PaymentStatus.OVERDUE.value
        return self.payment_state


class InvoiceRow(Base):
    __tablename__ = "invoice_rows"
    __table_args__ = (UniqueConstraint("invoice_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), default=None
    )
    article_code: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(String(255))  # the article's neutral text
    unit: Mapped[str] = mapped_column(String(20), default="st")
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # negative on a credit
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    vat_rate: Mapped[int] = mapped_column(Integer)
    account_number: Mapped[int] = mapped_column(Integer)
    net: Mapped[Decimal] = mapped_column(MONEY)
    vat_exemption_text: Mapped[str] = mapped_column(String(200), default="")
    credited_row_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoice_rows.id"), index=True, default=None
    )

    invoice: Mapped[Invoice] = relationship(back_populates="rows")


class InvoiceVatLine(Base):
    """The taxable base and VAT of one rate on one invoice, as issued."""

    __tablename__ = "invoice_vat_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "rate"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    rate: Mapped[int] = mapped_column(Integer)
    base: Mapped[Decimal] = mapped_column(MONEY)
    vat: Mapped[Decimal] = mapped_column(MONEY)

    invoice: Mapped[Invoice] = relationship(back_populates="vat_lines")
