"""Helpers for backfill tests: a clinic whose invoices were made before its integration was
switched on and connected, and a backfill run from this process the way the command runs it."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import sgx.integration.handlers  # noqa: F401 — registers the handlers
from sgx.identity.principal import Principal
from sgx.integration.backfill import Backfill
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.pacing_store import HandoverPacer
from sgx.integration.reconcile_schedule import serve_issuer_now
from sgx.invoicing import service as invoicing
from sgx.invoicing.models import Invoice
from sgx.invoicing.schemas import InvoiceCreate, InvoiceRowIn
from sgx.issuers.service import set_fortnox_integration
from sgx.kit.clock import today_in_sweden
from sgx.kit.db import create_session_factory
from sgx.settings import Settings
from tests.builders.identity import make_user
from tests.builders.integration import consent, make_connection, make_fortnox_company
from tests.builders.invoicing import Clinic, invoicer

SessionFactory = async_sessionmaker[AsyncSession]


@dataclass
class History:
    clinic: Clinic
    tenant_id: int
    factory: SessionFactory
    gateway: FortnoxGateway
    sandbox: httpx.AsyncClient

    @property
    def issuer_id(self) -> int:
        return self.clinic.issuer.id

    def backfill(self, **options: object) -> Backfill:
        async def serve(stop: asyncio.Event) -> bool:
            return await serve_issuer_now(
                self.factory, self.gateway, issuer_id=self.issuer_id, worker="cli", stopping=stop
            )

        return Backfill(
            self.factory,
            issuer_id=self.issuer_id,
            since=dt.date(today_in_sweden().year - 1, 1, 1),
            serve=serve,
            poll_seconds=0.05,
            **options,  # type: ignore[arg-type]
        )


def scrambled_date(index: int) -> dt.date:
    """Dates last year, not in the order the invoices were numbered."""
    return dt.date(today_in_sweden().year - 1, 1, 10) + dt.timedelta(days=(index * 37) % 300)


async def earlier_invoices(session: AsyncSession, clinic: Clinic, count: int) -> list[Invoice]:
    principal = await invoicer(session, issuer_id=clinic.issuer.id)
    made = []
    for index in range(count):
        made.append(
            await invoicing.create_invoice(
                session,
                principal=principal,
                issuer_id=clinic.issuer.id,
                data=InvoiceCreate(
                    patient_id=clinic.patient.id,
                    invoice_date=scrambled_date(index),
                    rows=[InvoiceRowIn(article_code="BESOK", quantity=Decimal(1 + index % 3))],
                ),
            )
        )
    await session.commit()
    return made


async def switch_on(session: AsyncSession, clinic: Clinic) -> None:
    support = await make_user(session, is_support=True)
    principal = Principal(user_id=support.id, username=support.username, is_support=True)
    await set_fortnox_integration(
        session, principal=principal, issuer_id=clinic.issuer.id, enabled=True
    )
    await session.commit()


async def connected_history(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
    clinic: Clinic,
) -> History:
    """The clinic switched on and connected after its invoices were made; no rate limit in
    the way (pacing is not what these tests are about)."""
    await switch_on(session, clinic)
    company = await make_fortnox_company(
        sandbox, organisation_number=clinic.issuer.organisation_number
    )
    tokens = await consent(sandbox, settings, tenant_id=company["tenant_id"])
    await make_connection(
        session,
        issuer_id=clinic.issuer.id,
        box=gateway.box,
        tenant_id=company["tenant_id"],
        tokens=tokens,
    )
    await session.commit()
    answer = await sandbox.post("/_sandbox/rate-limit", json={"enabled": False})
    assert answer.status_code == 200, answer.text
    fast = FortnoxGateway.create(
        http=gateway.http,
        settings=gateway.settings,
        pacer=HandoverPacer(requests=10_000, window_seconds=1.0),
    )
    return History(clinic, company["tenant_id"], create_session_factory(engine), fast, sandbox)
