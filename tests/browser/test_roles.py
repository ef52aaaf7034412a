"""Role-aware pages in a real browser: what a "Läsare" may not do is not offered, and is refused
when forced."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from playwright.async_api import BrowserContext, expect
from sqlalchemy import update

from sgx.issuers.models import Issuer
from sgx.kit.db import create_engine
from tests.browser.server import LiveServer
from tests.browser.story import ISSUER, check_page, open_issuer, sign_in

NewContext = Callable[[], Awaitable[BrowserContext]]


async def switch_on_integration(live_server: LiveServer) -> int:
    """Arrange: Support has activated the integration (the story test does it in the UI)."""
    engine = create_engine(live_server.settings.database_url)
    async with engine.begin() as connection:
        issuer_id = await connection.scalar(
            update(Issuer).values(fortnox_integration_enabled=True).returning(Issuer.id)
        )
    await engine.dispose()
    assert issuer_id is not None
    return int(issuer_id)


async def test_a_reader_sees_the_fortnox_status_but_cannot_connect(
    new_context: NewContext, live_server: LiveServer
) -> None:
    issuer_id = await switch_on_integration(live_server)
    admin = await sign_in(await new_context(), "admin")
    await admin.goto(f"/issuers/{issuer_id}/fortnox")
    await expect(admin.get_by_role("button", name="Anslut", exact=True)).to_have_count(1)

    reader = await sign_in(await new_context(), "lasare")
    await open_issuer(reader)
    await reader.locator("#fortnox").get_by_role("link", name="Fortnox").click()
    await expect(reader.get_by_text("Anslutning till Fortnox saknas")).to_be_visible()
    await expect(reader.get_by_role("button", name="Anslut", exact=True)).to_have_count(0)
    await expect(reader.get_by_text("Endast en Administratör")).to_be_visible()
    await check_page(reader, "fortnox-lasare")
    await reader.get_by_role("navigation", name=ISSUER).get_by_role("link", name="Fakturor").click()
    await expect(reader.get_by_role("heading", name="Fakturor")).to_be_visible()
    await expect(reader.get_by_role("link", name="Ny faktura")).to_have_count(0)

    # Forcing it (a valid form token, the reader's own session) is refused in Swedish.
    token = await reader.locator('input[name="csrf_token"]').first.get_attribute("value")
    forced = await reader.request.post(
        f"/issuers/{issuer_id}/fortnox/connect",
        form={"csrf_token": token or "", "account_type": "service"},
        max_redirects=0,
    )
    assert forced.status == 403
    body = await forced.text()
    assert "Ingen behörighet" in body
    assert "Rollen Läsare räcker inte" in body
