"""``FortnoxClient``: the typed async client of the Fortnox REST API, one per connection.

It holds no global state: the ``httpx.AsyncClient``, the base URL, the access-token provider and
the pacer are given to it. Resources hang off it the way they do in stripe-python::

    client = FortnoxClient(http, base_url=..., token_provider=..., pacer=..., pacing_key=...)
    company = await client.company_information()
    matches = await client.customers.find_by_organisation_number("556677-8899")
    invoice = await client.invoices.create(Invoice(customer_number="1", invoice_rows=[...]))
"""

from __future__ import annotations

import httpx

from sgx.fortnox.invoices import Invoices
from sgx.fortnox.pacing import Pacer, PacingKey
from sgx.fortnox.resources import Accounts, Articles, Customers, FinancialYears, InvoicePayments
from sgx.fortnox.schemas import CompanyInformation
from sgx.fortnox.transport import ApiTransport, TokenProvider, read_entity

FORTNOX_API_BASE_URL = "https://api.fortnox.se"


class FortnoxClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str = FORTNOX_API_BASE_URL,
        token_provider: TokenProvider,
        pacer: Pacer,
        pacing_key: PacingKey,
    ) -> None:
        self._api = ApiTransport(
            http,
            base_url=base_url,
            token_provider=token_provider,
            pacer=pacer,
            pacing_key=pacing_key,
        )
        self.customers = Customers(self._api)
        self.articles = Articles(self._api)
        self.financial_years = FinancialYears(self._api)
        self.accounts = Accounts(self._api)
        self.invoices = Invoices(self._api)
        self.invoice_payments = InvoicePayments(self._api)

    @property
    def pacing_key(self) -> PacingKey:
        return self._api.pacing_key

    async def company_information(self) -> CompanyInformation:
        """The connected company: name, organisation number, ``DatabaseNumber`` (= tenant id)."""
        data = await self._api.call("GET", "companyinformation")
        return read_entity(data, "CompanyInformation", CompanyInformation)
