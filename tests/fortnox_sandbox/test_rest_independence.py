"""The sandbox stands alone: no module of ``fortnox_sandbox`` imports ``sgx``."""

from __future__ import annotations

import ast
from pathlib import Path

import fortnox_sandbox

PACKAGE = Path(fortnox_sandbox.__file__).parent


def imported_modules(source: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_sandbox_module_imports_sgx() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name for name in imported_modules(path) if name == "sgx" or name.startswith("sgx.")
        )
        for path in PACKAGE.rglob("*.py")
    }

    assert {path: names for path, names in offenders.items() if names} == {}
    assert len(offenders) > 20  # the walk really saw the package
