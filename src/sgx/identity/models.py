"""Tables of identity: users, their roles per invoice issuer, and API tokens."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sgx.kit.clock import utcnow
from sgx.kit.db import Base


class IssuerRole(enum.StrEnum):
    """Fakturautställareroll. Order matters: each role includes the rights of the ones below."""

    ADMIN = "Administratör"
    INVOICER = "Fakturerare"
    READER = "Läsare"

    @property
    def rank(self) -> int:
        return {IssuerRole.READER: 1, IssuerRole.INVOICER: 2, IssuerRole.ADMIN: 3}[self]

    def includes(self, other: IssuerRole) -> bool:
        return self.rank >= other.rank


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_support: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IssuerMembership(Base):
    """A user's role on one invoice issuer."""

    __tablename__ = "issuer_memberships"
    __table_args__ = (UniqueConstraint("user_id", "issuer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    role: Mapped[IssuerRole] = mapped_column(
        Enum(
            IssuerRole, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e]
        )
    )


class ApiToken(Base):
    """A bearer token for the JSON API. Only a SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
