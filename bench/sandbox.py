"""The sandbox's control plane as the benchmarks use it: companies, consents, the rate limit,
the latency fault and the request log (see the sandbox's control-plane contract)."""

from __future__ import annotations

from typing import Any

import httpx

CLIENT_ID = "sgx-bench-client"
CLIENT_SECRET = "sgx-bench-secret"
REDIRECT_URI = "http://127.0.0.1/fortnox/callback"
SCOPES = ["companyinformation", "customer", "article", "invoice", "bookkeeping", "payment"]
FORTNOX_REQUESTS = 25
FORTNOX_WINDOW_SECONDS = 5.0


class Control:
    """An async client of ``/_sandbox/`` (and of Fortnox's own surface, for the bare runs)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.AsyncClient(base_url=url, timeout=60.0)

    async def close(self) -> None:
        await self.http.aclose()

    async def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    async def register_client(self) -> None:
        await self._send(
            "POST",
            "/_sandbox/clients",
            json={
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [REDIRECT_URI],
                "service_accounts": True,
            },
        )

    async def create_company(self, *, name: str, organisation_number: str) -> int:
        body = {"name": name, "organisation_number": organisation_number}
        company = await self._send("POST", "/_sandbox/companies", json=body)
        return int(company["tenant_id"])

    async def consent(self, tenant_id: int, *, account_type: str = "service") -> dict[str, Any]:
        """Tokens of a consent: a service account's by default (renewed with client
        credentials; a new one replaces the old), or a personal one (which replaces nothing)."""
        body = {
            "tenant_id": tenant_id,
            "client_id": CLIENT_ID,
            "scopes": SCOPES,
            "account_type": account_type,
        }
        tokens: dict[str, Any] = await self._send("POST", "/_sandbox/tokens", json=body)
        return tokens

    async def create_customer(self, tenant_id: int, fields: dict[str, Any]) -> None:
        body = {"action": "create_customer", "fields": fields}
        await self._send("POST", f"/_sandbox/tenants/{tenant_id}/actions", json=body)

    async def rate_limit(self, *, enabled: bool = True) -> None:
        body: dict[str, Any] = (
            {"requests": FORTNOX_REQUESTS, "window_seconds": FORTNOX_WINDOW_SECONDS}
            if enabled
            else {"enabled": False}
        )
        await self._send("POST", "/_sandbox/rate-limit", json=body)

    async def add_latency(self, latency_ms: int) -> None:
        """Every call to Fortnox's REST surface waits ``latency_ms`` before it is served."""
        if latency_ms <= 0:
            return
        body = {"kind": "latency", "path": "^/3/", "latency_ms": latency_ms}
        await self._send("POST", "/_sandbox/faults", json=body)

    async def clear_faults(self) -> None:
        await self._send("DELETE", "/_sandbox/faults")

    async def clear_requests(self) -> None:
        await self._send("DELETE", "/_sandbox/requests")

    async def requests(self, *, tenant_id: int | None = None) -> list[dict[str, Any]]:
        params = {"tenant_id": tenant_id} if tenant_id is not None else {}
        found = await self._send("GET", "/_sandbox/requests", params=params)
        entries: list[dict[str, Any]] = found["requests"]
        return entries


def fortnox_calls(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Calls to Fortnox's REST API (``/3/``): what counts against the rate limit."""
    return [entry for entry in entries if entry["path"].startswith("/3/")]


def least_seconds_for(calls: int) -> float:
    """The least time from the first to the last of ``calls`` requests the limit allows: the
    first window's worth at once, then one more window per further window's worth."""
    if calls <= 0:
        return 0.0
    windows = -(-calls // FORTNOX_REQUESTS)  # ceiling division
    return (windows - 1) * FORTNOX_WINDOW_SECONDS
