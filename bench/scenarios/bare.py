"""The bare load generator: the same invoices posted straight to the sandbox with httpx, as
fast as the sandbox takes them — no database, no queue, no API. Clinics are served by as many
concurrent clients as the product's workers serve issuers at once, each clinic's invoices one
after another, like the product's per-issuer order. Its throughput is what the product's is
compared with."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
from typing import Any

import httpx

from bench.fleet import Clinic
from bench.sandbox import Control

# Document numbers far above the product's, so the bare invoices never collide with SGX's.
_series = itertools.count(1)
SERIES_SIZE = 100_000
FIRST_NUMBER = 50_000_000


def payload(clinic: Clinic, number: int, today: dt.date) -> dict[str, Any]:
    """What the product sends for its two-row patient invoice."""
    return {
        "Invoice": {
            "CustomerNumber": clinic.patient_customer_number,
            "DocumentNumber": str(number),
            "InvoiceDate": today.isoformat(),
            "DueDate": (today + dt.timedelta(days=30)).isoformat(),
            "OCR": str(number),
            "ExternalInvoiceReference1": f"BARE-{clinic.issuer_id}-{number}",
            "Currency": "SEK",
            "VATIncluded": False,
            "Remarks": "Momsfri sjukvård enligt 10 kap. 6 § mervärdesskattelagen",
            "InvoiceRows": [
                {
                    "ArticleNumber": "BESOK",
                    "Description": "Läkarbesök",
                    "DeliveredQuantity": "1.00",
                    "Price": "850.00",
                    "VAT": 0,
                    "AccountNumber": 3004,
                },
                {
                    "ArticleNumber": "KONSULT",
                    "Description": "Konsultation",
                    "DeliveredQuantity": "2.00",
                    "Price": "1000.40",
                    "VAT": 25,
                    "AccountNumber": 3001,
                },
            ],
        }
    }


async def run_bare(
    control: Control, clinics: list[Clinic], tokens: dict[int, str], *, each: int, clients: int
) -> dict[str, Any]:
    """Post ``each`` invoices per clinic; returns invoices per second and failures."""
    base = FIRST_NUMBER + next(_series) * SERIES_SIZE
    today = dt.date.today()
    work = iter(clinics)
    failures = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=control.url, timeout=60.0, limits=limits) as http:

        async def client() -> None:
            nonlocal failures
            for clinic in work:
                headers = {"Authorization": f"Bearer {tokens[clinic.tenant_id]}"}
                for index in range(each):
                    body = payload(clinic, base + index, today)
                    response = await http.post("/3/invoices", json=body, headers=headers)
                    failures += response.status_code != 201

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        seconds = time.perf_counter() - began
    total = len(clinics) * each
    return {"invoices_per_second": total / seconds, "seconds": seconds, "failures": failures}


async def bare_tokens(control: Control, clinics: list[Clinic]) -> dict[int, str]:
    """An access token per tenant of its own: a personal consent of the same app, which leaves
    the product's service account alone and shares its rate-limit window."""
    tokens: dict[int, str] = {}
    for clinic in clinics:
        granted = await control.consent(clinic.tenant_id, account_type="personal")
        tokens[clinic.tenant_id] = str(granted["access_token"])
    return tokens
