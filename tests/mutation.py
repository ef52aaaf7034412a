"""Mutation testing of the modules that guard money and exactly-once (``make mutation``).

Each target is one source file and the test files that exist to guard it: cosmic-ray changes the
file one small bug at a time (a flipped comparison, ``+`` for ``-``, a constant off by one…) and
runs only those tests, so each run fits a small machine. A mutant the tests do not notice
"survives"; docs/testing.md lists the score and every survivor with its verdict.

The run works on a copy of ``src`` and ``tests`` under ``var/mutation/`` (cosmic-ray edits the
files it mutates in place), so the working tree is never touched and other test runs can go on
meanwhile. Each target's survivors, with their diffs, land in ``var/mutation/<target>.md``.

    python -m tests.mutation                 # every target except the slow ones
    python -m tests.mutation ocr pacing      # the named targets
    python -m tests.mutation --list
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "mutation"


@dataclass(frozen=True)
class Target:
    name: str
    module: str
    tests: tuple[str, ...]
    timeout_seconds: float = 180.0
    pure: bool = False  # its tests need none of the shared fixtures (no database, no app)
    slow: bool = False  # left out of a plain ``make mutation``; name it to run it
    note: str = ""


# Mutations that are noise for this code and cost a test run each: arithmetic turned into bit
# operations, ``|`` (almost always a type union, which has no effect at run time here),
# comparisons turned into identity checks, and the operators that swap or insert variables at
# random.
EXCLUDED_OPERATORS = (
    r"core/ReplaceBinaryOperator_\w+_(RShift|LShift|BitOr|BitAnd|BitXor)$",
    r"core/ReplaceBinaryOperator_BitOr_\w+$",
    r"core/ReplaceComparisonOperator_\w+_(Is|IsNot)$",
    r"core/Variable(Replacer|Inserter)$",
)


INVOICES_API = "tests/sgx/invoicing/test_invoices_api.py"
TARGETS = (
    Target("ocr", "src/sgx/invoicing/ocr.py", ("tests/sgx/invoicing/test_ocr.py",), pure=True),
    Target(
        "amounts",
        "src/sgx/invoicing/amounts.py",
        ("tests/sgx/invoicing/test_amounts.py",),
        pure=True,
    ),
    Target(
        "numbering",
        "src/sgx/invoicing/numbering.py",
        (  # the quickest to fail first: with -x a killed mutant stops at its first failure
            f"{INVOICES_API}::test_numbers_run_per_issuer_from_its_series_start",
            "tests/sgx/invoicing/test_row_locks.py",
            "tests/sgx/invoicing/test_concurrency.py",
            f"{INVOICES_API}::test_bad_invoice_input_is_422_with_field_message_and_stores_nothing",
        ),
    ),
    Target(
        "credits",
        "src/sgx/invoicing/credits.py",
        (
            "tests/sgx/invoicing/test_credits_api.py",
            "tests/sgx/invoicing/test_credit_rounding.py",
            "tests/sgx/invoicing/test_concurrency.py",
        ),
        slow=True,
    ),
    Target(
        "pacing",
        "src/sgx/fortnox/pacing.py",
        ("tests/sgx/fortnox/test_pacing.py",),
        timeout_seconds=30.0,  # the tests take a second; a mutant that never wakes up hangs
        pure=True,
    ),
    Target(
        "pacing-handover",
        "src/sgx/integration/pacing_store.py",
        (
            "tests/sgx/integration/test_pacing_store.py",
            "tests/sgx/integration/test_pacing_handover.py",
            "tests/sgx/integration/test_engine_leases.py",
        ),
        timeout_seconds=120.0,
    ),
    Target(
        "leases",
        "src/sgx/outbox/leases.py",
        (
            "tests/sgx/outbox/test_leases.py",
            "tests/sgx/integration/test_engine_leases.py",
            "tests/sgx/integration/test_engine_sweeper.py",
        ),
        slow=True,
    ),
    Target(
        "claim",
        "src/sgx/outbox/repository.py",
        ("tests/sgx/outbox/test_due.py", "tests/sgx/integration/test_engine_order.py"),
        slow=True,
    ),
    # The transfer handlers: slow, and their tests change with them.
    Target(
        "handler-invoices",
        "src/sgx/integration/handlers/invoices.py",
        ("tests/sgx/integration/test_handlers_invoices.py",),
        slow=True,
    ),
    Target(
        "handler-credits",
        "src/sgx/integration/handlers/credits.py",
        (
            "tests/sgx/integration/test_handlers_credits.py",
            "tests/sgx/integration/test_handlers_credit_rounding.py",
        ),
        slow=True,
    ),
)


def _copy_tree() -> Path:
    """A fresh copy of what the tests need, one per run (runs of other targets may go on at the
    same time); the copy's ``src`` comes first on the path."""
    copy = WORK / f"tree-{os.getpid()}"
    if copy.exists():
        shutil.rmtree(copy)
    copy.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache")
    for folder in ("src", "tests"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def _config(target: Target) -> Path:
    # Only the plugins the suite needs: loading every installed one costs seconds per mutant.
    plugins = "-p asyncio -p pytest_timeout" + (" --noconftest" if target.pure else "")
    command = (
        f"{sys.executable} -m pytest -x -q -p no:cacheprovider --no-header {plugins} "
        + " ".join(target.tests)
    )
    excluded = ", ".join(f"'{pattern}'" for pattern in EXCLUDED_OPERATORS)
    path = WORK / f"{target.name}.toml"
    path.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{target.module}"\n'
        f"timeout = {target.timeout_seconds}\n"
        "excluded-modules = []\n"
        f'test-command = "{command}"\n'
        "\n[cosmic-ray.distributor]\n"
        'name = "local"\n'
        "\n[cosmic-ray.filters.operators-filter]\n"
        f"exclude-operators = [{excluded}]\n"
    )
    return path


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def run_target(target: Target, copy: Path, env: dict[str, str]) -> str:
    """Initialise, filter, check the unmutated baseline, execute; write the survivors' report
    and return the summary line."""
    config, session = _config(target), WORK / f"{target.name}.sqlite"
    session.unlink(missing_ok=True)

    def run(*command: str) -> str:
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{target.name}: {' '.join(command[:2])} failed\n{done.stderr}")
        return done.stdout

    run(_tool("cosmic-ray"), "init", str(config), str(session))
    run(_tool("cr-filter-operators"), str(session), str(config))
    skip_signature_stars(session, copy)
    run(_tool("cosmic-ray"), "baseline", str(config))
    run(_tool("cosmic-ray"), "exec", str(config), str(session))
    results = [
        json.loads(line) for line in run(_tool("cosmic-ray"), "dump", str(session)).splitlines()
    ]
    line, survivors = summarise(results)
    report = [f"# {target.name} ({target.module}): {line}", ""]
    for mutation, diff in survivors:
        report += [f"## line {mutation['start_pos'][0]}: {mutation['operator_name']}", diff, ""]
    (WORK / f"{target.name}.md").write_text("\n".join(report))
    return line


