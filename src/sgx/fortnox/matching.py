"""Exact matching on top of Fortnox's searches, which are case-insensitive substring matches.

``?organisationnumber=556677`` also finds ``5566778899`` and ``16556677…``; ``?documentnumber=1``
also finds 10 and 21. These pure functions decide what really matches.
"""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D")
# A 12-digit form carries a century (19/20, personnummer) or the prefix 16 (organisations).
_TWELVE_DIGIT_PREFIXES = ("16", "19", "20")


def normalise_identity_number(value: str | None) -> str | None:
    """Organisation or personal number as its 10 digits, or ``None`` if it is not one.

    ``556677-8899``, ``5566778899``, ``16556677-8899`` → ``5566778899``;
    ``19550101-1234`` → ``5501011234``.
    """
    if not value:
        return None
    digits = _NON_DIGITS.sub("", value)
    if len(digits) == 12 and digits.startswith(_TWELVE_DIGIT_PREFIXES):
        digits = digits[2:]
    return digits if len(digits) == 10 else None


def identity_search_term(value: str) -> str:
    """What to send to Fortnox's substring search so every spelling of the number is found.

    The first six digits occur unbroken in all of them (with or without hyphen, 10 or 12
    digits); the results are then compared exactly.
    """
    normalised = normalise_identity_number(value)
    if normalised is None:
        raise ValueError("not an organisation or personal number")
    return normalised[:6]


def same_identity_number(a: str | None, b: str | None) -> bool:
    normalised = normalise_identity_number(a)
    return normalised is not None and normalised == normalise_identity_number(b)


def same_text(a: str | None, b: str | None) -> bool:
    """Names and e-mail addresses: equal ignoring case and surrounding spaces."""
    if a is None or b is None:
        return False
    return a.strip().casefold() == b.strip().casefold()


def same_reference(a: str | None, b: str | None) -> bool:
    """Our own references and Fortnox numbers: exactly equal."""
    return a is not None and b is not None and a.strip() == b.strip()
