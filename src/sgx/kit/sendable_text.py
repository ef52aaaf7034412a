"""The one rule for the characters of texts that leave SGX for the accounting system (Fortnox).

Fortnox publishes the characters its API accepts (letters of any language, the digits, a list of
punctuation, line breaks) and refuses any other with error 2000359. The published list reads
two ways: as printed it has the typographic apostrophe ’ and no plain ', but the page's
typography seems to have turned a plain ' into ’ (its own explanation names the character
differently from the list). The rule here is what both readings accept, and it leaves out
^ $ ¢ ¥, which integrations report refused although they are listed.

``clean`` makes what can be made sendable without changing its meaning: Unicode composed form
(NFC), tabs, line breaks and other spaces to one space, typographic dashes to "-", apostrophes
and single quotes to ´ (the one apostrophe-like mark both readings accept), and invisible marks
(zero-width spaces, soft hyphens) removed. A cleaned text is never longer than the typed one, so
the length limits checked at input hold for what is sent. ``unsendable`` names what is left
that cannot go, so input is refused with a Swedish message and nothing half-stored; the mapping
to Fortnox cleans every text the same way, so what SGX accepts is what it sends.
"""

from __future__ import annotations

import re
import string
import unicodedata

from sgx.errors import FieldError

CODE = "unsupported_characters"

_PUNCTUATION = frozenset(" :.,;`´#%§£€¤&/()=+-*_!?@\\°²³®©™½")
_DIGITS = frozenset(string.digits)
_LETTER_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo"})
# Fortnox's regex engine may read text as UTF-16 units, where a letter outside the Basic
# Multilingual Plane is two non-letters: only letters below U+10000 are taken as sendable.
_BMP_END = 0x10000

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b\u2032\u2035"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2036"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_REPLACEMENTS = str.maketrans(
    {
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_SINGLE_QUOTES, "´"),
        **dict.fromkeys(_DOUBLE_QUOTES, '"'),
        **dict.fromkeys(_INVISIBLE, None),
    }
)
# Every kind of space and line break, tabs included (str.split's notion of whitespace).
_WHITESPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """The text as it is sent: same meaning, only characters Fortnox reads the same way."""
    composed = unicodedata.normalize("NFC", text)
    if len(composed) > len(text):  # a few scripts' letters decompose; they are letters as typed
        composed = text
    return _WHITESPACE.sub(" ", composed.translate(_REPLACEMENTS)).strip()


def is_sendable_character(char: str) -> bool:
    if char in _PUNCTUATION or char in _DIGITS:
        return True
    return unicodedata.category(char) in _LETTER_CATEGORIES and ord(char) < _BMP_END


def unsendable(text: str, *, exact: bool = False) -> list[str]:
    """The characters that remain unsendable after ``clean``, each once, in order of appearance.

    ``exact`` is for texts that must go as typed (e-mail addresses): nothing is cleaned.
    """
    sent = text.strip() if exact else clean(text)
    return list(dict.fromkeys(char for char in sent if not is_sendable_character(char)))


def is_sendable(text: str) -> bool:
    return not unsendable(text)


def _shown(char: str) -> str:
    if char.isprintable() and not char.isspace():
        return f"”{char}”"
    return f"U+{ord(char):04X}"


def character_errors(
    values: dict[str, object], fields: tuple[str, ...], *, exact: tuple[str, ...] = ()
) -> list[FieldError]:
    """One Swedish refusal per field whose text holds unsendable characters; the fields in
    ``exact`` are checked as typed (see ``unsendable``)."""
    errors = []
    for name in (*fields, *exact):
        value = values.get(name)
        if not isinstance(value, str):
            continue
        found = unsendable(value, exact=name in exact)
        if found:
            shown = [_shown(char) for char in found]
            listed = " och ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 1 else shown)
            one = len(found) == 1
            errors.append(
                FieldError(
                    name,
                    CODE,
                    f"{'Tecknet' if one else 'Tecknen'} {listed} kan inte skickas till Fortnox. "
                    f"Ta bort eller byt ut {'det' if one else 'dem'}.",
                )
            )
    return errors
