"""The quick chaos run (``make chaos-quick``) as part of the tests: on PostgreSQL, with the sandbox
and the workers as real processes, faults, expiring tokens, a revoked consent, a lost licence
and killed workers — and afterwards every invoice and credit in Fortnox exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from sgx.chaos.config import QUICK
from sgx.chaos.run import ChaosRun
from tests.conftest import POSTGRES_URL

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]


async def test_quick_chaos_run_loses_nothing_and_duplicates_nothing(
    database_url: str, tmp_path: Path
) -> None:
    assert POSTGRES_URL is not None  # postgres_only: the run makes its own database there
    said: list[str] = []

    result = await ChaosRun(QUICK, directory=tmp_path, say=said.append).run(POSTGRES_URL)

    assert result.ok, "\n".join(result.lines)
    # It really was a chaos run: documents went through faults, kills and token renewals.
    figures = result.figures
    assert figures["documents"] > 0 and figures["faults"] > 0, figures
    assert figures["kills"] > 0 and figures["token grants"] > 0, figures
