"""Tables of the transfer queue.

A job is written in the same transaction as the change it announces. Workers claim an issuer's
lease (one worker per issuer at a time) and run its due jobs in order; every attempt is kept.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sgx.kit.clock import utcnow
from sgx.kit.db import Base


class JobKind(enum.StrEnum):
    INVOICE = "invoice"  # an invoice or a partial credit (a credit invoice of its own)
    FULL_CREDIT = "full_credit"
    PATIENT = "patient"  # a patient already in Fortnox changed
    RECONCILE = "reconcile"  # read back what changed in Fortnox (the subject is the issuer)


class JobStatus(enum.StrEnum):
    PENDING = "pending"  # due at ``available_at``
    FAILED = "failed"  # needs a person (or the cause to be fixed); retried on a slow schedule
    HELD = "held"  # no usable connection; released when the issuer reconnects
    DONE = "done"


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class TransferJob(Base):
    __tablename__ = "transfer_jobs"
    __table_args__ = (Index("ix_transfer_jobs_due", "status", "issuer_id", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    kind: Mapped[JobKind] = mapped_column(_enum(JobKind))
    subject_id: Mapped[int] = mapped_column(Integer)  # invoice id or patient id
    # A job that must be done first (an invoice before its credits).
    after_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("transfer_jobs.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Set before a write is sent: the next attempt must first look for what it may have made.
    write_sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    error_code: Mapped[str] = mapped_column(String(60), default="")
    error_message: Mapped[str] = mapped_column(Text, default="")
    fortnox_code: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class TransferAttempt(Base):
    """One call (or decision) made for a job: the audit trail of a transfer."""

    __tablename__ = "transfer_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(
        ForeignKey("transfer_jobs.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    worker: Mapped[str] = mapped_column(String(100), default="")
    operation: Mapped[str] = mapped_column(String(60))  # e.g. "create_invoice", "credit"
    outcome: Mapped[str] = mapped_column(String(20))  # ok, adopted, transient, permanent, …
    http_status: Mapped[int | None] = mapped_column(Integer, default=None)
    fortnox_code: Mapped[str] = mapped_column(String(20), default="")
    fortnox_document_number: Mapped[str] = mapped_column(String(50), default="")
    message: Mapped[str] = mapped_column(Text, default="")


class IssuerLease(Base):
    """Which worker talks to an issuer's Fortnox tenant now; expired leases are taken over."""

    __tablename__ = "issuer_leases"

    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("issuers.id", ondelete="CASCADE"), primary_key=True
    )
    owner: Mapped[str] = mapped_column(String(100), default="")
    expires_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Recent request times of the tenant, handed from one lease holder to the next so that
    # pacing survives a change of worker: {"sent": [epoch seconds, ...], "paused_until": x}.
    pacing: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
