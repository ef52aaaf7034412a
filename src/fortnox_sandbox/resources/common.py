"""What every resource's rules need: the company, the sandbox's "now", and absolute ``@url``s."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fortnox_sandbox.backend import SandboxBackend
from fortnox_sandbox.errors import VALID_IDENTIFIER_MISSING, FortnoxApiError
from fortnox_sandbox.seed import ensure_settings
from fortnox_sandbox.tenants import Company

# Where ``@url`` points when no request tells us the sandbox's own address (inside actions).
DEFAULT_BASE_URL = "https://api.fortnox.se"
BASE_URL_EXTENSION = "rest.base_url"


@dataclass
class Ctx:
    """One operation on one company: the moment it happens and the base of ``@url``."""

    company: Company
    now: dt.datetime  # Swedish local time, from the sandbox clock
    base_url: str

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def url(self, path: str) -> str:
        return f"{self.base_url}/3/{path}"

    def touch(self, kind: str, number: str) -> None:
        self.company.touch(kind, number, self.now)


def context_for(backend: SandboxBackend, company: Company, base_url: str | None = None) -> Ctx:
    # A company created without seeding still has Fortnox's registers and predefined accounts.
    ensure_settings(company)
    base = base_url or backend.extensions.get(BASE_URL_EXTENSION) or DEFAULT_BASE_URL
    return Ctx(company=company, now=backend.clock.now_local(), base_url=str(base).rstrip("/"))


def company_of(backend: SandboxBackend, tenant_id: int) -> Company:
    company = backend.companies.get(tenant_id)
    if company is None:
        raise FortnoxApiError(404, VALID_IDENTIFIER_MISSING, "A valid identifier was not provided.")
    return company
