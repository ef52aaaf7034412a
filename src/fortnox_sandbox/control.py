"""The control plane under ``/_sandbox/``: the contract of SANDBOX-CONTROL.md, as written.

State (reset, companies, clients, consents without a browser), time (the sandbox clock), faults
and the rate limit, observation (the request log) and actions "inside Fortnox". Never part of
Fortnox's surface; mounted only when the app is built with ``control=True``. Bodies are JSON;
errors are ``{"error": "<code>", "detail": "<text>"}`` with 400, 404 or 409.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fortnox_sandbox.auth import backend_of
from fortnox_sandbox.backend import ALL_SCOPES, OAuthClient, SandboxBackend
from fortnox_sandbox.control_actions import run_action
from fortnox_sandbox.control_errors import ControlError
from fortnox_sandbox.faults import KINDS
from fortnox_sandbox.oauth import token_body
from fortnox_sandbox.tenants import ALL_LICENCES, Company

router = APIRouter()
Model = TypeVar("Model", bound=BaseModel)
# resources.numbering.INVOICE_NUMBERING_MODES, spelled out for the body's validation.
InvoiceNumbering = Literal["lowest_free", "after_highest", "fortnox_assigns"]


class _Body(BaseModel):
    # A misspelt key is an error, not a silently ignored wish.
    model_config = ConfigDict(extra="forbid")


class UserIn(_Body):
    username: str = Field(min_length=1)
    password: str
    sysadmin: bool = False


class CompanyIn(_Body):
    name: str = Field(min_length=1)
    organisation_number: str = Field(min_length=1)
    tenant_id: int | None = Field(default=None, ge=1)
    address: str = ""
    zip_code: str = ""
    city: str = ""
    licences: list[str] | None = None
    users: list[UserIn] = []
    seed: bool = True
    invoice_numbering: InvoiceNumbering = "lowest_free"


class CompanyPatch(_Body):
    licences_add: list[str] = []
    licences_remove: list[str] = []
    users_add: list[UserIn] = []
    invoice_numbering: InvoiceNumbering | None = None


class ClientIn(_Body):
    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)
    redirect_uris: list[str]
    scopes: list[str] | None = None
    service_accounts: bool = True


class TokenIn(_Body):
    tenant_id: int
    client_id: str
    scopes: list[str]
    account_type: Literal["personal", "service"] = "personal"
    username: str | None = None


class ClockIn(_Body):
    advance_seconds: float | None = None
    set: dt.datetime | None = None


class FaultIn(_Body):
    kind: Literal["status", "rate_limit", "latency", "reset", "commit_then_drop", "keep_on_null"]
    tenant_id: int | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = Field(default=None, ge=100, le=599)
    latency_ms: int | None = Field(default=None, ge=0)
    probability: float | None = Field(default=None, ge=0, le=1)
    count: int | None = Field(default=None, ge=1)
    seed: int | None = None
    body: Any = None


class RateLimitIn(_Body):
    requests: int | None = Field(default=None, ge=1)
    window_seconds: float | None = Field(default=None, gt=0)
    enabled: bool | None = None


async def read_body(request: Request, model: type[Model]) -> Model:
    try:
        raw = await request.json()
    except ValueError as exc:
        raise ControlError(400, "invalid_json", "the body is not valid JSON") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ControlError(400, "invalid_request", problems) from exc


def _check_licences(names: list[str]) -> None:
    unknown = sorted(set(names) - set(ALL_LICENCES))
    if unknown:
        raise ControlError(400, "unknown_licence", f"unknown licences: {', '.join(unknown)}")


def parse_int(value: str | None, name: str) -> int | None:
    """Numbers from the path or query; a bad one is a 400 like every other control error."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise ControlError(400, "invalid_request", f"{name} must be an integer") from exc


def company_or_404(backend: SandboxBackend, tenant: str | int) -> Company:
    tenant_id = parse_int(str(tenant), "tenant_id")
    company = backend.companies.get(tenant_id or 0)
    if company is None:
        raise ControlError(404, "company_not_found", f"no company with tenant id {tenant_id}")
    return company


# ---- state -----------------------------------------------------------------------------------


