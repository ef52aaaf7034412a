"""The catalogue of Fortnox errors: every code the product can meet has a stable English code and
a Swedish message saying what to do; unknown codes get a generic but useful one."""

from __future__ import annotations

import pytest

import fortnox_sandbox.errors as sandbox_errors
from sgx.fortnox.errors import (
    Ambiguous,
    FortnoxError,
    InvalidGrant,
    InvalidRequest,
    MissingLicence,
    NotFound,
    RateLimited,
    Unauthorized,
    Unavailable,
)
from sgx.integration.messages import CATALOGUE, OAUTH_ERRORS, describe_fortnox_error

# The codes listed in the Fortnox reference (§4.2).
REFERENCE_CODES = [
    1000003, 1000030, 1000031, 2000106, 2000107, 2000108, 2000134, 2000310, 2000311, 2000359,
    2000401, 2000423, 2000427, 2000428, 2000429, 2000430, 2000431, 2000433, 2000434, 2000435,
    2000550, 2000587, 2000588, 2000637, 2000663, 2000719, 2000729, 2001101, 2001103, 2001161,
    2001304, 2001339, 2001392, 2001393, 2001399, 2001403, 2001427, 2001740, 2002115, 2002455,
    2003330, 2004054, 2004167,
]  # fmt: skip
# The codes the sandbox answers with (its named constants, plus the row rule's own code).
SANDBOX_CODES = sorted(
    {value for name, value in vars(sandbox_errors).items() if name.isupper()} | {2003977}
)
OAUTH_CODES = ["invalid_grant", "invalid_client", "invalid_scope", "redirect_uri_mismatch",
               "access_denied", "invalid_request", "unauthorized_client",
               "unsupported_grant_type"]  # fmt: skip
GENERIC = "fortnox_error"


def refusal(code: int, message: str = "Något gick fel.") -> FortnoxError:
    return InvalidRequest(message, status=400, code=code, method="POST")


@pytest.mark.parametrize("code", sorted(set(REFERENCE_CODES) | set(SANDBOX_CODES)))
def test_every_code_the_product_can_meet_has_its_own_code_and_message(code: int) -> None:
    described = describe_fortnox_error(refusal(code, "Fortnox text"))
    assert described.code != GENERIC and described.code.isascii()
    assert described.fortnox_code == str(code)
    assert "{" not in described.message and len(described.message) > 40


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_catalogued_messages_say_what_to_do(code: int) -> None:
    message = describe_fortnox_error(refusal(code)).message
    verbs = ("Lägg upp", "Kontakta", "Köp", "Ge ", "Ta bort", "Kontrollera", "Ändra", "Korta",
             "Rätta", "Aktivera", "aktivera", "Anslut", "ansluta", "Ange", "Lås upp", "försöker",
             "Gör", "Jämför", "välj", "Använd")  # fmt: skip
    assert any(verb in message for verb in verbs), message


def test_catalogue_codes_are_stable_english_identifiers() -> None:
    codes = {entry.code for entry in CATALOGUE.values()} | {e.code for e in OAUTH_ERRORS.values()}
    assert all(code.startswith("fortnox_") and code.replace("_", "").isalnum() for code in codes)


def test_missing_account_names_the_account_fortnox_named() -> None:
    error = refusal(2000423, 'Kontot "4000" existerar inte. (PurchaseAccount)')
    described = describe_fortnox_error(error)
    assert described.code == "fortnox_account_missing"
    assert "Konto 4000 finns inte" in described.message and "Kontoplan" in described.message


def test_inactive_account_names_the_account_and_says_to_activate_it() -> None:
    described = describe_fortnox_error(refusal(2000550, 'Konto "3004" är inte aktivt'))
    assert described.code == "fortnox_account_inactive"
    assert "Konto 3004 är inte aktivt" in described.message and "aktivera" in described.message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Dokumentnummer 1001 används redan. (DocumentNumber)", "fortnox_number_taken"),
        ("Räkenskapsår saknas för datumet 2031-01-01.", "fortnox_financial_year_missing"),
        ("Fakturan är redan krediterad (kreditfaktura 7).", "fortnox_credit_refused"),
        ("Krediteringen överstiger fakturans belopp.", "fortnox_credit_exceeds_invoice"),
        ("Fakturan är makulerad och kan inte krediteras.", "fortnox_invoice_cancelled"),
        ("Fakturan är bokförd och kan inte ändras.", "fortnox_invoice_booked"),
        ("Kunde inte hämta/hitta moms", "fortnox_vat_rate_invalid"),
        ("Värdet är för kort. (Name)", "fortnox_invalid_value"),
    ],
)
def test_fortnox_generic_invalid_parameter_is_told_apart_by_its_text(text: str, code: str) -> None:
    described = describe_fortnox_error(refusal(2000588, text))
    assert described.code == code
    assert described.fortnox_code == "2000588"
    assert text.rstrip(".") in described.message


@pytest.mark.parametrize("error", OAUTH_CODES)
def test_oauth_errors_have_their_own_messages(error: str) -> None:
    described = describe_fortnox_error(
        InvalidRequest("desc", status=400, error=error, method="POST")
    )
    assert described.code != GENERIC and described.fortnox_code == error


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (RateLimited("För många anrop till Fortnox.", status=429), "fortnox_rate_limited"),
        (
            Unavailable("Inget svar från Fortnox (ConnectError).", method="GET"),
            "fortnox_unavailable",
        ),
        (Ambiguous("Inget svar från Fortnox (ReadTimeout).", method="POST"), "fortnox_no_answer"),
        (Ambiguous("Fortnox är inte tillgängligt just nu.", status=503), "fortnox_no_answer"),
        (Unauthorized("unauthorized", status=401), "fortnox_unauthorized"),
        (InvalidGrant("Invalid refresh token", status=400), "fortnox_connection_lost"),
        (MissingLicence("Det finns ingen aktiv licens", status=403), "fortnox_licence_missing"),
    ],
)
def test_failures_without_a_code_are_described_by_their_kind(
    error: FortnoxError, code: str
) -> None:
    described = describe_fortnox_error(error)
    assert described.code == code and len(described.message) > 40


def test_transient_failures_say_sgx_tries_again_by_itself() -> None:
    described = describe_fortnox_error(Unavailable("x", status=503, method="GET"))
    assert "försöker igen automatiskt" in described.message


def test_unknown_code_gets_a_generic_but_useful_message_with_fortnox_text_and_code() -> None:
    error = refusal(2999999, "Ett helt nytt fel.")
    described = describe_fortnox_error(error)
    assert described.code == GENERIC and described.fortnox_code == "2999999"
    assert "2999999" in described.message and "Ett helt nytt fel" in described.message
    assert "Försök igen" in described.message


def test_unknown_failure_without_code_keeps_the_http_status_for_support() -> None:
    described = describe_fortnox_error(NotFound("Hittades inte.", status=404, method="GET"))
    assert described.fortnox_code == "HTTP 404"
    assert "Hittades inte" in described.message
