"""The session cookie: its signing secret, and a check of what a signed cookie may contain.

The cookie is signed, not encrypted; its content is ours only as long as the secret is. Its
content is still checked on every request: a cookie whose values do not have the types SGX
writes (``user_id`` an integer, everything else text) is dropped, and the request is treated
as logged out, instead of reaching code that trusts those types.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from sgx.kit.installation_secret import installation_secret, secret_file_beside
from sgx.settings import Settings

SESSION_COOKIE = "sgx_session"
SESSION_USER_KEY = "user_id"
_LARGEST_ID = 2**63 - 1

log = structlog.get_logger(__name__)


def session_secret(settings: Settings) -> str:
    """The configured secret; else (tests) one per process; else the installation's own."""
    if settings.secret_key:
        return settings.secret_key
    if settings.environment == "test":
        return secrets.token_urlsafe(48)
    return installation_secret(session_secret_file(settings))


def session_secret_file(settings: Settings) -> Path:
    if settings.secret_key_file:
        return Path(settings.secret_key_file)
    return secret_file_beside(settings.database_url)


def session_content_is_valid(content: dict[str, Any]) -> bool:
    for key, value in content.items():
        if key == SESSION_USER_KEY:
            # bool is an int in Python; a forged ``true`` is not a user id.
            if type(value) is not int or not 0 < value <= _LARGEST_ID:
                return False
        elif not isinstance(value, str):
            return False
    return True


class SessionContentGuard:
    """Sits just inside ``SessionMiddleware``: empties a session of unexpected shape."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content = scope.get("session")
        if content is not None and not (
            isinstance(content, dict) and session_content_is_valid(content)
        ):
            log.warning("session_rejected", reason="unexpected_content")
            scope["session"] = {}  # and the cookie is expired on the way out
        await self.app(scope, receive, send)


def install_sessions(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(SessionContentGuard)  # added first: runs inside the session layer
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.environment == "production",
    )
