"""CSRF protection for HTML forms: a per-session secret echoed in every form.

JSON API calls authenticate with a bearer token only (the API ignores the session cookie), which
a browser never attaches by itself, so they need no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from sgx.errors import Forbidden

CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return str(token)


async def verify_csrf(request: Request) -> None:
    """Dependency for form posts: the submitted token must equal the session's."""
    expected = request.session.get(CSRF_SESSION_KEY)
    form = await request.form()
    submitted = form.get(CSRF_FIELD) or request.headers.get("x-csrf-token")
    if (
        not expected
        or not isinstance(submitted, str)
        or not hmac.compare_digest(str(expected).encode(), submitted.encode())
    ):
        raise Forbidden(
            "Formuläret har gått ut. Ladda om sidan och försök igen.", code="csrf_failed"
        )
