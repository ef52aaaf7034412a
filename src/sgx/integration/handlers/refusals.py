"""The Swedish messages of the refusals the transfer handlers decide themselves.

These have no Fortnox error behind them (a company missing from the customer register, a number
taken by something that is not SGX's, totals that differ); each has a stable English code and a
message that says what to do. Fortnox's own errors are described by ``sgx.integration.messages``.
"""

from __future__ import annotations

import datetime as dt

from sgx.integration.messages import Described


def format_organisation_number(number: str) -> str:
    digits = "".join(char for char in number if char.isdigit())
    return f"{digits[:6]}-{digits[6:]}" if len(digits) == 10 else number


def company_not_in_fortnox(name: str, organisation_number: str) -> Described:
    number = format_organisation_number(organisation_number)
    return Described(
        "company_not_in_fortnox",
        f"Företaget {name} ({number}) finns inte i Fortnox kundregister. Lägg upp kunden i "
        "Fortnox med samma organisationsnummer.",
    )


def company_ambiguous_in_fortnox(
    name: str, organisation_number: str, customer_numbers: list[str]
) -> Described:
    number = format_organisation_number(organisation_number)
    return Described(
        "company_ambiguous_in_fortnox",
        f"Företaget {name} ({number}) finns flera gånger bland de aktiva kunderna i Fortnox "
        f"kundregister (kundnummer {', '.join(customer_numbers)}). En administratör väljer "
        f"vilken av dem SGX ska fakturera under Företag → {name} → ”Kund i Fortnox”, och "
        "väljer sedan ”Försök igen”.",
    )


def _pin_advice(name: str) -> str:
    return (
        f"välj en annan kund eller ta bort valet under Företag → {name} → ”Kund i Fortnox” "
        "(en administratör), och välj sedan ”Försök igen”."
    )


def company_pin_missing(name: str, customer_number: str) -> Described:
    return Described(
        "company_pinned_customer_missing",
        f"Kund {customer_number}, som har valts för företaget {name}, finns inte i Fortnox "
        f"kundregister. Rätta numret: {_pin_advice(name)}",
    )


def company_pin_inactive(name: str, customer_number: str) -> Described:
    return Described(
        "company_pinned_customer_inactive",
        f"Kund {customer_number}, som har valts för företaget {name}, är inaktiv i Fortnox. "
        f"Aktivera kunden i Fortnox, eller {_pin_advice(name)}",
    )


def company_pin_other_number(
    name: str, organisation_number: str, customer_number: str, found: str | None
) -> Described:
    theirs = format_organisation_number(found) if found else "inget organisationsnummer"
    return Described(
        "company_pinned_customer_mismatch",
        f"Kund {customer_number}, som har valts för företaget {name} "
        f"({format_organisation_number(organisation_number)}), har {theirs} i Fortnox. "
        f"Kontrollera kunden i Fortnox, eller {_pin_advice(name)}",
    )


def document_number_taken(number: str, found: str) -> Described:
    return Described(
        "document_number_taken",
        f"Fakturanummer {number} används redan i Fortnox av en annan faktura ({found}) som "
        "inte kommer från den här fakturan i SGX. SGX skapar ingen dubblett. Låt SGX "
        "nummerserie fortsätta över Fortnox högsta fakturanummer (Fortnox-sidan, ”Fortsätt "
        "nummerserien”) så att fler fakturor inte krockar, kontrollera fakturan i Fortnox och "
        "kontakta SGX support om den här fakturan.",
    )


def reference_conflict(number: str, fortnox_number: str, differences: list[str]) -> Described:
    return Described(
        "fortnox_reference_conflict",
        f"Faktura {fortnox_number} i Fortnox bär SGX-referensen för faktura {number} men "
        f"stämmer inte med den: {'; '.join(differences)}. SGX kopplar inte ihop dem och "
        "skapar ingen dubblett. Kontrollera fakturan i Fortnox och kontakta SGX support.",
    )


def customer_number_taken(number: str, found: str) -> Described:
    return Described(
        "customer_number_taken",
        f"Kundnummer {number}, som SGX använder för patienten, används redan i Fortnox av "
        f"en annan kund ({found}). SGX skapar ingen dubblett. Kontakta SGX support.",
    )


