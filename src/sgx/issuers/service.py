"""Rules of invoice issuers: who sees which, creating and changing settings, support activation.

Support creates issuers (and names their first Administratör); an Administratör changes the
issuer's settings; only Support flips the Fortnox "Integration" switch. Never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit import service as audit
from sgx.errors import FieldError, NotFound
from sgx.identity import service as identity
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.issuers.models import Issuer
from sgx.issuers.schemas import IssuerCreate, IssuerUpdate
from sgx.issuers.validation import (
    MAX_INVOICE_NUMBER,
    clean_settings,
    raise_if_any,
    vat_number_mismatch,
)
from sgx.kit.clock import today_in_sweden


async def list_issuers(session: AsyncSession, *, principal: Principal) -> Sequence[Issuer]:
    """The issuers the caller may see: all for Support, else those the caller has a role on."""
    query = select(Issuer).order_by(Issuer.name, Issuer.id)
    if not principal.is_support:
        query = query.where(Issuer.id.in_(list(principal.roles)))
    return (await session.scalars(query)).all()


async def get_issuer(
    session: AsyncSession,
    *,
    principal: Principal,
    issuer_id: int,
    needed: IssuerRole = IssuerRole.READER,
    for_update: bool = False,
) -> Issuer:
    """The issuer if the caller holds ``needed`` on it; unknown and invisible issuers are 404."""
    if not principal.can_see(issuer_id):
        raise NotFound("Fakturautställaren finns inte.", code="issuer_not_found")
    # NO KEY UPDATE: rows that refer to the issuer can still be inserted meanwhile.
    lock = {"key_share": True} if for_update else None
    issuer = await session.get(
        Issuer, issuer_id, with_for_update=lock, populate_existing=for_update
    )
    if issuer is None:
        raise NotFound("Fakturautställaren finns inte.", code="issuer_not_found")
    principal.require(issuer_id, needed)
    return issuer


def require_admin_or_support(principal: Principal, issuer_id: int) -> None:
    """The audit log of an issuer is for its Administratör and for Support."""
    if not principal.is_support:
        principal.require(issuer_id, IssuerRole.ADMIN)


async def create_issuer(
    session: AsyncSession, *, principal: Principal, data: IssuerCreate
) -> Issuer:
    principal.require_support()
    values = data.model_dump(exclude_unset=True, exclude={"administrator_username"})
    cleaned, errors = clean_settings({k: v for k, v in values.items() if v is not None})
    administrator = None
    if data.administrator_username:
        administrator = await identity.get_user_by_username(
            session, username=data.administrator_username.strip()
        )
        if administrator is None:
            errors.append(
                FieldError("administrator_username", "user_not_found", "Användaren finns inte.")
            )
    _check_vat_number(cleaned, errors, organisation_number=None, vat_number=None)
    raise_if_any(errors)
    issuer = Issuer(**cleaned)
    issuer.next_invoice_number = issuer.invoice_number_start = cleaned.get(
        "invoice_number_start", 1001
    )
    session.add(issuer)
    await session.flush()
    await _audit(session, principal, issuer, "issuer.created", {"fields": sorted(cleaned)})
    if administrator is not None:
        await identity.grant_role(
            session,
            user=administrator,
            issuer_id=issuer.id,
            role=IssuerRole.ADMIN,
            actor=principal.username,
            actor_user_id=principal.user_id,
        )
    return issuer


async def update_issuer(
    session: AsyncSession, *, principal: Principal, issuer_id: int, changes: IssuerUpdate
) -> Issuer:
    """Change the settings sent; everything is checked before anything is changed."""
    issuer = await get_issuer(
        session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.ADMIN, for_update=True
    )
    sent = {k: v for k, v in changes.model_dump(exclude_unset=True).items() if v is not None}
    cleaned, errors = clean_settings(sent)
    changed = {k: v for k, v in cleaned.items() if getattr(issuer, k) != v}
    errors.extend(_locked_field_errors(issuer, changed))
    _check_vat_number(
        cleaned,
        errors,
        organisation_number=issuer.organisation_number,
        vat_number=issuer.vat_number,
    )
    raise_if_any(errors)
    for name, value in changed.items():
        setattr(issuer, name, value)
    if "invoice_number_start" in changed:
        issuer.next_invoice_number = changed["invoice_number_start"]
    await session.flush()
    if changed:
        await _audit(session, principal, issuer, "issuer.updated", {"fields": sorted(changed)})
    return issuer


async def continue_invoice_series(
    session: AsyncSession, *, principal: Principal, issuer_id: int, next_number: int
) -> Issuer:
    """Let the series continue from ``next_number`` — above numbers someone else (Fortnox) has
    taken. Never below a number SGX has handed out, so no number is used twice; the numbers
    skipped are never used, and the audit log says where the series jumped."""
    issuer = await get_issuer(
        session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.ADMIN, for_update=True
    )
    current = issuer.next_invoice_number
    if not current <= next_number <= MAX_INVOICE_NUMBER:
        raise_if_any(
            [
                FieldError(
                    "next_invoice_number",
                    "below_numbers_used" if next_number < current else "out_of_range",
                    f"Nästa fakturanummer kan vara från {current} (nummer under det har redan "
                    f"använts i SGX) till {MAX_INVOICE_NUMBER}.",
                )
            ]
        )
    if next_number == current:
        return issuer
    if current == issuer.invoice_number_start:
        issuer.invoice_number_start = next_number  # no invoice yet: the series starts there
    issuer.next_invoice_number = next_number
    await session.flush()
    await _audit(
        session,
        principal,
        issuer,
        "issuer.invoice_series_continued",
        {"from": current, "to": next_number},
    )
    return issuer


def _locked_field_errors(issuer: Issuer, changed: dict[str, Any]) -> list[FieldError]:
    errors = []
    # The series cannot move once a number has been handed out: numbers must have no gaps.
    if "invoice_number_start" in changed and issuer.next_invoice_number != (
        issuer.invoice_number_start
    ):
        errors.append(
            FieldError(
                "invoice_number_start",
                "invoice_series_started",
                "Nummerserien kan inte ändras efter att den första fakturan har skapats.",
            )
        )
    # The Fortnox connection checks that both sides are the same company.
    if "organisation_number" in changed and issuer.fortnox_integration_enabled:
        errors.append(
            FieldError(
                "organisation_number",
                "organisation_number_locked",
                "Organisationsnumret kan inte ändras medan Fortnox-integrationen är aktiverad.",
            )
        )
    return errors


def _check_vat_number(
    cleaned: dict[str, Any],
    errors: list[FieldError],
    *,
    organisation_number: str | None,
    vat_number: str | None,
) -> None:
    """Add an error when the resulting VAT number is not the organisation number's."""
    if any(error.field in ("organisation_number", "vat_number") for error in errors):
        return
    organisation = cleaned.get("organisation_number", organisation_number)
    vat = cleaned.get("vat_number", vat_number)
    if organisation and vat:
        mismatch = vat_number_mismatch(organisation_number=organisation, vat_number=vat)
        if mismatch is not None:
            errors.append(mismatch)


async def set_fortnox_integration(
    session: AsyncSession, *, principal: Principal, issuer_id: int, enabled: bool
) -> Issuer:
    """Flip "Integration" under Externa tjänster → Fortnox. Support only, always audited."""
    issuer = await get_issuer(session, principal=principal, issuer_id=issuer_id, for_update=True)
    principal.require_support()
    if issuer.fortnox_integration_enabled != enabled:
        issuer.fortnox_integration_enabled = enabled
        if enabled and issuer.fortnox_go_live_date is None:
            # From this day invoices go to Fortnox on their own; earlier ones only by backfill.
            issuer.fortnox_go_live_date = today_in_sweden()
        await session.flush()
        action = "fortnox.integration_enabled" if enabled else "fortnox.integration_disabled"
        await _audit(session, principal, issuer, action, {"enabled": enabled})
    return issuer


async def _audit(
    session: AsyncSession,
    principal: Principal,
    issuer: Issuer,
    action: str,
    details: dict[str, Any],
) -> None:
    await audit.record(
        session,
        action=action,
        actor=principal.username,
        actor_user_id=principal.user_id,
        issuer_id=issuer.id,
        subject=f"issuer:{issuer.id}",
        details=details,
    )
