"""What the issuer's Fortnox page shows: the state in the users' words and what may be done.

Pure: built from the issuer, its connection row and the queue counts; the template only lays it
out. The headlines are the product's fixed texts ("Ej aktiverad", "Anslutning till Fortnox
saknas", "Ansluten", "Anslutningen till Fortnox har upphört", "Licens saknas").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sgx.integration import credentials
from sgx.integration.errors import LOST_MESSAGE
from sgx.integration.models import AccountType, ConnectionState, FortnoxConnection
from sgx.integration.scopes import licence_message, module_names
from sgx.integration.verification import Verification
from sgx.issuers.models import Issuer
from sgx.kit.clock import STOCKHOLM
from sgx.outbox.models import JobStatus

DISABLED = "disabled"

HEADLINES: dict[str, tuple[str, str]] = {  # key → (headline, tone)
    DISABLED: ("Ej aktiverad", "info"),
    ConnectionState.NOT_CONNECTED: ("Anslutning till Fortnox saknas", "info"),
    ConnectionState.UNVERIFIED: ("Anslutningen är inte kontrollerad", "info"),
    ConnectionState.PENDING_CONFIRMATION: ("Organisationsnumret skiljer sig", "error"),
    ConnectionState.CONNECTED: ("Ansluten", "ok"),
    ConnectionState.LOST: ("Anslutningen till Fortnox har upphört", "error"),
    ConnectionState.LICENCE_MISSING: ("Licens saknas", "error"),
}

ACCOUNT_TYPE_LABELS = {
    AccountType.SERVICE: "Servicekonto",
    AccountType.PERSONAL: "Personligt konto",
}


@dataclass
class AccountCheck:
    """ "Kontokontroll": accounts SGX books on that Fortnox lacks or has made inactive."""

    financial_year: str
    financial_year_missing: bool
    missing: list[int] = field(default_factory=list)
    inactive: list[int] = field(default_factory=list)

    @property
    def all_good(self) -> bool:
        return not (self.financial_year_missing or self.missing or self.inactive)


@dataclass
class FortnoxStatus:
    key: str
    headline: str
    tone: str
    message: str
    connection: FortnoxConnection | None
    verification: Verification
    account_type: str = ""
    connected_at: str = ""
    verified_at: str = ""
    last_transfer_at: str = ""
    waiting: int = 0
    needs_attention: int = 0
    missing_modules: list[str] = field(default_factory=list)
    missing_scopes: list[str] = field(default_factory=list)
    account_check: AccountCheck | None = None

    @property
    def may_connect(self) -> bool:
        return self.key in (ConnectionState.NOT_CONNECTED, ConnectionState.LOST)

    @property
    def may_verify(self) -> bool:
        return self.key in (
            ConnectionState.CONNECTED,
            ConnectionState.UNVERIFIED,
            ConnectionState.LICENCE_MISSING,
        )

    @property
    def may_disconnect(self) -> bool:
        return self.connection is not None and self.key not in (
            ConnectionState.NOT_CONNECTED,
            ConnectionState.PENDING_CONFIRMATION,
        )


def local_time(value: dt.datetime | None) -> str:
    return value.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") if value else ""


def describe(
    issuer: Issuer, connection: FortnoxConnection | None, queue: dict[JobStatus, int]
) -> FortnoxStatus:
    key = _key(issuer, connection)
    headline, tone = HEADLINES[key]
    verification = Verification.from_json(connection.verification if connection else None)
    status = FortnoxStatus(
        key=key,
        headline=headline,
        tone=tone,
        message=_message(key, issuer, connection, verification),
        connection=connection,
        verification=verification,
        waiting=queue.get(JobStatus.PENDING, 0) + queue.get(JobStatus.HELD, 0),
        needs_attention=queue.get(JobStatus.FAILED, 0),
    )
    if connection is not None:
        if connection.account_type is not None:
            status.account_type = ACCOUNT_TYPE_LABELS[connection.account_type]
        status.connected_at = local_time(connection.connected_at)
        status.verified_at = local_time(connection.verified_at)
        status.last_transfer_at = local_time(connection.last_successful_transfer_at)
        status.missing_modules = module_names(verification.missing_licences)
        status.missing_scopes = module_names(verification.missing_scopes)
        if verification.checked_at and not verification.licence_problem:
            status.account_check = AccountCheck(
                financial_year=verification.financial_year,
                financial_year_missing=verification.financial_year_missing,
                missing=verification.missing_accounts,
                inactive=verification.inactive_accounts,
            )
    return status


def _key(issuer: Issuer, connection: FortnoxConnection | None) -> str:
    if not issuer.fortnox_integration_enabled:
        return DISABLED
    if connection is not None and connection.state is ConnectionState.LOST:
        return ConnectionState.LOST  # a lost service account keeps no token at all
    if connection is None or not credentials.has_credentials(connection):
        return ConnectionState.NOT_CONNECTED
    return connection.state


def _message(
    key: str, issuer: Issuer, connection: FortnoxConnection | None, verification: Verification
) -> str:
    if key == DISABLED:
        return (
            "Fortnox-integrationen är inte aktiverad för fakturautställaren. "
            "Kontakta support för att aktivera den."
        )
    if key == ConnectionState.NOT_CONNECTED:
        return "Fakturautställaren är inte ansluten till något Fortnox-företag."
    if key == ConnectionState.LOST:
        return LOST_MESSAGE + " Fakturor som väntar överförs när anslutningen fungerar igen."
    if key == ConnectionState.LICENCE_MISSING:
        return licence_message(
            verification.missing_licences, api_licence_missing=verification.api_licence_missing
        )
    if key == ConnectionState.PENDING_CONFIRMATION and connection is not None:
        return (
            f"Fortnox-företaget {connection.company_name} har organisationsnummer "
            f"{connection.company_organisation_number}, men fakturautställaren har "
            f"{issuer.organisation_number}. Bekräfta bara om det är rätt företags bokföring."
        )
    if key == ConnectionState.UNVERIFIED:
        return verification.incomplete or "Kontrollen efter anslutningen har inte slutförts."
    return ""
