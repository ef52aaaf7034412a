"""Bearer-token checks for ``/3/``: a valid token, the scope in the token, the company's licence."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request

from fortnox_sandbox.backend import AccessContext, SandboxBackend
from fortnox_sandbox.errors import (
    API_LICENCE_MISSING,
    NO_LICENCE_FOR_SCOPE,
    NOT_AUTHORISED_FOR_SCOPE,
    FortnoxApiError,
    Unauthorized,
)
from fortnox_sandbox.tenants import LICENCE_FOR_SCOPE


def backend_of(request: Request) -> SandboxBackend:
    backend: SandboxBackend = request.app.state.backend
    return backend


def authenticate(request: Request) -> AccessContext:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized()
    context = backend_of(request).resolve_access_token(token.strip())
    request.state.tenant_id = context.company.tenant_id
    request.state.client_id = context.client_id
    return context


def require_scope(scope: str) -> Callable[[Request], Coroutine[Any, Any, AccessContext]]:
    """A dependency: the caller's token must carry ``scope`` and the company its licence."""

    async def dependency(request: Request) -> AccessContext:
        context = authenticate(request)
        if "api" not in context.company.licences:
            raise FortnoxApiError(403, API_LICENCE_MISSING, "Api-licens saknas.")
        if scope not in context.scopes:
            raise FortnoxApiError(
                403, NOT_AUTHORISED_FOR_SCOPE, "Du har inte behörighet för scopet."
            )
        if LICENCE_FOR_SCOPE.get(scope, scope) not in context.company.licences:
            raise FortnoxApiError(
                403, NO_LICENCE_FOR_SCOPE, "Det finns ingen aktiv licens för önskat scope."
            )
        return context

    return dependency
