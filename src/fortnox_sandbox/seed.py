"""Seeding a new company: BAS chart of accounts for this and last financial year, settings."""

from __future__ import annotations

import datetime as dt

from fortnox_sandbox.tenants import Company


def seed_company(company: Company, *, today: dt.date) -> None:
    """Fill financial years, the chart of accounts and default settings (terms 30, price list A)."""
    company.settings.setdefault("TermsOfPayment", "30")
    company.settings.setdefault("PriceList", "A")
