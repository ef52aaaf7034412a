"""`/3/customers`: list/search, create, get, partial update, delete."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fortnox_sandbox.auth import require_scope
from fortnox_sandbox.backend import AccessContext
from fortnox_sandbox.resources import customers
from fortnox_sandbox.rest import http

router = APIRouter()
scope = require_scope("customer")


@router.get("/customers")
async def list_customers(request: Request, access: AccessContext = Depends(scope)) -> Response:
    ctx = http.context(request, access)
    page = customers.list_customers(ctx, http.query(request))
    items = [customers.customer_list_item(ctx, c) for c in page.items]
    return http.listed("Customers", page, items)


@router.post("/customers")
async def create_customer(request: Request, access: AccessContext = Depends(scope)) -> Response:
    ctx = http.context(request, access)
    customer = customers.create_customer(ctx, await http.body(request, "Customer"))
    return http.single("Customer", customers.customer_view(ctx, customer), status=201)


@router.get("/customers/{number}")
async def get_customer(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    customer = customers.get_customer(ctx, number)
    return http.single("Customer", customers.customer_view(ctx, customer))


@router.put("/customers/{number}")
async def update_customer(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    customers.get_customer(ctx, number)  # 404 before looking at the body, as Fortnox does
    customer = customers.update_customer(
        ctx, number, await http.body(request, "Customer"), clears=http.clears_on_null(request)
    )
    return http.single("Customer", customers.customer_view(ctx, customer))


@router.delete("/customers/{number}")
async def delete_customer(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    customers.delete_customer(http.context(request, access), number)
    return http.no_content()
