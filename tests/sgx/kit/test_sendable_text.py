"""The character rule for texts that go to Fortnox: what is cleaned, what is refused and how."""

from __future__ import annotations

import pytest

from sgx.kit.sendable_text import character_errors, clean, unsendable


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("Storgatan 1\r\nLgh 1102", "Storgatan 1 Lgh 1102"),
        ("Anna\tAndersson", "Anna Andersson"),
        ("  Åsa\u00a0Öberg  ", "Åsa Öberg"),
        ("Hälsokontroll \u2013 bas", "Hälsokontroll - bas"),
        ("Vaccin\u2014influensa", "Vaccin-influensa"),
        ("O'Brien", "O´Brien"),
        ("D\u2019Angelo", "D´Angelo"),
        ("Ma\u00adrie\u200b", "Marie"),
        ("Ha\u030akan", "Håkan"),
        ("Ren text", "Ren text"),
    ],
)
def test_clean_keeps_the_meaning_with_characters_fortnox_reads(typed: str, sent: str) -> None:
    assert clean(typed) == sent
    assert unsendable(typed) == []


@pytest.mark.parametrize(
    ("typed", "refused"),
    [
        ('Hälsa "Plus" AB', ['"']),
        ("Företaget \u201dBäst\u201d", ['"']),
        ("Rum <1> | [A]", ["<", ">", "|", "[", "]"]),
        ("{x} ~ y", ["{", "}", "~"]),
        ("Pris 5 $ ^", ["$", "^"]),
        ("Stjärna \u2605", ["\u2605"]),
        ("Mathematical \U0001d400", ["\U0001d400"]),
        ("Klocka\x07", ["\x07"]),
        ("Punkter \u2026", ["\u2026"]),
    ],
)
def test_characters_that_cannot_be_cleaned_are_named(typed: str, refused: list[str]) -> None:
    assert unsendable(typed) == refused


def test_clean_never_lengthens_a_text() -> None:
    # U+0958 is a letter that the composed form (NFC) spells with two characters.
    assert clean("\u0958\u0958") == "\u0958\u0958"


def test_refusal_is_one_swedish_message_per_field_with_a_stable_code() -> None:
    errors = character_errors({"name": "Rum <1>", "city": "Ås", "other": "<"}, ("name", "city"))

    assert [(e.field, e.code, e.message) for e in errors] == [
        (
            "name",
            "unsupported_characters",
            "Tecknen ”<” och ”>” kan inte skickas till Fortnox. Ta bort eller byt ut dem.",
        )
    ]


def test_exact_fields_are_checked_as_typed() -> None:
    [error] = character_errors({"email": "o'brien@example.se"}, (), exact=("email",))

    assert error.message == "Tecknet ”'” kan inte skickas till Fortnox. Ta bort eller byt ut det."
