"""``/3/invoices`` (scope ``invoice``): create, read, search; the credit, cancel, bookkeep actions.

None of the writes is idempotent at Fortnox. After an ``Ambiguous`` failure of ``create`` look the
invoice up with ``find_by_external_reference`` before trying again; after one of ``credit``,
re-read the original and check ``credit_invoice_reference``; after one of ``bookkeep``, re-read
the invoice and check ``booked``. Only the credit action makes a credit invoice Fortnox links to
the original; a partial credit is that credit invoice changed with ``update`` before it is
booked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable

from sgx.fortnox.matching import same_reference
from sgx.fortnox.schemas import Invoice, InvoiceListItem
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
INVOICE_FILTERS = frozenset({"cancelled", "fullypaid", "unpaid", "unpaidoverdue", "unbooked"})


class Invoices:
    def __init__(self, transport: ApiTransport) -> None:
        self._api = transport

    async def search(
        self,
        *,
        external_invoice_reference1: str | None = None,
        document_number: str | None = None,
        customer_number: str | None = None,
        last_modified: LastModified = None,
        filter: str | None = None,  # one of INVOICE_FILTERS
        from_date: dt.date | None = None,
        to_date: dt.date | None = None,
        page: int = 1,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> Page[InvoiceListItem]:
        """One page of invoices; the field searches are substring matches (Fortnox's rule)."""
        params = {
            "externalinvoicereference1": external_invoice_reference1,
            "documentnumber": document_number,
            "customernumber": customer_number,
            "lastmodified": last_modified,
            "filter": filter,
            "fromdate": from_date,
            "todate": to_date,
            **page_params(page, limit),
        }
        data = await self._api.call("GET", "invoices", params=params)
        return read_page(data, "Invoices", InvoiceListItem)

    def iterate(
        self,
        *,
        external_invoice_reference1: str | None = None,
        document_number: str | None = None,
        customer_number: str | None = None,
        last_modified: LastModified = None,
        filter: str | None = None,
        from_date: dt.date | None = None,
        to_date: dt.date | None = None,
    ) -> AsyncIterator[InvoiceListItem]:
        async def fetch(page: int) -> Page[InvoiceListItem]:
            return await self.search(
                external_invoice_reference1=external_invoice_reference1,
                document_number=document_number,
                customer_number=customer_number,
                last_modified=last_modified,
                filter=filter,
                from_date=from_date,
                to_date=to_date,
                page=page,
                limit=MAX_PAGE_SIZE,
            )

        return iterate_pages(fetch)

    async def find_by_external_reference(self, reference: str) -> list[InvoiceListItem]:
        """Invoices whose ``ExternalInvoiceReference1`` equals ``reference`` exactly.

        Usually none or one; more than one means duplicates exist in Fortnox. Sorted by
        document number, oldest first.
        """
        found = [
            invoice
            async for invoice in self.iterate(external_invoice_reference1=reference.strip())
            if same_reference(invoice.external_invoice_reference1, reference)
        ]
        return sorted(found, key=_document_order)

    async def highest_document_number(self) -> int | None:
        """The company's highest invoice number (``None`` without invoices): the first of
        Fortnox's list sorted by document number, descending. ASSUMPTION: Fortnox sorts invoice
        numbers by value (they are numeric); the largest of a short first page is taken.
        """
        params = {"sortby": "documentnumber", "sortorder": "descending", **page_params(1, 10)}
        data = await self._api.call("GET", "invoices", params=params)
        page = read_page(data, "Invoices", InvoiceListItem)
        numbers = [int(n) for i in page.items if (n := i.document_number or "").isdigit()]
        return max(numbers, default=None)

    async def get(self, document_number: str) -> Invoice:
        data = await self._api.call("GET", "invoices", document_number)
        return read_entity(data, "Invoice", Invoice)

    async def create(self, invoice: Invoice) -> Invoice:
        data = await self._api.call("POST", "invoices", body={"Invoice": invoice.to_wire()})
        return read_entity(data, "Invoice", Invoice)

    async def update(
        self, document_number: str, changes: Invoice, *, clear: Iterable[str] = ()
    ) -> Invoice:
        """Update an unbooked invoice; ``clear`` names fields sent as null (cleared).

        Rows, when sent, replace the rows not sent (Fortnox's rule)."""
        body = {"Invoice": changes.to_wire(clear=clear)}
        data = await self._api.call("PUT", "invoices", document_number, body=body)
        return read_entity(data, "Invoice", Invoice)

    async def credit(self, document_number: str) -> Invoice:
        """Credit the whole invoice. Returns the *original*, whose ``credit_invoice_reference``
        names the new credit invoice."""
        return await self._action(document_number, "credit")

    async def cancel(self, document_number: str) -> Invoice:
        """Cancel ("makulera") an invoice that is not bookkept."""
        return await self._action(document_number, "cancel")

    async def bookkeep(self, document_number: str) -> Invoice:
        return await self._action(document_number, "bookkeep")

    async def _action(self, document_number: str, action: str) -> Invoice:
        data = await self._api.call("PUT", "invoices", document_number, action)
        return read_entity(data, "Invoice", Invoice)


def _document_order(invoice: InvoiceListItem) -> tuple[int, str]:
    number = invoice.document_number or ""
    return (int(number) if number.isdigit() else 0, number)
