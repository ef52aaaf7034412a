"""Seeding a new company: BAS chart of accounts for this and last financial year, settings."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from fortnox_sandbox.tenants import Company

ACCOUNT_CHART_TYPE = "BAS 2024"

# (number, description, VAT code, SRU) — a BAS subset covering what an invoicing company uses.
# VAT codes as Fortnox shows them: MP1/MP2/MP3 sales 25/12/6 %, MF exempt sales, U1/U2/U3
# output VAT, I input VAT.
BAS_ACCOUNTS: tuple[tuple[int, str, str, int], ...] = (
    (1210, "Maskiner och andra tekniska anläggningar", "", 7215),
    (1250, "Datorer", "", 7215),
    (1510, "Kundfordringar", "", 7251),
    (1630, "Avräkning för skatter och avgifter (skattekonto)", "", 7261),
    (1910, "Kassa", "", 7281),
    (1920, "PlusGiro", "", 7281),
    (1930, "Företagskonto/checkkonto/affärskonto", "", 7281),
    (1940, "Övriga bankkonton", "", 7281),
    (2081, "Aktiekapital", "", 7301),
    (2091, "Balanserad vinst eller förlust", "", 7302),
    (2099, "Årets resultat", "", 7302),
    (2440, "Leverantörsskulder", "", 7365),
    (2611, "Utgående moms på försäljning inom Sverige, 25 %", "U1", 7369),
    (2614, "Utgående moms omvänd skattskyldighet, 25 %", "U1", 7369),
    (2621, "Utgående moms på försäljning inom Sverige, 12 %", "U2", 7369),
    (2631, "Utgående moms på försäljning inom Sverige, 6 %", "U3", 7369),
    (2641, "Debiterad ingående moms", "I", 7369),
    (2650, "Redovisningskonto för moms", "", 7369),
    (2710, "Personalskatt", "", 7369),
    (2731, "Avräkning lagstadgade sociala avgifter", "", 7369),
    (2890, "Övriga kortfristiga skulder", "", 7369),
    (3000, "Försäljning inom Sverige", "MP1", 7410),
    (3001, "Försäljning inom Sverige, 25 % moms", "MP1", 7410),
    (3002, "Försäljning inom Sverige, 12 % moms", "MP2", 7410),
    (3003, "Försäljning inom Sverige, 6 % moms", "MP3", 7410),
    (3004, "Försäljning inom Sverige, momsfri", "MF", 7410),
    (3040, "Försäljning av tjänster", "MP1", 7410),
    (3041, "Försäljning tjänster 25 % sv", "MP1", 7410),
    (3042, "Försäljning tjänster 12 % sv", "MP2", 7410),
    (3043, "Försäljning tjänster 6 % sv", "MP3", 7410),
    (3044, "Försäljning tjänster, momsfri", "MF", 7410),
    (3105, "Försäljning varor till land utanför EU", "", 7410),
    (3106, "Försäljning varor till annat EU-land, momsfri", "", 7410),
    (3108, "Försäljning tjänster till annat EU-land", "", 7410),
    (3305, "Försäljning tjänster till land utanför EU", "", 7410),
    (3540, "Faktureringsavgifter", "MP1", 7410),
    (3590, "Övriga sidointäkter", "MP1", 7410),
    (3730, "Lämnade rabatter", "", 7410),
    (3740, "Öres- och kronutjämning", "", 7410),
    (3960, "Valutakursvinster på fordringar och skulder av rörelsekaraktär", "", 7410),
    (4000, "Inköp av varor från Sverige", "I", 7511),
    (4010, "Inköp material och varor", "I", 7511),
    (5010, "Lokalhyra", "I", 7513),
    (5410, "Förbrukningsinventarier", "I", 7513),
    (6110, "Kontorsmateriel", "I", 7513),
    (6212, "Mobiltelefon", "I", 7513),
    (6570, "Bankkostnader", "", 7513),
    (7210, "Löner till tjänstemän", "", 7514),
    (7510, "Arbetsgivaravgifter", "", 7514),
    (7960, "Valutakursförluster på fordringar och skulder av rörelsekaraktär", "", 7513),
    (8313, "Ränteintäkter från kundfordringar", "", 7416),
    (8410, "Räntekostnader för långfristiga skulder", "", 7522),
    (8999, "Årets resultat", "", 7450),
)

# Predefined accounts ("Förvalda konton") and registers a new Fortnox company starts with.
DEFAULT_SETTINGS: dict[str, Any] = {
    "TermsOfPayment": "30",
    "PriceList": "A",
    "TermsOfPaymentDays": {"0": 0, "10": 10, "15": 15, "20": 20, "30": 30, "45": 45, "60": 60},
    "PriceLists": ["A"],
    "Currencies": ["SEK", "EUR", "USD", "NOK", "DKK", "GBP"],
    "SalesAccountByVAT": {25: 3001, 12: 3002, 6: 3003, 0: 3004},
    "OutputVATAccountByVAT": {25: 2611, 12: 2621, 6: 2631},
    "ReceivablesAccount": 1510,
    "RoundOffAccount": 3740,
    "InvoiceFeeAccount": 3540,
    "BankAccount": 1930,
    "PurchaseAccount": 4000,
    "VoucherSeriesInvoice": "B",
    "VoucherSeriesPayment": "C",
}


def account_entity(
    number: int, description: str, vat_code: str, sru: int, year_id: int
) -> dict[str, Any]:
    """An account as ``GET /3/accounts/{n}`` shows it (without ``@url``)."""
    return {
        "Active": True,
        "BalanceBroughtForward": Decimal("0"),
        "BalanceCarriedForward": Decimal("0"),
        "CostCenter": "",
        "CostCenterSettings": "ALLOWED",
        "Description": description,
        "Number": number,
        "OpeningQuantities": [],
        "Project": "",
        "ProjectSettings": "ALLOWED",
        "QuantitySettings": "NOTALLOWED",
        "QuantityUnit": "",
        "SRU": sru,
        "TransactionInformation": "",
        "TransactionInformationSettings": "ALLOWED",
        "VATCode": vat_code,
        "Year": year_id,
    }


def add_financial_year(company: Company, *, year: int, chart: dict[str, dict[str, Any]]) -> int:
    """A calendar financial year with a copy of ``chart``; returns its id."""
    year_id = max(company.financial_years, default=0) + 1
    company.financial_years[year_id] = {
        "Id": year_id,
        "FromDate": dt.date(year, 1, 1).isoformat(),
        "ToDate": dt.date(year, 12, 31).isoformat(),
        "AccountChartType": ACCOUNT_CHART_TYPE,
        "AccountingMethod": "ACCRUAL",
    }
    company.accounts[year_id] = {
        number: {**account, "Year": year_id, "OpeningQuantities": []}
        for number, account in chart.items()
    }
    return year_id


def bas_chart() -> dict[str, dict[str, Any]]:
    return {
        str(number): account_entity(number, description, vat_code, sru, 0)
        for number, description, vat_code, sru in BAS_ACCOUNTS
    }


def ensure_settings(company: Company) -> None:
    """Fortnox's registers and predefined accounts, for settings the company does not have."""
    for key, value in DEFAULT_SETTINGS.items():
        company.settings.setdefault(key, copy.deepcopy(value))


def seed_company(company: Company, *, today: dt.date) -> None:
    """Fill financial years, the chart of accounts and default settings (terms 30, price list A)."""
    ensure_settings(company)
    if not company.financial_years:
        for year in (today.year - 1, today.year):
            add_financial_year(company, year=year, chart=bas_chart())
