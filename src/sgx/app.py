"""The ASGI application: JSON API under /api/v1, Swedish pages, and the embedded Fortnox sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncEngine

from sgx import __version__
from sgx.catalog import api as catalog_api
from sgx.catalog import pages as catalog_pages
from sgx.identity import api as identity_api
from sgx.identity import pages as identity_pages
from sgx.integration import drift_api, drift_pages
from sgx.integration import gateway as fortnox_gateway
from sgx.integration import pages as integration_pages
from sgx.invoicing import api as invoicing_api
from sgx.invoicing import pages as invoicing_pages
from sgx.issuers import api as issuers_api
from sgx.issuers import pages as issuers_pages
from sgx.kit.db import create_engine, create_session_factory
from sgx.parties import api as parties_api
from sgx.parties import pages as parties_pages
from sgx.settings import SANDBOX_MOUNT_PATH, Settings, get_settings
from sgx.web.errors import API_ERROR_RESPONSES, install_error_handlers
from sgx.web.middleware import RequestContext, SecurityHeaders, SgxApp, origin_of
from sgx.web.sessions import install_sessions
from sgx.worklist import pages as worklist_pages

API_ROUTERS = [
    identity_api.router,
    issuers_api.router,
    parties_api.router,
    catalog_api.router,
    invoicing_api.router,
    drift_api.router,
]
PAGE_ROUTERS = [
    identity_pages.router,
    issuers_pages.router,
    parties_pages.router,
    catalog_pages.router,
    invoicing_pages.router,
    integration_pages.router,
    worklist_pages.router,
    drift_pages.router,
]


def create_api(settings: Settings) -> FastAPI:
    api = FastAPI(
        title="SGX Fakturering API",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        responses=API_ERROR_RESPONSES,
    )
    api.state.session_logins = False  # bearer tokens only: see sgx.web.deps
    install_error_handlers(api)
    for router in API_ROUTERS:
        api.include_router(router)
    return api


def create_app(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    sandbox_app: Any | None = None,
    fortnox_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the application. Tests pass their own engine and sandbox; ``sgx serve`` passes none.

    ``fortnox_transport`` carries the calls to Fortnox (tests pass an ``httpx.ASGITransport``).
    """
    settings = settings or get_settings()
    owns_engine = engine is None
    engine = engine or create_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.run_worker_in_process:
            from sgx.integration.worker import in_process_worker

            async with in_process_worker(app):
                yield
        else:
            yield
        await app.state.fortnox_http.aclose()
        if owns_engine:
            await engine.dispose()

    app = SgxApp(
        title="SGX Fakturering",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    fortnox_gateway.install(app, settings, transport=fortnox_transport)
    install_sessions(app, settings)
    app.outer_layers = [RequestContext, lambda inner: _security_headers(inner, settings)]
    install_error_handlers(app)
    api = create_api(settings)
    api.state.settings = settings
    api.state.engine = engine
    api.state.session_factory = app.state.session_factory
    app.mount("/api/v1", api)
    app.mount("/static", StaticFiles(directory=str(files("sgx.web") / "static")), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)

    if settings.fortnox_sandbox:
        app.mount(SANDBOX_MOUNT_PATH, sandbox_app or _default_sandbox(settings))
    return app


def _security_headers(app: Any, settings: Settings) -> SecurityHeaders:
    fortnox_login = origin_of(settings.fortnox_oauth_url)
    return SecurityHeaders(
        app,
        production=settings.environment == "production",
        # The "Anslut" form is answered with a redirect to Fortnox's login page.
        form_targets=[fortnox_login] if fortnox_login else [],
        api_docs_paths=("/api/v1/docs", "/api/v1/docs/oauth2-redirect"),
        # The sandbox emulates Fortnox's pages, styled inline; never mounted in production.
        inline_style_prefixes=(SANDBOX_MOUNT_PATH + "/",),
    )


def _default_sandbox(settings: Settings) -> Any:
    # The only place sgx touches the sandbox: the embedded default Fortnox.
    from sgx.embedded_sandbox import build_embedded_sandbox

    return build_embedded_sandbox(settings)
