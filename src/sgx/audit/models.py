"""Audit events are appended, never changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sgx.kit.clock import utcnow
from sgx.kit.db import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    actor: Mapped[str] = mapped_column(String(100), default="")  # username, "worker", "system"
    issuer_id: Mapped[int | None] = mapped_column(
        ForeignKey("issuers.id", ondelete="CASCADE"), default=None, index=True
    )
    action: Mapped[str] = mapped_column(String(100))  # stable English, e.g. "fortnox.activated"
    subject: Mapped[str] = mapped_column(String(100), default="")  # e.g. "invoice:42"
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
