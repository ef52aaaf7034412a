"""A Fortnox company (tenant) and everything stored in it.

The REST resources keep their entities here; the OAuth side only needs the company's users and
licences. Every entity change bumps its last-modified time from the sandbox clock.
"""

from __future__ import annotations

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

    def public_view(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "name": self.name,
            "organisation_number": self.organisation_number,
            "address": self.address,
            "zip_code": self.zip_code,
            "city": self.city,
            "licences": sorted(self.licences),
            "users": [
                {"user_id": u.user_id, "username": u.username, "sysadmin": u.sysadmin}
                for u in self.users.values()
            ],
        }
