"""OCR references: invoice number + length digit + Luhn check digit (Fortnox's own scheme)."""

from __future__ import annotations

import pytest
from stdnum import luhn

from sgx.invoicing.ocr import is_valid_ocr_reference, ocr_reference


@pytest.mark.parametrize(
    ("number", "reference"),
    [(1, "133"), (18, "1842"), (39, "3947"), (40, "4044"), (12345, "1234574"), (1001, "100164")],
)
def test_ocr_reference_matches_the_worked_examples(number: int, reference: str) -> None:
    assert ocr_reference(number) == reference


def test_length_digit_keeps_only_the_units_of_a_long_reference() -> None:
    # 9 digits + length digit + check digit = 11 characters → length digit 1.
    reference = ocr_reference(123456789)
    assert len(reference) == 11
    assert reference[-2] == "1"


@pytest.mark.parametrize("number", [1, 18, 1001, 99999, 123456789])
def test_generated_references_pass_the_bankgiro_checks(number: int) -> None:
    assert is_valid_ocr_reference(ocr_reference(number))


@pytest.mark.parametrize("reference", ["100165", "100174", "1", "12a4", "1001"])
def test_reference_with_wrong_check_or_length_digit_is_invalid(reference: str) -> None:
    assert not is_valid_ocr_reference(reference)


def _with_check_digit(body: str) -> str:
    return body + luhn.calc_check_digit(body)


def test_a_negative_number_has_no_reference() -> None:
    with pytest.raises(ValueError):
        ocr_reference(-1)


def test_the_longest_number_makes_a_reference_of_25_characters_and_one_more_digit_is_refused() -> (
    None
):
    longest = ocr_reference(10**22)  # 23 digits + length digit + check digit
    assert len(longest) == 25
    assert is_valid_ocr_reference(longest)
    with pytest.raises(ValueError):
        ocr_reference(10**23)


def test_references_of_2_and_25_characters_are_valid_and_of_26_are_not() -> None:
    assert is_valid_ocr_reference(_with_check_digit("2"))  # the length digit and the check digit
    assert is_valid_ocr_reference(_with_check_digit("1" * 23 + "5"))
    assert not is_valid_ocr_reference(_with_check_digit("1" * 24 + "6"))


@pytest.mark.parametrize("length_digit", ["5", "7"])
def test_a_wrong_length_digit_is_invalid_even_with_a_valid_check_digit(length_digit: str) -> None:
    # 1001 makes a reference of six characters: only the length digit 6 is right.
    assert not is_valid_ocr_reference(_with_check_digit("1001" + length_digit))
