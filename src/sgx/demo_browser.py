"""A tiny headless browser for ``sgx demo``: cookies, redirects and HTML forms, over httpx.

It signs in to SGX's own login page, posts SGX's forms with their CSRF token, and walks
Fortnox's (the sandbox's) login and consent pages as a person would — nothing is called behind
the pages' back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class DemoStepFailed(Exception):
    """A page did not answer as a browser would expect; the message says which."""


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, tuple[str, str]] = field(default_factory=dict)  # text → (name, value)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._button: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(Form(action=found.get("action", "")))
        elif tag == "input" and self.forms and found.get("name"):
            if found.get("type") != "radio" or "checked" in found:
                self.forms[-1].fields[found["name"]] = found.get("value", "")
        elif tag == "button":
            self._button = found

    def handle_data(self, data: str) -> None:
        if self._button is not None and self.forms and data.strip():
            self.forms[-1].buttons[data.strip()] = (
                self._button.get("name", ""),
                self._button.get("value", ""),
            )
            self._button = None


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Browser:
    """One person's browser: one cookie jar, redirects followed by hand (to see each step)."""

    def __init__(self, transport: httpx.AsyncBaseTransport, base_url: str) -> None:
        self.http = httpx.AsyncClient(transport=transport, base_url=base_url)

    async def close(self) -> None:
        await self.http.aclose()

    async def page(self, path: str) -> httpx.Response:
        response = await self.http.get(path)
        _expect(response, 200, f"GET {path}")
        return response

    async def log_in(self, username: str, password: str) -> None:
        login = await self.page("/login")
        answer = await self.http.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": _csrf(login.text)},
        )
        _expect(answer, 303, f"inloggning som {username}")

    async def post_form(self, page_path: str, action: str, **fields: str) -> httpx.Response:
        """Post one of the page's forms (its CSRF token taken from the page)."""
        page = await self.page(page_path)
        return await self.http.post(action, data={"csrf_token": _csrf(page.text), **fields})

    async def submit(
        self, page: httpx.Response, *, button: str | None = None, **fields: str
    ) -> httpx.Response:
        """Fill in and send the page's (only) form, pressing ``button`` if given."""
        forms = forms_of(page.text)
        if len(forms) != 1:
            raise DemoStepFailed(f"väntade ett formulär på {page.url}, fann {len(forms)}")
        form = forms[0]
        data = {**form.fields, **fields}
        if button is not None:
            name, value = form.buttons[button]
            data[name] = value
        return await self.http.post(urljoin(str(page.url), form.action), data=data)

    async def follow(self, response: httpx.Response, status: int = 200) -> httpx.Response:
        location = response.headers.get("location")
        if location is None:
            raise DemoStepFailed(f"ingen vidarebefordran från {response.url}")
        followed = await self.http.get(urljoin(str(response.url), location))
        _expect(followed, status, f"GET {location}")
        return followed


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise DemoStepFailed("sidan saknar CSRF-fält")
    return match.group(1)


def _expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise DemoStepFailed(f"{what}: svar {response.status_code}, väntade {status}")
