"""The product's JSON API as a client uses it: patients, invoices and credits, timed."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench.fleet import Clinic

# A visit (VAT free) and two consultations with VAT: the usual clinic invoice.
ROWS = [{"article_code": "BESOK", "quantity": "1"}, {"article_code": "KONSULT", "quantity": "2"}]


@dataclass(frozen=True)
class Created:
    body: dict[str, Any]
    sent_at: float  # epoch seconds when the request left
    created_at: float  # epoch seconds when the 201 arrived: the invoice exists from here on

    @property
    def seconds(self) -> float:
        return self.created_at - self.sent_at


class Api:
    def __init__(self, url: str, *, connections: int = 64) -> None:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.http = httpx.AsyncClient(base_url=f"{url}/api/v1", timeout=60.0, limits=limits)

    async def close(self) -> None:
        await self.http.aclose()

    async def _post(self, clinic: Clinic, path: str, body: dict[str, Any]) -> Created:
        sent = time.time()
        response = await self.http.post(path, json=body, headers=clinic.headers)
        created = time.time()
        if response.status_code != 201:
            raise RuntimeError(f"POST {path}: {response.status_code} {response.text[:300]}")
        return Created(response.json(), sent, created)

    async def invoice(
        self, clinic: Clinic, *, company: bool = False, patient_id: int | None = None
    ) -> Created:
        party = (
            {"company_id": clinic.company_id}
            if company
            else {"patient_id": patient_id or clinic.patient_id}
        )
        return await self._post(
            clinic, f"/issuers/{clinic.issuer_id}/invoices", {**party, "rows": ROWS}
        )

    async def patient(self, clinic: Clinic, *, last_name: str) -> int:
        body = {"first_name": "Ny", "last_name": last_name}
        created = await self._post(clinic, f"/issuers/{clinic.issuer_id}/patients", body)
        return int(created.body["id"])

    async def credit(
        self, clinic: Clinic, invoice_id: int, rows: list[dict[str, Any]] | None = None
    ) -> Created:
        body: dict[str, Any] = {"reason": "Bänktest"}
        if rows is not None:
            body["rows"] = rows
        return await self._post(clinic, f"/invoices/{invoice_id}/credit", body)
