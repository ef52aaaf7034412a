"""The checks run right after connecting (and on "Kontrollera igen"): is this connection usable?

* the company information is read: name, tenant id, organisation number — which must match the
  issuer's unless an Administratör has confirmed the difference;
* the scopes SGX needs were granted;
* every module's licence is there: one cheap call per scope, where Fortnox's 2001101 names the
  missing module (and 2001103 the missing integration licence);
* the accounts SGX books on exist and are active in Fortnox's chart of the current financial
  year ("Kontokontroll");
* Fortnox's highest invoice number, which SGX's own numbers must stay above
  (``sgx.integration.number_clash``); the invoice module's licence probe reads it.

The result is stored on the connection (``verification``), decides its state and is audited.
Fortnox calls run outside any database transaction; the result is written in a short one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from sgx.audit import service as audit
from sgx.fortnox import FortnoxClient, FortnoxError, MissingLicence, MissingScope, NotFound
from sgx.fortnox.schemas import FinancialYear
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.models import ConnectionState, FortnoxConnection
from sgx.integration.repository import account_numbers_used, connection_of
from sgx.integration.scopes import (
    API_LICENCE_CODE,
    REQUIRED_SCOPES,
    licence_message,
    normalise_organisation_number,
)
from sgx.integration.tokens import ConnectionTokens, SessionFactory, require_tokens
from sgx.integration.transfers import release_held
from sgx.issuers.models import Issuer
from sgx.kit.clock import today_in_sweden, utcnow

T = TypeVar("T")
# Looked up only to learn whether the article module answers; no article has this number.
PROBE_ARTICLE_NUMBER = "SGX-LICENSKONTROLL"


@dataclass
class Verification:
    company_name: str = ""
    organisation_number: str = ""
    tenant_id: int | None = None
    organisation_matches: bool | None = None  # None: the company could not be read
    missing_scopes: list[str] = field(default_factory=list)
    missing_licences: list[str] = field(default_factory=list)
    api_licence_missing: bool = False
    financial_year: str = ""  # "2026-01-01 – 2026-12-31"
    financial_year_missing: bool = False
    missing_accounts: list[int] = field(default_factory=list)
    inactive_accounts: list[int] = field(default_factory=list)
    invoice_numbers_read: bool = False
    fortnox_highest_invoice_number: int | None = None
    incomplete: str = ""  # why some checks could not run (Fortnox did not answer)
    checked_at: str = ""

    @property
    def licence_problem(self) -> bool:
        return self.api_licence_missing or bool(self.missing_licences)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Verification:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in (data or {}).items() if key in known})


async def verify_connection(
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    *,
    issuer_id: int,
    actor: str,
    actor_user_id: int | None = None,
) -> ConnectionState:
    """Check the issuer's connection against Fortnox and store the outcome; returns the state.

    Raises ``ConnectionLost`` when Fortnox no longer accepts the connection at all.
    """
    async with session_factory() as session:
        connection = require_tokens(await connection_of(session, issuer_id=issuer_id))
        issuer = await session.get(Issuer, issuer_id)
        assert issuer is not None  # the connection row cascades with its issuer
        granted = connection.scopes.split()
        tenant_id = connection.tenant_id
        issuer_number = issuer.organisation_number
        used = await account_numbers_used(session, issuer_id=issuer_id)
    tokens = ConnectionTokens(session_factory, gateway, issuer_id=issuer_id)
    client = gateway.client(tenant_id=tenant_id or 0, token_provider=tokens)
    result = Verification(missing_scopes=[s for s in REQUIRED_SCOPES if s not in granted])
    try:
        await _run_checks(client, tokens, result, issuer_number=issuer_number, used=used)
    except FortnoxError as exc:
        if not exc.retryable:
            raise
        result.incomplete = "Fortnox svarade inte på alla kontroller. Försök igen om en stund."
    result.checked_at = utcnow().isoformat()
    return await _save(session_factory, issuer_id, result, actor=actor, actor_user_id=actor_user_id)


async def _run_checks(
    client: FortnoxClient,
    tokens: ConnectionTokens,
    result: Verification,
    *,
    issuer_number: str,
    used: list[int],
) -> None:
    company = await _probe(tokens, client.company_information, "companyinformation", result)
    if result.api_licence_missing:
        return  # every call fails the same way: nothing more to learn
    if company is not None:
        result.company_name = company.company_name or ""
        result.organisation_number = company.organization_number or ""
        result.tenant_id = company.database_number
        result.organisation_matches = normalise_organisation_number(
            result.organisation_number
        ) == normalise_organisation_number(issuer_number)
    await _probe(tokens, lambda: client.customers.search(limit=1), "customer", result)
    await _probe(tokens, lambda: _article_probe(client), "article", result)
    highest = await _probe(tokens, client.invoices.highest_document_number, "invoice", result)
    if "invoice" not in result.missing_licences + result.missing_scopes:
        result.invoice_numbers_read = True
        result.fortnox_highest_invoice_number = highest
    await _probe(tokens, lambda: client.invoice_payments.search(limit=1), "payment", result)
    today = today_in_sweden()
    year = await _probe(
        tokens, lambda: client.financial_years.for_date(today), "bookkeeping", result
    )
    if "bookkeeping" in result.missing_licences or "bookkeeping" in result.missing_scopes:
        return
    if year is None or year.id is None:
        result.financial_year_missing = True
        return
    await _check_accounts(client, tokens, result, year=year, used=used)


async def _probe(
    tokens: ConnectionTokens,
    operation: Callable[[], Awaitable[T]],
    scope: str,
    result: Verification,
) -> T | None:
    try:
        return await tokens.call(operation)
    except MissingLicence as exc:
        if exc.code == API_LICENCE_CODE:
            result.api_licence_missing = True
        elif scope not in result.missing_licences:
            result.missing_licences.append(scope)
    except MissingScope:
        if scope not in result.missing_scopes:
            result.missing_scopes.append(scope)
    return None


async def _article_probe(client: FortnoxClient) -> None:
    try:
        await client.articles.get(PROBE_ARTICLE_NUMBER)
    except NotFound:
        pass  # the module answered: the licence is there


async def _check_accounts(
    client: FortnoxClient,
    tokens: ConnectionTokens,
    result: Verification,
    *,
    year: FinancialYear,
    used: list[int],
) -> None:
    async def chart() -> dict[int, bool]:
        accounts = client.accounts.iterate(financial_year=year.id)
        return {a.number: a.active is not False async for a in accounts if a.number is not None}

    active_by_number = await tokens.call(chart)
    result.financial_year = f"{year.from_date} – {year.to_date}"
    for number in used:
        if number not in active_by_number:
            result.missing_accounts.append(number)
        elif not active_by_number[number]:
            result.inactive_accounts.append(number)


def decide_state(
    result: Verification, *, previous: ConnectionState, mismatch_confirmed: bool
) -> ConnectionState:
    if result.licence_problem:
        return ConnectionState.LICENCE_MISSING
    if result.organisation_matches is None:
        # The company could not be read: keep a working connection, never approve a new one.
        return previous if previous is ConnectionState.CONNECTED else ConnectionState.UNVERIFIED
    if result.organisation_matches is False and not mismatch_confirmed:
        return ConnectionState.PENDING_CONFIRMATION
    return ConnectionState.CONNECTED


async def _save(
    session_factory: SessionFactory,
    issuer_id: int,
    result: Verification,
    *,
    actor: str,
    actor_user_id: int | None,
) -> ConnectionState:
    async with session_factory() as session, session.begin():
        connection = await connection_of(session, issuer_id=issuer_id, for_update=True)
        if connection is None or connection.state is ConnectionState.LOST:
            # Disconnected or lost while the checks ran: their outcome no longer matters.
            return connection.state if connection else ConnectionState.NOT_CONNECTED
        _apply(connection, result)
        if connection.state is ConnectionState.CONNECTED:
            await release_held(session, issuer_id=issuer_id)  # held transfers flow again
        await audit.record(
            session,
            action="fortnox.verified",
            actor=actor,
            actor_user_id=actor_user_id,
            issuer_id=issuer_id,
            subject=f"fortnox_connection:{connection.id}",
            details=_audit_details(result, connection.state),
        )
        return connection.state


def _apply(connection: FortnoxConnection, result: Verification) -> None:
    if result.organisation_number and normalise_organisation_number(
        result.organisation_number
    ) != normalise_organisation_number(connection.company_organisation_number):
        # A confirmation covers one organisation number only.
        connection.organisation_mismatch_confirmed = False
    if result.organisation_matches is not None:
        connection.company_name = result.company_name[:200]
        connection.company_organisation_number = result.organisation_number[:20]
    if connection.tenant_id is None and result.tenant_id is not None:
        connection.tenant_id = result.tenant_id
    connection.verification = result.as_json()
    connection.verified_at = utcnow()
    if result.invoice_numbers_read:
        connection.fortnox_highest_invoice_number = result.fortnox_highest_invoice_number
        connection.numbers_checked_at = connection.verified_at
    connection.state = decide_state(
        result,
        previous=connection.state,
        mismatch_confirmed=connection.organisation_mismatch_confirmed,
    )
    if connection.state is ConnectionState.LICENCE_MISSING:
        connection.last_error_code = "licence_missing"
        connection.last_error_message = licence_message(
            result.missing_licences, api_licence_missing=result.api_licence_missing
        )[:500]
    else:
        connection.last_error_code = ""
        connection.last_error_message = ""


def _audit_details(result: Verification, state: ConnectionState) -> dict[str, Any]:
    return {
        "state": state.value,
        "tenant_id": result.tenant_id,
        "organisation_matches": result.organisation_matches,
        "missing_scopes": result.missing_scopes,
        "missing_licences": result.missing_licences,
        "api_licence_missing": result.api_licence_missing,
        "missing_accounts": result.missing_accounts,
        "inactive_accounts": result.inactive_accounts,
        "financial_year_missing": result.financial_year_missing,
        "incomplete": bool(result.incomplete),
    }
