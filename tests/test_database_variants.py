"""A run never shrinks quietly: without PostgreSQL, CI fails with a clear message and a local run
ends with one line saying which database variants did not run and why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NOWHERE = "postgresql+asyncpg://postgres@127.0.0.1:9/postgres"  # the discard port: nothing answers
ONE_DATABASE_TEST = "tests/sgx/test_skeleton.py::test_unknown_api_path_answers_json_404"


def _pytest_without_postgres(*, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "PYTEST_ADDOPTS")}
    env["SGX_TEST_POSTGRES_URL"] = NOWHERE
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", ONE_DATABASE_TEST, "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ci_run_without_postgres_fails_and_says_why() -> None:
    result = _pytest_without_postgres(ci=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "PostgreSQL at 127.0.0.1:9 did not answer" in output
    assert "CI runs every test on PostgreSQL too" in output
    assert " passed" not in output


def test_local_run_without_postgres_passes_and_names_the_missing_variants() -> None:
    result = _pytest_without_postgres(ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if "database variants not run" in line]
    assert len(lines) == 1
    assert "postgres (PostgreSQL at 127.0.0.1:9 did not answer" in lines[0]
    assert "1 passed" in result.stdout
