"""OCR references: invoice number + length digit + Luhn check digit (Fortnox's own scheme)."""

from __future__ import annotations

import pytest

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
