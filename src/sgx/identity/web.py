"""Dependencies for HTML pages: the signed-in user, also handed to the templates.

Pages use ``PagePrincipal`` (a missing login becomes a redirect to /login) or
``OptionalPagePrincipal``. Both put the principal on ``request.state`` so that the layout can
show who is signed in.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from sgx.errors import Unauthenticated
from sgx.identity.principal import Principal
from sgx.web.deps import optional_principal

HOME_PATH = "/issuers"


async def page_principal(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Principal | None:
    request.state.principal = principal
    return principal


async def require_page_principal(
    principal: Annotated[Principal | None, Depends(page_principal)],
) -> Principal:
    if principal is None:
        raise Unauthenticated()
    return principal


OptionalPagePrincipal = Annotated[Principal | None, Depends(page_principal)]
PagePrincipal = Annotated[Principal, Depends(require_page_principal)]


def safe_next_path(value: str | None, default: str = HOME_PATH) -> str:
    """``value`` if it is a path on this site, else ``default`` (no open redirects).

    Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so
    ``/\\evil.example`` or ``/<tab>/evil.example`` would leave the site: those are refused too.
    """
    if not value or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(char) < 0x21 or ord(char) == 0x7F for char in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
