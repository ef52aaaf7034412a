"""The figures of a chaos run as plain text lines: what was made, what went wrong, the verdict."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sgx.chaos.checks import Verdict
from sgx.chaos.config import ChaosConfig
from sgx.chaos.disruptions import Tally
from sgx.chaos.processes import WorkerPool
from sgx.chaos.watch import RequestTally
from sgx.chaos.workload import Ledger


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counter.items())) or "none"


def _section(title: str, items: Iterable[str]) -> list[str]:
    return [title, *(f"  {item}" for item in items)]


def render(
    *,
    config: ChaosConfig,
    phases: dict[str, float],
    ledger: Ledger,
    pool: WorkerPool,
    fired: Counter[str],
    tally: Tally,
    requests: RequestTally,
    verdict: Verdict,
) -> list[str]:
    total = sum(phases.values())
    figures = verdict.figures
    lines = [f"Chaos run '{config.name}' (seed {config.seed})"]
    lines += _section(
        "Duration",
        [
            f"total {total:.0f} s: "
            + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in phases.items())
        ],
    )
    personal = config.personal_issuers
    lines += _section(
        "Set-up",
        [
            f"{config.issuers} issuers ({personal} personal accounts, "
            f"{config.issuers - personal} service accounts)",
            f"{config.workers} workers × {config.worker_concurrency} issuers, "
            f"lease {config.lease_seconds:g} s",
        ],
    )
    lines += _section(
        "Documents",
        [
            f"made in SGX: {_counts(ledger.counts)}",
            f"in Fortnox: invoices and credit invoices {figures['Fortnox invoices']}, "
            f"customers {figures['Fortnox customers']}",
        ],
    )
    lines += _section(
        "Faults injected",
        [
            f"by the fault plans: {_counts(fired)}",
            f"bursts added: {_counts(tally.bursts)}",
            f"workers killed with SIGKILL: {pool.kills} (processes started: {pool.started})",
            f"clock moved {tally.clock_steps} times, {tally.clock_advanced_seconds // 3600} h",
        ],
    )
    lines += _section(
        "Requests to Fortnox",
        [
            f"{requests.total} in all; by status: {_counts(requests.by_status)}",
            f"token grants {requests.token_grants}; refused token requests "
            f"{len(requests.token_refusals)} "
            f"({figures['token refusals of the revoked consent']} of the revoked consent)",
        ],
    )
    attempts = Counter(
        {
            key[len("attempts ") :]: value
            for key, value in figures.items()
            if key.startswith("attempts ")
        }
    )
    lines += _section("Transfer history", [f"attempts by outcome: {_counts(attempts)}"])
    lines += _section(
        "Scenarios",
        [
            f"{s.name} (issuer {s.issuer_id}) at {s.started_at:.0f} s: SGX saw "
            f"'{s.seen_state or '-'}', after repair '{s.repaired_state or '-'}', "
            f"{len(s.invoice_ids)} invoices made meanwhile, "
            f"{figures[s.name + ': invoices held and delivered after']} delivered after the repair"
            for s in tally.scenarios
        ],
    )
    if verdict.violations:
        lines += _section(f"VIOLATIONS ({len(verdict.violations)})", verdict.violations)
    else:
        lines.append("No violations: nothing lost, nothing duplicated.")
    return lines
