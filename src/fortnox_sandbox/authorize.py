"""The browser half of Fortnox's OAuth2: ``/oauth-v1/auth`` and its login and consent pages.

``GET /auth`` checks the request (client, redirect URI, scopes, account type) before any login,
then renders a Swedish login page. A login that exists in several companies chooses one; a
service account needs a system administrator; the consent page lists the scopes with
"Godkänn" and "Avbryt". Approval redirects with ``code`` and ``state``, denial with
``error=access_denied`` (UNCONFIRMED, RFC 6749 behaviour). The request in progress is kept
server-side; the forms carry only its id, so they can be submitted by any HTML-form driver.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from fortnox_sandbox.auth import backend_of
from fortnox_sandbox.backend import OAuthClient, PendingAuthorization, SandboxBackend
from fortnox_sandbox.errors import OAuthError
from fortnox_sandbox.templating import render
from fortnox_sandbox.tenants import Company

router = APIRouter()

SCOPE_LABELS = {
    "companyinformation": "Företagsinformation",
    "customer": "Kunder",
    "article": "Artiklar",
    "invoice": "Kundfakturor",
    "bookkeeping": "Bokföring (konton och räkenskapsår)",
    "payment": "Inbetalningar",
    "settings": "Inställningar",
    "currency": "Valutor",
    "costcenter": "Kostnadsställen",
    "project": "Projekt",
    "price": "Prislistor",
    "print": "Utskriftsmallar",
    "profile": "Profil",
    "supplier": "Leverantörer",
    "supplierinvoice": "Leverantörsfakturor",
}
REDIRECT_MISMATCH_URI = "http://tools.ietf.org/html/rfc6749#section-3.1.2"


def redirect_with(uri: str, params: dict[str, str]) -> RedirectResponse:
    parts = urlsplit(uri)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return RedirectResponse(urlunsplit(parts._replace(query=urlencode(query))), status_code=302)


def _redirect_uri_mismatch() -> Response:
    body = {
        "error": "redirect_uri_mismatch",
        "error_description": "The redirect URI provided is missing or does not match",
        "error_uri": REDIRECT_MISMATCH_URI,
    }
    return Response(json.dumps(body), status_code=400, media_type="application/json")


def _error_page(request: Request, message: str, status_code: int) -> Response:
    return render(request, "oauth/error.html", status_code=status_code, message=message)


def _request_problem(client: OAuthClient, params: dict[str, str]) -> tuple[str, str] | None:
    """An OAuth error (code, description) for a request whose redirect URI is trusted."""
    if params.get("response_type") != "code":
        return "unsupported_response_type", "response_type must be code"
    if not params.get("state"):
        return "invalid_request", "Missing state"
    scopes = params.get("scope", "").split()
    unknown = [scope for scope in scopes if scope not in client.scopes]
    if not scopes or unknown:
        # UNCONFIRMED form: Fortnox rejects before the login page; we redirect per RFC 6749.
        return "invalid_scope", "Invalid scope: " + " ".join(unknown or ["(none)"])
    account_type = params.get("account_type", "")
    if account_type not in ("", "service"):
        return "invalid_request", "Invalid account_type"
    if account_type == "service" and not client.service_accounts:
        return "unauthorized_client", "Client does not allow service account"
    return None


@router.get("/auth")
async def authorize(request: Request) -> Response:
    backend = backend_of(request)
    params = dict(request.query_params)
    client = backend.clients.get(params.get("client_id", ""))
    if client is None:
        raise OAuthError(400, "invalid_client", "Auth code or ClientID supplied is invalid")
    request.state.client_id = client.client_id
    given = params.get("redirect_uri")
    redirect_uri = given if given is not None else next(iter(client.redirect_uris), None)
    if redirect_uri is None or redirect_uri not in client.redirect_uris:
        return _redirect_uri_mismatch()
    problem = _request_problem(client, params)
    if problem is not None:
        error, description = problem
        answer = {"error": error, "error_description": description}
        if params.get("state"):
            answer["state"] = params["state"]
        return redirect_with(redirect_uri, answer)
    pending = PendingAuthorization(
        request_id=uuid.uuid4().hex,
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        redirect_uri_given=given is not None,
        scopes=params["scope"].split(),
        state=params["state"],
        account_type="service" if params.get("account_type") == "service" else "personal",
    )
    backend.pending[pending.request_id] = pending
    return _login_page(request, pending)


def _login_page(
    request: Request, pending: PendingAuthorization, *, error: str = "", username: str = ""
) -> Response:
    return render(
        request,
        "oauth/login.html",
        request_id=pending.request_id,
        client_id=pending.client_id,
        error=error,
        username=username,
    )


async def _pending_from_form(
    request: Request,
) -> tuple[SandboxBackend, PendingAuthorization | None, dict[str, str]]:
    backend = backend_of(request)
    form = {key: str(value) for key, value in (await request.form()).items()}
    pending = backend.pending.get(form.get("request_id", ""))
    if pending is not None:
        request.state.client_id = pending.client_id
    return backend, pending, form


EXPIRED = "Inloggningen har gått ut. Börja om från integrationen."


@router.post("/auth/login")
async def login(request: Request) -> Response:
    backend, pending, form = await _pending_from_form(request)
    if pending is None:
        return _error_page(request, EXPIRED, 400)
    username = form.get("username", "")
    companies = backend.companies_of_login(username, form.get("password", ""))
    if not companies:
        return _login_page(
            request, pending, error="Fel användarnamn eller lösenord.", username=username
        )
    pending.username = username
    pending.tenant_candidates = [company.tenant_id for company in companies]
    if len(companies) == 1:
        return _consent_step(request, backend, pending, companies[0])
    return render(
        request,
        "oauth/company.html",
        request_id=pending.request_id,
        client_id=pending.client_id,
        companies=companies,
    )


@router.post("/auth/company")
async def choose_company(request: Request) -> Response:
    backend, pending, form = await _pending_from_form(request)
    if pending is None or pending.username is None:
        return _error_page(request, EXPIRED, 400)
    tenant = form.get("tenant_id", "")
    if not tenant.isdigit() or int(tenant) not in pending.tenant_candidates:
        return _error_page(request, "Välj ett av dina företag.", 400)
    return _consent_step(request, backend, pending, backend.companies[int(tenant)])


def _consent_step(
    request: Request, backend: SandboxBackend, pending: PendingAuthorization, company: Company
) -> Response:
    pending.tenant_id = company.tenant_id
    request.state.tenant_id = company.tenant_id
    user = company.users[pending.username or ""]
    if pending.account_type == "service" and not user.sysadmin:
        backend.pending.pop(pending.request_id, None)
        return _error_page(
            request, "Endast en systemadministratör kan godkänna ett servicekonto.", 403
        )
    scopes = [{"name": s, "label": SCOPE_LABELS.get(s, s)} for s in pending.scopes]
    return render(
        request,
        "oauth/consent.html",
        request_id=pending.request_id,
        client_id=pending.client_id,
        company=company,
        scopes=scopes,
        service=pending.account_type == "service",
    )


@router.post("/auth/consent")
async def consent(request: Request) -> Response:
    backend, pending, form = await _pending_from_form(request)
    if pending is None or pending.tenant_id is None or pending.username is None:
        return _error_page(request, EXPIRED, 400)
    backend.pending.pop(pending.request_id, None)
    request.state.tenant_id = pending.tenant_id
    if form.get("decision") != "approve":
        return redirect_with(
            pending.redirect_uri,
            {
                "error": "access_denied",
                "error_description": "The user denied the request",
                "state": pending.state,
            },
        )
    user = backend.companies[pending.tenant_id].users[pending.username]
    service = pending.account_type == "service"
    created = backend.create_consent(
        tenant_id=pending.tenant_id,
        client_id=pending.client_id,
        scopes=pending.scopes,
        account_type=pending.account_type,
        # A service account is nobody in particular: it gets its own user id.
        user_id=backend.new_user_id() if service else user.user_id,
    )
    code = backend.issue_code(
        created, redirect_uri=pending.redirect_uri if pending.redirect_uri_given else None
    )
    return redirect_with(pending.redirect_uri, {"code": code, "state": pending.state})
