"""The catalogue of Fortnox errors the product can meet, each with a Swedish message and a fix.

(Filled by the transfer handlers' work; the engine calls ``describe_fortnox_error``.)
"""

from __future__ import annotations

from dataclasses import dataclass

from sgx.fortnox.errors import FortnoxError


@dataclass(frozen=True)
class Described:
    code: str  # stable English code
    message: str  # Swedish: what is wrong and what to do


def describe_fortnox_error(error: FortnoxError) -> Described:
    fortnox_code = error.code
    return Described(
        code=f"fortnox_{fortnox_code}" if fortnox_code else "fortnox_error",
        message=f"Fortnox svarade med ett fel ({fortnox_code}): {error.message}",
    )
