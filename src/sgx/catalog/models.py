"""Tables of the catalog: bookkeeping accounts and the articles invoiced against them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sgx.kit.clock import utcnow
from sgx.kit.db import Base


class Account(Base):
    """A BAS account an issuer books against; it must also exist and be active in Fortnox."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("issuer_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # four digits, 1000–9999
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Article(Base):
    """A service or product; its description is the neutral text sent on invoice rows."""

    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("issuer_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20), default="st")
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    vat_rate: Mapped[int] = mapped_column(Integer)  # percent: 25, 12, 6 or 0
    sales_account_number: Mapped[int] = mapped_column(Integer)
    # Required for 0 %: the statement that the supply is exempt (ML 17 kap. 24 §).
    vat_exemption_text: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
