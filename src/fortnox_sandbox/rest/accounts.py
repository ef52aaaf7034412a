"""`/3/accounts` and `/3/financialyears`: the chart of accounts per financial year."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fortnox_sandbox.auth import require_scope
from fortnox_sandbox.backend import AccessContext
from fortnox_sandbox.resources import ledger
from fortnox_sandbox.rest import http

router = APIRouter()
scope = require_scope("bookkeeping")


@router.get("/financialyears")
async def list_financial_years(
    request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    page = ledger.list_financial_years(ctx, http.query(request))
    items = [ledger.financial_year_view(ctx, year) for year in page.items]
    return http.listed("FinancialYears", page, items)


@router.post("/financialyears")
async def create_financial_year(
    request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    year = ledger.create_financial_year(ctx, await http.body(request, "FinancialYear"))
    return http.single("FinancialYear", ledger.financial_year_view(ctx, year), status=201)


@router.get("/financialyears/{year_id}")
async def get_financial_year(
    year_id: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    year = ledger.get_financial_year(ctx, year_id)
    return http.single("FinancialYear", ledger.financial_year_view(ctx, year))


@router.get("/accounts")
async def list_accounts(request: Request, access: AccessContext = Depends(scope)) -> Response:
    ctx = http.context(request, access)
    page = ledger.list_accounts(ctx, http.query(request))
    items = [ledger.account_list_item(ctx, account) for account in page.items]
    return http.listed("Accounts", page, items)


@router.get("/accounts/{number}")
async def get_account(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    year_id = ledger.year_from_params(ctx, http.query(request))
    account = ledger.get_account(ctx, year_id, number)
    return http.single("Account", ledger.account_view(ctx, account))


@router.put("/accounts/{number}")
async def update_account(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    year_id = ledger.year_from_params(ctx, http.query(request))
    ledger.get_account(ctx, year_id, number)
    account = ledger.update_account(ctx, year_id, number, await http.body(request, "Account"))
    return http.single("Account", ledger.account_view(ctx, account))