@router.post("/reset")
async def reset(request: Request) -> dict[str, Any]:
    backend_of(request).reset()
    return {}


@router.post("/companies")
async def create_company(request: Request) -> dict[str, Any]:
    backend = backend_of(request)
    body = await read_body(request, CompanyIn)
    if body.licences is not None:
        _check_licences(body.licences)
    if body.tenant_id is not None and body.tenant_id in backend.companies:
        raise ControlError(409, "company_exists", f"tenant id {body.tenant_id} is taken")
    company = backend.create_company(
        **body.model_dump(exclude={"users"}),
        users=[user.model_dump() for user in body.users],
    )
    return company.public_view()


@router.get("/companies")
async def list_companies(request: Request) -> list[dict[str, Any]]:
    return [company.public_view() for company in backend_of(request).companies.values()]


@router.patch("/companies/{tenant_id}")
async def update_company(tenant_id: str, request: Request) -> dict[str, Any]:
    backend = backend_of(request)
    company = company_or_404(backend, tenant_id)
    body = await read_body(request, CompanyPatch)
    _check_licences(body.licences_add + body.licences_remove)
    taken = [user.username for user in body.users_add if user.username in company.users]
    if taken:
        raise ControlError(409, "user_exists", f"users already exist: {', '.join(taken)}")
    company.licences |= set(body.licences_add)
    company.licences -= set(body.licences_remove)
    if body.invoice_numbering is not None:
        company.invoice_numbering = body.invoice_numbering
    for user in body.users_add:
        backend.add_user(company, **user.model_dump())
    return company.public_view()


@router.post("/clients")
async def register_client(request: Request) -> dict[str, Any]:
    """Registers (or re-registers, replacing) an OAuth client, as in the Developer Portal."""
    body = await read_body(request, ClientIn)
    client = OAuthClient(
        client_id=body.client_id,
        client_secret=body.client_secret,
        redirect_uris=body.redirect_uris,
        scopes=body.scopes if body.scopes is not None else list(ALL_SCOPES),
        service_accounts=body.service_accounts,
    )
    return backend_of(request).register_client(client).public_view()


@router.get("/clients")
async def list_clients(request: Request) -> list[dict[str, Any]]:
    return [client.public_view() for client in backend_of(request).clients.values()]


def _consenting_user_id(backend: SandboxBackend, company: Company, body: TokenIn) -> int:
    if body.username is not None:
        user = company.users.get(body.username)
        if user is None:
            raise ControlError(404, "user_not_found", f"no user {body.username!r}")
        if body.account_type == "service" and not user.sysadmin:
            raise ControlError(400, "not_sysadmin", "only a system administrator may consent")
        if body.account_type == "personal":
            return user.user_id
    if body.account_type == "service":
        return backend.new_user_id()
    users = sorted(company.users.values(), key=lambda user: (not user.sysadmin, user.user_id))
    return users[0].user_id if users else backend.new_user_id()


@router.post("/tokens")
async def create_tokens(request: Request) -> dict[str, Any]:
    """A consent made without the browser, with its tokens."""
    backend = backend_of(request)
    body = await read_body(request, TokenIn)
    company = company_or_404(backend, body.tenant_id)
    client = backend.clients.get(body.client_id)
    if client is None:
        raise ControlError(404, "client_not_found", f"no client {body.client_id!r}")
    unknown = [scope for scope in body.scopes if scope not in client.scopes]
    if not body.scopes or unknown:
        raise ControlError(400, "invalid_scope", f"scopes not registered: {unknown or '(none)'}")
    if body.account_type == "service" and not client.service_accounts:
        raise ControlError(400, "service_accounts_not_allowed", "client has no service accounts")
    consent = backend.create_consent(
        tenant_id=company.tenant_id,
        client_id=client.client_id,
        scopes=body.scopes,
        account_type=body.account_type,
        user_id=_consenting_user_id(backend, company, body),
    )
    personal = body.account_type == "personal"
    refresh = backend.issue_refresh_token(consent) if personal else None
    return {**token_body(backend, consent, refresh_token=refresh), "tenant_id": company.tenant_id}


# ---- time ------------------------------------------------------------------------------------


