"""The characters Fortnox accepts in a text value, as its "Formats & Encoding" page lists them.

The list: any letter (``\\p{L}``), the digits, space, line feed and carriage return, the no-break
space, the combining diaeresis and ring (U+0308, U+030A), and
``’ \\ – : . ` ´ , ; ^ ¤ # % § £ $ € ¢ ¥ © ™ ° & / ( ) = + - * _ ! ? ² ³ ® ½ @``. Any other
character in a value is refused with 2000359 "Värdet innehåller ej tillåtna tecken". The list
is emulated as printed, typographic apostrophe (’) and all; whether Fortnox's own rule has the
plain ' instead is not known (see docs/fortnox-sandbox.md).

E-mail texts are templates: Fortnox's own default subject is "Faktura {no} bifogas" (recorded),
so a client that reads an invoice and writes it back whole sends braces Fortnox itself made.
Those fields also take ``{`` and ``}``.
"""

from __future__ import annotations

import string
import unicodedata

LISTED = frozenset(
    "’\\\u0308\u030a –:.`´,;^¤#%§£$€¢¥©™°&/()=+-*_!?²³®½@\u00a0\n\r"
    + string.ascii_letters
    + string.digits
    + "åäöéáœæøüÅÄÖÉÁÜŒÆØ"
)


def is_accepted(char: str) -> bool:
    return char in LISTED or unicodedata.category(char).startswith("L")


# The e-mail template fields of EmailInformation, whose placeholders are written in braces.
TEMPLATE_FIELDS = frozenset({"EmailSubject", "EmailBody"})
PLACEHOLDER_BRACES = frozenset("{}")


def has_disallowed(text: str, *, field: str = "") -> bool:
    extra = PLACEHOLDER_BRACES if field in TEMPLATE_FIELDS else frozenset()
    return not all(char in extra or is_accepted(char) for char in text)
