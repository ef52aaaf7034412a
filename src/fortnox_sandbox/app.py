"""The sandbox's ASGI application: Fortnox's surface plus, when enabled, the control plane."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from fortnox_sandbox import control as control_routes
from fortnox_sandbox import oauth, ui
from fortnox_sandbox.backend import SandboxBackend
from fortnox_sandbox.control_errors import ControlError
from fortnox_sandbox.errors import FortnoxApiError, OAuthError, Unauthorized
from fortnox_sandbox.faults import quiet_dropped_connections
from fortnox_sandbox.middleware import FortnoxSurfaceMiddleware
from fortnox_sandbox.rest import (
    accounts,
    articles,
    companyinformation,
    customers,
    invoices,
    payments,
)

REST_ROUTERS = [
    companyinformation.router,
    customers.router,
    articles.router,
    accounts.router,
    invoices.router,
    payments.router,
]


class _TrailingSlashTolerance:
    """Fortnox answers ``/3/invoices`` and ``/3/invoices/`` alike; so do we."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope)
                scope["path"] = path.rstrip("/")
                if scope.get("raw_path"):
                    scope["raw_path"] = scope["raw_path"].rstrip(b"/")
        await self.app(scope, receive, send)


def create_app(
    backend: SandboxBackend | None = None,
    *,
    control_plane: bool = True,
    control: bool | None = None,
) -> FastAPI:
    """Build a sandbox. ``control`` (alias ``control_plane``) enables ``/_sandbox/``."""
    enable_control = control_plane if control is None else control
    app = FastAPI(
        title="Fortnox sandbox",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
    )
    app.state.backend = backend or SandboxBackend()
    app.state.control_enabled = enable_control

    @app.exception_handler(FortnoxApiError)
    async def _fortnox_error(request: Request, exc: FortnoxApiError) -> Response:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(Unauthorized)
    async def _unauthorized(request: Request, exc: Unauthorized) -> Response:
        return JSONResponse({"message": "unauthorized"}, status_code=401)

    @app.exception_handler(OAuthError)
    async def _oauth_error(request: Request, exc: OAuthError) -> Response:
        return exc.response()

    @app.exception_handler(ControlError)
    async def _control_error(request: Request, exc: ControlError) -> Response:
        return exc.response()

    for router in REST_ROUTERS:
        app.include_router(router, prefix="/3")
    app.include_router(oauth.router, prefix="/oauth-v1")
    if enable_control:
        app.include_router(control_routes.router, prefix="/_sandbox")
        app.include_router(ui.router, prefix="/_sandbox/ui")
    app.add_middleware(FortnoxSurfaceMiddleware)
    app.add_middleware(_TrailingSlashTolerance)
    quiet_dropped_connections()
    return app
