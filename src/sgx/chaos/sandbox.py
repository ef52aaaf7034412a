"""The chaos run's hands on the sandbox: its control plane, and Fortnox's API read with a token.

Only the shapes of ``SANDBOX-CONTROL`` are used (companies, clients, tokens, clock, faults,
inside actions, request log), over HTTP to the sandbox running as its own server on 127.0.0.1.
Reads of Fortnox's own API (``/3/…``) are how the final checks see what Fortnox holds; they use
a fresh consent of their own, so SGX's tokens are never touched.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from sgx.integration.scopes import REQUIRED_SCOPES

PAGE_SIZE = 500
MAX_PAGES = 1000  # 500 000 documents per tenant: far past any run, but a bound


class SandboxError(RuntimeError):
    pass


class SandboxControl:
    def __init__(self, http: httpx.AsyncClient, *, client_id: str) -> None:
        self.http = http
        self.client_id = client_id

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, **kwargs)
        if response.status_code != 200:
            raise SandboxError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    # ---- state --------------------------------------------------------------------------

    async def register_client(self, *, client_secret: str, redirect_uri: str) -> None:
        await self._json(
            "POST",
            "/_sandbox/clients",
            json={
                "client_id": self.client_id,
                "client_secret": client_secret,
                "redirect_uris": [redirect_uri],
                "service_accounts": True,
            },
        )

    async def create_company(self, *, name: str, organisation_number: str) -> int:
        company = await self._json(
            "POST",
            "/_sandbox/companies",
            json={
                "name": name,
                "organisation_number": organisation_number,
                "users": [{"username": "admin", "password": "chaos-admin-1", "sysadmin": True}],
            },
        )
        return int(company["tenant_id"])

    async def consent(self, tenant_id: int, *, account_type: str) -> dict[str, Any]:
        grant: dict[str, Any] = await self._json(
            "POST",
            "/_sandbox/tokens",
            json={
                "tenant_id": tenant_id,
                "client_id": self.client_id,
                "scopes": list(REQUIRED_SCOPES),
                "account_type": account_type,
            },
        )
        return grant

    async def set_licence(self, tenant_id: int, licence: str, *, present: bool) -> None:
        change = "licences_add" if present else "licences_remove"
        await self._json("PATCH", f"/_sandbox/companies/{tenant_id}", json={change: [licence]})

    async def act(self, tenant_id: int, **action: Any) -> dict[str, Any]:
        changed: dict[str, Any] = await self._json(
            "POST", f"/_sandbox/tenants/{tenant_id}/actions", json=action
        )
        return changed

    async def revoke_consent(self, tenant_id: int) -> None:
        await self.act(tenant_id, action="revoke_consent", client_id=self.client_id)

    # ---- time ---------------------------------------------------------------------------

    async def clock(self) -> str:
        return str((await self._json("GET", "/_sandbox/clock"))["now"])

    async def advance_clock(self, seconds: int) -> str:
        moved = await self._json("POST", "/_sandbox/clock", json={"advance_seconds": seconds})
        return str(moved["now"])

    # ---- faults -------------------------------------------------------------------------

    async def add_fault(self, **fault: Any) -> str:
        return str((await self._json("POST", "/_sandbox/faults", json=fault))["fault_id"])

    async def faults(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = await self._json("GET", "/_sandbox/faults")
        return listed

    async def clear_faults(self) -> None:
        await self._json("DELETE", "/_sandbox/faults")

    async def fired_by_kind(self) -> Counter[str]:
        fired: Counter[str] = Counter()
        for fault in await self.faults():
            kind = fault["kind"]
            if kind == "status":
                kind = f"status {fault['status']}"
            fired[kind] += int(fault["fired"])
        return fired

    # ---- observation --------------------------------------------------------------------

    async def requests(self, *, since_id: int = 0, path: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"since_id": since_id}
        if path:
            params["path"] = path
        body = await self._json("GET", "/_sandbox/requests", params=params)
        entries: list[dict[str, Any]] = body["requests"]
        return entries


class FortnoxReader:
    """Fortnox's API as the final checks read it: every page of a list, one document."""

    def __init__(self, http: httpx.AsyncClient, *, access_token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}

    async def get(self, path: str, **params: Any) -> dict[str, Any]:
        response = await self.http.get(f"/3/{path}", params=params, headers=self.headers)
        if response.status_code != 200:
            raise SandboxError(f"GET /3/{path}: {response.status_code} {response.text[:300]}")
        body: dict[str, Any] = response.json()
        return body

    async def every(self, resource: str, key: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            body = await self.get(resource, limit=PAGE_SIZE, page=page)
            items.extend(body[key])
            meta = body.get("MetaInformation") or {}
            if page >= int(meta.get("@TotalPages", 1) or 1):
                return items
        raise SandboxError(f"more than {MAX_PAGES} pages of {resource}")