def _clock_view(backend: SandboxBackend) -> dict[str, Any]:
    return {
        "now": backend.clock.now().isoformat(),
        "offset_seconds": backend.clock.offset.total_seconds(),
    }


@router.get("/clock")
async def get_clock(request: Request) -> dict[str, Any]:
    return _clock_view(backend_of(request))


@router.post("/clock")
async def move_clock(request: Request) -> dict[str, Any]:
    backend = backend_of(request)
    body = await read_body(request, ClockIn)
    if (body.advance_seconds is None) == (body.set is None):
        raise ControlError(400, "invalid_request", "give exactly one of advance_seconds, set")
    if body.advance_seconds is not None:
        backend.clock.advance(body.advance_seconds)
    elif body.set is not None:
        backend.clock.set(body.set)
    return _clock_view(backend)


# ---- faults and rate limit -------------------------------------------------------------------


@router.post("/faults")
async def add_fault(request: Request) -> dict[str, Any]:
    body = await read_body(request, FaultIn)
    assert body.kind in KINDS
    if body.path is not None:
        try:
            re.compile(body.path)
        except re.error as exc:
            raise ControlError(400, "invalid_path", f"not a regular expression: {exc}") from exc
    if body.kind == "latency" and body.latency_ms is None:
        raise ControlError(400, "invalid_request", "a latency fault needs latency_ms")
    fields = body.model_dump()
    if body.kind == "status" and body.status is None:
        fields["status"] = 500
    fault = backend_of(request).faults.add(**fields)
    return {"fault_id": fault.fault_id}


@router.get("/faults")
async def list_faults(request: Request) -> list[dict[str, Any]]:
    return [fault.view() for fault in backend_of(request).faults.all()]


@router.delete("/faults")
async def clear_faults(request: Request) -> dict[str, Any]:
    backend_of(request).faults.clear()
    return {}


@router.delete("/faults/{fault_id}")
async def delete_fault(fault_id: str, request: Request) -> dict[str, Any]:
    if not backend_of(request).faults.remove(fault_id):
        raise ControlError(404, "fault_not_found", f"no fault {fault_id!r}")
    return {}


@router.post("/rate-limit")
async def set_rate_limit(request: Request) -> dict[str, Any]:
    body = await read_body(request, RateLimitIn)
    enabled = body.enabled
    if enabled is None and (body.requests is not None or body.window_seconds is not None):
        enabled = True
    limiter = backend_of(request).rate_limiter
    limiter.configure(enabled=enabled, requests=body.requests, window_seconds=body.window_seconds)
    return limiter.setting()


@router.get("/rate-limit")
async def get_rate_limit(request: Request) -> dict[str, Any]:
    return backend_of(request).rate_limiter.setting()


# ---- observation -----------------------------------------------------------------------------


@router.get("/requests")
async def list_requests(
    request: Request,
    tenant_id: str | None = None,
    since_id: str | None = None,
    path: str | None = None,
) -> dict[str, Any]:
    if path:
        try:
            re.compile(path)
        except re.error as exc:
            raise ControlError(400, "invalid_path", f"not a regular expression: {exc}") from exc
    entries = backend_of(request).request_log.select(
        tenant_id=parse_int(tenant_id, "tenant_id"),
        since_id=parse_int(since_id, "since_id"),
        path=path or None,
    )
    return {"requests": [entry.view() for entry in entries]}


@router.delete("/requests")
async def clear_requests(request: Request) -> dict[str, Any]:
    backend_of(request).request_log.clear()
    return {}


# ---- inside Fortnox --------------------------------------------------------------------------


@router.post("/tenants/{tenant_id}/actions")
async def act_inside_fortnox(tenant_id: str, request: Request) -> dict[str, Any]:
    backend = backend_of(request)
    company = company_or_404(backend, tenant_id)
    try:
        raw = await request.json()
    except ValueError as exc:
        raise ControlError(400, "invalid_json", "the body is not valid JSON") from exc
    if not isinstance(raw, dict):
        raise ControlError(400, "invalid_request", "the body must be a JSON object")
    return run_action(backend, company.tenant_id, raw)
