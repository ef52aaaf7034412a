"""What SGX needs from a Fortnox company: scopes, the licences behind them, and their names.

All scopes are requested at the first consent: adding one later would force every issuer to
reconnect. The module names are the ones the customer recognises when buying licences.
"""

from __future__ import annotations

from collections.abc import Iterable

REQUIRED_SCOPES: tuple[str, ...] = (
    "companyinformation",
    "customer",
    "article",
    "invoice",
    "bookkeeping",
    "payment",
)

MODULE_NAMES: dict[str, str] = {
    "companyinformation": "Företagsinformation",
    "customer": "Kund",
    "article": "Artikel",
    "invoice": "Faktura",
    "bookkeeping": "Bokföring",
    "payment": "Betalningar",
}

# Fortnox: 2001101 "no active licence for the desired scope", 2001103 "Api-licens saknas".
MODULE_LICENCE_CODE = 2001101
API_LICENCE_CODE = 2001103


def module_names(scopes: Iterable[str]) -> list[str]:
    return [MODULE_NAMES.get(scope, scope) for scope in scopes]


def licence_message(missing: Iterable[str], *, api_licence_missing: bool = False) -> str:
    """Swedish: which Fortnox modules to buy, and that an integration licence is required."""
    names = module_names(missing)
    parts = []
    if names:
        parts.append(f"Fortnox-företaget saknar licens för: {', '.join(names)}.")
    if api_licence_missing:
        parts.append("Fortnox-företaget saknar integrationslicens.")
    parts.append(
        "SGX behöver licenser för "
        + ", ".join(MODULE_NAMES.values())
        + " samt en integrationslicens i Fortnox. Köp det som saknas i Fortnox och klicka "
        "sedan på ”Kontrollera igen”."
    )
    return " ".join(parts)


def normalise_organisation_number(value: str | None) -> str:
    """Digits only; 12 digits lose their prefix (century, or 16 for companies)."""
    digits = "".join(char for char in (value or "") if char.isdigit())
    return digits[2:] if len(digits) == 12 else digits
