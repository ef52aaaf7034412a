"""Request and response bodies of the catalog API, and the money type shared by the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer


def _two_decimals(value: Decimal) -> str:
    return f"{value + 0:.2f}"  # + 0 turns a negative zero into "0.00"


# Money in JSON: a string with exactly two decimals, so no client reads it as a float.
Money = Annotated[Decimal, PlainSerializer(_two_decimals, return_type=str, when_used="json")]


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: int
    name: str
    active: bool


class ArticleCreate(BaseModel):
    """The description is the neutral text printed on invoice rows and sent to Fortnox."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=50)
    description: str = Field(min_length=1, max_length=200)
    unit: str = Field(default="st", min_length=1, max_length=20)
    unit_price: Decimal
    vat_rate: int
    sales_account_number: int
    vat_exemption_text: str = Field(default="", max_length=200)
    active: bool = True


class ArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    issuer_id: int
    code: str
    description: str
    unit: str
    unit_price: Money
    vat_rate: int
    sales_account_number: int
    vat_exemption_text: str
    active: bool
