"""A Fortnox company (tenant) and everything stored in it.

The REST resources keep their entities here, as dicts with Fortnox's own field names (money as
``Decimal``); the OAuth side only needs the company's users and licences. Every entity change
bumps its last-modified time from the sandbox clock (``touch``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

ALL_LICENCES = (
    "api",
    "companyinformation",
    "customer",
    "article",
    "invoice",
    "bookkeeping",
    "payment",
    "settings",
)

# Which licence a scope needs; "api" (the integration licence) is needed for every call.
LICENCE_FOR_SCOPE = {
    "companyinformation": "companyinformation",
    "customer": "customer",
    "article": "article",
    "invoice": "invoice",
    "bookkeeping": "bookkeeping",
    "payment": "payment",
    "settings": "settings",
}


@dataclass
class SandboxUser:
    user_id: int
    username: str
    password: str
    sysadmin: bool = False


@dataclass
class Company:
    tenant_id: int
    name: str
    organisation_number: str
    address: str = ""
    zip_code: str = ""
    city: str = ""
    licences: set[str] = field(default_factory=lambda: set(ALL_LICENCES))
    users: dict[str, SandboxUser] = field(default_factory=dict)
    # Entity stores, keyed by Fortnox number (as strings, the way Fortnox shows them).
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Financial years by id, and the chart of accounts per financial-year id.
    financial_years: dict[int, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    # Numbers ever used (Fortnox never hands out a deleted customer's number again).
    used_customer_numbers: set[str] = field(default_factory=set)
    # Last-modified time per entity kind ("customers", "accounts/2", …) and number.
    last_modified: dict[str, dict[str, dt.datetime]] = field(default_factory=dict)
    # Number series: "invoice", "row", "payment", "voucher/B/2", …
    counters: dict[str, int] = field(default_factory=dict)
    # How invoices are numbered automatically (``resources.numbering``); a control-plane choice.
    invoice_numbering: str = "lowest_free"

    def touch(self, kind: str, number: str, at: dt.datetime) -> None:
        self.last_modified.setdefault(kind, {})[number] = at

    def modified_at(self, kind: str, number: str) -> dt.datetime | None:
        return self.last_modified.get(kind, {}).get(number)

    def next_in_series(self, series: str, *, start: int = 1) -> int:
        value = self.counters.get(series, start)
        self.counters[series] = value + 1
        return value

    def public_view(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "name": self.name,
            "organisation_number": self.organisation_number,
            "address": self.address,
            "zip_code": self.zip_code,
            "city": self.city,
            "licences": sorted(self.licences),
            "invoice_numbering": self.invoice_numbering,
            "users": [
                {"user_id": u.user_id, "username": u.username, "sysadmin": u.sysadmin}
                for u in self.users.values()
            ],
        }
