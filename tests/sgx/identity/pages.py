"""Helpers for driving the HTML pages as a browser would."""

from __future__ import annotations

import re

import httpx

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def log_in(
    client: httpx.AsyncClient, username: str, password: str, next_path: str | None = None
) -> httpx.Response:
    page = await client.get("/login")
    form = {"username": username, "password": password, "csrf_token": csrf_from(page.text)}
    if next_path is not None:
        form["next"] = next_path
    return await client.post("/login", data=form)
