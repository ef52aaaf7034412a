"""`/3/invoicepayments`: list by invoice, create, get, update, delete, bookkeep."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fortnox_sandbox.auth import require_scope
from fortnox_sandbox.backend import AccessContext
from fortnox_sandbox.resources import payments
from fortnox_sandbox.rest import http

router = APIRouter()
scope = require_scope("payment")
WRAPPER = "InvoicePayment"


@router.get("/invoicepayments")
async def list_payments(request: Request, access: AccessContext = Depends(scope)) -> Response:
    ctx = http.context(request, access)
    page = payments.list_payments(ctx, http.query(request))
    items = [payments.payment_list_item(ctx, p) for p in page.items]
    return http.listed("InvoicePayments", page, items)


@router.post("/invoicepayments")
async def create_payment(request: Request, access: AccessContext = Depends(scope)) -> Response:
    ctx = http.context(request, access)
    payment = payments.create_payment(ctx, await http.body(request, WRAPPER))
    return http.single(WRAPPER, payments.payment_view(ctx, payment), status=201)


@router.get("/invoicepayments/{number}")
async def get_payment(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    return http.single(WRAPPER, payments.payment_view(ctx, payments.get_payment(ctx, number)))


@router.put("/invoicepayments/{number}")
async def update_payment(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    payments.get_payment(ctx, number)
    payment = payments.update_payment(ctx, number, await http.body(request, WRAPPER))
    return http.single(WRAPPER, payments.payment_view(ctx, payment))


@router.delete("/invoicepayments/{number}")
async def delete_payment(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    payments.delete_payment(http.context(request, access), number)
    return http.no_content()


@router.put("/invoicepayments/{number}/bookkeep")
async def bookkeep_payment(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    return http.single(WRAPPER, payments.payment_view(ctx, payments.bookkeep_payment(ctx, number)))
