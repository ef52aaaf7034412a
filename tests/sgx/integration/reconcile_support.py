"""Helpers for reconciliation tests: a clinic connected to its own sandbox company, the real
sync engine to transfer and reconcile, what people do "inside Fortnox", and readers that end
their transaction (on SQLite every transaction holds the write lock)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import sgx.integration.handlers  # noqa: F401 — registers the handlers
from sgx.fortnox.client import FortnoxClient
from sgx.integration.engine import SyncEngine
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.pacing_store import HandoverPacer
from sgx.integration.reconcile import PassReport, reconcile
from sgx.integration.reconcile_models import InvoiceDrift
from sgx.integration.reconcile_schedule import request_reconciliation
from sgx.integration.runner import WorkerConfig
from sgx.integration.service import open_client
from sgx.invoicing.models import Invoice
from sgx.kit.clock import today_in_sweden, utcnow
from sgx.kit.db import create_session_factory
from sgx.settings import Settings
from tests.builders.invoicing import make_credit, make_invoice
from tests.sgx.outbox.support import ConnectedClinic, connected_clinic

SessionFactory = async_sessionmaker[AsyncSession]


@dataclass
class Setup:
    """A connected clinic, its sandbox company, and the engine that serves it."""

    connected: ConnectedClinic
    sandbox: httpx.AsyncClient
    engine: SyncEngine
    gateway: FortnoxGateway
    factory: SessionFactory
    # How far both clocks have been moved on (the sandbox's, and the one passes are run at).
    offset: dt.timedelta = dt.timedelta()

    @property
    def issuer_id(self) -> int:
        return self.connected.issuer_id

    @property
    def tenant_id(self) -> int:
        return self.connected.tenant_id

    async def client(self) -> FortnoxClient:
        opened = await open_client(self.factory, self.gateway, issuer_id=self.issuer_id)
        return opened.client


async def set_up(
    db: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
) -> Setup:
    connected = await connected_clinic(session, sandbox, settings, box=gateway.box)
    worker_gateway = FortnoxGateway.create(
        http=gateway.http, settings=gateway.settings, pacer=HandoverPacer()
    )
    engine = SyncEngine(db=db, gateway=worker_gateway, config=WorkerConfig(name="worker-1"))
    return Setup(connected, sandbox, engine, worker_gateway, create_session_factory(db))


async def books_by_hand(session: AsyncSession, setup: Setup) -> None:
    """The clinic books its invoices in Fortnox by hand, so they stay unbooked, and editable
    there, after their transfer (Fortnox refuses to change a booked invoice)."""
    issuer = setup.connected.clinic.issuer
    issuer.book_invoices_in_fortnox = False
    session.add(issuer)
    await session.commit()


async def patient_invoice(
    session: AsyncSession,
    setup: Setup,
    rows: list[tuple[str, str]] | None = None,
    *,
    invoice_date: dt.date | None = None,
) -> Invoice:
    clinic = setup.connected.clinic
    invoice = await make_invoice(
        session,
        issuer_id=clinic.issuer.id,
        patient_id=clinic.patient.id,
        rows=[(code, Decimal(q)) for code, q in (rows or [("BESOK", "1"), ("KONSULT", "2")])],
        invoice_date=invoice_date or today_in_sweden(),
    )
    await session.commit()
    return invoice


async def sgx_credit(
    session: AsyncSession, invoice: Invoice, rows: list[tuple[int, Decimal | str]] | None = None
) -> Invoice:
    made = await make_credit(session, invoice=invoice, rows=rows)
    await session.commit()
    return made


async def transferred(session: AsyncSession, setup: Setup, *invoices: Invoice) -> list[Invoice]:
    """Run the engine until the queue is idle; the invoices as stored afterwards."""
    await setup.engine.run_until_idle()
    return [await fresh(session, invoice.id) for invoice in invoices]


async def reconciled(setup: Setup) -> None:
    """A pass asked for now and run by the engine, as "stäm av nu" does."""
    async with setup.factory() as session:
        await request_reconciliation(session, issuer_id=setup.issuer_id)
        await session.commit()
    await setup.engine.run_until_idle()


async def minutes_later(setup: Setup, minutes: float) -> None:
    """Move time on: Fortnox's clock (what it stamps changes with) and the passes' clock."""
    response = await setup.sandbox.post("/_sandbox/clock", json={"advance_seconds": minutes * 60})
    assert response.status_code == 200, response.text
    setup.offset += dt.timedelta(minutes=minutes)


async def pass_now(setup: Setup, *, full: bool = False) -> PassReport:
    """A pass run directly with the issuer's client, at the moved-on time."""
    return await reconcile(
        setup.factory,
        await setup.client(),
        issuer_id=setup.issuer_id,
        now=utcnow() + setup.offset,
        full=full,
    )


async def inside(setup: Setup, action: str, **fields: Any) -> dict[str, Any]:
    """Something done directly in Fortnox (the sandbox's "inside" actions)."""
    response = await setup.sandbox.post(
        f"/_sandbox/tenants/{setup.tenant_id}/actions", json={"action": action, **fields}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def edit_rows(
    setup: Setup, invoice: Invoice, changes: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """Edit the invoice's rows in Fortnox: SGX's rows as sent, with ``changes`` by position."""
    rows = [
        {
            "ArticleNumber": row.article_code,
            "Description": row.description,
            "DeliveredQuantity": str(row.quantity),
            "Price": str(row.unit_price),
            "VAT": row.vat_rate,
            "AccountNumber": row.account_number,
            **changes.get(index, {}),
        }
        for index, row in enumerate(invoice.rows)
    ]
    return await inside(
        setup,
        "edit_invoice",
        document_number=invoice.fortnox_document_number,
        fields={"InvoiceRows": rows},
    )


async def fortnox_requests(setup: Setup) -> list[dict[str, Any]]:
    response = await setup.sandbox.get("/_sandbox/requests", params={"tenant_id": setup.tenant_id})
    assert response.status_code == 200, response.text
    requests: list[dict[str, Any]] = response.json()["requests"]
    return [r for r in requests if r["path"].startswith("/3/")]


async def forget_requests(setup: Setup) -> None:
    response = await setup.sandbox.delete("/_sandbox/requests")
    assert response.status_code == 200, response.text


async def fresh(session: AsyncSession, invoice_id: int) -> Invoice:
    invoice = await session.get(Invoice, invoice_id, populate_existing=True)
    await session.commit()
    assert invoice is not None
    return invoice


async def drifts(session: AsyncSession, invoice_id: int) -> list[InvoiceDrift]:
    rows = list(
        await session.scalars(
            select(InvoiceDrift)
            .where(InvoiceDrift.invoice_id == invoice_id)
            .order_by(InvoiceDrift.id)
        )
    )
    await session.commit()
    return rows


async def drift_count(session: AsyncSession, issuer_id: int) -> int:
    count = await session.scalar(
        select(func.count()).select_from(InvoiceDrift).where(InvoiceDrift.issuer_id == issuer_id)
    )
    await session.commit()
    return int(count or 0)