def customer_number_deleted(number: str) -> Described:
    return Described(
        "customer_number_deleted",
        f"Patientens kund {number} har tagits bort i Fortnox och numret kan inte användas "
        "igen. Kontakta SGX support så att patienten får ett nytt kundnummer.",
    )


def original_not_transferred(number: int) -> Described:
    return Described(
        "original_not_transferred",
        f"Originalfakturan {number} har inte överförts till Fortnox än. Krediteringen "
        "överförs när originalfakturan är överförd.",
    )


def credited_outside_sgx(original: str, credit: str) -> Described:
    return Described(
        "credited_in_fortnox",
        f"Faktura {original} är redan krediterad i Fortnox (kreditfaktura {credit}), men inte "
        "av SGX. Fortnox kopplar bara en kreditfaktura till en faktura, så SGX skickar inte "
        "den här delkrediteringen. Kontrollera krediteringen i Fortnox och kontakta SGX "
        "support.",
    )


def account_problems(problems: list[str], year: str) -> Described:
    listed = "; ".join(problems)
    return Described(
        "fortnox_account_problem",
        f"Fakturan kan inte bokföras i Fortnox räkenskapsår {year}: {listed}. Lägg upp eller "
        "aktivera kontot i Fortnox under Bokföring → Kontoplan för räkenskapsåret, eller byt "
        "konto på artikeln i SGX, och välj sedan ”Försök igen”.",
    )


def totals_differ(document_number: str, differences: list[str]) -> Described:
    return Described(
        "fortnox_totals_differ",
        f"Överförd till Fortnox som faktura {document_number}, men beloppen skiljer sig: "
        f"{'; '.join(differences)}. Kontrollera att öresavrundningen är inställd likadant i "
        "SGX och Fortnox, och rätta fakturan med en kreditering vid behov.",
    )


def financial_year_missing(date: dt.date) -> Described:
    return Described(
        "fortnox_financial_year_missing",
        f"Fortnox saknar räkenskapsår för fakturadatumet {date.isoformat()}. Lägg upp "
        "räkenskapsåret i Fortnox (Inställningar → Räkenskapsår) och välj sedan ”Försök igen”.",
    )


# Swedish names of the customer fields SGX manages, for messages (never their values).
CUSTOMER_FIELD_NAMES = {
    "name": "namn",
    "type": "kundtyp",
    "organisation_number": "personnummer",
    "address1": "adress",
    "address2": "adressrad 2",
    "zip_code": "postnummer",
    "city": "ort",
    "phone1": "telefon",
    "phone2": "telefon 2",
    "email": "e-post",
    "email_invoice": "e-post för fakturor",
    "external_reference": "SGX-referens",
}


def customer_update_not_kept(number: str, fields: list[str]) -> Described:
    listed = ", ".join(CUSTOMER_FIELD_NAMES.get(name, name) for name in fields)
    return Described(
        "customer_update_not_kept",
        f"Fortnox tog inte emot alla ändringar av patientens kund {number}: {listed} stämmer "
        "inte med SGX (till exempel en uppgift som skulle tömmas men finns kvar). Kontrollera "
        "kunden i Fortnox under Kunder, töm eller rätta uppgiften där och välj sedan "
        "”Försök igen”.",
    )


def invoice_contact_not_cleared(numbers: list[str]) -> Described:
    return Described(
        "invoice_contact_not_cleared",
        f"Patienten har skyddad identitet, men Fortnox behöll adress eller andra kontaktuppgifter "
        f"på faktura {', '.join(numbers)}. Töm adress, telefon och e-post på fakturan i Fortnox "
        "och välj sedan ”Försök igen”.",
    )


def address_kept_on_locked_invoice(number: str) -> str:
    return (
        f"Patienten har fått skyddad identitet, men faktura {number} i Fortnox är bokförd eller "
        "makulerad och kan inte ändras: adressen eller andra kontaktuppgifter finns kvar på "
        "fakturan där. Skicka inga påminnelser eller kopior av den fakturan från Fortnox; post "
        "till patienten skickas via Skatteverkets förmedling (Skatteverket, Box 2820, 403 20 "
        "Göteborg). Begränsa vid behov vem som ser fakturan i Fortnox och markera sedan "
        "skillnaden som hanterad."
    )
