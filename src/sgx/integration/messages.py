"""The catalogue of Fortnox errors the product can meet, each with a Swedish message and a fix.

``describe_fortnox_error`` turns a ``FortnoxError`` into a stable English code, a Swedish
message that says what is wrong and what to do, and Fortnox's raw code (kept for support). It
covers every code listed in the Fortnox reference, those the sandbox answers with, the OAuth
errors, and the failures that carry no code (429, 5xx, no answer). Fortnox answers many
different refusals with the generic 2000588; its Swedish text tells them apart. An unknown code
still gets a useful message: Fortnox's own text, what to try, and the code to give support.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sgx.fortnox.errors import (
    Ambiguous,
    FortnoxError,
    InvalidGrant,
    MissingLicence,
    MissingScope,
    RateLimited,
    Unauthorized,
    Unavailable,
)

RETRY_LATER = "SGX försöker igen automatiskt; inget behöver göras."
CONTACT_SUPPORT = "Kontakta SGX support och uppge felkoden."
RECONNECT = "En Administratör behöver ansluta fakturautställaren till Fortnox igen."
CHART = "Kontrollera kontot i Fortnox under Bokföring → Kontoplan för rätt räkenskapsår"
_ACCOUNT = re.compile(r"\b(\d{4})\b")
_FIELD = re.compile(r"\((\w+)\)\s*$")


@dataclass(frozen=True)
class Described:
    code: str  # stable English code
    message: str  # Swedish: what is wrong and what to do
    fortnox_code: str = ""  # Fortnox's own code (or OAuth error), for support


@dataclass(frozen=True)
class Entry:
    code: str
    # Swedish text; ``{detail}`` is Fortnox's own message, ``{account}`` the account it names.
    text: str


def _entry(code: str, text: str) -> Entry:
    return Entry(code, text)


CATALOGUE: dict[int, Entry] = {
    1000003: _entry("fortnox_system_error", "Fortnox fick ett internt fel. " + RETRY_LATER),
    1000030: _entry(
        "fortnox_invalid_response_type",
        "Fortnox kunde inte svara i det format SGX bad om. Felet ligger hos SGX. "
        + CONTACT_SUPPORT,
    ),
    1000031: _entry(
        "fortnox_invalid_content_type",
        "Fortnox kunde inte läsa formatet på det SGX skickade. Felet ligger hos SGX. "
        + CONTACT_SUPPORT,
    ),
    2000106: _entry(
        "fortnox_value_not_alphanumeric",
        "Ett värde får bara innehålla bokstäver och siffror i Fortnox ({detail}). Ändra "
        "artikelkod eller kundnummer i SGX så att det bara har bokstäver och siffror.",
    ),
    2000107: _entry(
        "fortnox_value_too_long",
        "Ett värde är längre än Fortnox tillåter ({detail}). Korta av texten i SGX, t.ex. "
        "namn, adress eller er referens, och försök igen.",
    ),
    2000108: _entry(
        "fortnox_value_not_numeric",
        "Fortnox kräver ett tal där SGX skickade något annat ({detail}). " + CONTACT_SUPPORT,
    ),
    2000134: _entry(
        "fortnox_value_not_boolean",
        "Fortnox kräver ja/nej där SGX skickade något annat ({detail}). " + CONTACT_SUPPORT,
    ),
    2000310: _entry("fortnox_invalid_login", "Fortnox godtar inte SGX:s inloggning. " + RECONNECT),
    2000311: _entry(
        "fortnox_login_missing", "Fortnox fick ingen giltig inloggning från SGX. " + RECONNECT
    ),
    2000359: _entry(
        "fortnox_disallowed_characters",
        "Ett värde innehåller tecken som Fortnox inte tillåter ({detail}). Ta bort "
        "specialtecken (t.ex. emoji eller styrtecken) i namn, adress eller artikeltext i SGX.",
    ),
    2000401: _entry(
        "fortnox_period_locked",
        "Fortnox har låst bokföringsperioden som fakturadatumet ligger i ({detail}). Lås upp "
        "perioden i Fortnox (Inställningar → Bokföring) eller be er redovisningsansvariga om "
        "det, och välj sedan ”Försök igen”.",
    ),
    2000423: _entry(
        "fortnox_account_missing",
        "Konto {account} finns inte i Fortnox kontoplan ({detail}). {chart}: lägg upp kontot "
        "eller välj ett annat konto på artikeln, och välj sedan ”Försök igen”.",
    ),
    2000427: _entry(
        "fortnox_currency_missing",
        "Valutan finns inte i Fortnox ({detail}). Lägg upp SEK under Inställningar → "
        "Valutor i Fortnox och välj sedan ”Försök igen”.",
    ),
    2000428: _entry(
        "fortnox_article_missing",
        "Artikeln finns inte i Fortnox ({detail}). SGX lägger upp artiklar själv; välj "
        "”Försök igen”. Kvarstår felet: " + CONTACT_SUPPORT,
    ),
    2000429: _entry(
        "fortnox_terms_of_payment_missing",
        "Betalningsvillkoret finns inte i Fortnox ({detail}). Lägg upp det under "
        "Inställningar → Betalningsvillkor i Fortnox eller ändra kundens villkor, och välj "
        "sedan ”Försök igen”.",
    ),
    2000430: _entry(
        "fortnox_price_missing",
        "Priset finns inte i Fortnox prislista ({detail}). Kontrollera artikelns pris i "
        "Fortnox och välj sedan ”Försök igen”.",
    ),
    2000431: _entry(
        "fortnox_price_list_missing",
        "Kundens prislista finns inte i Fortnox ({detail}). Ändra prislistan på kunden i "
        "Fortnox och välj sedan ”Försök igen”.",
    ),
    2000433: _entry(
        "fortnox_customer_missing",
        "Kunden finns inte i Fortnox kundregister ({detail}). Kontrollera att kunden inte "
        "har tagits bort i Fortnox och välj sedan ”Försök igen”.",
    ),
    2000434: _entry(
        "fortnox_invoice_missing",
        "Fakturan finns inte i Fortnox ({detail}). En kreditering kräver att "
        "originalfakturan finns där. Kontrollera att den har överförts.",
    ),
    2000435: _entry(
        "fortnox_terms_of_delivery_missing",
        "Leveransvillkoret finns inte i Fortnox ({detail}). Ändra leveransvillkoret på "
        "kunden i Fortnox och välj sedan ”Försök igen”.",
    ),
    2000550: _entry(
        "fortnox_account_inactive",
        "Konto {account} är inte aktivt i Fortnox för fakturadatumets räkenskapsår "
        "({detail}). {chart}: aktivera kontot, och välj sedan ”Försök igen”.",
    ),
    2000587: _entry(
        "fortnox_invalid_filter",
        "Fortnox godtog inte en sökning från SGX ({detail}). " + CONTACT_SUPPORT,
    ),
    2000637: _entry(
        "fortnox_customer_number_taken",
        "Kundnumret används redan i Fortnox, även av en borttagen kund ({detail}). "
        "Kontakta SGX support så att kunden kopplas rätt.",
    ),
    2000663: _entry(
        "fortnox_scope_missing",
        "Användaren som anslöt SGX saknar behörighet i Fortnox för det SGX behöver "
        "({detail}). Ge användaren behörighet eller anslut med ett servicekonto.",
    ),
    2000719: _entry(
        "fortnox_invalid_authorization_code",
        "Inloggningen mot Fortnox gick inte att slutföra. " + RECONNECT,
    ),
    2000729: _entry(
        "fortnox_identifier_missing",
        "Fortnox saknar ett giltigt nummer för det SGX frågade efter ({detail}). "
        + CONTACT_SUPPORT,
    ),
    2001101: _entry(
        "fortnox_licence_missing",
        "Fortnox-företaget saknar licens för en modul som överföringen behöver ({detail}). "
        "Köp licens för Kund, Artikel och Faktura i Fortnox och klicka sedan på "
        "”Kontrollera igen” på Fortnox-sidan.",
    ),
    2001103: _entry(
        "fortnox_api_licence_missing",
        "Fortnox-företaget saknar integrationslicens. Köp integrationslicensen i Fortnox och "
        "klicka sedan på ”Kontrollera igen” på Fortnox-sidan.",
    ),
    2001161: _entry(
        "fortnox_project_missing",
        "Projektet finns inte i Fortnox ({detail}). Ändra eller ta bort projektet på "
        "kunden i Fortnox och välj sedan ”Försök igen”.",
    ),
    2001304: _entry(
        "fortnox_account_missing",
        "Ett konto som fakturan bokförs på finns inte i Fortnox för fakturadatumets "
        "räkenskapsår ({detail}). {chart}: lägg upp kontot, och välj sedan ”Försök igen”.",
    ),
    2001339: _entry(
        "fortnox_no_permission_invoices",
        "Användaren som anslöt SGX får inte läsa fakturor i Fortnox. Ge användaren behörighet "
        "för Faktura i Fortnox eller anslut med ett servicekonto.",
    ),
    2001392: _entry(
        "fortnox_empty_body",
        "Fortnox fick ett tomt eller felaktigt anrop från SGX. " + CONTACT_SUPPORT,
    ),
    2001393: _entry(
        "fortnox_no_invoice_scope",
        "Anslutningen saknar behörighet för kundfakturor i Fortnox. " + RECONNECT,
    ),
    2001399: _entry(
        "fortnox_invalid_field",
        "Fortnox känner inte igen ett fält som SGX skickade ({detail}). Felet ligger hos "
        "SGX. " + CONTACT_SUPPORT,
    ),
    2001403: _entry(
        "fortnox_predefined_account_missing",
        "Ett förvalt konto saknas i Fortnox ({detail}). Ange förvalda konton under "
        "Inställningar → Bokföring → Förvalda konton i Fortnox och välj sedan ”Försök igen”.",
    ),
    2001427: _entry(
        "fortnox_no_permission_accruals",
        "Användaren som anslöt SGX saknar behörighet för periodiseringar i Fortnox. Ge "
        "användaren behörighet eller anslut med ett servicekonto.",
    ),
    2001740: _entry(
        "fortnox_unreadable_xml",
        "Fortnox kunde inte läsa anropet från SGX. " + CONTACT_SUPPORT,
    ),
    2002115: _entry(
        "fortnox_unreadable_json",
        "Fortnox kunde inte läsa anropet från SGX. " + CONTACT_SUPPORT,
    ),
    2002455: _entry(
        "fortnox_no_voucher_scope",
        "Anslutningen saknar behörighet för verifikationer i Fortnox. " + RECONNECT,
    ),
    2003330: _entry(
        "fortnox_no_permission_payments",
        "Användaren som anslöt SGX får inte läsa inbetalningar i Fortnox. Ge användaren "
        "behörighet för Betalningar eller anslut med ett servicekonto.",
    ),
    2003977: _entry(
        "fortnox_row_incomplete",
        "En fakturarad saknar text och artikel ({detail}). Kontrollera att artiklarna på "
        "fakturan har en benämning i SGX.",
    ),
    2004054: _entry("fortnox_invalid_login", "Fortnox godtar inte SGX:s inloggning. " + RECONNECT),
    2004167: _entry(
        "fortnox_easyvat_account_missing",
        "Fortnox har EasyVat påslaget och kräver konto på rader med egen momssats. "
        "Kontrollera att artikeln har ett försäljningskonto i SGX och välj ”Försök igen”.",
    ),
}

# Fortnox answers these different refusals with 2000588; its Swedish text tells them apart.
INVALID_PARAMETER: list[tuple[str, Entry]] = [
    (
        "används redan",
        _entry(
            "fortnox_number_taken",
            "Numret används redan i Fortnox ({detail}). SGX skapar ingen dubblett. Kontrollera "
            "nummerserien för kundfakturor i Fortnox så att den inte krockar med SGX:s "
            "fakturanummer. " + CONTACT_SUPPORT,
        ),
    ),
    (
        "räkenskapsår",
        _entry(
            "fortnox_financial_year_missing",
            "Fortnox saknar räkenskapsår för fakturadatumet ({detail}). Lägg upp räkenskapsåret "
            "i Fortnox (Inställningar → Räkenskapsår) och välj sedan ”Försök igen”.",
        ),
    ),
    (
        "överstiger",
        _entry(
            "fortnox_credit_exceeds_invoice",
            "Krediteringen är större än det som finns kvar av fakturan i Fortnox ({detail}). "
            "Kontrollera om fakturan redan har krediterats direkt i Fortnox.",
        ),
    ),
    (
        "makulerad",
        _entry(
            "fortnox_invoice_cancelled",
            "Fakturan är makulerad i Fortnox ({detail}). En makulerad faktura kan inte ändras "
            "eller krediteras; kontrollera fakturan i Fortnox.",
        ),
    ),
    (
        "bokförd",
        _entry(
            "fortnox_invoice_booked",
            "Fakturan är bokförd i Fortnox och kan inte ändras ({detail}). Gör ändringen som en "
            "kreditering i SGX.",
        ),
    ),
    (
        "krediter",
        _entry(
            "fortnox_credit_refused",
            "Fortnox godtar inte krediteringen ({detail}). Jämför fakturan i SGX och Fortnox; en "
            "kreditering gjord direkt i Fortnox gör att systemen inte stämmer.",
        ),
    ),
    (
        "moms",
        _entry(
            "fortnox_vat_rate_invalid",
            "Fortnox godtar inte momssatsen ({detail}). Använd 25, 12, 6 eller 0 % på artikeln.",
        ),
    ),
]
INVALID_PARAMETER_DEFAULT = _entry(
    "fortnox_invalid_value",
    "Fortnox godtog inte ett värde ({detail}). Rätta uppgiften i SGX och välj ”Försök igen”. "
    "Kvarstår felet: " + CONTACT_SUPPORT,
)

OAUTH_ERRORS: dict[str, Entry] = {
    "invalid_grant": _entry(
        "fortnox_connection_lost",
        "Anslutningen till Fortnox har upphört: medgivandet har återkallats eller "
        "förnyelsetoken gäller inte längre. " + RECONNECT,
    ),
    "invalid_client": _entry(
        "fortnox_client_rejected",
        "Fortnox godtar inte SGX:s klient-id eller klienthemlighet. Kontakta SGX support.",
    ),
    "invalid_scope": _entry(
        "fortnox_scope_rejected",
        "Fortnox godtog inte behörigheterna SGX bad om. Kontakta SGX support.",
    ),
    "redirect_uri_mismatch": _entry(
        "fortnox_redirect_mismatch",
        "Fortnox känner inte igen SGX:s återkomstadress. Kontakta SGX support.",
    ),
    "access_denied": _entry(
        "fortnox_access_denied",
        "Åtkomst till Fortnox nekades i inloggningen. Anslut igen och välj ”Godkänn”.",
    ),
    "invalid_request": _entry(
        "fortnox_oauth_invalid_request", "Fortnox avvisade inloggningsanropet. " + RECONNECT
    ),
    "unauthorized_client": _entry(
        "fortnox_client_not_allowed",
        "SGX:s Fortnox-klient får inte använda den här anslutningstypen. Kontakta SGX support.",
    ),
    "unsupported_grant_type": _entry(
        "fortnox_grant_unsupported",
        "Fortnox godtog inte SGX:s sätt att förnya anslutningen. Kontakta SGX support.",
    ),
}

# Failures that carry no code of their own, by the class the client gave them.
BY_CLASS: list[tuple[type[FortnoxError], Entry]] = [
    (
        RateLimited,
        _entry(
            "fortnox_rate_limited", "Fortnox tog emot för många anrop på kort tid. " + RETRY_LATER
        ),
    ),
    (
        Ambiguous,
        _entry(
            "fortnox_no_answer",
            "Fortnox svarade inte på en överföring. SGX kontrollerar i Fortnox vad som hann "
            "skapas innan det försöker igen, så inget dubbleras. " + RETRY_LATER,
        ),
    ),
    (Unavailable, _entry("fortnox_unavailable", "Fortnox går inte att nå just nu. " + RETRY_LATER)),
    (InvalidGrant, OAUTH_ERRORS["invalid_grant"]),
    (
        Unauthorized,
        _entry(
            "fortnox_unauthorized",
            "Fortnox godtog inte SGX:s åtkomst. SGX förnyar åtkomsten automatiskt; kvarstår "
            "felet behöver en Administratör ansluta igen.",
        ),
    ),
    (MissingLicence, CATALOGUE[2001101]),
    (MissingScope, CATALOGUE[2000663]),
]


def _generic(error: FortnoxError) -> Entry:
    code = f" (felkod {error.code})" if error.code is not None else ""
    return _entry(
        "fortnox_error",
        f"Fortnox avvisade överföringen{code}: ”{{detail}}”. Rätta det som Fortnox pekar på, i "
        "SGX eller i Fortnox, och välj ”Försök igen”. Kvarstår felet: " + CONTACT_SUPPORT,
    )


def _entry_for(error: FortnoxError) -> Entry:
    if error.code == 2000588:
        text = error.message.casefold()
        return next((e for key, e in INVALID_PARAMETER if key in text), INVALID_PARAMETER_DEFAULT)
    if error.code is not None and error.code in CATALOGUE:
        return CATALOGUE[error.code]
    if error.error and error.error in OAUTH_ERRORS:
        return OAUTH_ERRORS[error.error]
    if error.code is None:
        for cls, entry in BY_CLASS:
            if isinstance(error, cls):
                return entry
    return _generic(error)


def _account_of(message: str) -> str:
    found = _ACCOUNT.search(message)
    return found.group(1) if found else "(se Fortnox meddelande)"


def raw_code(error: FortnoxError) -> str:
    """Fortnox's code (or OAuth error, or HTTP status) as kept for support."""
    if error.code is not None:
        return str(error.code)
    if error.error:
        return error.error
    return f"HTTP {error.status}" if error.status is not None else ""


def describe_fortnox_error(error: FortnoxError) -> Described:
    entry = _entry_for(error)
    detail = (error.message or "").strip().rstrip(".") or "inget meddelande"
    message = entry.text.format(detail=detail, account=_account_of(error.message), chart=CHART)
    return Described(code=entry.code, message=message, fortnox_code=raw_code(error))
