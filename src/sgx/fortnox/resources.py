"""Customers, articles, the chart of accounts, financial years and invoice payments.

Each resource is a thin typed layer over ``ApiTransport``: ``search`` returns one page,
``iterate`` walks all pages, ``find_*`` post-filters Fortnox's substring search for exact
matches. Invoices have their own module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable

from sgx.fortnox.matching import (
    identity_search_term,
    same_identity_number,
    same_reference,
    same_text,
)
from sgx.fortnox.schemas import (
    Account,
    Article,
    Customer,
    CustomerListItem,
    FinancialYear,
    InvoicePayment,
)
from sgx.fortnox.transport import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ApiTransport,
    Page,
    iterate_pages,
    page_params,
    read_entity,
    read_page,
)

LastModified = dt.datetime | dt.date | str | None


class Customers:
    """``/3/customers`` (scope ``customer``)."""

    def __init__(self, transport: ApiTransport) -> None:
        self._api = transport

    async def search(
        self,
        *,
        organisation_number: str | None = None,
        name: str | None = None,
        email: str | None = None,
        customer_number: str | None = None,
        last_modified: LastModified = None,
        filter: str | None = None,  # active | inactive
        page: int = 1,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> Page[CustomerListItem]:
        """One page of customers; every given field is a substring match (Fortnox's rule)."""
        params = {
            "organisationnumber": organisation_number,
            "name": name,
            "email": email,
            "customernumber": customer_number,
            "lastmodified": last_modified,
            "filter": filter,
            **page_params(page, limit),
        }
        data = await self._api.call("GET", "customers", params=params)
        return read_page(data, "Customers", CustomerListItem)

    def iterate(
        self,
        *,
        organisation_number: str | None = None,
        name: str | None = None,
        email: str | None = None,
        customer_number: str | None = None,
        last_modified: LastModified = None,
        filter: str | None = None,
    ) -> AsyncIterator[CustomerListItem]:
        async def fetch(page: int) -> Page[CustomerListItem]:
            return await self.search(
                organisation_number=organisation_number,
                name=name,
                email=email,
                customer_number=customer_number,
                last_modified=last_modified,
                filter=filter,
                page=page,
                limit=MAX_PAGE_SIZE,
            )

        return iterate_pages(fetch)

    async def find_by_organisation_number(
        self, number: str, *, only_active: bool = False
    ) -> list[CustomerListItem]:
        """Customers whose organisation/personal number is exactly ``number``, in any spelling;
        ``only_active`` leaves out those marked inactive (the list items do not say which)."""
        term = identity_search_term(number)
        return [
            customer
            async for customer in self.iterate(
                organisation_number=term, filter="active" if only_active else None
            )
            if same_identity_number(customer.organisation_number, number)
        ]

    async def find_by_name(self, name: str) -> list[CustomerListItem]:
        return [c async for c in self.iterate(name=name.strip()) if same_text(c.name, name)]

    async def find_by_email(self, email: str) -> list[CustomerListItem]:
        return [c async for c in self.iterate(email=email.strip()) if same_text(c.email, email)]

    async def find_by_customer_number(self, number: str) -> CustomerListItem | None:
        async for customer in self.iterate(customer_number=number.strip()):
            if same_reference(customer.customer_number, number):
                return customer
        return None

    async def get(self, customer_number: str) -> Customer:
        data = await self._api.call("GET", "customers", customer_number)
        return read_entity(data, "Customer", Customer)

    async def create(self, customer: Customer) -> Customer:
        data = await self._api.call("POST", "customers", body={"Customer": customer.to_wire()})
        return read_entity(data, "Customer", Customer)

    async def update(
        self, customer_number: str, changes: Customer, *, clear: Iterable[str] = ()
    ) -> Customer:
        """Partial update: the fields set in ``changes`` are sent, those in ``clear`` as null."""
        body = {"Customer": changes.to_wire(clear=clear)}
        data = await self._api.call("PUT", "customers", customer_number, body=body)
        return read_entity(data, "Customer", Customer)


class Articles:
    """``/3/articles`` (scope ``article``)."""

    def __init__(self, transport: ApiTransport) -> None:
        self._api = transport

    async def get(self, article_number: str) -> Article:
        data = await self._api.call("GET", "articles", article_number)
        return read_entity(data, "Article", Article)

    async def create(self, article: Article) -> Article:
        data = await self._api.call("POST", "articles", body={"Article": article.to_wire()})
        return read_entity(data, "Article", Article)

    async def update(self, article_number: str, changes: Article) -> Article:
        body = {"Article": changes.to_wire()}
        data = await self._api.call("PUT", "articles", article_number, body=body)
        return read_entity(data, "Article", Article)


class FinancialYears:
    """``/3/financialyears`` (scope ``bookkeeping``)."""

    def __init__(self, transport: ApiTransport) -> None:
        self._api = transport

    async def all(self, *, date: dt.date | None = None) -> list[FinancialYear]:
        async def fetch(page: int) -> Page[FinancialYear]:
            params = {"date": date, **page_params(page, MAX_PAGE_SIZE)}
            data = await self._api.call("GET", "financialyears", params=params)
            return read_page(data, "FinancialYears", FinancialYear)

        return [year async for year in iterate_pages(fetch)]

    async def for_date(self, date: dt.date) -> FinancialYear | None:
        """The financial year containing ``date``, or ``None`` if the company has none."""
        for year in await self.all(date=date):
            if year.from_date and year.to_date and year.from_date <= date <= year.to_date:
                return year
        return None


class Accounts:
    """``/3/accounts`` (scope ``bookkeeping``); accounts exist per financial year."""

    def __init__(self, transport: ApiTransport) -> None:
        self._api = transport

    async def search(
        self,
        *,
        financial_year: int | None = None,
        last_modified: LastModified = None,
        page: int = 1,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> Page[Account]:
        params = {
            "financialyear": financial_year,
            "lastmodified": last_modified,
            **page_params(page, limit),
        }
        data = await self._api.call("GET", "accounts", params=params)
        return read_page(data, "Accounts", Account)

    def iterate(self, *, financial_year: int | None = None) -> AsyncIterator[Account]:
        """The whole chart of accounts of ``financial_year`` (Fortnox's current year if None)."""

        async def fetch(page: int) -> Page[Account]:
            return await self.search(financial_year=financial_year, page=page, limit=MAX_PAGE_SIZE)

        return iterate_pages(fetch)

    async def get(self, number: int, *, financial_year: int | None = None) -> Account:
        params = {"financialyear": financial_year}
        data = await self._api.call("GET", "accounts", number, params=params)
        return read_entity(data, "Account", Account)


class InvoicePayments:
    """``/3/invoicepayments`` (scope ``payment``); read only here."""

    def __init__(self, transport: ApiTransport) -> None:
        self._api = transport

    async def search(
        self,
        *,
        invoice_number: str | int | None = None,
        last_modified: LastModified = None,
        page: int = 1,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> Page[InvoicePayment]:
        params = {
            "invoicenumber": invoice_number,
            "lastmodified": last_modified,
            **page_params(page, limit),
        }
        data = await self._api.call("GET", "invoicepayments", params=params)
        return read_page(data, "InvoicePayments", InvoicePayment)

    async def for_invoice(self, invoice_number: str | int) -> list[InvoicePayment]:
        """Every payment of one invoice (the search is post-filtered for the exact number)."""

        async def fetch(page: int) -> Page[InvoicePayment]:
            return await self.search(invoice_number=invoice_number, page=page, limit=MAX_PAGE_SIZE)

        wanted = str(invoice_number).strip()
        return [
            payment
            async for payment in iterate_pages(fetch)
            if payment.invoice_number is not None and str(payment.invoice_number) == wanted
        ]

    async def get(self, number: str) -> InvoicePayment:
        data = await self._api.call("GET", "invoicepayments", number)
        return read_entity(data, "InvoicePayment", InvoicePayment)
