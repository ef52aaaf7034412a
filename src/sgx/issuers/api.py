"""JSON API routes of issuers (under /api/v1).

Support creates issuers (optionally naming the first Administratör) and alone flips the
Fortnox "Integration" switch; an Administratör changes the settings; every role reads.
"""

from __future__ import annotations

from fastapi import APIRouter

from sgx.audit import service as audit
from sgx.identity.principal import Principal
from sgx.issuers import service
from sgx.issuers.models import Issuer
from sgx.issuers.schemas import (
    AuditEventOut,
    FortnoxIntegrationSwitch,
    IssuerCreate,
    IssuerOut,
    IssuerUpdate,
)
from sgx.web.deps import CurrentPrincipal, DbSession

router = APIRouter(prefix="/issuers", tags=["Fakturautställare"])


def issuer_out(issuer: Issuer, principal: Principal) -> IssuerOut:
    role = principal.role_on(issuer.id)
    return IssuerOut.model_validate(
        {
            **{
                column: getattr(issuer, column)
                for column in IssuerOut.model_fields
                if column != "role"
            },
            "role": role.value if role else None,
        }
    )


@router.get("", response_model=list[IssuerOut])
async def list_issuers(session: DbSession, principal: CurrentPrincipal) -> list[IssuerOut]:
    """The issuers the caller may see: all for Support, else those the caller has a role on."""
    issuers = await service.list_issuers(session, principal=principal)
    return [issuer_out(issuer, principal) for issuer in issuers]


@router.post("", response_model=IssuerOut, status_code=201)
async def create_issuer(
    body: IssuerCreate, session: DbSession, principal: CurrentPrincipal
) -> IssuerOut:
    """Create an issuer (Support only); `administrator_username` becomes its Administratör."""
    issuer = await service.create_issuer(session, principal=principal, data=body)
    await session.commit()
    return issuer_out(issuer, principal)


@router.get("/{issuer_id}", response_model=IssuerOut)
async def get_issuer(issuer_id: int, session: DbSession, principal: CurrentPrincipal) -> IssuerOut:
    """One issuer (any role on it, or Support)."""
    issuer = await service.get_issuer(session, principal=principal, issuer_id=issuer_id)
    return issuer_out(issuer, principal)


@router.patch("/{issuer_id}", response_model=IssuerOut)
async def update_issuer(
    issuer_id: int, body: IssuerUpdate, session: DbSession, principal: CurrentPrincipal
) -> IssuerOut:
    """Change settings (Administratör). The number series is fixed after the first invoice."""
    issuer = await service.update_issuer(
        session, principal=principal, issuer_id=issuer_id, changes=body
    )
    await session.commit()
    return issuer_out(issuer, principal)


@router.put("/{issuer_id}/fortnox-integration", response_model=FortnoxIntegrationSwitch)
async def set_fortnox_integration(
    issuer_id: int, body: FortnoxIntegrationSwitch, session: DbSession, principal: CurrentPrincipal
) -> FortnoxIntegrationSwitch:
    """Flip "Integration" under Externa tjänster → Fortnox (Support only; audited)."""
    issuer = await service.set_fortnox_integration(
        session, principal=principal, issuer_id=issuer_id, enabled=body.enabled
    )
    await session.commit()
    return FortnoxIntegrationSwitch(enabled=issuer.fortnox_integration_enabled)


@router.get("/{issuer_id}/audit-events", response_model=list[AuditEventOut])
async def list_audit_events(
    issuer_id: int, session: DbSession, principal: CurrentPrincipal
) -> list[AuditEventOut]:
    """The issuer's audit trail, newest first (Administratör or Support)."""
    await service.get_issuer(session, principal=principal, issuer_id=issuer_id)
    service.require_admin_or_support(principal, issuer_id)
    events = await audit.list_issuer_events(session, issuer_id=issuer_id)
    return [AuditEventOut.model_validate(event, from_attributes=True) for event in events]
