"""``sgx demo`` runs the whole story headless on the embedded defaults and ends with a verified
summary; it exits 0 only when every check held."""

from __future__ import annotations

import asyncio
from typing import Any

from typer.testing import CliRunner

from sgx.cli import app
from sgx.settings import get_settings

runner = CliRunner()


async def _run_demo() -> Any:
    def invoke() -> Any:
        get_settings.cache_clear()
        return runner.invoke(app, ["demo"], env={"COLUMNS": "200"})

    return await asyncio.to_thread(invoke)


async def test_sgx_demo_exits_0_after_checking_fortnox_against_sgx() -> None:
    result = await _run_demo()

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "✓ Alla 7 fakturor finns i Fortnox, var och en en gång" in lines
    assert "✓ Krediteringarna (2) finns en gång var och pekar på sin faktura" in lines
    assert any(line.startswith("✓ Betalningen i Fortnox syns i SGX") for line in lines)
    assert any(
        line.startswith("✓ Krediteringen i Fortnox syns i SGX") and "”Osynk”" in line
        for line in lines
    )
    assert lines[-1] == "Allt stämmer."
    assert "✗" not in result.output
