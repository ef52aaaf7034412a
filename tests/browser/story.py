"""Steps of the browser stories: signing in as a demo user, and screenshots of the main pages.

Each main page is checked for a heading, labelled fields and fitting a phone's width;
screenshots are saved only when
``SGX_SCREENSHOTS=1`` (``make screenshots``), at a desktop and a phone width, into
``docs/screenshots/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.async_api import BrowserContext, Page, expect

from sgx.demo_data import DEMO_LOGINS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "mobil": {"width": 390, "height": 844}}
ISSUER = "Friskvården Företagshälsa AB"
PASSWORDS = {login.username: login.password for login in DEMO_LOGINS}


async def sign_in(context: BrowserContext, username: str) -> Page:
    """A new tab of ``context``, signed in as the demo user ``username``."""
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("Användarnamn").fill(username)
    await page.get_by_label("Lösenord").fill(PASSWORDS[username])
    await page.get_by_role("button", name="Logga in").click()
    await expect(page.get_by_role("heading", name="Fakturautställare", level=1)).to_be_visible()
    return page


async def open_issuer(page: Page) -> None:
    """Systemadministration → Fakturautställare → the demo issuer."""
    await (
        page.get_by_role("navigation", name="Huvudmeny")
        .get_by_role("link", name="Fakturautställare")
        .click()
    )
    await page.get_by_role("link", name=ISSUER).click()
    await expect(page.get_by_role("heading", name=ISSUER, level=1)).to_be_visible()


UNLABELLED_CONTROLS = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id)"""


async def check_page(page: Page, name: str) -> None:
    """A main page: one h1, every form control labelled, and it fits a phone's width.

    Screenshots at each width are saved when asked for.
    """
    await expect(page.locator("h1")).to_have_count(1)
    assert await page.evaluate(UNLABELLED_CONTROLS) == [], f"{name} has unlabelled fields"
    await page.set_viewport_size(SIZES["mobil"])
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES["mobil"]["width"], f"{name} is {width}px wide on a phone"
    if os.environ.get("SGX_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for label, size in SIZES.items():
            await page.set_viewport_size(size)
            await page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
    await page.set_viewport_size(SIZES["desktop"])


async def create_invoice(
    page: Page, customer: str, rows: list[tuple[str, str]], screenshot: str = ""
) -> str:
    """Fakturor → Ny faktura with ``rows`` of (article code, quantity); the new invoice's number."""
    await page.get_by_role("navigation", name=ISSUER).get_by_role("link", name="Fakturor").click()
    await page.get_by_role("link", name="Ny faktura").click()
    await page.get_by_label(re.compile(r"^Kund")).select_option(label=customer)
    for index, (code, quantity) in enumerate(rows, start=1):
        await page.get_by_label(f"Artikel rad {index}").select_option(value=code)
        await page.get_by_label(f"Antal rad {index}").fill(quantity)
    if screenshot:
        await check_page(page, screenshot)
    await page.get_by_role("button", name="Skapa faktura").click()
    await expect(page.get_by_text("Fakturan har skapats.")).to_be_visible()
    heading = await page.get_by_role("heading", level=1).inner_text()
    return heading.removeprefix("Faktura ").strip()


async def expect_transfer_status(page: Page, status: str) -> None:
    """Wait, without reloading, until the invoice page shows ``status``."""
    await expect(page.locator("#overforingsstatus .status")).to_have_text(status)
