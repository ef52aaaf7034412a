"""JSON API routes of identity (under /api/v1): who the caller is."""

from __future__ import annotations

from fastapi import APIRouter

from sgx.identity.schemas import IssuerRoleOut, MeOut
from sgx.web.deps import CurrentPrincipal

router = APIRouter(tags=["Identitet"])


@router.get("/me", response_model=MeOut)
async def me(principal: CurrentPrincipal) -> MeOut:
    return MeOut(
        id=principal.user_id,
        username=principal.username,
        is_support=principal.is_support,
        roles=[
            IssuerRoleOut(issuer_id=issuer_id, role=role.value)
            for issuer_id, role in sorted(principal.roles.items())
        ],
    )
