"""Invoice document numbers: the caller's, or one the company's series hands out.

How real Fortnox numbers an invoice after callers have chosen numbers of their own is not
documented, so the sandbox offers each plausible behaviour, chosen per company through the
control plane (``invoice_numbering`` on ``POST``/``PATCH /_sandbox/companies``):

* ``lowest_free`` (the default): the series counts up from 1 and skips every number in use, so
  a number a caller left free below the highest is handed out later;
* ``after_highest``: the next number is one above the highest number in use;
* ``fortnox_assigns``: Fortnox ignores a caller's ``DocumentNumber`` and hands out the number
  after the highest itself. A payload posted twice then makes two invoices — exactly what a real
  Fortnox does with any POST it does not refuse — so only the caller's own look-up before a
  repeated write keeps it from a duplicate.

A caller's number (in the first two modes) must be digits and not in use.
"""

from __future__ import annotations

from fortnox_sandbox import wire
from fortnox_sandbox.errors import VALUE_NOT_NUMERIC
from fortnox_sandbox.resources.common import Ctx

LOWEST_FREE = "lowest_free"
AFTER_HIGHEST = "after_highest"
FORTNOX_ASSIGNS = "fortnox_assigns"
INVOICE_NUMBERING_MODES = (LOWEST_FREE, AFTER_HIGHEST, FORTNOX_ASSIGNS)


def allocate_invoice_number(ctx: Ctx, requested: str | None) -> str:
    mode = ctx.company.invoice_numbering
    if requested and mode != FORTNOX_ASSIGNS:
        return _caller_number(ctx, requested)
    if mode == LOWEST_FREE:
        while True:
            number = str(ctx.company.next_in_series("invoice"))
            if number not in ctx.company.invoices:
                return number
    return str(highest_invoice_number(ctx) + 1)


def highest_invoice_number(ctx: Ctx) -> int:
    return max((int(n) for n in ctx.company.invoices if n.isdigit()), default=0)


def _caller_number(ctx: Ctx, requested: str) -> str:
    if not requested.isdigit():
        raise wire.bad_request(VALUE_NOT_NUMERIC, f"Värdet måste vara numeriskt ({requested})")
    number = str(int(requested))
    if number in ctx.company.invoices:
        raise wire.invalid(f"Dokumentnummer {number} används redan. (DocumentNumber)")
    return number
