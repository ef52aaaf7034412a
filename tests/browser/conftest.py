"""Fixtures of the browser tests: the live server and Debian's Chromium driven by Playwright.

Chromium is the system's (``/usr/bin/chromium``; ``apt-get install -y chromium``), never a
browser downloaded by Playwright. Playwright starts it with a fresh temporary profile each time;
the flags keep it from talking to anything but the local server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    async_playwright,
    expect,
)

from tests.browser.server import LiveServer, start_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
# How long a DOM wait may take before the test fails (the transfer runs in the background).
WAIT_MS = 30_000
expect.set_options(timeout=WAIT_MS)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def new_context(browser: Browser, live_server: LiveServer) -> AsyncIterator[object]:
    """A factory of isolated browser sessions (one per person in the story).

    Every page must live with the Content-Security-Policy: a violation the browser reports
    (an inline script, handler or style it refused) fails the test.
    """
    contexts: list[BrowserContext] = []
    violations: list[str] = []

    def note_violation(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    async def make() -> BrowserContext:
        context = await browser.new_context(
            base_url=live_server.url, viewport=DESKTOP, locale="sv-SE"
        )
        context.set_default_timeout(WAIT_MS)
        context.on("console", note_violation)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        await context.close()
    assert not violations, violations
