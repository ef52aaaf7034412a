"""Financial years and the chart of accounts, which exists once per financial year.

An account used by an invoice row (or a customer/article default) must exist and be active in
the financial year of the date it is used on: 2001304 "Kunde inte hitta konto" / 2000550.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from fortnox_sandbox import listing, wire
from fortnox_sandbox.errors import (
    ACCOUNT_NOT_ACTIVE,
    ACCOUNT_NOT_FOUND,
    COULD_NOT_FIND_ACCOUNT,
    INVALID_PARAMETER,
    FortnoxApiError,
)
from fortnox_sandbox.resources.common import Ctx
from fortnox_sandbox.seed import add_financial_year
from fortnox_sandbox.tenants import Company

VAT_BY_CODE = {"MP1": 25, "MP2": 12, "MP3": 6, "MF": 0}

ACCOUNT_LIST_FIELDS = (
    "Active",
    "BalanceBroughtForward",
    "CostCenter",
    "CostCenterSettings",
    "Description",
    "Number",
    "Project",
    "ProjectSettings",
    "SRU",
    "VATCode",
    "Year",
)
# Schema fields that are not part of the write payload are read-only ("Year", …).
ACCOUNT_READ_ONLY = ("Number",)


# ---- financial years ---------------------------------------------------------------------


def year_for_date(company: Company, day: dt.date) -> int | None:
    for year_id, year in company.financial_years.items():
        if year["FromDate"] <= day.isoformat() <= year["ToDate"]:
            return year_id
    return None


def current_year_id(ctx: Ctx) -> int:
    """The year containing today; without one, the latest year (Fortnox's "current year")."""
    found = year_for_date(ctx.company, ctx.today)
    if found is not None:
        return found
    if not ctx.company.financial_years:
        raise wire.invalid("Räkenskapsår saknas.")
    return max(ctx.company.financial_years)


def require_year_for(company: Company, day: dt.date) -> int:
    found = year_for_date(company, day)
    if found is None:
        # Fortnox's code for this is not documented (UNCONFIRMED): answered as a bad parameter.
        raise wire.invalid(f"Räkenskapsår saknas för datumet {day.isoformat()}.")
    return found


def year_from_params(ctx: Ctx, params: Mapping[str, str]) -> int:
    """``financialyear`` (id) or ``financialyeardate`` picks the year; default the current one."""
    if params.get("financialyear"):
        raw = params["financialyear"]
        if not raw.isdigit() or int(raw) not in ctx.company.financial_years:
            raise wire.invalid("Ogiltig parameter i anropet.")
        return int(raw)
    if params.get("financialyeardate"):
        day = wire.parse_date(params["financialyeardate"], field="financialyeardate")
        return require_year_for(ctx.company, day)
    return current_year_id(ctx)


def financial_year_view(ctx: Ctx, year: dict[str, Any]) -> dict[str, Any]:
    return {"@url": ctx.url(f"financialyears/{year['Id']}"), **wire.plain(year)}


def get_financial_year(ctx: Ctx, year_id: str) -> dict[str, Any]:
    if not year_id.isdigit() or int(year_id) not in ctx.company.financial_years:
        raise FortnoxApiError(404, INVALID_PARAMETER, "Kan inte hitta räkenskapsåret.")
    return ctx.company.financial_years[int(year_id)]


def list_financial_years(ctx: Ctx, params: Mapping[str, str]) -> listing.Page:
    years = list(ctx.company.financial_years.values())
    day_text = params.get("date") or params.get("Date")
    if day_text:
        day = wire.parse_date(day_text, field="date")
        years = [y for y in years if y["FromDate"] <= day.isoformat() <= y["ToDate"]]
    rules = listing.ListRules(default_sort=lambda year: year["Id"])
    return listing.select(years, {}, rules, modified_at=lambda year: None)


def create_financial_year(ctx: Ctx, payload: dict[str, Any]) -> dict[str, Any]:
    """A new year; its chart is copied from the latest year before it (as Fortnox offers)."""
    fields = wire.check_fields(payload, "fortnox_FinancialYear", read_only=("@url", "Id"))
    if "FromDate" not in fields or "ToDate" not in fields:
        raise wire.invalid("FromDate och ToDate måste anges.")
    start = wire.parse_date(fields["FromDate"], field="FromDate")
    end = wire.parse_date(fields["ToDate"], field="ToDate")
    if end < start or any(
        y["FromDate"] <= end.isoformat() and start.isoformat() <= y["ToDate"]
        for y in ctx.company.financial_years.values()
    ):
        raise wire.invalid("Räkenskapsåret överlappar ett befintligt räkenskapsår.")
    earlier = [i for i, y in ctx.company.financial_years.items() if y["ToDate"] < start.isoformat()]
    source = max(earlier) if earlier else max(ctx.company.financial_years, default=None)
    chart = ctx.company.accounts.get(source, {}) if source is not None else {}
    year_id = add_financial_year(ctx.company, year=start.year, chart=chart)
    year = ctx.company.financial_years[year_id]
    year.update(FromDate=start.isoformat(), ToDate=end.isoformat())
    for key in ("AccountChartType", "AccountingMethod"):
        if key in fields:
            year[key] = fields[key]
    ctx.touch("financialyears", str(year_id))
    return year


# ---- accounts ----------------------------------------------------------------------------


def account_in(company: Company, year_id: int, number: Any) -> dict[str, Any] | None:
    return company.accounts.get(year_id, {}).get(str(number))


def require_active_account(company: Company, year_id: int, number: Any) -> dict[str, Any]:
    """The account for a booking in ``year_id``: 2001304 if missing, 2000550 if inactive."""
    account = account_in(company, year_id, number)
    if account is None:
        raise wire.bad_request(COULD_NOT_FIND_ACCOUNT, "Kunde inte hitta konto")
    if not account["Active"]:
        raise wire.bad_request(ACCOUNT_NOT_ACTIVE, f'Konto "{number}" är inte aktivt')
    return account


def require_register_account(ctx: Ctx, number: Any, field: str) -> None:
    """Default accounts on customers and articles must exist in the current year."""
    year_id = current_year_id(ctx)
    if account_in(ctx.company, year_id, number) is None:
        raise wire.bad_request(ACCOUNT_NOT_FOUND, f'Kontot "{number}" existerar inte. ({field})')


def vat_of_account(company: Company, year_id: int, number: Any) -> int | None:
    account = account_in(company, year_id, number)
    return VAT_BY_CODE.get(account["VATCode"]) if account else None


def get_account(ctx: Ctx, year_id: int, number: str) -> dict[str, Any]:
    account = account_in(ctx.company, year_id, number)
    if account is None:
        raise FortnoxApiError(404, ACCOUNT_NOT_FOUND, "Kan inte hitta kontot.")
    return account


def account_view(ctx: Ctx, account: dict[str, Any]) -> dict[str, Any]:
    return {"@url": ctx.url(f"accounts/{account['Number']}"), **wire.plain(account)}


def account_list_item(ctx: Ctx, account: dict[str, Any]) -> dict[str, Any]:
    view = account_view(ctx, account)
    return {key: view[key] for key in ("@url", *ACCOUNT_LIST_FIELDS)}


def list_accounts(ctx: Ctx, params: Mapping[str, str]) -> listing.Page:
    year_id = year_from_params(ctx, params)
    accounts = list(ctx.company.accounts.get(year_id, {}).values())
    rules = listing.ListRules(
        searches={"sru": lambda account: account["SRU"]},
        sort_keys={"number": lambda account: account["Number"]},
        default_sort=lambda account: account["Number"],
    )
    kind = f"accounts/{year_id}"
    return listing.select(
        accounts,
        params,
        rules,
        modified_at=lambda account: ctx.company.modified_at(kind, str(account["Number"])),
    )


def update_account(ctx: Ctx, year_id: int, number: str, payload: dict[str, Any]) -> dict[str, Any]:
    """PUT: a partial update; the number of an existing account cannot change."""
    account = get_account(ctx, year_id, number)
    fields = wire.check_fields(payload, "fortnox_AccountPayload")
    if "Number" in fields and str(fields.pop("Number")) != str(account["Number"]):
        raise wire.invalid("Kontonumret kan inte ändras. (Number)")
    account.update(fields)
    ctx.touch(f"accounts/{year_id}", str(account["Number"]))
    return account


def deactivate_account(ctx: Ctx, number: Any, year_id: int | None) -> dict[str, Any]:
    year = year_id if year_id is not None else current_year_id(ctx)
    if year not in ctx.company.financial_years:
        raise wire.invalid("Ogiltig parameter i anropet.")
    return update_account(ctx, year, str(number), {"Active": False})
