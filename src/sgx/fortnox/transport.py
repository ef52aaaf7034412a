"""One Fortnox REST call: URL, bearer token, pacing, JSON in and out, errors mapped to classes.

``ApiTransport`` sends a request once. It never retries (retrying lives in the sync engine, which
knows whether a write may be repeated); it reports a 429 to the pacer so that the tenant slows
down. Pure helpers build URLs and query strings and read list pages.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx

from sgx.fortnox.errors import classify, parse_retry_after
from sgx.fortnox.pacing import Pacer, PacingKey
from sgx.fortnox.wire import WireModel, decode_json

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500

TokenProvider = Callable[[], Awaitable[str]]
"""Returns the current access token; the connection layer refreshes behind it."""

ModelT = TypeVar("ModelT", bound=WireModel)
QueryValue = str | int | dt.date | dt.datetime | None


def resource_url(base_url: str, *segments: str | int) -> str:
    """``resource_url("https://api.fortnox.se", "customers", "K 1")`` → ``…/3/customers/K%201``."""
    path = "/".join(quote(str(segment), safe="") for segment in segments)
    return f"{base_url.rstrip('/')}/3/{path}"


def format_last_modified(value: dt.datetime | dt.date | str) -> str:
    """Fortnox reads ``lastmodified`` as Swedish local time, ``YYYY-MM-DD HH:MM``.

    Seconds are dropped, which moves the bound earlier: a change is never missed, at most
    fetched twice.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(STOCKHOLM)
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def query_params(values: Mapping[str, QueryValue]) -> dict[str, str]:
    """Fortnox's lower-case parameters, without the ones not given."""
    params: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name == "lastmodified" and not isinstance(value, int):
            params[name] = format_last_modified(value)
        elif isinstance(value, dt.date):
            params[name] = value.isoformat()
        else:
            params[name] = str(value)
    return params


def page_params(page: int, limit: int) -> dict[str, QueryValue]:
    if page < 1 or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"page must be ≥ 1 and limit within 1..{MAX_PAGE_SIZE}")
    return {"page": page, "limit": limit}


@dataclass(frozen=True)
class Page(Generic[ModelT]):
    """One page of a Fortnox list, with its ``MetaInformation``."""

    items: list[ModelT]
    current_page: int
    total_pages: int
    total_resources: int

    @property
    def has_next(self) -> bool:
        return self.current_page < self.total_pages


def read_page(data: Any, key: str, model: type[ModelT]) -> Page[ModelT]:
    """Read ``{"MetaInformation": {...}, key: [...]}``; a list without meta is one page."""
    items = [model.model_validate(item) for item in (data.get(key) or [])]
    meta = data.get("MetaInformation") or {}
    return Page(
        items=items,
        current_page=int(meta.get("@CurrentPage", 1)),
        total_pages=int(meta.get("@TotalPages", 1 if items else 0)),
        total_resources=int(meta.get("@TotalResources", len(items))),
    )


def read_entity(data: Any, key: str, model: type[ModelT]) -> ModelT:
    return model.model_validate(data[key])


async def iterate_pages(fetch: Callable[[int], Awaitable[Page[ModelT]]]) -> AsyncIterator[ModelT]:
    """Every item of every page, fetching the next page only when needed."""
    number = 1
    while True:
        page = await fetch(number)
        for item in page.items:
            yield item
        if not page.has_next or not page.items:
            return
        number = page.current_page + 1


class ApiTransport:
    """Sends one REST request for one connection (one client id and tenant)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        token_provider: TokenProvider,
        pacer: Pacer,
        pacing_key: PacingKey,
    ) -> None:
        self.http = http
        self.base_url = base_url
        self.token_provider = token_provider
        self.pacer = pacer
        self.pacing_key = pacing_key

    async def call(
        self,
        method: str,
        *segments: str | int,
        params: Mapping[str, QueryValue] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        """Send the request and return the decoded JSON, or raise a ``FortnoxError``."""
        url = resource_url(self.base_url, *segments)
        async with self.pacer.slot(self.pacing_key):
            # The token is fetched once a slot is ours, so a long queue never sends a stale one.
            token = await self.token_provider()
            response = await self._send(method, url, token, params, body)
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if response.status_code == 429:
            await self.pacer.slow_down(self.pacing_key, retry_after)
        if not response.is_success:
            raise classify(
                status=response.status_code,
                body=response.content,
                method=method,
                retry_after=retry_after,
            )
        try:
            return decode_json(response.content)
        except ValueError as exc:
            failure = classify(status=None, body=None, method=method, exception=exc)
            failure.message = "Fortnox svarade med något som inte går att läsa."
            raise failure from exc

    async def _send(
        self,
        method: str,
        url: str,
        token: str,
        params: Mapping[str, QueryValue] | None,
        body: Mapping[str, Any] | None,
    ) -> httpx.Response:
        # Fortnox asks for both on every call, GETs and body-less actions included; without
        # them it may pick XML or refuse (1000030 / 1000031).
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        content = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            return await self.http.request(
                method, url, params=query_params(params or {}), content=content, headers=headers
            )
        except httpx.TransportError as exc:
            raise classify(status=None, body=None, method=method, exception=exc) from exc
