"""The layout's promises: Swedish error pages, and every script and style served by the app
itself (htmx is vendored; nothing is fetched from the internet)."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders.invoicing import make_clinic

_EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


async def test_an_unknown_page_answers_in_swedish_without_technical_details(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)

    page = await client.get("/finns-inte", headers=clinic.headers)

    assert page.status_code == 404
    assert '<html lang="sv">' in page.text
    assert "Hittades inte" in page.text and "Sidan finns inte." in page.text
    assert "Traceback" not in page.text and "Not Found" not in page.text


async def test_pages_load_scripts_and_styles_only_from_the_app(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)

    page = await client.get(f"/issuers/{clinic.issuer.id}/invoices", headers=clinic.headers)
    htmx = await client.get("/static/htmx.min.js")

    assert page.status_code == 200
    assert '<script src="/static/htmx.min.js" defer></script>' in page.text
    assert not _EXTERNAL.search(page.text)
    assert htmx.status_code == 200 and "htmx" in htmx.text[:200]
