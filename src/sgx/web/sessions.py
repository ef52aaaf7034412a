"""The session cookie: its signing secret, and a check of what a signed cookie may contain.

The cookie is signed, not encrypted; its content is ours only as long as the secret is. Its
content is still checked on every request: a cookie whose values do not have the types SGX
writes (``user_id`` an integer, everything else text) is dropped, and the request is treated
as logged out, instead of reaching code that trusts those types.
"""

from __future__ import annotations

import binascii
import json
import secrets
from base64 import b64decode
from pathlib import Path
from typing import Any

import itsdangerous
import structlog
from fastapi import FastAPI
from itsdangerous.exc import BadSignature
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sgx.kit.installation_secret import installation_secret, secret_file_beside
from sgx.settings import Settings

SESSION_COOKIE = "sgx_session"
SESSION_USER_KEY = "user_id"
_LARGEST_ID = 2**63 - 1

log = structlog.get_logger(__name__)


def session_secret(settings: Settings) -> str:
    """The configured secret; else (tests) a new one per app; else the installation's own."""
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
    """Sits just outside ``SessionMiddleware``: a validly signed cookie of unexpected content is
    taken out of the request (an empty session, so logged out) and expired in the answer."""

    def __init__(self, app: ASGIApp, *, secret_key: str, max_age: int) -> None:
        self.app = app
        self.signer = itsdangerous.TimestampSigner(secret_key)
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = HTTPConnection(scope).cookies.get(SESSION_COOKIE) if scope["type"] == "http" else None
        if raw is None or self._acceptable(raw):
            await self.app(scope, receive, send)
            return
        log.warning("session_rejected", reason="unexpected_content")
        scope = {**scope, "headers": _without_session_cookie(scope["headers"])}

        async def send_expiring(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not any(
                    value.startswith(SESSION_COOKIE + "=")
                    for value in headers.getlist("set-cookie")
                ):
                    headers.append("Set-Cookie", EXPIRED_SESSION_COOKIE)
            await send(message)

        await self.app(scope, receive, send_expiring)

    def _acceptable(self, raw: str) -> bool:
        try:
            data = self.signer.unsign(raw.encode("utf-8"), max_age=self.max_age)
        except BadSignature:
            return True  # not ours or expired: the session layer ignores it already
        try:
            content = json.loads(b64decode(data))
        except (ValueError, binascii.Error):
            return False
        return isinstance(content, dict) and session_content_is_valid(content)


EXPIRED_SESSION_COOKIE = (
    f"{SESSION_COOKIE}=null; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly; samesite=lax"
)


def _without_session_cookie(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    kept = []
    for name, value in headers:
        if name == b"cookie":
            parts = [
                part
                for part in value.split(b";")
                if part.strip().split(b"=", 1)[0] != SESSION_COOKIE.encode()
            ]
            value = b";".join(parts).strip()
            if not value:
                continue
        kept.append((name, value))
    return kept


def install_sessions(app: FastAPI, settings: Settings) -> None:
    secret_key = session_secret(settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.environment == "production",
    )
    # Added last, so it runs first: it sees the cookie before the session layer parses it.
    app.add_middleware(
        SessionContentGuard, secret_key=secret_key, max_age=settings.session_max_age_seconds
    )
