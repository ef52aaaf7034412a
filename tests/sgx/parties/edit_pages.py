"""What the edit-page tests share: the fields a browser would post from a page, a user's
headers, and the number of queued transfer jobs."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import IssuerRole
from sgx.outbox.models import TransferJob
from tests.builders.identity import bearer, make_api_token, make_user
from tests.sgx.identity.pages import csrf_from

Headers = dict[str, str]


class _FormReader(HTMLParser):
    """The fields a browser would post from a page's edit form (the logout form is skipped)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._in_form = attributes.get("action", "") != "/logout"
        elif not self._in_form:
            return
        elif tag == "input" and "name" in attributes and "disabled" not in attributes:
            if attributes.get("type") != "checkbox" or "checked" in attributes:
                self.fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "select":
            self._select = attributes["name"]
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields[self._select] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None


def form_fields(html: str) -> dict[str, str]:
    reader = _FormReader()
    reader.feed(html)
    return reader.fields


async def user_headers(session: AsyncSession, roles: dict[int, IssuerRole]) -> Headers:
    user = await make_user(session, roles=roles)
    return bearer(await make_api_token(session, user=user))


async def edit_form(client: httpx.AsyncClient, url: str, headers: Headers) -> dict[str, str]:
    page = await client.get(url, headers=headers)
    assert page.status_code == 200, page.text
    return form_fields(page.text)


async def csrf_of_list(client: httpx.AsyncClient, url: str, headers: Headers) -> str:
    return csrf_from((await client.get(url, headers=headers)).text)


async def job_count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(TransferJob)) or 0