def skip_signature_stars(session: Path, copy: Path) -> None:
    """cosmic-ray also "replaces" the ``*`` that makes the parameters after it keyword-only
    (``def f(a, *, b)`` → ``def f(a, /, b)``): callers pass those by keyword, so nothing changes,
    and each such mutant costs a full test run. Mark them skipped."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    skipped = WorkResult(output="keyword-only marker", worker_outcome=WorkerOutcome.SKIPPED)
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in list(db.pending_work_items):
            mutation = item.mutations[0]
            if not mutation.operator_name.startswith("core/ReplaceBinaryOperator_Mul_"):
                continue
            line, column = mutation.start_pos
            text = (copy / mutation.module_path).read_text().splitlines()[line - 1]
            if text[column : column + 1] == "*" and text[column + 1 :].lstrip().startswith(","):
                db.set_result(item.job_id, skipped)


def summarise(results: list[list[Any]]) -> tuple[str, list[tuple[dict[str, Any], str]]]:
    """The counts and score, and each survivor with its diff. Skipped (filtered) mutants do not
    count; a mutant whose tests timed out counts as killed."""
    counts: Counter[str] = Counter()
    survivors = []
    for item, result in results:
        if result is None:
            counts["pending"] += 1
        elif result["worker_outcome"] == "skipped":
            counts["skipped"] += 1
        elif result["worker_outcome"] != "normal" or result["test_outcome"] == "incompetent":
            counts["incompetent"] += 1
        elif result["test_outcome"] == "survived":
            counts["survived"] += 1
            survivors.append((item["mutations"][0], result.get("diff") or ""))
        else:
            counts["killed"] += 1
    tested = counts["killed"] + counts["survived"]
    score = 100.0 * counts["killed"] / tested if tested else 100.0
    line = (
        f"{tested} mutants tested, {counts['killed']} killed, {counts['survived']} survived "
        f"(score {score:.1f}%); {counts['skipped']} filtered, {counts['incompetent']} "
        f"incompetent, {counts['pending']} pending"
    )
    return line, sorted(survivors, key=lambda found: found[0]["start_pos"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__)
    parser.add_argument("targets", nargs="*", help="names of targets (default: the quick ones)")
    parser.add_argument("--list", action="store_true", help="list the targets and stop")
    arguments = parser.parse_args(argv)
    by_name = {target.name: target for target in TARGETS}
    if arguments.list:
        for target in TARGETS:
            extra = " (slow)" if target.slow else ""
            extra += f" ({target.note})" if target.note else ""
            print(f"{target.name:18} {target.module}{extra}")
        return
    unknown = [name for name in arguments.targets if name not in by_name]
    if unknown:
        parser.error(f"unknown targets: {', '.join(unknown)}")
    chosen = [by_name[name] for name in arguments.targets] or [
        target for target in TARGETS if not target.slow
    ]
    WORK.mkdir(parents=True, exist_ok=True)
    copy = _copy_tree()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(copy / "src"), str(copy)]),
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    try:
        for target in chosen:
            print(f"{target.name}: {run_target(target, copy, env)}", flush=True)
    finally:
        shutil.rmtree(copy, ignore_errors=True)


if __name__ == "__main__":
    main()
