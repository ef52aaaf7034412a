"""Pages address an object under its issuer (``/issuers/{issuer_id}/patients/{id}``); the object
must belong to that issuer.

An object of another issuer is reported exactly like an unknown id (404), whatever the caller's
role there: a page never shows one issuer's object under another's name, and the address tells
nothing about objects the page does not own.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from sgx.errors import NotFound


class OfIssuer(Protocol):
    @property
    def issuer_id(self) -> int: ...


OwnedT = TypeVar("OwnedT", bound=OfIssuer)


def in_address(obj: OwnedT, issuer_id: int, *, missing: NotFound) -> OwnedT:
    """The object, if it belongs to the issuer in the address; else ``missing``."""
    if obj.issuer_id != issuer_id:
        raise missing
    return obj
