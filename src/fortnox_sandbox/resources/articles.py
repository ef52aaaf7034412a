"""Articles: what invoice rows can refer to for their description, account and VAT.

A new article takes the company's predefined accounts (sales 3001, purchase 4000) unless given,
and its VAT from the sales account's VAT code. Every PUT re-checks all the article's accounts
against the current year's chart, even ones the caller did not touch (OBSERVED: "Kontot "4000"
existerar inte. (PurchaseAccount)" on a PUT that only changed the description).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fortnox_sandbox import listing, spec, wire
from fortnox_sandbox.errors import ARTICLE_NOT_FOUND, FortnoxApiError
from fortnox_sandbox.resources import ledger
from fortnox_sandbox.resources.common import Ctx

KIND = "articles"
# Computed by Fortnox (stock figures, the price from the default price list, the supplier name).
READ_ONLY = (
    "@url",
    "DisposableQuantity",
    "ReservedQuantity",
    "StockValue",
    "SalesPrice",
    "SupplierName",
)
ACCOUNT_FIELDS = ("SalesAccount", "PurchaseAccount", "EUAccount", "EUVATAccount", "ExportAccount")
# The list shows these as strings, the article itself as numbers (OpenAPI list item schema;
# OBSERVED for PurchasePrice and QuantityInStock in recorded lists).
LIST_STRING_FIELDS = (
    "DisposableQuantity",
    "PurchasePrice",
    "QuantityInStock",
    "ReservedQuantity",
    "SalesPrice",
    "StockValue",
    "VAT",
)
LIST_FIELDS = (
    "ArticleNumber",
    "Description",
    "EAN",
    "Housework",
    "StockPlace",
    "Unit",
    "WebshopArticle",
)

ZERO = Decimal("0")


def _blank_article(ctx: Ctx) -> dict[str, Any]:
    article: dict[str, Any] = dict.fromkeys(spec.schema("fortnox_Article")["properties"])
    del article["@url"]
    settings = ctx.company.settings
    article.update(
        Active=True,
        Bulky=False,
        Expired=False,
        Housework=False,
        StockGoods=False,
        WebshopArticle=False,
        Type="STOCK",
        Unit="",
        EAN="",
        Note="",
        Manufacturer="",
        ManufacturerArticleNumber="",
        StockPlace="",
        SalesAccount=settings["SalesAccountByVAT"][25],
        PurchaseAccount=settings["PurchaseAccount"],
    )
    for name in ("DisposableQuantity", "PurchasePrice", "QuantityInStock", "ReservedQuantity"):
        article[name] = ZERO
    for name in ("SalesPrice", "StockValue", "DirectCost", "FreightCost", "OtherCost"):
        article[name] = ZERO
    return article


def get_article(ctx: Ctx, number: str) -> dict[str, Any]:
    article = ctx.company.articles.get(str(number))
    if article is None:
        raise FortnoxApiError(404, ARTICLE_NOT_FOUND, "Kan inte hitta artikeln.")
    return article


def create_article(ctx: Ctx, payload: dict[str, Any]) -> dict[str, Any]:
    fields = wire.check_fields(payload, "fortnox_Article", read_only=READ_ONLY)
    if not fields.get("Description"):
        raise wire.invalid("Artikeln måste ha en benämning. (Description)")
    number = fields.pop("ArticleNumber", "") or _next_number(ctx)
    if number in ctx.company.articles:
        # Fortnox's code for a taken article number is not documented (UNCONFIRMED).
        raise wire.invalid(f"Artikelnummer {number} används redan. (ArticleNumber)")
    article = _blank_article(ctx)
    article.update(fields)
    article["ArticleNumber"] = number
    _check_accounts(ctx, article, fields)
    if "VAT" not in fields:
        year_id = ledger.current_year_id(ctx)
        vat = ledger.vat_of_account(ctx.company, year_id, article["SalesAccount"])
        if vat is None and ledger.account_in(ctx.company, year_id, article["SalesAccount"]):
            vat = 0  # OBSERVED: SalesAccount 1250, an account without a VAT code, gave VAT 0
        article["VAT"] = Decimal(vat if vat is not None else 25)
    ctx.company.articles[number] = article
    ctx.touch(KIND, number)
    return article


def _next_number(ctx: Ctx) -> str:
    while True:
        candidate = str(ctx.company.next_in_series("article"))
        if candidate not in ctx.company.articles:
            return candidate


def update_article(ctx: Ctx, number: str, payload: dict[str, Any]) -> dict[str, Any]:
    article = get_article(ctx, number)
    fields = wire.check_fields(payload, "fortnox_Article", read_only=READ_ONLY)
    if "ArticleNumber" in fields and fields.pop("ArticleNumber") != article["ArticleNumber"]:
        raise wire.invalid("Artikelnumret kan inte ändras. (ArticleNumber)")
    if "Description" in fields and not fields["Description"]:
        raise wire.invalid("Artikeln måste ha en benämning. (Description)")
    merged = {**article, **fields}
    _check_accounts(ctx, merged, merged)
    article.update(fields)
    ctx.touch(KIND, article["ArticleNumber"])
    return article


def _check_accounts(ctx: Ctx, article: dict[str, Any], fields: Mapping[str, Any]) -> None:
    for name in ACCOUNT_FIELDS:
        if fields.get(name):
            ledger.require_register_account(ctx, article[name], name)


def delete_article(ctx: Ctx, number: str) -> None:
    article = get_article(ctx, number)
    del ctx.company.articles[article["ArticleNumber"]]
    ctx.touch(KIND, article["ArticleNumber"])


def article_view(ctx: Ctx, article: dict[str, Any]) -> dict[str, Any]:
    return {"@url": ctx.url(f"articles/{article['ArticleNumber']}"), **wire.plain(article)}


def article_list_item(ctx: Ctx, article: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"@url": ctx.url(f"articles/{article['ArticleNumber']}")}
    item.update({key: wire.plain(article[key]) for key in LIST_FIELDS})
    for key in LIST_STRING_FIELDS:
        value = article[key]
        item[key] = wire.format_decimal(value) if isinstance(value, Decimal) else value
    return item


def _number_key(field: str) -> Any:
    return lambda a: a[field] if a[field] is not None else ZERO


LIST_RULES = listing.ListRules(
    searches={
        "articlenumber": lambda a: a["ArticleNumber"],
        "description": lambda a: a["Description"],
        "ean": lambda a: a["EAN"],
        "suppliernumber": lambda a: a["SupplierNumber"],
        "manufacturer": lambda a: a["Manufacturer"],
        "manufacturerarticlenumber": lambda a: a["ManufacturerArticleNumber"],
        "webshop": lambda a: a["WebshopArticle"],
    },
    filters={"active": lambda a: bool(a["Active"]), "inactive": lambda a: not a["Active"]},
    sort_keys={
        "articlenumber": lambda a: listing.natural_key(a["ArticleNumber"]),
        "quantityinstock": _number_key("QuantityInStock"),
        "reservedquantity": _number_key("ReservedQuantity"),
        "stockvalue": _number_key("StockValue"),
    },
    default_sort=lambda a: listing.natural_key(a["ArticleNumber"]),
)


def list_articles(ctx: Ctx, params: Mapping[str, str]) -> listing.Page:
    return listing.select(
        list(ctx.company.articles.values()),
        params,
        LIST_RULES,
        modified_at=lambda a: ctx.company.modified_at(KIND, a["ArticleNumber"]),
    )
