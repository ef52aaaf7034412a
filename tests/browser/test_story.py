"""The seed's story in a real browser: activation, connection, invoices reaching Fortnox, a
company missing in Fortnox fixed through "Att åtgärda", and a partial credit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from playwright.async_api import BrowserContext, Page, expect

from tests.browser.server import LiveServer
from tests.browser.story import (
    ISSUER,
    check_page,
    create_invoice,
    expect_transfer_status,
    open_issuer,
    sign_in,
)

NewContext = Callable[[], Awaitable[BrowserContext]]
MISSING_COMPANY = ("Verkstadsgruppen i Mälardalen AB", "556123-4567")


async def support_switches_on_the_integration(page: Page) -> None:
    await open_issuer(page)
    services = page.locator("#fortnox")
    await expect(services.get_by_role("heading", name="Externa tjänster")).to_be_visible()
    await services.get_by_role("switch", name="Integration").check()
    await services.get_by_role("button", name="Spara").click()
    await expect(page.get_by_text("Fortnox-integrationen är aktiverad.")).to_be_visible()
    await expect(services.get_by_role("switch", name="Integration")).to_be_checked()


async def administrator_connects_a_service_account(page: Page) -> None:
    await open_issuer(page)
    await check_page(page, "fakturautstallare")
    await page.locator("#fortnox").get_by_role("link", name="Fortnox").click()
    await expect(page.get_by_text("Anslutning till Fortnox saknas")).to_be_visible()
    await check_page(page, "fortnox-ej-ansluten")
    await page.get_by_label("Servicekonto").check()
    await page.get_by_role("button", name="Anslut", exact=True).click()
    # Fortnox's own pages (the sandbox): sign in as its system administrator and approve.
    await expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    await page.get_by_label("Användarnamn").fill("fortnox-admin")
    await page.get_by_label("Lösenord").fill("fortnox-demo")
    await page.get_by_role("button", name="Logga in").click()
    await expect(page.get_by_role("heading", name="Godkänn integration")).to_be_visible()
    await page.get_by_role("button", name="Godkänn").click()
    connected = page.get_by_text("Anslutningen till Fortnox är klar och kontrollerad.")
    await expect(connected).to_be_visible()
    facts = page.locator("dl.facts").first
    await expect(facts).to_contain_text("Servicekonto")
    await expect(facts).to_contain_text("559901-2340")
    await expect(page.get_by_role("heading", name="Kontokontroll")).to_be_visible()


async def test_invoices_reach_fortnox_and_a_missing_company_is_fixed_from_att_atgarda(
    new_context: NewContext, live_server: LiveServer
) -> None:
    support = await sign_in(await new_context(), "support")
    await support_switches_on_the_integration(support)

    admin = await sign_in(await new_context(), "admin")
    await check_page(admin, "fakturautstallare-lista")
    await administrator_connects_a_service_account(admin)

    patient_invoice = await create_invoice(
        admin, "Andersson, Anna", [("LAKBES", "1"), ("SSKBES", "2")], screenshot="ny-faktura"
    )
    await expect_transfer_status(admin, "Överförd")
    await expect(admin.locator("#fortnox-nummer")).to_have_text(patient_invoice)
    await check_page(admin, "faktura-overford")

    await create_invoice(admin, "Byggbolaget Norr AB", [("ERGO", "1")])
    await expect_transfer_status(admin, "Överförd")

    missing_invoice = await create_invoice(admin, MISSING_COMPANY[0], [("UTB", "1")])
    await expect_transfer_status(admin, "Fel – åtgärd krävs")
    await expect(admin.locator("#overforingsfel")).to_contain_text(
        "finns inte i Fortnox kundregister"
    )
    await check_page(admin, "faktura-fel")

    # The badge in the issuer's navigation counts it; "Att åtgärda" groups it by cause.
    tabs = admin.get_by_role("navigation", name=ISSUER)
    await expect(tabs.locator("#att-atgarda-antal")).to_have_text("1")
    await tabs.get_by_role("link", name="Att åtgärda").click()
    cause = admin.locator('section[data-cause="company_not_in_fortnox"]')
    await expect(cause.get_by_role("heading")).to_contain_text(
        "Företaget finns inte i Fortnox kundregister"
    )
    await expect(cause.locator(f'tr[data-invoice="{missing_invoice}"]')).to_be_visible()
    await check_page(admin, "att-atgarda")

    # Someone adds the company in Fortnox; "Försök igen" then transfers the invoice.
    tenant_id = live_server.sandbox("GET", "/companies")[0]["tenant_id"]
    live_server.sandbox(
        "POST",
        f"/tenants/{tenant_id}/actions",
        json={
            "action": "create_customer",
            "fields": {
                "Name": MISSING_COMPANY[0],
                "OrganisationNumber": MISSING_COMPANY[1],
                "Type": "COMPANY",
            },
        },
    )
    await cause.get_by_role("button", name=f"Försök igen – faktura {missing_invoice}").click()
    await expect(admin.get_by_text("Inget att åtgärda.")).to_be_visible()
    await admin.get_by_role("link", name="Fakturor", exact=True).click()
    row = admin.locator(f'tr[data-invoice="{missing_invoice}"]')
    await expect(row.locator("[data-transfer-status]")).to_have_text("Överförd")
    await expect(admin.locator("#att-atgarda-antal")).to_have_count(0)
    await check_page(admin, "fakturor")

    # A partial credit of the patient invoice: one of the two nurse visits.
    await admin.get_by_role("link", name=patient_invoice, exact=True).click()
    await admin.get_by_role("link", name="Kreditera").click()
    await admin.get_by_label("Valda rader").check()
    await admin.get_by_label("Kreditera antal, Sjuksköterskebesök").fill("1")
    await admin.get_by_label("Orsak").fill("Avbokat besök")
    await check_page(admin, "kreditera")
    await admin.get_by_label("Jag bekräftar att en kreditfaktura ska skapas.").check()
    await admin.get_by_role("button", name="Skapa kreditfaktura").click()
    await expect(admin.get_by_text("Kreditfakturan har skapats.")).to_be_visible()
    await expect(admin.get_by_role("heading", level=1)).to_contain_text("Kreditfaktura")
    await expect(admin.get_by_text(f"Faktura {patient_invoice}", exact=True)).to_be_visible()
    await expect_transfer_status(admin, "Överförd")
    await expect(admin.locator("details.history")).to_contain_text("Klar")
    await check_page(admin, "kreditfaktura")

    await admin.get_by_role("navigation", name=ISSUER).get_by_role("link", name="Fortnox").click()
    await expect(admin.locator("#att-atgarda")).to_contain_text("Inga fakturor kräver åtgärd.")
    await check_page(admin, "fortnox-ansluten")
