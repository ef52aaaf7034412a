"""Exact matching on top of Fortnox's substring searches."""

from __future__ import annotations

import pytest

from sgx.fortnox.matching import (
    identity_search_term,
    normalise_identity_number,
    same_identity_number,
    same_reference,
    same_text,
)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("556036-0793", "5560360793"),
        ("5560360793", "5560360793"),
        ("16556036-0793", "5560360793"),
        ("165560360793", "5560360793"),
        ("19550101-1234", "5501011234"),
        ("200101011234", "0101011234"),
        (" 556036 0793 ", "5560360793"),
        ("556036-079", None),
        ("", None),
        (None, None),
        ("995560360793", None),
    ],
)
def test_identity_numbers_normalise_to_ten_digits(raw: str | None, normalised: str | None) -> None:
    assert normalise_identity_number(raw) == normalised


def test_different_spellings_of_one_number_match() -> None:
    assert same_identity_number("556036-0793", "165560360793")


def test_a_number_containing_another_does_not_match() -> None:
    assert not same_identity_number("5560360793", "5560360794")
    assert not same_identity_number(None, None)


def test_search_term_is_found_inside_every_spelling() -> None:
    term = identity_search_term("556036-0793")
    for spelling in ("556036-0793", "5560360793", "16556036-0793", "165560360793"):
        assert term in spelling


def test_search_term_of_something_else_is_refused() -> None:
    with pytest.raises(ValueError):
        identity_search_term("abc")


def test_text_matches_ignore_case_and_surrounding_spaces_only() -> None:
    assert same_text(" Kund@Exempel.se", "kund@exempel.se")
    assert not same_text("kund@exempel.se", "kund@exempel.se.nu")


def test_references_must_be_equal_not_contained() -> None:
    assert same_reference("sgx-1", "sgx-1")
    assert not same_reference("sgx-1", "sgx-10")
    assert not same_reference(None, "sgx-1")
