"""Tables of the reconciliation: where each issuer's read-back stands, what SGX last saw of
each Fortnox invoice, and the differences (drift) found between Fortnox and SGX.

* ``ReconcileState`` — one row per issuer: the Fortnox company it was read from, the
  ``lastmodified`` watermark of the next incremental pass, when the next scheduled pass is due,
  and what the last pass did.
* ``SeenFortnoxInvoice`` — per issuer, Fortnox company and document number: a fingerprint of
  the invoice's list entry as last seen, so that an entry seen again unchanged costs nothing,
  and the SGX invoice it belongs to (none for a credit invoice made in Fortnox).
* ``InvoiceDrift`` — one row per difference found, unique per invoice, kind and Fortnox state
  (``key``), which is what makes each difference reported once and only once. An administrator
  marks it handled with a comment.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sgx.kit.clock import utcnow
from sgx.kit.db import Base


class ReconcileState(Base):
    __tablename__ = "fortnox_reconcile_states"

    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("issuers.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # ``lastmodified`` of the next incremental pass; None → the next pass reads every invoice.
    watermark: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_full_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    full_requested: Mapped[bool] = mapped_column(default=False)
    next_due_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_run_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_calls: Mapped[int] = mapped_column(Integer, default=0)
    last_summary: Mapped[str] = mapped_column(Text, default="")


class SeenFortnoxInvoice(Base):
    __tablename__ = "fortnox_seen_invoices"
    __table_args__ = (UniqueConstraint("issuer_id", "tenant_id", "document_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    tenant_id: Mapped[int] = mapped_column(Integer)
    document_number: Mapped[str] = mapped_column(String(50))
    invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True, default=None
    )
    # sha256 of the list entry; "" = look again at the next full pass.
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    booked: Mapped[bool] = mapped_column(default=False)
    seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DriftKind(enum.StrEnum):
    CREDITED = "credited_in_fortnox"
    CANCELLED = "cancelled_in_fortnox"
    CHANGED = "changed_in_fortnox"
    DELETED = "deleted_in_fortnox"
    # A booked invoice still carries the address of a patient who got skyddad identitet.
    ADDRESS_KEPT = "address_kept_in_fortnox"


class InvoiceDrift(Base):
    __tablename__ = "invoice_drifts"
    __table_args__ = (UniqueConstraint("invoice_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DriftKind] = mapped_column(
        Enum(
            DriftKind,
            native_enum=False,
            length=30,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    key: Mapped[str] = mapped_column(String(100))  # the Fortnox state it was found in
    description: Mapped[str] = mapped_column(Text)  # Swedish
    fortnox_document_number: Mapped[str] = mapped_column(String(50), default="")
    detected_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The invoice's transfer status before the first open drift, restored when handled.
    status_before: Mapped[str] = mapped_column(String(40), default="")
    handled_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    handled_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    handled_by: Mapped[str] = mapped_column(String(100), default="")
    handled_comment: Mapped[str] = mapped_column(Text, default="")
