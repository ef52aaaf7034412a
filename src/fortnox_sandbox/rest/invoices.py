"""`/3/invoices`: list with filters, create (also credit invoices), get, update, actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fortnox_sandbox.auth import require_scope
from fortnox_sandbox.backend import AccessContext
from fortnox_sandbox.resources import invoice_actions, invoice_views, invoices
from fortnox_sandbox.resources.common import Ctx
from fortnox_sandbox.rest import http

router = APIRouter()
scope = require_scope("invoice")


@router.get("/invoices")
async def list_invoices(request: Request, access: AccessContext = Depends(scope)) -> Response:
    ctx = http.context(request, access)
    page = invoice_views.list_invoices(ctx, http.query(request))
    items = [invoice_views.invoice_list_item(ctx, i) for i in page.items]
    return http.listed("Invoices", page, items)


@router.post("/invoices")
async def create_invoice(request: Request, access: AccessContext = Depends(scope)) -> Response:
    ctx = http.context(request, access)
    invoice = invoice_actions.post_invoice(ctx, await http.body(request, "Invoice"))
    return http.single("Invoice", invoice_views.invoice_view(ctx, invoice), status=201)


@router.get("/invoices/{number}")
async def get_invoice(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    invoice = invoices.get_invoice(ctx, number)
    return http.single("Invoice", invoice_views.invoice_view(ctx, invoice))


@router.put("/invoices/{number}")
async def update_invoice(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    invoices.get_invoice(ctx, number)
    clears = http.clears_on_null(request)
    fields = invoices.typed_update(await http.body(request, "Invoice"), clears=clears)
    invoice = invoice_actions.put_invoice(ctx, number, fields)
    return http.single("Invoice", invoice_views.invoice_view(ctx, invoice))


def _action(name: str, apply: Callable[[Ctx, str], dict[str, Any]]) -> Callable[..., Any]:
    async def endpoint(
        number: str, request: Request, access: AccessContext = Depends(scope)
    ) -> Response:
        ctx = http.context(request, access)
        return http.single("Invoice", invoice_views.invoice_view(ctx, apply(ctx, number)))

    endpoint.__name__ = f"{name}_invoice"
    return endpoint


router.put("/invoices/{number}/bookkeep")(_action("bookkeep", invoice_actions.bookkeep))
router.put("/invoices/{number}/cancel")(_action("cancel", invoice_actions.cancel))
router.put("/invoices/{number}/credit")(_action("credit", invoice_actions.credit))
router.put("/invoices/{number}/externalprint")(
    _action("externalprint", invoice_actions.external_print)
)
