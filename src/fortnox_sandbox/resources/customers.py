"""Customers: the register invoices are sent to.

Fortnox does not deduplicate (five identical customers are five customers). ``CustomerNumber`` is
the caller's or the next in the series; a number ever used, even by a deleted customer, is
refused with 2000637. PUT is a partial update and cannot renumber a customer; in it ``""``
leaves a field as it was and ``null`` clears it, except the required ``Name``, whose ``null``
is refused with "Kundnamn kan inte vara tomt" (recorded; the code is UNCONFIRMED, 2000588 here).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fortnox_sandbox import listing, spec, wire
from fortnox_sandbox.errors import (
    CURRENCY_NOT_FOUND,
    CUSTOMER_NOT_FOUND,
    CUSTOMER_NUMBER_USED,
    PRICE_LIST_NOT_FOUND,
    TERMS_OF_PAYMENT_NOT_FOUND,
    FortnoxApiError,
)
from fortnox_sandbox.resources import ledger
from fortnox_sandbox.resources.common import Ctx

KIND = "customers"
READ_ONLY = ("@url", "Country")
LIST_FIELDS = (
    "Address1",
    "Address2",
    "City",
    "CustomerNumber",
    "Email",
    "Name",
    "OrganisationNumber",
    "ZipCode",
)
COUNTRY_NAMES = {
    "SE": "Sverige",
    "NO": "Norge",
    "DK": "Danmark",
    "FI": "Finland",
    "IS": "Island",
    "DE": "Tyskland",
    "GB": "Storbritannien",
    "US": "USA",
}
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
# Swedish organisation or personal numbers, with or without hyphen, 10 or 12 digits.
_ORGANISATION_NUMBER = re.compile(r"^(\d{6}|\d{8})[-+]?\d{4}$")

DEFAULTS: dict[str, Any] = {
    "Active": True,
    "Currency": "SEK",
    "Type": "COMPANY",
    "VATType": "SEVAT",
    "PriceList": "A",
    "ShowPriceVATIncluded": False,
    "DefaultDeliveryTypes": {"Invoice": "PRINT", "Offer": "PRINT", "Order": "PRINT"},
    "DefaultTemplates": {
        "CashInvoice": "DEFAULTTEMPLATE",
        "Invoice": "DEFAULTTEMPLATE",
        "Offer": "DEFAULTTEMPLATE",
        "Order": "DEFAULTTEMPLATE",
    },
}
# OBSERVED: a new customer shows "" for its e-mail fields and null for most other text.
EMPTY_STRING_FIELDS = tuple(
    name for name in spec.schema("fortnox_Customer")["properties"] if name.startswith("Email")
)


def _blank_customer() -> dict[str, Any]:
    customer: dict[str, Any] = dict.fromkeys(spec.schema("fortnox_Customer")["properties"])
    del customer["@url"]
    customer.update(dict.fromkeys(EMPTY_STRING_FIELDS, ""))
    customer.update({key: _copy(value) for key, value in DEFAULTS.items()})
    return customer


def _copy(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


def get_customer(ctx: Ctx, number: str) -> dict[str, Any]:
    customer = ctx.company.customers.get(str(number))
    if customer is None:
        raise FortnoxApiError(404, CUSTOMER_NOT_FOUND, "Kan inte hitta kunden.")
    return customer


def create_customer(ctx: Ctx, payload: dict[str, Any]) -> dict[str, Any]:
    fields = wire.check_fields(payload, "fortnox_Customer", read_only=READ_ONLY)
    if not fields.get("Name"):
        raise wire.invalid("Kunden måste ha ett namn. (Name)")
    number = fields.pop("CustomerNumber", "") or _next_number(ctx)
    if number in ctx.company.used_customer_numbers:
        raise wire.bad_request(
            CUSTOMER_NUMBER_USED,
            f"Kundnummer {number} används redan. Kundnumret har redan använts men blivit raderat.",
        )
    customer = _blank_customer()
    _apply(ctx, customer, fields)
    customer["CustomerNumber"] = number
    ctx.company.customers[number] = customer
    ctx.company.used_customer_numbers.add(number)
    ctx.touch(KIND, number)
    return customer


def _next_number(ctx: Ctx) -> str:
    numeric = [int(n) for n in ctx.company.used_customer_numbers if n.isdigit()]
    return str(max(numeric, default=0) + 1)


def update_customer(
    ctx: Ctx, number: str, payload: dict[str, Any], *, clears: bool = True
) -> dict[str, Any]:
    """PUT; ``clears`` False reads ``null`` as absent (a fault plan's ``keep_on_null``)."""
    customer = get_customer(ctx, number)
    fields = wire.check_fields(payload, "fortnox_Customer", read_only=READ_ONLY, update=True)
    if not clears:
        fields = {name: value for name, value in fields.items() if value is not None}
    if "CustomerNumber" in fields and fields.pop("CustomerNumber") != customer["CustomerNumber"]:
        raise wire.invalid("Kundnumret kan inte ändras. (CustomerNumber)")
    if "Name" in fields and fields["Name"] is None:
        raise wire.invalid("Kundnamn kan inte vara tomt")
    _apply(ctx, customer, fields)
    ctx.touch(KIND, customer["CustomerNumber"])
    return customer


def delete_customer(ctx: Ctx, number: str) -> None:
    customer = get_customer(ctx, number)
    number = customer["CustomerNumber"]
    if any(i["CustomerNumber"] == number for i in ctx.company.invoices.values()):
        # ASSUMPTION: Fortnox keeps customers that have invoices.
        raise wire.invalid("Kunden har fakturor och kan inte tas bort.")
    del ctx.company.customers[customer["CustomerNumber"]]
    ctx.touch(KIND, customer["CustomerNumber"])


def _apply(ctx: Ctx, customer: dict[str, Any], fields: dict[str, Any]) -> None:
    """Check the values that must refer to something, then merge them into ``customer``."""
    for name, value in fields.items():
        if name.startswith("Email") and value and not _EMAIL.match(value):
            raise wire.invalid(f"Ogiltig e-postadress. ({name})")
    org = fields.get("OrganisationNumber")
    country = fields.get("CountryCode", customer["CountryCode"]) or "SE"
    if org and country == "SE" and not _ORGANISATION_NUMBER.match(org):
        raise wire.invalid("Ogiltigt organisationsnummer. (OrganisationNumber)")
    settings = ctx.company.settings
    if fields.get("Currency") and fields["Currency"] not in settings["Currencies"]:
        raise wire.bad_request(CURRENCY_NOT_FOUND, "Kunde inte hitta valuta")
    if (
        fields.get("TermsOfPayment")
        and fields["TermsOfPayment"] not in settings["TermsOfPaymentDays"]
    ):
        raise wire.bad_request(TERMS_OF_PAYMENT_NOT_FOUND, "Kunde inte hitta betalningsvillkor")
    if fields.get("PriceList") and fields["PriceList"] not in settings["PriceLists"]:
        raise wire.bad_request(PRICE_LIST_NOT_FOUND, "Kunde inte hitta prislista")
    if fields.get("SalesAccount"):
        ledger.require_register_account(ctx, fields["SalesAccount"], "SalesAccount")
    for name in EMPTY_STRING_FIELDS:
        if name in fields and fields[name] is None:
            fields[name] = ""  # ASSUMPTION: a cleared e-mail reads "" like one never set
    for name in ("DefaultDeliveryTypes", "DefaultTemplates"):
        if name in fields:
            fields[name] = {**(customer[name] or {}), **fields[name]}
    customer.update(fields)
    if "CountryCode" in fields:
        code = (fields["CountryCode"] or "").upper() or None
        customer["CountryCode"] = code
        customer["Country"] = COUNTRY_NAMES.get(code, code) if code else None


def customer_view(ctx: Ctx, customer: dict[str, Any]) -> dict[str, Any]:
    view = {"@url": ctx.url(f"customers/{customer['CustomerNumber']}"), **wire.plain(customer)}
    # OBSERVED: written as a string, read back as a number (3001).
    account = view.get("SalesAccount")
    if isinstance(account, str) and account.isdigit():
        view["SalesAccount"] = int(account)
    return view


def customer_list_item(ctx: Ctx, customer: dict[str, Any]) -> dict[str, Any]:
    item = {"@url": ctx.url(f"customers/{customer['CustomerNumber']}")}
    item.update({key: customer[key] for key in LIST_FIELDS})
    item["Phone"] = customer["Phone1"]  # the list says Phone, the customer itself Phone1
    return item


LIST_RULES = listing.ListRules(
    searches={
        "customernumber": lambda c: c["CustomerNumber"],
        "name": lambda c: c["Name"],
        "zipcode": lambda c: c["ZipCode"],
        "city": lambda c: c["City"],
        "email": lambda c: c["Email"],
        "phone": lambda c: c["Phone1"],
        "organisationnumber": lambda c: c["OrganisationNumber"],
        "gln": lambda c: c["GLN"],
        "glndelivery": lambda c: c["GLNDelivery"],
    },
    filters={"active": lambda c: bool(c["Active"]), "inactive": lambda c: not c["Active"]},
    sort_keys={
        "customernumber": lambda c: listing.natural_key(c["CustomerNumber"]),
        "name": lambda c: (c["Name"] or "").lower(),
    },
    default_sort=lambda c: listing.natural_key(c["CustomerNumber"]),
)


def list_customers(ctx: Ctx, params: Mapping[str, str]) -> listing.Page:
    return listing.select(
        list(ctx.company.customers.values()),
        params,
        LIST_RULES,
        modified_at=lambda c: ctx.company.modified_at(KIND, c["CustomerNumber"]),
    )
