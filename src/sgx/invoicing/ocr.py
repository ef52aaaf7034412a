"""OCR payment references derived from the invoice number.

The reference is the invoice number, a length digit (the whole reference's length, modulo 10)
and a Luhn check digit over everything before it; this is the scheme Fortnox itself uses when it
generates OCR numbers, and it satisfies Bankgirot's checks for variable-length references.
"""

from __future__ import annotations

from stdnum import luhn

MIN_LENGTH = 2
MAX_LENGTH = 25


def ocr_reference(invoice_number: int) -> str:
    digits = str(invoice_number)
    if invoice_number < 0 or len(digits) + 2 > MAX_LENGTH:
        raise ValueError("invoice number out of range for an OCR reference")
    with_length = digits + str((len(digits) + 2) % 10)
    return with_length + luhn.calc_check_digit(with_length)


def is_valid_ocr_reference(reference: str) -> bool:
    """True for digits only, 2–25 long, with a valid length digit and Luhn check digit."""
    if not reference.isdigit() or not MIN_LENGTH <= len(reference) <= MAX_LENGTH:
        return False
    if int(reference[-2]) != len(reference) % 10:
        return False
    return luhn.is_valid(reference)
