"""Fortnox's official OpenAPI description, cut down to the routes the sandbox serves.

The sandbox derives its write rules (known fields, types, max lengths, enums) from these schemas,
and the conformance tests validate every response against them. The subset is regenerated from
Fortnox's full file with ``python -m fortnox_sandbox.spec <fortnox-openapi.json>``.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

SUBSET_PATH = Path(__file__).parent / "openapi" / "fortnox-openapi-subset.json"

# The Fortnox routes the sandbox serves (every method under them is kept for reference).
SERVED_PATHS = (
    "/3/companyinformation",
    "/3/customers",
    "/3/customers/{CustomerNumber}",
    "/3/articles",
    "/3/articles/{ArticleNumber}",
    "/3/accounts",
    "/3/accounts/{Number}",
    "/3/financialyears",
    "/3/financialyears/{Id}",
    "/3/invoices",
    "/3/invoices/{DocumentNumber}",
    "/3/invoices/{DocumentNumber}/bookkeep",
    "/3/invoices/{DocumentNumber}/cancel",
    "/3/invoices/{DocumentNumber}/credit",
    "/3/invoices/{DocumentNumber}/externalprint",
    "/3/invoicepayments",
    "/3/invoicepayments/{Number}",
    "/3/invoicepayments/{Number}/bookkeep",
)

_REF_PREFIX = "#/components/schemas/"


@cache
def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SUBSET_PATH.read_text(encoding="utf-8"))
    return data


def schema(name: str) -> dict[str, Any]:
    """A component schema by name, e.g. ``fortnox_Customer``."""
    found: dict[str, Any] = load()["components"]["schemas"][name]
    return found


def ref_name(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
        return ref[len(_REF_PREFIX) :]
    return None


def _refs_in(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        name = ref_name(node)
        if name:
            found.add(name)
        for value in node.values():
            found |= _refs_in(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs_in(value)
    return found


def extract_subset(full: dict[str, Any]) -> dict[str, Any]:
    """The served paths of Fortnox's full description, with every schema they reach."""
    paths = {path: full["paths"][path] for path in SERVED_PATHS}
    all_schemas = full["components"]["schemas"]
    wanted: set[str] = set()
    pending = _refs_in(paths)
    while pending:
        name = pending.pop()
        if name in wanted:
            continue
        wanted.add(name)
        pending |= _refs_in(all_schemas[name]) - wanted
    return {
        "openapi": full["openapi"],
        "info": {"title": full["info"].get("title", "Fortnox API"), "version": "subset"},
        "servers": full.get("servers", []),
        "paths": paths,
        "components": {"schemas": {name: all_schemas[name] for name in sorted(wanted)}},
    }


def main(argv: list[str]) -> None:
    full = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    SUBSET_PATH.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(extract_subset(full), indent=1, sort_keys=True, ensure_ascii=False)
    SUBSET_PATH.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
