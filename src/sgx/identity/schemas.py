"""Response bodies of the identity API."""

from __future__ import annotations

from pydantic import BaseModel


class IssuerRoleOut(BaseModel):
    issuer_id: int
    role: str


class MeOut(BaseModel):
    id: int
    username: str
    is_support: bool
    roles: list[IssuerRoleOut]
