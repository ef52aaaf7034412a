"""``sgx.fortnox`` knows nothing of SGX: it imports no other part of ``sgx``."""

from __future__ import annotations

import ast
from pathlib import Path

import sgx.fortnox

PACKAGE_DIR = Path(sgx.fortnox.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_fortnox_client_imports_nothing_else_from_sgx_nor_the_sandbox() -> None:
    foreign = {
        f"{path.name}: {name}"
        for path in PACKAGE_DIR.glob("*.py")
        for name in imported_modules(path)
        if (name.startswith("sgx") and not name.startswith("sgx.fortnox"))
        or name.startswith("fortnox_sandbox")
    }
    assert foreign == set()
