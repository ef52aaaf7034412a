"""A small read-only UI at ``/_sandbox/ui`` (Swedish): companies, and per company its customers,
invoices and payments, so someone running the demo can see what arrived in "Fortnox"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from fortnox_sandbox.auth import backend_of
from fortnox_sandbox.templating import render

router = APIRouter()


def _by_number(store: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities in number order (numbers are strings in Fortnox; most are numeric)."""

    def key(number: str) -> tuple[int, int | str]:
        return (0, int(number)) if number.isdigit() else (1, number)

    return [store[number] for number in sorted(store, key=key)]


@router.get("")
async def companies(request: Request) -> Response:
    backend = backend_of(request)
    return render(
        request,
        "ui/companies.html",
        companies=sorted(backend.companies.values(), key=lambda company: company.tenant_id),
    )


@router.get("/companies/{tenant_id}")
async def company(tenant_id: str, request: Request) -> Response:
    backend = backend_of(request)
    found = backend.companies.get(int(tenant_id)) if tenant_id.isdigit() else None
    if found is None:
        return render(request, "ui/missing.html", status_code=404, tenant_id=tenant_id)
    return render(
        request,
        "ui/company.html",
        company=found,
        customers=_by_number(found.customers),
        invoices=_by_number(found.invoices),
        payments=_by_number(found.payments),
    )
