"""Tables of the Fortnox connection: one connection per issuer and single-use OAuth states."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sgx.kit.clock import utcnow
from sgx.kit.db import Base


class ConnectionState(enum.StrEnum):
    NOT_CONNECTED = "not_connected"
    UNVERIFIED = "unverified"  # tokens stored, the checks after connecting have not finished
    CONNECTED = "connected"
    LOST = "lost"  # revoked consent or a dead refresh token: reconnect needed
    LICENCE_MISSING = "licence_missing"
    PENDING_CONFIRMATION = "pending_confirmation"  # organisation numbers differ


class AccountType(enum.StrEnum):
    SERVICE = "service"
    PERSONAL = "personal"


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])


class FortnoxConnection(Base):
    """The issuer's link to one Fortnox company. Tokens are stored encrypted only."""

    __tablename__ = "fortnox_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("issuers.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[ConnectionState] = mapped_column(
        _enum(ConnectionState), default=ConnectionState.NOT_CONNECTED
    )
    account_type: Mapped[AccountType | None] = mapped_column(_enum(AccountType), default=None)
    tenant_id: Mapped[int | None] = mapped_column(Integer, default=None)
    company_name: Mapped[str] = mapped_column(String(200), default="")
    company_organisation_number: Mapped[str] = mapped_column(String(20), default="")
    scopes: Mapped[str] = mapped_column(String(400), default="")
    access_token_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    access_token_expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    refresh_token_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    refresh_token_issued_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Bumped on every token change, so a process can tell that another one refreshed already.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    connected_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    connected_by_name: Mapped[str] = mapped_column(String(200), default="")
    connected_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    organisation_mismatch_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The last verification, see ``sgx.integration.verification.Verification.as_json``.
    verification: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_error_code: Mapped[str] = mapped_column(String(60), default="")
    last_error_message: Mapped[str] = mapped_column(String(500), default="")
    last_successful_transfer_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Fortnox's highest invoice number when last read (``sgx.integration.number_clash``).
    fortnox_highest_invoice_number: Mapped[int | None] = mapped_column(Integer, default=None)
    numbers_checked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OAuthState(Base):
    """A pending authorization: single use, bound to the user's browser session and issuer."""

    __tablename__ = "fortnox_oauth_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_digest: Mapped[str] = mapped_column(String(64), unique=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_binding: Mapped[str] = mapped_column(String(64))
    account_type: Mapped[AccountType] = mapped_column(_enum(AccountType))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Installation(Base):
    """This SGX installation's identity in what it writes into Fortnox: one row, made once
    (``sgx.integration.installation``)."""

    __tablename__ = "installation"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    # In every reference and patient customer number SGX writes; "" for a legacy database.
    reference_prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
