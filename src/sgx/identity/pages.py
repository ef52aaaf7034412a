"""HTML pages of identity: the start page, login (throttled, see ``throttle``) and logout."""

from __future__ import annotations

import math

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sgx.identity import service, throttle
from sgx.identity.throttle import LoginThrottled
from sgx.identity.web import HOME_PATH, OptionalPagePrincipal, safe_next_path
from sgx.kit.clock import utcnow
from sgx.web.csrf import verify_csrf
from sgx.web.deps import DbSession
from sgx.web.sessions import SESSION_USER_KEY
from sgx.web.templating import templates

log = structlog.get_logger(__name__)

router = APIRouter()

LOGIN_FAILED = "Fel användarnamn eller lösenord."


@router.get("/", include_in_schema=False)
async def start(principal: OptionalPagePrincipal) -> RedirectResponse:
    return RedirectResponse(HOME_PATH if principal else "/login", status_code=303)


@router.get("/login")
async def login_page(
    request: Request, principal: OptionalPagePrincipal, next: str | None = None
) -> Response:
    if principal is not None:
        return RedirectResponse(safe_next_path(next), status_code=303)
    return _login_form(request, next=next)


@router.post("/login", dependencies=[Depends(verify_csrf)])
async def login(request: Request, session: DbSession) -> Response:
    form = await request.form()
    username, password, next_path = (
        str(form.get(name) or "") for name in ("username", "password", "next")
    )
    now = utcnow()
    try:
        user = await service.authenticate(session, username=username, password=password, now=now)
    except LoginThrottled as refused:
        log.info("login_throttled")
        response = _login_form(
            request, next=next_path, username=username, error=refused.message, status_code=429
        )
        response.headers["Retry-After"] = str(
            math.ceil((refused.locked_until - now).total_seconds())
        )
        return response
    await session.commit()  # the failure count, or its reset and a rehashed password
    if user is None:
        log.info("login_failed")
        await throttle.purge_spent(session, now=now)  # its own transaction: it never waits
        await session.commit()
        return _login_form(
            request, next=next_path, username=username, error=LOGIN_FAILED, status_code=401
        )
    # A fresh session at login: nothing set before it (fixation) survives, the CSRF secret neither.
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    log.info("login_succeeded", user_id=user.id)
    return RedirectResponse(safe_next_path(next_path), status_code=303)


@router.post("/logout", dependencies=[Depends(verify_csrf)])
async def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/login?utloggad=1", status_code=303)


def _login_form(
    request: Request,
    *,
    next: str | None,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return templates.TemplateResponse(
        request,
        "identity/login.html",
        {
            "next": safe_next_path(next),
            "username": username,
            "error": error,
            "logged_out": request.query_params.get("utloggad") == "1",
        },
        status_code=status_code,
    )
