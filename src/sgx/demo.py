"""``sgx demo``: the whole story, headless, on the embedded defaults — and checked at the end.

A fresh SQLite database in a temporary folder, the demo data, and the Fortnox sandbox in the
same process (reached over ``httpx.ASGITransport``: no network). Then, as people would:

1. Support switches the Fortnox integration on for the demo issuer;
2. the issuer's Administratör connects through Fortnox's own login and consent pages;
3. the Fakturerare makes patient and company invoices through the API (with an API key, as
   any client of the JSON API does) — one to a company
   missing from Fortnox's customer register, which waits with its message until the company is
   added there and "Försök igen" is pressed — and credits one invoice fully and one partly;
4. the sync engine runs in this process until the queue is empty;
5. Fortnox is read back through its API and held against SGX: every invoice once with the same
   totals, every credit once;
6. someone registers a payment and credits an invoice directly in Fortnox; after a
   reconciliation SGX shows the first "Betald" and the second "Osynk".

A table summarises it all. The exit status is 0 only if every check held.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import structlog
import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncEngine

from sgx.app import create_app
from sgx.demo_browser import Browser, DemoStepFailed
from sgx.demo_check import Verification, print_result, read_back
from sgx.demo_data import DEMO_COMPANIES, DEMO_LOGINS, seed_demo
from sgx.embedded_sandbox import DEMO_FORTNOX_USERS, build_embedded_sandbox
from sgx.identity import service as identity_service
from sgx.integration.engine import SyncEngine
from sgx.integration.service import open_client
from sgx.integration.worker import build_engine
from sgx.kit.db import create_engine, create_session_factory
from sgx.kit.migrate import upgrade_database_from_async
from sgx.settings import SANDBOX_MOUNT_PATH, Settings

BASE_URL = "http://sgx.demo"
CONTROL = SANDBOX_MOUNT_PATH + "/_sandbox"
PASSWORDS = {login.username: login.password for login in DEMO_LOGINS}


def demo_settings(folder: Path) -> Settings:
    return Settings(
        environment="development",
        database_url=f"sqlite+aiosqlite:///{folder / 'sgx.db'}",
        public_url=BASE_URL,
        fortnox_sandbox=True,
        fortnox_api_base_url="",
        fortnox_oauth_base_url="",
        fortnox_redirect_url="",
        sandbox_state_file="",  # the sandbox lives in memory for the run
        run_worker_in_process=False,  # the story runs the engine itself, step by step
        fortnox_reconcile_interval_seconds=0,
    )


class Story:
    def __init__(self, settings: Settings, db: AsyncEngine, console: Console) -> None:
        self.settings = settings
        self.db = db
        self.console = console
        self.factory = create_session_factory(db)
        sandbox = build_embedded_sandbox(settings)
        self.app = create_app(
            settings,
            engine=db,
            sandbox_app=sandbox,
            fortnox_transport=httpx.ASGITransport(app=sandbox, root_path=SANDBOX_MOUNT_PATH),
        )
        self.transport = httpx.ASGITransport(app=self.app)
        self.engine: SyncEngine = build_engine(
            db=db, http=self.app.state.fortnox_http, settings=settings, concurrency=4, name="demo"
        )
        self.people: dict[str, Browser] = {}
        self.api_keys: dict[str, str] = {}
        self.issuer_id = 0
        self.tenant_id = 0
        self.invoices: dict[str, dict[str, Any]] = {}

    def step(self, text: str) -> None:
        self.console.print(f"[green]✓[/] {text}")

    async def person(self, username: str) -> Browser:
        if username not in self.people:
            browser = Browser(self.transport, BASE_URL)
            await browser.log_in(username, PASSWORDS[username])
            self.people[username] = browser
        return self.people[username]

    async def close(self) -> None:
        for browser in self.people.values():
            await browser.close()
        await self.app.state.fortnox_http.aclose()

    async def api_key(self, username: str) -> str:
        if username not in self.api_keys:
            async with self.factory() as session:
                user = await identity_service.require_user(session, username=username)
                _, key = await identity_service.create_api_token(session, user=user, name="demo")
                await session.commit()
            self.api_keys[username] = key
        return self.api_keys[username]

    async def api(self, username: str, method: str, path: str, **body: Any) -> Any:
        browser = await self.person(username)
        payload = None if method == "GET" else body
        response = await browser.http.request(
            method,
            "/api/v1" + path,
            json=payload,
            headers={"Authorization": f"Bearer {await self.api_key(username)}"},
        )
        if response.status_code >= 300:
            raise DemoStepFailed(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    async def control(self, method: str, path: str, **body: Any) -> Any:
        """The sandbox's control plane: the demo's way of acting "inside Fortnox"."""
        async with httpx.AsyncClient(transport=self.transport, base_url=BASE_URL) as http:
            response = await http.request(method, CONTROL + path, json=body or None)
        if response.status_code != 200:
            raise DemoStepFailed(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    async def inside(self, action: str, **fields: Any) -> Any:
        return await self.control(
            "POST", f"/tenants/{self.tenant_id}/actions", action=action, **fields
        )

    # ---- the story ----------------------------------------------------------------------

    async def switch_on(self) -> None:
        support = await self.person("support")
        answer = await support.post_form(
            f"/issuers/{self.issuer_id}",
            f"/issuers/{self.issuer_id}/fortnox-integration",
            enabled="true",
        )
        if answer.status_code != 303:
            raise DemoStepFailed(f"integrationen slogs inte på: {answer.status_code}")
        self.step("Support slår på Fortnox-integrationen för Friskvården Företagshälsa AB")

    async def connect(self) -> None:
        admin = await self.person("admin")
        fortnox_page = f"/issuers/{self.issuer_id}/fortnox"
        started = await admin.post_form(
            fortnox_page, fortnox_page + "/connect", account_type="service"
        )
        login = await admin.follow(started)
        user = DEMO_FORTNOX_USERS[0]
        consent = await admin.submit(
            login, username=str(user["username"]), password=str(user["password"])
        )
        back = await admin.submit(consent, button="Godkänn")
        if back.status_code != 302:
            raise DemoStepFailed(f"Fortnox godkände inte anslutningen: {back.status_code}")
        done = await admin.follow(back, status=303)
        if "meddelande=ansluten" not in done.headers.get("location", ""):
            raise DemoStepFailed(f"anslutningen blev inte klar: {done.headers.get('location')}")
        await admin.follow(done)
        companies = await self.control("GET", "/companies")
        self.tenant_id = int(companies[0]["tenant_id"])
        self.step("Administratören ansluter via Fortnox inloggning och godkännande (servicekonto)")

    async def make_invoices(self) -> None:
        patients = {p["first_name"]: p["id"] for p in await self._list("patients")}
        companies = {c["name"]: c["id"] for c in await self._list("companies")}
        (in_fortnox, _), (missing, _) = DEMO_COMPANIES
        plan = {
            "anna": ({"patient_id": patients["Anna"]}, [("LAKBES", "1")]),
            "erik": ({"patient_id": patients["Erik"]}, [("HALSUND", "1"), ("SKYDD", "1")]),
            "sara": ({"patient_id": patients["Sara"]}, [("SSKBES", "2")]),
            "bygg": ({"company_id": companies[in_fortnox]}, [("ERGO", "2"), ("UTB", "1")]),
            "verkstad": ({"company_id": companies[missing]}, [("LAKBES", "3")]),
        }
        for key, (party, rows) in plan.items():
            self.invoices[key] = await self.api(
                "fakturerare",
                "POST",
                f"/issuers/{self.issuer_id}/invoices",
                **party,
                rows=[{"article_code": code, "quantity": q} for code, q in rows],
            )
        self.step("Fakturerare skapar tre patientfakturor och två företagsfakturor")

    async def _list(self, what: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self.api(
            "fakturerare", "GET", f"/issuers/{self.issuer_id}/{what}"
        )
        return found

    async def transfer(self, what: str) -> None:
        await self.engine.run_until_idle()
        self.step(what)

    async def missing_company(self) -> None:
        waiting_id = self.invoices["verkstad"]["id"]
        waiting = await self.api("fakturerare", "GET", f"/invoices/{waiting_id}")
        message = waiting["transfer"]["message"] or ""
        if "finns inte i Fortnox kundregister" not in message:
            raise DemoStepFailed(f"företagsfakturan väntar inte på kunden: {message}")
        self.step(f"Fakturan till företaget som saknas i Fortnox väntar: ”{message}”")
        name, number = DEMO_COMPANIES[1]
        await self.inside(
            "create_customer",
            fields={"Name": name, "OrganisationNumber": f"{number[:6]}-{number[6:]}"},
        )
        admin = await self.person("admin")
        retried = await admin.post_form(
            f"/issuers/{self.issuer_id}/invoices/{waiting_id}",
            f"/issuers/{self.issuer_id}/worklist/retry",
            invoice_id=str(waiting_id),
        )
        if retried.status_code != 303:
            raise DemoStepFailed(f"Försök igen gick inte: {retried.status_code}")
        await self.transfer("Företaget läggs upp i Fortnox, ”Försök igen” – fakturan överförs")

    async def credit(self) -> None:
        anna, bygg = self.invoices["anna"], self.invoices["bygg"]
        await self.api("fakturerare", "POST", f"/invoices/{anna['id']}/credit")
        ergo = bygg["rows"][0]["id"]
        await self.api(
            "fakturerare",
            "POST",
            f"/invoices/{bygg['id']}/credit",
            rows=[{"row_id": ergo, "quantity": "1"}],
            reason="En bedömning ställdes in",
        )
        await self.transfer("En faktura krediteras helt och en delvis i SGX, och överförs")

    async def check_transfers(self) -> Verification:
        opened = await open_client(self.factory, self.engine.gateway, issuer_id=self.issuer_id)
        result = await read_back(self.factory, opened.client, self.issuer_id)
        self.step("Fortnox läses tillbaka via API:t och jämförs med SGX")
        return result

    async def changes_in_fortnox(self) -> tuple[str, str]:
        erik = await self.api("fakturerare", "GET", f"/invoices/{self.invoices['erik']['id']}")
        sara = await self.api("fakturerare", "GET", f"/invoices/{self.invoices['sara']['id']}")
        await self.inside(
            "register_payment",
            document_number=erik["transfer"]["fortnox_document_number"],
            amount=erik["total"],
        )
        answer = await self.inside(
            "credit_invoice", document_number=sara["transfer"]["fortnox_document_number"]
        )
        credit_number = str(answer["Invoice"]["CreditInvoiceReference"])
        self.step(
            f"I Fortnox: betalning registreras på faktura {erik['number']}, faktura "
            f"{sara['number']} krediteras (kreditfaktura {credit_number}) utan SGX"
        )
        await self.api("fakturerare", "POST", f"/issuers/{self.issuer_id}/fortnox/reconcile")
        await self.transfer("Avstämning mot Fortnox")
        return str(erik["id"]), str(sara["id"])

    async def check_read_back(self, result: Verification) -> None:
        paid_id, credited_id = await self.changes_in_fortnox()
        paid = await self.api("fakturerare", "GET", f"/invoices/{paid_id}")
        credited = await self.api("fakturerare", "GET", f"/invoices/{credited_id}")
        result.check(
            f"Betalningen i Fortnox syns i SGX: faktura {paid['number']} är "
            f"”{paid['payment']['status']}”",
            paid["payment"]["status"] == "Betald",
        )
        message = credited["transfer"]["message"] or ""
        result.check(
            f"Krediteringen i Fortnox syns i SGX: faktura {credited['number']} är "
            f"”{credited['transfer']['status']}” – {message}",
            credited["transfer"]["status"] == "Osynk"
            and message.startswith("Krediterad i Fortnox"),
        )


async def run_demo(console: Console) -> bool:
    """Run the story in a temporary folder; True when every check held."""
    with tempfile.TemporaryDirectory(prefix="sgx-demo-") as folder:
        settings = demo_settings(Path(folder))
        db = create_engine(settings.database_url)
        story: Story | None = None
        try:
            await upgrade_database_from_async(settings.database_url)
            async with create_session_factory(db)() as session:
                issuer = await seed_demo(session)
                await session.commit()
            story = Story(settings, db, console)
            story.issuer_id = issuer.id
            return await _tell(story)
        except DemoStepFailed as failure:
            console.print(f"[bold red]✗ Demot stannade:[/] {failure}")
            return False
        finally:
            if story is not None:
                await story.close()
            await db.dispose()


async def _tell(story: Story) -> bool:
    steps: list[Callable[[], Awaitable[None]]] = [
        story.switch_on,
        story.connect,
        story.make_invoices,
        lambda: story.transfer("Synkmotorn överför fakturorna till Fortnox"),
        story.missing_company,
        story.credit,
    ]
    for step in steps:
        await step()
    result = await story.check_transfers()
    await story.check_read_back(result)
    refreshed = await read_back(
        story.factory,
        (await open_client(story.factory, story.engine.gateway, issuer_id=story.issuer_id)).client,
        story.issuer_id,
        made_in_fortnox=1,
    )
    result.lines = refreshed.lines  # the table shows the final statuses
    print_result(story.console, result)
    return result.ok


def demo() -> None:
    """Run the whole story headless on the embedded defaults and check it (exit 0 if all held)."""
    previous = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    try:
        ok = asyncio.run(run_demo(Console()))
    finally:
        structlog.configure(**previous)
    raise typer.Exit(code=0 if ok else 1)
